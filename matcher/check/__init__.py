"""The independent checker: every rule verified again on the result, not by the solver."""

from .checker import check, verify
from .pairs import Violation

__all__ = ["check", "verify", "Violation"]
