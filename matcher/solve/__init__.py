"""Solving: the flow network and its inverse, lexicographic min-cost flow, CP-SAT repair, the status enum."""

from __future__ import annotations

from matcher.result import Status

__all__ = ["Status"]
