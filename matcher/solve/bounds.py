"""Bounds that hold for every allocation, whatever the earlier levels reach.

``most_placed``: the relaxed network's maximum flow; ``priority_bound``: the same with the priority students alone;
``bound_placing``: the cost levels over every allocation placing at least a given number of students.

The flow's bounds on ``gender``, ``preference`` and ``distance`` are lexicographic: they hold among allocations
reaching every earlier level's value. Once an earlier level falls short (``placed`` below the maximum flow, say),
they no longer apply. The bounds here do, for any allocation that places at least ``n`` students (the
lexicographic optimum places at least as many as any allocation, so they bound it too):

- each placed student costs at least its cheapest eligible pair in each week it needs (a site with places that
  week), so no allocation placing ``n`` students costs less than the ``n`` smallest such sums (costs are never
  negative). This is the relaxation's Lagrangian dual with every site's price at zero: capacities are ignored.
- the ``gender`` level's is 0, the trivial bound.

They are weak where places are scarce: a student's cheapest site may be full. The gap they give is an upper
estimate of what the level could still gain.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .flow import COST_LEVELS, Level, max_flow
from .network import build_network

__all__ = ["UNCONDITIONAL", "bound_placing", "cheapest_sum", "level_costs", "lexicographic", "most_placed",
           "priority_bound", "unconditional"]


def level_costs(pairs: pd.DataFrame, level: str) -> np.ndarray:
    """Per pair, what one student-week there costs on ``level`` (``preference``: rank; ``distance``: metres)."""
    if level == "preference":
        return pairs["rank"].to_numpy(np.int64)
    if level == "distance":
        return np.rint(pairs["km"].to_numpy(float) * 1000).astype(np.int64)
    raise ValueError(f"no per-pair cost for the level {level!r}")


def cheapest_sum(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, cost: np.ndarray,
                 n: int) -> int:
    """Least total ``cost`` (per pair and student-week) of placing ``n`` students, capacities ignored.

    Each student's cheapest usable pair in each week they need, summed, then the ``n`` smallest sums added.
    Raises when fewer than ``n`` students have a usable pair in every week they need (no allocation places ``n``).
    """
    student, site = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    kind = students["weeks"].to_numpy(object)
    total = np.zeros(len(students), np.float64)
    for week, column in ((1, "capacity_week_1"), (2, "capacity_week_2")):
        usable = sites[column].to_numpy(np.int64)[site] > 0
        least = np.full(len(students), np.inf)
        np.minimum.at(least, student[usable], cost[usable].astype(np.float64))
        needs = kind != ("week_2" if week == 1 else "week_1")
        total += np.where(needs, least, 0.0)
    finite = np.sort(total[np.isfinite(total)])
    if len(finite) < n:
        raise RuntimeError(f"internal error: {n} students placed but only {len(finite)} have a usable pair")
    return int(finite[:n].sum())


def bound_placing(level: str, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, n: int) -> float:
    """The bound on the cost ``level`` over every allocation of ``pairs`` placing at least ``n`` students."""
    if level == "gender":
        return 0.0
    return float(cheapest_sum(pairs, students, sites, level_costs(pairs, level), n))


def most_placed(levels: list[Level], pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> int:
    """The most students any allocation places: the flow's ``placed`` bound when it was a maximum flow (placed
    first), else the relaxed network's maximum flow."""
    if levels[0].name == "placed":
        return int(levels[0].bound)
    return max_flow(build_network(pairs, students["weeks"].to_numpy(object),
                                  sites["capacity_week_1"].to_numpy(np.int64),
                                  sites["capacity_week_2"].to_numpy(np.int64)))


def priority_bound(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> int:
    """Most priority students any allocation places: the relaxed network's maximum flow with them alone (it holds
    whatever the earlier levels reach)."""
    mine = students["priority"].to_numpy(bool)[pairs["student"].to_numpy()]
    net = build_network(pairs[mine], students["weeks"].to_numpy(object),
                        sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64))
    return max_flow(net)


#: Levels whose bound holds for every allocation, whatever the earlier levels reach (``placed``: a maximum flow,
#: ``floors``: ``FloorLevel.bound``; the ``priority`` level gets ``priority_bound`` when the flow's bound does
#: not hold).
UNCONDITIONAL = ("placed", "floors")


def lexicographic(levels: list[Level]) -> list[Level]:
    """Drop the bounds of the levels after the first one that falls short of its bound (except the levels whose
    bound holds for every allocation)."""
    out, short = [], False
    for lv in levels:
        out.append(Level(lv.name, lv.value, None, lv.sense) if short and lv.name not in UNCONDITIONAL else lv)
        short = short or bool(lv.gap)
    return out


def unconditional(levels: list[Level], placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame,
                  sites: pd.DataFrame) -> list[Level]:
    """Levels left without a bound get one holding for every allocation: ``priority`` its maximum flow
    (``priority_bound``), the cost levels one over every allocation placing as many students as ``placements``
    (``bound_placing``)."""
    n = placements["student"].nunique()
    out = []
    for lv in levels:
        if lv.bound is None and lv.name == "priority":
            lv = Level(lv.name, lv.value, float(priority_bound(pairs, students, sites)), lv.sense)
        elif lv.bound is None and lv.name in COST_LEVELS:
            lv = Level(lv.name, lv.value, bound_placing(lv.name, pairs, students, sites, n), lv.sense)
        out.append(lv)
    return out
