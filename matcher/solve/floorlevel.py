"""The ``floors`` level in the engine: placed students counting towards their académie's floor.

The level, ``sum over académies of min(placed, floor)``, is concave in each académie's count, which the flow
network cannot express (a student's académie is not a node of it). The engine approximates it: the flow counts
the placements of students whose académie is *open* — below or at its floor — and the open set is updated from
the flow's result a few times (``chase``); the best allocation found is kept. The level's value is always
recomputed exactly, and its bound is ``sum of min(floor, students of the académie with an eligible site)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow

from matcher.errors import SolverError
from matcher.result import Level, SolveStatus, max_flow_status
from matcher.solve.bounds import most_placed

__all__ = ["FloorBound", "FloorLevel", "floor_level", "with_floors"]


@dataclass(frozen=True)
class FloorLevel:
    """Floors per académie, and each student's académie (its position in ``floor``; -1 without a floor)."""

    code: npt.NDArray[np.int64]
    floor: npt.NDArray[np.int64]

    def placed(self, students: np.ndarray) -> npt.NDArray[np.intp]:
        """Placed students per académie."""
        code = self.code[students]
        return np.bincount(code[code >= 0], minlength=len(self.floor))

    def value(self, students: np.ndarray) -> int:
        """The level's value for the placed ``students`` (positions, each once)."""
        return int(np.minimum(self.placed(students), self.floor).sum())

    def bound(self, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> int:
        """No allocation of ``pairs`` counts more (see ``_week_bound``): the smaller of the two weeks' bounds."""
        return min(_week_bound(self, pairs, students, sites, week) for week in (1, 2))

    def open_mask(self, students: np.ndarray | None) -> npt.NDArray[np.bool_]:
        """Per student: their académie is at or below its floor with ``students`` placed (all floors when None)."""
        room = self.floor > 0 if students is None else (self.floor > 0) & (self.placed(students) <= self.floor)
        return (self.code >= 0) & room[np.maximum(self.code, 0)]


class FloorBound:
    """The ``floors`` level's bound over ``pairs``, solved only when a value falls short of a quick one.

    ``quick``, the sum over académies of min(floor, students with a candidate pair), is never below the exact bound
    (``FloorLevel.bound``); a value reaching it proves it exact, and the two maximum flows are not solved.
    """

    def __init__(self, level: FloorLevel, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame):
        self._args = (pairs, students, sites)
        self._level = level
        self._exact: int | None = None
        self.quick = level.value(np.unique(pairs["student"].to_numpy(np.int64)))

    def given(self, reached: int) -> int:
        """The bound, knowing that an allocation reaches ``reached``."""
        if reached >= self.quick:
            return self.quick
        if self._exact is None:
            self._exact = self._level.bound(*self._args)
        return self._exact


def floor_level(students: pd.DataFrame, floors: pd.Series | None) -> FloorLevel | None:
    """The level for ``floors`` (floor per académie name); None when there are no floors."""
    if floors is None or len(floors) == 0:
        return None
    index = pd.Index(floors.index.astype(str))
    return FloorLevel(
        code=index.get_indexer(students["academie"].astype(str)).astype(np.int64), floor=floors.to_numpy(np.int64)
    )


def _week_bound(level: FloorLevel, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, week: int) -> int:
    """Maximum flow ``source → académie (floor) → student → site-week → sink`` with both-weeks students in
    ``week`` and one-week students in theirs."""
    n_a, n, m = len(level.floor), len(students), len(sites)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    kind = students["weeks"].to_numpy(object)
    uses = np.where(kind == "both", week, np.where(kind == "week_1", 1, 2))[s]  # the week each pair takes
    left = np.where(
        uses == 1, sites["capacity_week_1"].to_numpy(np.int64)[j], sites["capacity_week_2"].to_numpy(np.int64)[j]
    )
    ok = (level.code[s] >= 0) & (left > 0)
    student = 2 + n_a + np.arange(n)
    place = 2 + n_a + n + (uses[ok] - 1) * m + j[ok]  # node of the site's places in that week
    counted = np.flatnonzero(level.code >= 0)
    tails = np.concatenate(
        [np.zeros(n_a, np.int64), 2 + level.code[counted], student[s[ok]], 2 + n_a + n + np.arange(2 * m)]
    )
    heads = np.concatenate([2 + np.arange(n_a), student[counted], place, np.ones(2 * m, np.int64)])
    caps = np.concatenate(
        [
            level.floor,
            np.ones(len(counted) + int(ok.sum()), np.int64),
            sites["capacity_week_1"].to_numpy(np.int64),
            sites["capacity_week_2"].to_numpy(np.int64),
        ]
    )
    solver = SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, np.maximum(caps, 0))
    if max_flow_status(solver.solve(0, 1)) is not SolveStatus.OPTIMAL:
        raise SolverError("OR-Tools max flow failed on the floors bound network")
    return int(solver.optimal_flow())


def with_floors(
    levels: list[Level],
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    level: FloorLevel,
    floors_bound: FloorBound,
) -> list[Level]:
    """The exact ``floors`` level (value and bound); ``placed`` bounded by the maximum flow; the flow's bounds
    after ``floors`` dropped (they hold for its approximation only)."""
    most = most_placed(levels, pairs, students, sites)
    at = [lv.name for lv in levels].index("floors")
    out = []
    for i, lv in enumerate(levels):
        if lv.name == "placed":
            out.append(Level("placed", lv.value, float(most), "max"))
        elif lv.name == "floors":  # nothing counts more towards floors than it places
            value = level.value(placements["student"].unique())
            out.append(Level("floors", float(value), float(min(floors_bound.given(value), most)), "max"))
        else:
            out.append(lv if i < at else Level(lv.name, lv.value, None, lv.sense))
    return out
