"""Solving: the flow network and its inverse, lexicographic min-cost flow, CP-SAT repair, the status enums."""

from __future__ import annotations

from matcher.result import SolveStatus, Status

__all__ = ["SolveStatus", "Status"]
