"""Decide where the groups go before the flow: where the other students' maximum flow leaves places to spare.

The relaxed network sees a group's members as separate students, and a group is placed whole later, in the
places the flow leaves it (``groups.place_groups``). That costs more than it seems: a group of k full-time
members takes k places in each week at its site, and in the other students' flow those places may carry k
week-1 rows and k week-2 rows of *different* students (students who split), so a group can displace up to 2k
others. Measured at national scale (70,000 students, 1,167 groups, seed 1): the groups as the engine placed them
without a plan (1,514 members) lowered the others' relaxed maximum flow by 423 students, the plan's (1,774
members) by 622; with the groups fixed, the relaxed bound is 65,818 against 65,879 (the whole relaxation's:
65,889), and the engine places 65,801 against 65,867 (``benchmarks/README.md``).

The plan (``plan_groups``) is a reduction, with its way back (``GroupPlan.back``):

1. the others' relaxed maximum flow (every student not in a group, on their own pairs; OR-Tools) and its minimum
   cut, the nodes the source still reaches; made maximum from the whole network's maximum flow, its group
   members taken out, when the engine has one (``mincut.maximum_from``: at the full cohort 7.9 s against 12.8 s
   from nothing);
2. each *option* — a group at a site where every member has a pair and the places hold the group in each week
   it needs — gains the group's size less the places it takes on arcs the cut crosses (a site's week whose
   node the source does not reach; the week-2 node that does): the cut's capacity falls by that much, so the
   others' maximum flow falls by at least that much (the gain is an estimate from above);
3. one small MIP (HiGHS, ``scipy.optimize.milp``): each group at one site at most, each site's places each week,
   options whose gain is not negative only (one that gains nothing places its members for as many others, by
   the estimate; at national scale, taking them placed 2 more students and 93 more priority students than
   leaving them out);
   largest total gain, then most priority members, then the least first cost level of ``order``;
4. the groups chosen are fixed there; the engine solves the others on the places left (``GroupPlan.pairs`` and
   ``GroupPlan.sites``), sharing them out with step 1's flow made maximum again on the places left
   (``GroupPlan.maximum``, ``mincut.lowered``), and ``back`` adds the planned groups and places the other groups
   whole, full time, in the places still free (``place_groups``).

The bounds stay those of the whole relaxed network: the plan only chooses an allocation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.domain.groups import Groups
from matcher.result import Level, SolveStatus, milp_status
from matcher.solve.flow import max_flow
from matcher.solve.groups import group_needs, group_sites, hosted_rows, place_groups, week_needs
from matcher.solve.mincut import CutFlow, lowered, max_flow_cut, maximum_from
from matcher.solve.network import build_network
from matcher.solve.regions import Maximum
from matcher.solve.rounds import places_left

__all__ = ["GroupPlan", "bound_with_groups", "placed_bound_only", "plan_groups"]

_Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class GroupPlan:
    """Groups placed first, and the problem left for the engine.

    Attributes
    ----------
    placements : DataFrame
        The planned groups' rows (``student, site, week``).
    pairs : DataFrame
        The candidate pairs of the students in no group (the engine's problem).
    sites : DataFrame
        The sites with the places the planned groups take removed.
    planned : ndarray of int64
        Codes of the planned groups.
    estimate : int
        At least the planned groups' members plus the others' relaxed maximum flow on the places left: the
        others' maximum flow on every place plus the chosen options' gains (the cut's capacity falls by what
        they take on its arcs).
    maximum : Maximum
        The others' relaxed maximum flow on the places left (the engine's first flows share places out with it).
    whole : _Whole
        The problem the plan was made from.
    """

    placements: pd.DataFrame
    pairs: pd.DataFrame
    sites: pd.DataFrame
    planned: _Ints
    estimate: int
    maximum: Maximum
    whole: _Whole

    def back(self, placements: pd.DataFrame) -> pd.DataFrame:
        """The engine's ``placements`` on the plan's problem with the planned groups, then the other groups placed
        whole in the places of the whole problem still free; by student then week."""
        w = self.whole
        both = pd.concat([self.placements, placements], ignore_index=True)
        others = np.setdiff1d(np.arange(len(w.groups.size)), self.planned)
        more = place_groups(others, w.pairs, w.students, places_left(w.sites, both), w.groups, w.order)
        out = pd.concat([both, more], ignore_index=True)
        return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Whole:
    """The problem a plan was made from (what ``GroupPlan.back`` maps back into)."""

    pairs: pd.DataFrame
    students: pd.DataFrame
    sites: pd.DataFrame
    groups: Groups
    order: tuple[str, ...]


def plan_groups(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: Groups,
    order: tuple[str, ...],
    whole: Maximum | None = None,
) -> GroupPlan | None:
    """The plan of the module docstring; None when no option is left (no group, none that fits anywhere, or
    every one loses by the estimate) or when the MIP finds no solution (the engine then places the groups as
    it places broken groups, ``groups.place_groups``). ``whole``: the relaxed network's maximum flow over
    ``pairs``, when solved; the others' maximum flows start from its rows (``mincut.maximum_from``)."""
    member = groups.code >= 0
    if not member.any():
        return None
    mine = member[pairs["student"].to_numpy(np.int64)]
    rest = pairs[~mine].reset_index(drop=True)
    options = _options(pairs[mine], students, sites, groups, order)
    start = None if whole is None else whole.placements[~member[whole.placements["student"].to_numpy(np.int64)]]
    flow = _flow(rest, students, sites, start)
    crossed, others, used = _crossed(flow, options), flow.value, flow.placements()
    gain = options["size"].to_numpy(np.int64) - crossed
    options = options[gain >= 0].assign(gain=gain[gain >= 0])
    chosen = _choose(options, sites, groups) if len(options) else None
    if chosen is None or not len(chosen):
        return None
    host = np.full(len(groups.size), -1, np.int64)
    host[chosen["g"].to_numpy(np.int64)] = chosen["site"].to_numpy(np.int64)
    rows = hosted_rows(host, week_needs(students), groups)
    planned = np.sort(chosen["g"].to_numpy(np.int64))
    left = places_left(sites, rows)
    weeks = students["weeks"].to_numpy(object)
    net = flow.net.with_places(left["capacity_week_1"].to_numpy(), left["capacity_week_2"].to_numpy())
    del flow  # its flows and places freed before the next solve: only its arcs are kept
    flow = lowered(net, rest, used, weeks)
    share = Maximum(flow.value, flow.placements()[["student", "site", "week"]])
    problem = _Whole(pairs, students, sites, groups, order)
    return GroupPlan(rows, rest, left, planned, others + int(chosen["gain"].sum()), share, problem)


def _options(
    pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups, order: tuple[str, ...]
) -> pd.DataFrame:
    """``g, site, size, need1, need2, priority, cost``: each group at each site where every member has a pair
    (``groups.group_sites``) and the places hold it in each week it needs (``cost``: the first cost level of
    ``order``, or 0)."""
    table = group_sites(np.arange(len(groups.size)), pairs, groups, week_needs(students))
    level = next((name for name in order if name in ("preference", "distance")), None)
    g, j = table["g"].to_numpy(np.int64), table["site"].to_numpy(np.int64)
    need, priority = group_needs(students, groups)
    table = pd.DataFrame(
        {
            "g": g,
            "site": j,
            "size": groups.size[g],
            "need1": need[g, 0],
            "need2": need[g, 1],
            "priority": priority[g],
            "cost": 0 if level is None else table[level].to_numpy(np.int64),
        }
    )
    fits = (sites["capacity_week_1"].to_numpy(np.int64)[j] >= need[g, 0]) & (
        sites["capacity_week_2"].to_numpy(np.int64)[j] >= need[g, 1]
    )
    kept: pd.DataFrame = table[fits].reset_index(drop=True)
    return kept


def _flow(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, start: pd.DataFrame | None) -> CutFlow:
    """The relaxed network's maximum flow on ``pairs`` and ``sites``' places, from the rows ``start`` (from nothing,
    OR-Tools' max flow alone, when there are none)."""
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    weeks = students["weeks"].to_numpy(object)
    if start is None or start.empty:
        return max_flow_cut(pairs, weeks, cap1, cap2)
    return maximum_from(pairs, weeks, cap1, cap2, start)


def _crossed(flow: CutFlow, options: pd.DataFrame) -> _Ints:
    """Per option, the places it takes on arcs crossing the minimum cut of the others' maximum ``flow``."""
    j = options["site"].to_numpy(np.int64)
    cut1 = ~flow.side[flow.net.week_nodes[0][j]]  # source → W1[j] crosses the cut
    cut2 = flow.side[flow.net.week_nodes[1][j]]  # W2[j] → sink crosses the cut
    crossed = options["need1"].to_numpy(np.int64) * cut1 + options["need2"].to_numpy(np.int64) * cut2
    return np.asarray(crossed, np.int64)


def _choose(options: pd.DataFrame, sites: pd.DataFrame, groups: Groups) -> pd.DataFrame | None:
    """The options the MIP takes (step 3 of the module docstring); None when it finds no solution."""
    k, m = len(options), len(sites)
    g, j = options["g"].to_numpy(np.int64), options["site"].to_numpy(np.int64)
    cols = np.arange(k)
    cost = options["cost"].to_numpy(np.float64)
    # lexicographic by weights: all priority members together, then all costs together, below one unit of gain
    least = cost / (pd.Series(cost).groupby(g).max().sum() + 1.0)
    score = options["priority"].to_numpy(np.float64) + 1.0 - least  # in (0, 5]
    score += options["gain"].to_numpy(np.float64) * (float(pd.Series(score).groupby(g).max().sum()) + 1.0)
    rows = [
        LinearConstraint(sp.csr_array((np.ones(k), (g, cols)), shape=(len(groups.size), k)), 0, 1),
        LinearConstraint(
            sp.csr_array((options["need1"].to_numpy(np.float64), (j, cols)), shape=(m, k)),
            0,
            sites["capacity_week_1"].to_numpy(np.float64),
        ),
        LinearConstraint(
            sp.csr_array((options["need2"].to_numpy(np.float64), (j, cols)), shape=(m, k)),
            0,
            sites["capacity_week_2"].to_numpy(np.float64),
        ),
    ]
    res = milp(
        -score,
        constraints=rows,
        integrality=np.ones(k),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0, "time_limit": 30.0, "disp": False},
    )
    if res.x is None or milp_status(res.status) not in (SolveStatus.OPTIMAL, SolveStatus.LIMIT):
        return None
    taken: pd.DataFrame = options[np.rint(res.x) > 0.5]
    return taken


def placed_bound_only(levels: tuple[Level, ...], bound: int) -> tuple[Level, ...]:
    """The levels of the engine's result on the plan's problem, as bounds for the whole problem: ``placed``'s the
    whole relaxed network's maximum flow ``bound``, the later levels' none (``bounds.unconditional`` then gives
    them bounds holding for every allocation); the ``splits`` tie-break left out."""
    return tuple(
        Level(lv.name, 0.0, float(bound) if lv.name == "placed" else None, lv.sense)
        for lv in levels
        if lv.name != "splits"
    )


def bound_with_groups(
    placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups
) -> int:
    """The most students an allocation can place with the groups where ``placements`` puts them: their members
    placed, plus the others' relaxed maximum flow on the places those groups leave. Below the whole relaxed
    network's bound, the groups' sites cost placements (what a plan can win back)."""
    member = groups.code >= 0
    held = placements[member[placements["student"].to_numpy(np.int64)]]
    left = places_left(sites, held)
    net = build_network(
        pairs[~member[pairs["student"].to_numpy(np.int64)]],
        students["weeks"].to_numpy(object),
        left["capacity_week_1"].to_numpy(np.int64),
        left["capacity_week_2"].to_numpy(np.int64),
    )
    return int(held["student"].nunique()) + max_flow(net)
