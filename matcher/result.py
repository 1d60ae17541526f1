"""What an allocation returns: the :class:`Result`, its :class:`Status`, and what its bounds are proven over; the
objective :class:`Level`; and :class:`SolveStatus`, the one reading of the solvers' own status codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import Any, SupportsInt

import pandas as pd

from matcher.util.i18n import mark

__all__ = [
    "BOUNDS_OVER",
    "Level",
    "Result",
    "SolveStatus",
    "Status",
    "max_flow_status",
    "milp_status",
    "min_cost_flow_status",
]


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
    summary: dict[str, Any]  # the JSON document: values of every kind
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def status(self) -> Status:
        return Status(self.summary["solver"]["status"])


#: What the levels' bounds are proven over, strongest first (``merge`` keeps the weakest of the parts).
BOUNDS_OVER = (  # summary.json's values (English); marked for the catalogue, translated where they are shown
    mark("all eligible pairs"),
    mark("placed: all eligible pairs; later levels: kept candidate pairs"),
    mark("kept candidate pairs"),
)


@dataclass(frozen=True)
class Level:
    """One objective level: its value, a proven bound (None when none is known), and its sense (max or min).

    Bounds are lexicographic: a level's bound holds among allocations that reach every earlier level's value,
    so once a level falls short of its bound the later levels have none here (the engine then gives them bounds
    holding for every allocation, ``bounds``).
    """

    name: str
    value: float
    bound: float | None
    sense: str

    @property
    def gap(self) -> float | None:
        """Relative gap between value and bound, as MIP solvers give it: their difference over the larger of the
        two in absolute value, so between 0 and 1 (0 when proven optimal, None without a bound)."""
        if self.bound is None:
            return None
        diff = (self.bound - self.value) if self.sense == "max" else (self.value - self.bound)
        return 0.0 if diff <= 0 else diff / max(abs(self.bound), abs(self.value), 1.0)


class SolveStatus(Enum):
    """How one solver call ended, whatever the solver: the only place its own status codes are read.

    OPTIMAL: solved to optimality. LIMIT: stopped by a time or iteration limit. INFEASIBLE, UNBOUNDED: the model
    has no solution, or no finite optimum. UNBALANCED: the flow's supplies cannot all be routed. BAD_COST_RANGE:
    costs too large for the solver's integers. FAILED: anything else (not solved, bad input, bad result, overflow).
    """

    OPTIMAL = "optimal"
    LIMIT = "limit"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    UNBALANCED = "unbalanced"
    BAD_COST_RANGE = "bad cost range"
    FAILED = "failed"


@cache
def _min_cost_flow_codes() -> dict[int, SolveStatus]:
    from ortools.graph.python.min_cost_flow import SimpleMinCostFlow  # here: this module stays free of solvers

    return {
        int(SimpleMinCostFlow.OPTIMAL): SolveStatus.OPTIMAL,
        int(SimpleMinCostFlow.INFEASIBLE): SolveStatus.INFEASIBLE,
        int(SimpleMinCostFlow.UNBALANCED): SolveStatus.UNBALANCED,
        int(SimpleMinCostFlow.BAD_COST_RANGE): SolveStatus.BAD_COST_RANGE,
    }


@cache
def _max_flow_codes() -> dict[int, SolveStatus]:
    from ortools.graph.python.max_flow import SimpleMaxFlow  # here: this module stays free of solvers

    return {int(SimpleMaxFlow.OPTIMAL): SolveStatus.OPTIMAL}


#: ``scipy.optimize.milp``'s status codes (HiGHS underneath): 0 optimal, 1 iteration or time limit, 2 infeasible,
#: 3 unbounded, 4 anything else.
_MILP_CODES = {0: SolveStatus.OPTIMAL, 1: SolveStatus.LIMIT, 2: SolveStatus.INFEASIBLE, 3: SolveStatus.UNBOUNDED}


def min_cost_flow_status(raw: SupportsInt) -> SolveStatus:
    """The status of OR-Tools' ``SimpleMinCostFlow.solve`` or ``solve_max_flow_with_min_cost``."""
    return _min_cost_flow_codes().get(int(raw), SolveStatus.FAILED)


def max_flow_status(raw: SupportsInt) -> SolveStatus:
    """The status of OR-Tools' ``SimpleMaxFlow.solve``."""
    return _max_flow_codes().get(int(raw), SolveStatus.FAILED)


def milp_status(raw: SupportsInt) -> SolveStatus:
    """The status of ``scipy.optimize.milp`` (its ``OptimizeResult.status``)."""
    return _MILP_CODES.get(int(raw), SolveStatus.FAILED)
