"""The solver outcome, in our own words: one small enum every solver status maps into once."""
from __future__ import annotations

from enum import Enum

__all__ = ["Status"]


class Status(str, Enum):
    """How good the allocation is.

    OPTIMAL: every objective level reached its proven bound.
    FEASIBLE: a valid allocation whose levels have a gap to their bound (a time limit, or constraints the exact
    method could not carry, or candidate lists capped at scale); the gap is reported per level.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
