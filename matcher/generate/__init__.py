"""Synthetic scenarios on the real map."""

from .scenario import embedded_scenario, generate, write_scenario

__all__ = ["embedded_scenario", "generate", "write_scenario"]
