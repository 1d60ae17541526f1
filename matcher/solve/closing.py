"""Close the gap the full-time repair leaves: an exact MIP on the neighbourhood of the places still free.

After the repair rounds, a student can be placed only along a chain of moves ending at a free place: an unplaced
student takes a place whose holder moves to another site, and so on, until a site with a place left that week. The
neighbourhood is found backwards from the free places: the students with a pair at a site of the neighbourhood
join it, and the sites they hold join it in turn, ``depth`` times (students in a group stay as they are).
Everyone else stays put. The neighbourhood splits into connected components (students and sites linked by the
pairs kept), which share nothing: each is solved on its own. A component is allocated again only when the relaxed
network's maximum flow on it (``network``, the same relaxation as the ``placed`` bound) places more of its
students than now — elsewhere nothing can be gained — and when it has at most ``max_students`` students: then
exactly, full-time rules included, by ``mip.solve_mip`` on the places the others leave (placed, then priority
students, then the cost levels ``Closing.costs`` allows). The current allocation is one solution of that MIP, so
the result is never worse on those levels; it is taken only when it places more students, or as many and more
priority students (``better``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matcher.solve.flow import max_flow_solver
from matcher.solve.mip import solve_mip
from matcher.solve.network import build_network

__all__ = ["Closing", "neighbourhood", "close_gap", "better"]


@dataclass(frozen=True)
class Closing:
    """How far the search reaches: ``depth`` backward steps from the free places, components of at most
    ``max_students`` students, ``nodes`` branch-and-bound nodes for each level's MIP (a bound on the work that
    gives the same result on every machine; ``time_limit`` seconds is only a safety net), and whether the cost
    levels are optimised again after placed and priority (``costs``)."""

    depth: int = 1
    max_students: int = 400
    nodes: int = 200
    time_limit: float = 10.0
    costs: bool = False


def _used(placements: pd.DataFrame, m: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    week = placements["week"].to_numpy()
    site = placements["site"].to_numpy(np.int64)
    return np.bincount(site[week == 1], minlength=m), np.bincount(site[week == 2], minlength=m)


def _left(sites: pd.DataFrame, others: pd.DataFrame) -> pd.DataFrame:
    used1, used2 = _used(others, len(sites))
    return sites.assign(
        capacity_week_1=sites["capacity_week_1"].to_numpy(np.int64) - used1,
        capacity_week_2=sites["capacity_week_2"].to_numpy(np.int64) - used2,
    )


def neighbourhood(
    placements: pd.DataFrame, pairs: pd.DataFrame, sites: pd.DataFrame, grouped: npt.NDArray[np.bool_], depth: int = 1
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """The students to allocate again (sorted positions) and the sites they may use (mask), see the module
    docstring; students in a group (``grouped``) are never taken."""
    used1, used2 = _used(placements, len(sites))
    hot = (sites["capacity_week_1"].to_numpy(np.int64) > used1) | (sites["capacity_week_2"].to_numpy(np.int64) > used2)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    free = ~grouped[s]
    ps, pj = placements["student"].to_numpy(np.int64), placements["site"].to_numpy(np.int64)
    who = np.zeros(0, np.int64)
    for _ in range(depth):
        who = np.union1d(who, s[free & hot[j]])
        hot[pj[np.isin(ps, who)]] = True  # the sites they hold: their own places are theirs to move
    return who, hot


def _components(
    mine: pd.DataFrame, n: int, m: int, students: pd.DataFrame, left: pd.DataFrame, placed: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per student, the component label of ``mine``'s graph; the labels whose relaxed maximum flow places more of
    their students than ``placed`` does."""
    s, j = mine["student"].to_numpy(np.int64), mine["site"].to_numpy(np.int64)
    graph = sp.coo_matrix((np.ones(len(s)), (s, n + j)), shape=(n + m, n + m))
    label = connected_components(graph, directed=False)[1][:n].astype(np.int64)
    net = build_network(
        mine, students["weeks"].to_numpy(object), left["capacity_week_1"].to_numpy(), left["capacity_week_2"].to_numpy()
    )
    flows = max_flow_solver(net).flows(net.student_arc)
    inside = np.zeros(n, bool)
    inside[s] = True
    gain = np.bincount(label, weights=np.where(inside, flows - placed, 0), minlength=n + m)
    return label, np.flatnonzero(gain > 0)


def close_gap(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    grouped: npt.NDArray[np.bool_],
    order: tuple[str, ...],
    closing: Closing = Closing(),
) -> pd.DataFrame:
    """``placements`` with each component of the free places' neighbourhood where the relaxation places more
    allocated again exactly, when that is ``better``; else ``placements`` as given."""
    who, hot = neighbourhood(placements, pairs, sites, grouped, closing.depth)
    if len(who) == 0:
        return placements
    n = len(students)
    moving = placements["student"].isin(who).to_numpy()
    left = _left(sites, placements[~moving])
    mine = pairs[np.isin(pairs["student"].to_numpy(), who) & hot[pairs["site"].to_numpy()]]
    placed = np.zeros(n, bool)
    placed[placements["student"].to_numpy()] = True
    label, promising = _components(mine, n, len(sites), students, left, placed)
    costs = tuple(lv for lv in order if lv in ("preference", "distance")) if closing.costs else ()
    kept, changed = [placements[~moving]], False
    for c in promising:
        inside = np.flatnonzero(label == c)
        now = placements[moving & np.isin(placements["student"].to_numpy(), inside)]
        new = now
        if len(inside) <= closing.max_students:
            sub = mine[label[mine["student"].to_numpy()] == c]
            solved = _exact(sub, students, left, ("placed", "priority", *costs), closing)
            new = solved if better(solved, now, students) else now
        changed |= new is not now
        kept.append(new)
    if not changed:
        return placements
    rest = placements[moving & ~np.isin(placements["student"].to_numpy(), np.flatnonzero(np.isin(label, promising)))]
    out = pd.concat([*kept, rest], ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def _exact(
    pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, levels: tuple[str, ...], closing: Closing
) -> pd.DataFrame:
    """``solve_mip`` on ``pairs`` alone: their students and sites renumbered from 0 for the MIP, and its
    placements read back in the callers' positions (the inverse of that renumbering)."""
    who, s = np.unique(pairs["student"].to_numpy(np.int64), return_inverse=True)
    where, j = np.unique(pairs["site"].to_numpy(np.int64), return_inverse=True)
    local = pairs.assign(student=s.astype(np.int64), site=j.astype(np.int64)).reset_index(drop=True)
    outcome = solve_mip(
        local,
        students.iloc[who].reset_index(drop=True),
        sites.iloc[where].reset_index(drop=True),
        levels,
        time_limit=closing.time_limit,
        node_limit=closing.nodes,
        weighted=True,
    )
    out = outcome.placements
    return out.assign(student=who[out["student"].to_numpy()], site=where[out["site"].to_numpy()])


def better(new: pd.DataFrame, old: pd.DataFrame, students: pd.DataFrame) -> bool:
    """Whether ``new`` places more students than ``old``, or as many and more priority students."""
    prio = students["priority"].to_numpy(bool)
    a, b = new["student"].unique(), old["student"].unique()
    return (len(a), int(prio[a].sum())) > (len(b), int(prio[b].sum()))
