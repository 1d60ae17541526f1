"""Close the gap the repair leaves: an exact MIP on the neighbourhoods where the relaxation places more.

After the repair rounds, more students can be placed only where the relaxed network (``network``, whose maximum
flow is the ``placed`` bound) still has an augmenting path from the allocation, or next to a free place. Each
pass takes such a neighbourhood — ``paths``: the students and sites on an augmenting path (reached from the
source and reaching the sink in the residual network of the allocation; ``short``: on one of at most ``length``
arcs, a smaller neighbourhood, cut into smaller components); ``free``: the students with a pair at a
site with a place left in a week — with the sites those students hold; a group joins whole. Everyone else stays
put. The neighbourhood splits into connected components (students and sites linked by the pairs kept, a group's
members linked together), which share nothing: each is solved on its own. A component of at most
``max_students`` students is allocated again only when the relaxed network's maximum flow on it places more of
its students than now (elsewhere nothing can be gained): exactly, full-time and group rules included, by
``mip.solve_mip`` on the places the others leave (placed, then priority students, then, on components of at most
``Closing.costs`` students, the first cost level; one weighted objective). The current allocation is one solution
of that MIP, so the result is never worse on those levels; it is taken only when it places more students, or as
many and more priority students (``better``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from matcher.candidates.search import pair_rows
from matcher.solve.flow import max_flow_solver
from matcher.solve.mip import solve_mip
from matcher.solve.network import Network, build_network
from matcher.solve.relaxed import relaxed_flow
from matcher.solve.residual import Residual
from matcher.solve.rounds import places_left

__all__ = ["Closing", "neighbourhood", "close_gap", "better", "recost"]

_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Closing:
    """What the closing does: its ``passes`` (``short``: on augmenting paths of at most ``length`` arcs;
    ``paths``, ``free``: see the module docstring), nothing above
    ``max_pairs`` candidate pairs (at national scale the neighbourhoods take seconds and hold almost every
    student, for a handful more placed), components of at most ``max_students`` students, ``nodes``
    branch-and-bound nodes for each MIP (a bound on the work that gives the same result on every machine;
    ``time_limit`` seconds is only a safety net), and up to how many students a component's first cost level is
    optimised with placed and priority (``costs``; larger ones take much longer)."""

    passes: tuple[str, ...] = ("short", "paths", "free")
    length: int = 10
    max_pairs: int = 1_000_000
    max_students: int = 400
    nodes: int | None = 200
    time_limit: float = 10.0
    costs: int = 150


def _used(placements: pd.DataFrame, m: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    week = placements["week"].to_numpy()
    site = placements["site"].to_numpy(np.int64)
    return np.bincount(site[week == 1], minlength=m), np.bincount(site[week == 2], minlength=m)


def neighbourhood(
    kind: str,
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    length: int = 10,
) -> tuple[_Ints, _Bools]:
    """The students to allocate again (sorted positions) and the sites they may use (mask) in a pass of ``kind``
    (see ``Closing``); a group joins whole later (``close_gap``)."""
    if kind == "free":
        return _near_free(placements, pairs, students, sites)
    return _on_paths(placements, pairs, students, sites, length if kind == "short" else None)


def _near_free(
    placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame
) -> tuple[_Ints, _Bools]:
    """The students with a pair at a site with a free place (in a week), with those sites and the ones they
    hold."""
    used1, used2 = _used(placements, len(sites))
    hot = (sites["capacity_week_1"].to_numpy(np.int64) > used1) | (sites["capacity_week_2"].to_numpy(np.int64) > used2)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    who = np.unique(s[hot[j]])
    return who, _with_held(hot, placements, who)


def _with_held(hot: _Bools, placements: pd.DataFrame, who: _Ints) -> _Bools:
    """``hot`` with the sites the students ``who`` hold (a copy)."""
    hot = hot.copy()
    hot[placements.loc[placements["student"].isin(who), "site"].to_numpy(np.int64)] = True
    return hot


def _on_paths(
    placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, length: int | None
) -> tuple[_Ints, _Bools]:
    """The students and sites on an augmenting path of the relaxed network from ``placements`` (reached from the
    source and reaching the sink in its residual network; with ``length``, on such a path of at most that many
    arcs along the breadth-first trees), with the sites those students hold."""
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    weeks = students["weeks"].to_numpy(object)
    net = build_network(pairs, weeks, cap1, cap2)
    (reach, up), (to_sink, down) = Residual(net, _flows(net, placements, pairs, weeks, len(sites))).reached()
    on_path = reach & to_sink
    if length is not None:
        on_path &= _depth(up, reach) + _depth(down, to_sink) <= length
    n, m = len(students), len(sites)
    who = np.flatnonzero(on_path[2 + 2 * m : 2 + 2 * m + n] | on_path[2 + 2 * m + n :])
    return who, _with_held(on_path[2 : 2 + m] | on_path[2 + m : 2 + 2 * m], placements, who)


def _depth(parent: _Ints, seen: _Bools) -> _Ints:
    """Per node reached, its number of arcs from the root of a breadth-first tree (``parent``; -1 for the root)."""
    depth = np.where(seen & (parent < 0), 0, -1)
    todo = np.flatnonzero(seen & (depth < 0))
    while len(todo):
        known = depth[parent[todo]] >= 0
        depth[todo[known]] = depth[parent[todo[known]]] + 1
        todo = todo[~known]
    return depth


def _flows(net: Network, placements: pd.DataFrame, pairs: pd.DataFrame, weeks: np.ndarray, m: int) -> _Ints:
    """``placements`` as a flow on ``net`` (the network's own layout, ``network.build_network``)."""
    flows = np.zeros(len(net.tails), np.int64)
    s, j = placements["student"].to_numpy(np.int64), placements["site"].to_numpy(np.int64)
    week = placements["week"].to_numpy(np.int64)
    row = pair_rows(pairs, s, j)
    on_pair = np.flatnonzero(net.pair >= 0)
    arc_of = pd.Series(on_pair, index=net.pair[on_pair].astype(np.int64) * 2 + net.week[on_pair] - 1)
    flows[arc_of.reindex(row * 2 + week - 1).to_numpy(np.int64)] = 1
    used1, used2 = _used(placements, m)
    flows[:m], flows[m : 2 * m] = used1, used2
    n = len(weeks)
    placed = np.zeros(n, bool)
    placed[s] = True
    flows[2 * m : 2 * m + n] = placed
    one2, one1 = weeks == "week_2", weeks == "week_1"
    flows[2 * m + n : 2 * m + n + int(one2.sum())] = placed[one2]
    flows[2 * m + n + int(one2.sum()) : 2 * m + n + int(one2.sum()) + int(one1.sum())] = placed[one1]
    return flows


def _components(
    mine: pd.DataFrame, groups: _Ints, left: pd.DataFrame, students: pd.DataFrame, placed: _Bools, most: int
) -> tuple[_Ints, _Ints]:
    """Per student, the component label of ``mine``'s graph (a group's members linked to its first one); the
    labels of at most ``most`` students whose relaxed maximum flow places more of them than ``placed`` does."""
    n, m = len(students), len(left)
    s, j = mine["student"].to_numpy(np.int64), mine["site"].to_numpy(np.int64)
    member = np.flatnonzero(groups >= 0)
    first = pd.Series(member).groupby(groups[member]).transform("min").to_numpy(np.int64)
    graph = sp.coo_matrix(
        (np.ones(len(s) + len(member)), (np.append(s, member), np.append(n + j, first))), shape=(n + m, n + m)
    )
    label = connected_components(graph, directed=False)[1][:n].astype(np.int64)
    inside = np.zeros(n, bool)
    inside[s] = True
    small = np.bincount(label[inside], minlength=n + m) <= most
    mine = mine[small[label[s]]]
    net = build_network(
        mine, students["weeks"].to_numpy(object), left["capacity_week_1"].to_numpy(), left["capacity_week_2"].to_numpy()
    )
    flows = max_flow_solver(net).flows(net.student_arc)
    inside &= small[label]
    gain = np.bincount(label, weights=np.where(inside, flows - placed, 0), minlength=n + m)
    return label, np.flatnonzero(gain > 0)


def close_gap(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: _Ints,
    order: tuple[str, ...],
    closing: Closing = Closing(),
) -> pd.DataFrame:
    """``placements`` after each of ``closing.passes`` (see the module docstring): every component where the
    relaxation places more allocated again exactly, when that is ``better``; ``placements`` itself when nothing
    changes. ``groups``: per student, a group code or -1."""
    out = placements
    for kind in closing.passes if len(pairs) <= closing.max_pairs else ():
        who, hot = neighbourhood(kind, out, pairs, students, sites, closing.length)
        joined = np.unique(groups[who])
        who = np.union1d(who, np.flatnonzero(np.isin(groups, joined[joined >= 0])))  # whole groups
        out = _pass(out, who, _with_held(hot, out, who), pairs, students, sites, groups, order, closing)
    return out


def _pass(
    placements: pd.DataFrame,
    who: _Ints,
    hot: _Bools,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: _Ints,
    order: tuple[str, ...],
    closing: Closing,
) -> pd.DataFrame:
    """One pass on the students ``who`` and the sites ``hot``."""
    moving = placements["student"].isin(who).to_numpy()
    left = places_left(sites, placements[~moving])
    mine = pairs[np.isin(pairs["student"].to_numpy(), who) & hot[pairs["site"].to_numpy()]]
    placed = np.zeros(len(students), bool)
    placed[placements["student"].to_numpy()] = True
    label, promising = _components(mine, groups, left, students, placed, closing.max_students)
    costs = tuple(lv for lv in order if lv in ("preference", "distance"))[:1]
    done = []
    for c in promising:
        inside = np.flatnonzero(label == c)
        now = placements[np.isin(placements["student"].to_numpy(), inside)]
        sub = mine[label[mine["student"].to_numpy()] == c]
        levels = ("placed", "priority", *(costs if len(inside) <= closing.costs else ()))
        solved = _exact(sub, inside, students, left, groups, levels, closing)
        if better(solved, now, students):
            done.append((inside, solved))
    if not done:
        return placements
    out = placements[~np.isin(placements["student"].to_numpy(), np.concatenate([d[0] for d in done]))]
    out = pd.concat([out, *(d[1] for d in done)], ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def _exact(
    pairs: pd.DataFrame,
    who: npt.NDArray[np.int64],
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: npt.NDArray[np.int64],
    levels: tuple[str, ...],
    closing: Closing,
) -> pd.DataFrame:
    """``solve_mip`` on ``pairs`` of the students ``who`` (sorted; a group member without a pair keeps the
    group out): students and sites renumbered from 0 for the MIP, and its placements read back in the callers'
    positions (the inverse of that renumbering)."""
    s = np.searchsorted(who, pairs["student"].to_numpy(np.int64))
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
        groups=groups[who],
    )
    out = outcome.placements
    return out.assign(student=who[out["student"].to_numpy()], site=where[out["site"].to_numpy()])


def recost(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    gender: tuple[float, int] | None,
) -> pd.DataFrame:
    """The relaxed flow, every level solved, on the pairs ``placements`` uses (each student at their own sites):
    the same students can all be placed, and the cost levels and splits come out as the flow makes them (the
    MIP leaves them as it finds them on large components). The caller checks the rules and the students kept."""
    rows = np.unique(pair_rows(pairs, placements["student"].to_numpy(), placements["site"].to_numpy()))
    out, _ = relaxed_flow(pairs.iloc[rows].reset_index(drop=True), students, sites, order, gender=gender)
    return out


def better(new: pd.DataFrame, old: pd.DataFrame, students: pd.DataFrame) -> bool:
    """Whether ``new`` places more students than ``old``, or as many and more priority students."""
    prio = students["priority"].to_numpy(bool)
    a, b = new["student"].unique(), old["student"].unique()
    return (len(a), int(prio[a].sum())) > (len(b), int(prio[b].sum()))
