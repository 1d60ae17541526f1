"""What an allocation returns: the :class:`Result`, its :class:`Status`, and what its bounds are proven over."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import pandas as pd

__all__ = ["BOUNDS_OVER", "Result", "Status"]


class Status(str, Enum):
    """How good the allocation is.

    OPTIMAL: every objective level reached its proven bound.
    FEASIBLE: a valid allocation whose levels have a gap to their bound (a time limit, or constraints the exact
    method could not carry, or candidate lists capped at scale); the gap is reported per level.
    """

    OPTIMAL = "optimal"
    FEASIBLE = "feasible"


@dataclass(frozen=True)
class Result:
    """An allocation: who goes where, who does not and why, and the figures.

    Attributes
    ----------
    assignments : DataFrame
        One row per student and host (DESIGN.md §5).
    unassigned : DataFrame
        ``student_id, reason_code, reason`` for every student not placed.
    summary : dict
        Counts, objective levels with values and proven bounds, per-académie figures (``summary.json``).
    timings : dict
        Seconds per stage (kept out of ``summary`` so that outputs are byte-identical between runs).
    """

    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    summary: dict
    timings: dict = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return Status(self.summary["solver"]["status"])


#: What the levels' bounds are proven over, strongest first (``merge`` keeps the weakest of the parts).
BOUNDS_OVER = (
    "all eligible pairs",
    "placed: all eligible pairs; later levels: kept candidate pairs",
    "kept candidate pairs",
)
