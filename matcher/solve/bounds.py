"""Bounds that hold for every allocation, whatever the earlier levels reach.

``most_placed``: the relaxed network's maximum flow; ``priority_bound``: the same with the priority students alone;
``bound_placing``: the cost levels over every allocation placing at least a given number of students.

The flow's bounds on ``gender``, ``preference`` and ``distance`` are lexicographic: they hold among allocations
reaching every earlier level's value. Once an earlier level falls short (``placed`` below the maximum flow, say),
they no longer apply. The bounds here do, for any allocation that places at least ``n`` students (the
lexicographic optimum places at least as many as any allocation, so they bound it too):

- up to ``EXACT_PAIRS`` candidate pairs (an académie's size), the relaxation's own: the least cost of the relaxed
  network carrying ``n`` students (``relaxed_cost``: one OR-Tools min-cost flow per level, supply ``n``; costs are
  never negative, so carrying more costs no less, and every allocation is a flow of that network);
- above, a cheap one: each placed student costs at least its cheapest eligible pair in each week it needs (a site
  with places that week), so no allocation placing ``n`` students costs less than the ``n`` smallest such sums
  (``cheapest_sum``: the relaxation's Lagrangian dual with every site's price at zero, capacities ignored); the
  ``gender`` level's is then 0, the trivial bound. They are weak where places are scarce (a student's cheapest
  site may be full): their gap is an upper estimate of what the level could still gain.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matcher.errors import SolverError
from matcher.objective import COST_LEVELS
from matcher.result import Level, SolveStatus, min_cost_flow_status
from matcher.solve.flow import level_costs, max_flow
from matcher.solve.gendercap import with_gender_caps
from matcher.solve.network import SINK, SOURCE, build_network

__all__ = ["bound_placing", "cheapest_sum", "lexicographic", "most_placed", "relaxed_cost", "unconditional"]

#: Up to this many candidate pairs the cost levels' bounds are the relaxation's own (``relaxed_cost``).
EXACT_PAIRS = 150_000


def cheapest_sum(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, cost: np.ndarray, n: int) -> int:
    """Least total ``cost`` (per pair and student-week) of placing ``n`` students, capacities ignored.

    Each student's cheapest usable pair in each week they need, summed, then the ``n`` smallest sums added.
    Raises when fewer than ``n`` students have a usable pair in every week they need (no allocation places ``n``).
    """
    student, site = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    kind = students["weeks"].to_numpy(object)
    total = np.zeros(len(students), np.float64)
    for week, column in ((1, "capacity_week_1"), (2, "capacity_week_2")):
        usable = sites[column].to_numpy(np.int64) > 0
        least = np.full(len(students), np.inf)
        np.minimum.at(least, student, np.where(usable[site], cost, np.inf))  # unusable pairs count as inf
        needs = kind != ("week_2" if week == 1 else "week_1")
        total += np.where(needs, least, 0.0)
    finite = total[np.isfinite(total)]
    if len(finite) < n:
        raise SolverError(f"internal error: {n} students placed but only {len(finite)} have a usable pair")
    # the sums are whole numbers far below 2**53: the n smallest add up exactly in any order
    return int(np.partition(finite, n - 1)[:n].sum()) if n > 0 else 0


def relaxed_cost(
    level: str,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    n: int,
    gender: tuple[float, int] | None = None,
) -> int | None:
    """Least ``level`` cost of the relaxed network carrying ``n`` students (the gender target's layer for
    ``gender``: girls' share, smallest site); None when it cannot carry them."""
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    net = build_network(pairs, students["weeks"].to_numpy(object), cap1, cap2)
    if level == "gender":
        if gender is None:
            return 0
        net, cost = with_gender_caps(net, pairs, students["gender"].to_numpy(object) == "M", cap1, cap2, *gender)
    else:
        cost, on = np.zeros(len(net.tails), np.int64), net.pair >= 0
        cost[on] = level_costs(pairs, level)[net.pair[on]]
    mcf = SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacities, cost)
    mcf.set_nodes_supplies(np.array([SOURCE, SINK]), np.array([n, -n]))
    return int(mcf.optimal_cost()) if min_cost_flow_status(mcf.solve()) is SolveStatus.OPTIMAL else None


def bound_placing(
    level: str,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    n: int,
    gender: tuple[float, int] | None = None,
) -> float:
    """The bound on the cost ``level`` over every allocation of ``pairs`` placing at least ``n`` students (see the
    module; ``gender``: the gender target, girls' share and smallest site)."""
    if len(pairs) <= EXACT_PAIRS:
        exact = relaxed_cost(level, pairs, students, sites, n, gender)
        if exact is not None:
            return float(exact)
    if level == "gender":
        return 0.0
    return float(cheapest_sum(pairs, students, sites, level_costs(pairs, level), n))


def most_placed(levels: list[Level], pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> int:
    """The most students any allocation places: the flow's ``placed`` bound when it was a maximum flow (placed
    first), else the relaxed network's maximum flow."""
    if levels[0].name == "placed":
        bound = levels[0].bound
        if bound is None:
            raise SolverError("internal error: the maximum flow's placed level has no bound")
        return int(bound)
    return max_flow(
        build_network(
            pairs,
            students["weeks"].to_numpy(object),
            sites["capacity_week_1"].to_numpy(np.int64),
            sites["capacity_week_2"].to_numpy(np.int64),
        )
    )


def priority_bound(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> int:
    """Most priority students any allocation places: the relaxed network's maximum flow with them alone (it holds
    whatever the earlier levels reach)."""
    priority = students["priority"].to_numpy(bool)
    student = pairs["student"].to_numpy(np.int64)
    mine = priority[student]
    renumbered = np.cumsum(priority) - 1  # the priority students only: the others carry no flow without pairs
    net = build_network(
        pd.DataFrame({"student": renumbered[student[mine]], "site": pairs["site"].to_numpy(np.int64)[mine]}),
        students["weeks"].to_numpy(object)[priority],
        sites["capacity_week_1"].to_numpy(np.int64),
        sites["capacity_week_2"].to_numpy(np.int64),
    )
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


def unconditional(
    levels: list[Level],
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    gender: tuple[float, int] | None = None,
) -> list[Level]:
    """Levels left without a bound get one holding for every allocation: ``priority`` its maximum flow
    (``priority_bound``), the cost levels one over every allocation placing as many students as ``placements``
    (``bound_placing``; ``gender``: the gender target)."""
    n = placements["student"].nunique()
    out = []
    for lv in levels:
        if lv.bound is None and lv.name == "priority":
            lv = Level(lv.name, lv.value, float(priority_bound(pairs, students, sites)), lv.sense)
        elif lv.bound is None and lv.name in COST_LEVELS:
            lv = Level(lv.name, lv.value, bound_placing(lv.name, pairs, students, sites, n, gender), lv.sense)
        out.append(lv)
    return out
