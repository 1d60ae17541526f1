"""Where one more place places one more student: recruitment guidance read from a maximum flow's residual network.

The relaxed allocation network (``network``) carries a maximum flow: its value is the ``placed`` bound the engine
proves. One more place at site ``j`` raises the capacity of the arc ``source → W1[j]`` and of ``W2[j] → sink``
(a site offering one week only: of that week's arc). The maximum flow grows by the number of augmenting paths
these new capacities open (max-flow min-cut), at most one per new unit of capacity:

- ``a``: ``W1[j]`` reaches the sink in the residual network (a waiting student can take the week-1 place);
- ``b``: the source reaches ``W2[j]`` (the week-2 place);
- ``c``: ``W1[j]`` reaches ``W2[j]`` through nodes neither the source reaches nor that reach the sink (a student
  taking both weeks there, or a chain of moves ending so).

With neither, the place places nobody: the bound stays (a cut of the network with the new capacities has the same
capacity). A flow growing by two needs one path through each new arc: ``a`` and ``b`` both; with only one of
them, or ``c``, it grows by exactly one. When ``a`` and ``b`` hold, the second path is searched after the first
is augmented. Every figure is computed by augmenting the flow, never estimated: the plan (:func:`recruitment_plan`)
adds the places one at a time, each on the flow the earlier ones left, so its running total is exactly what the
places together add to the bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.solve.flow import max_flow_solver
from matcher.solve.network import SINK, SOURCE, build_network
from matcher.solve.residual import Residual, tree_path
from matcher.solve.takers import Takers, waiting_at

__all__ = ["Guidance", "Rules", "recruitment_plan"]

_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Guidance:
    """What one more place at each site does, and a cumulative plan.

    Attributes
    ----------
    bound : int
        The relaxed network's maximum flow (the ``placed`` bound) with the sites as they are.
    first : DataFrame
        One row per site where one more place places at least one more student: ``site`` (position),
        ``students`` (how many, 1 or 2), ``weeks`` (``both``, ``week_1`` or ``week_2``: the weeks its new
        places are used in).
    plan : DataFrame
        The suggested places in order, one row each: ``site``, ``students`` (what this place adds with the earlier
        ones already added), ``weeks``; their sum is exactly what the places together add to the bound.
    gained : ndarray of int
        Per student: +1 placed by the plan's flow and not by the first one, -1 the other way round, 0 otherwise.
    waiting : ndarray of int
        Per site: students not placed by the maximum flow with a pair there.
    placed : ndarray of bool
        Per student: placed by the maximum flow (before the plan).
    """

    bound: int
    first: pd.DataFrame
    plan: pd.DataFrame
    gained: _Ints
    waiting: _Ints
    placed: _Bools


@dataclass(frozen=True)
class Rules:
    """The rules the network relaxes, as the ``placed`` bound does: ``may_split`` (per student), ``full_time_only``
    (per site) and ``grouped`` (per student: one of a group, to be hosted together)."""

    may_split: _Bools
    full_time_only: _Bools
    grouped: _Bools


class _State:
    """The residual network and the site arcs' layout (``build_network``: site j's week-1 arc is arc j, its week-2
    arc is arc m + j; its nodes 2 + j and 2 + m + j)."""

    def __init__(
        self, pairs: pd.DataFrame, weeks: np.ndarray, cap1: _Ints, cap2: _Ints, rules: Rules | None = None
    ) -> None:
        net = build_network(pairs, weeks, cap1, cap2)
        solver = max_flow_solver(net)
        self.res = Residual(net, solver.flows(np.arange(len(net.tails))))
        self.m = m = len(cap1)
        self.w1, self.w2 = 2 + np.arange(m), 2 + m + np.arange(m)
        self.has1, self.has2 = cap1 > 0, cap2 > 0
        self.student_arc = net.student_arc
        on_pair = np.flatnonzero(net.pair >= 0)
        self.arc_student = np.full(len(net.tails), -1, np.int64)
        self.arc_student[on_pair] = pairs["student"].to_numpy(np.int64)[net.pair[on_pair]]
        self.arc_site = np.full(len(net.tails), -1, np.int64)
        self.arc_site[on_pair] = pairs["site"].to_numpy(np.int64)[net.pair[on_pair]]
        self.arc_week = net.week
        order = on_pair[np.argsort(self.arc_student[on_pair], kind="stable")]
        self.by_student = order
        self.student_start = np.searchsorted(self.arc_student[order], np.arange(len(weeks) + 1))
        none = np.zeros(len(weeks), bool)
        self.rules = rules or Rules(~none, np.zeros(len(cap1), bool), none)
        self._raised = 0  # the weeks (bits) whose new unit ``add_place`` has added so far
        self.sink = np.zeros(net.n_nodes, bool)
        self.sink[SINK] = True
        self.source = np.zeros(net.n_nodes, bool)
        self.source[SOURCE] = True
        self.sides()

    def sides(self) -> None:
        """Which sites' new places open a path (``a``, ``b``) or may (``c``), on the current flow."""
        (reach, self.from_source), (to_sink, self.to_sink) = self.res.reached()
        self.middle = ~(reach | to_sink)
        self.a = to_sink[self.w1] & self.has1
        self.b = reach[self.w2] & self.has2
        self.c = self.has1 & self.has2 & ~self.a & ~self.b & self.middle[self.w1] & self.middle[self.w2]
        self.blocked = ~self.middle

    def breaks(self, since: int) -> int:
        """How many more students the changes since the mark ``since`` place against the rules the network
        relaxes (split where the full-time rules forbid it; one of a group, placed alone), the changes kept."""
        changes = self.res.since(since)
        arcs = np.unique(np.array([a for kind, a, _ in changes if kind == "flow"], np.int64))
        who = np.unique(self.arc_student[arcs[self.arc_student[arcs] >= 0]])
        now = self._against_rules(who)
        self.res.undo(since)
        before = self._against_rules(who)
        self.res.redo(changes)
        return now - before

    def _against_rules(self, who: _Ints) -> int:
        """How many of the students ``who`` the flow splits where the full-time rules forbid it, or places while
        they are one of a group."""
        if len(who) == 0:
            return 0
        lengths = self.student_start[who + 1] - self.student_start[who]
        at = np.repeat(self.student_start[who] - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        arcs = self.by_student[at]
        arcs = arcs[self.res.flow[arcs] > 0]
        site1 = np.full(len(self.rules.may_split), -1, np.int64)
        site2 = np.full(len(self.rules.may_split), -1, np.int64)
        one = arcs[self.arc_week[arcs] == 1]
        two = arcs[self.arc_week[arcs] == 2]
        site1[self.arc_student[one]] = self.arc_site[one]
        site2[self.arc_student[two]] = self.arc_site[two]
        s1, s2 = site1[who], site2[who]
        split = (s1 >= 0) & (s2 >= 0) & (s1 != s2)
        fto = self.rules.full_time_only
        bad = split & (~self.rules.may_split[who] | fto[np.maximum(s1, 0)] | fto[np.maximum(s2, 0)])
        alone = self.rules.grouped[who] & (self.res.flow[self.student_arc[who]] > 0)
        return int((bad | alone).sum())

    def upper(self) -> _Ints:
        """Per site, the most one more place there can add: 2 with ``a`` and ``b``, 1 with one of them or ``c``."""
        out: _Ints = (self.a & self.b).astype(np.int64) + (self.a | self.b | self.c)
        return out

    def add_place(self, j: int) -> tuple[int, str]:
        """One more place at site ``j``, the flow made maximum again; returns (students it adds, weeks used).

        Each week's new unit is added just before a path may use it, so that a path searched for one week's unit
        cannot take the other's."""
        used1 = used2 = False
        target = np.zeros(len(self.sink), bool)
        target[self.w2[j]] = True
        if self.a[j]:
            used1 = self._path(j, [int(self.w1[j])], self.sink, self.source, 1, tree=self.to_sink)
        if self.b[j]:
            used2 = self._path(j, [int(self.w2[j])], self.source, self.sink, 2, backwards=True, tree=self.from_source)
        if self.c[j]:
            used1 = used2 = self._path(j, [int(self.w1[j])], target, self.blocked, 3)
        for week, has, arc in ((1, self.has1, j), (2, self.has2, self.m + j)):
            if has[j] and not self._raised & week:
                self.res.raise_capacity(arc)
        self._raised = 0
        weeks = "both" if used1 and used2 else "week_1" if used1 else "week_2" if used2 else ""
        return int(self.a[j] and used1) + int(self.b[j] and used2) + int(self.c[j] and used1), weeks

    def _path(
        self,
        j: int,
        starts: list[int],
        target: _Bools,
        blocked: _Bools | None,
        arcs: int,
        backwards: bool = False,
        tree: _Ints | None = None,
    ) -> bool:
        """Add site ``j``'s new units (1: week 1, 2: week 2, 3: both), then augment along a path from ``starts``
        to ``target`` (``backwards``: from ``target`` to ``starts``) and through those units; whether there was
        one. ``tree``: the breadth-first tree of the last ``sides`` from the start towards the target (parents),
        whose path is taken when its arcs still have room; else the path is searched."""
        for bit, arc in ((1, j), (2, self.m + j)):
            if arcs & bit and not self._raised & bit:
                self.res.raise_capacity(arc)
                self._raised |= bit
        if tree is None or not self.res.push_path(tree_path(tree, starts[0], backwards)):
            if self.res.augment(np.asarray(starts, np.int64), target, blocked, backwards) < 0:
                return False
        for bit, arc in ((1, j), (2, self.m + j)):
            if arcs & bit:
                self.res.push_arc(arc)
        return True


def recruitment_plan(
    pairs: pd.DataFrame,
    weeks: np.ndarray,
    cap1: _Ints,
    cap2: _Ints,
    top: int,
    rules: Rules | None = None,
    need: tuple[_Ints, _Ints, _Ints] | None = None,
    takers: Takers | None = None,
) -> Guidance:
    """The guidance for the relaxed network on ``pairs`` (``student, site``) of students with ``weeks`` at sites
    with ``cap1``/``cap2`` places; a plan of at most ``top`` places (see the module docstring). ``rules``: the
    places that place nobody against the rules the network relaxes come first. ``need``: (per site and per
    student, a group, e.g. académie; per group, a floor): among places adding as many, those in a group whose
    students the flow places fewer than its floor first (counted down as places are added there). ``takers``: the
    places whose students an allocation's unplaced can take under every rule (:mod:`matcher.solve.takers`), adding
    no more than they realise, first; the others once there are none."""
    state = _State(pairs, weeks, cap1, cap2, rules)
    res = state.res
    bound, placed0 = res.value, res.flow[state.student_arc].copy()
    waiting = waiting_at(pairs, placed0, len(cap1))
    first = _first(state)
    plan: list[tuple[int, int, str]] = []
    limited = True  # the places with takers first, until there are none
    planned = np.zeros(len(cap1), np.int64)  # ties go to sites with fewer places planned: more companies asked
    group, short = np.zeros(len(cap1), np.int64), np.zeros(1, np.int64)
    if need is not None:
        group, of_student, floor = need
        short = floor - np.bincount(of_student[placed0 > 0], minlength=len(floor))
    while len(plan) < top:
        limit = takers.realisable() if takers is not None and limited else None
        step = _best(state, waiting, short[group] > 0, planned, limit)
        if step is None and limit is not None:
            step, limited = _best(state, waiting, short[group] > 0, planned), False
        if step is None:
            break
        if takers is not None and limited:
            takers.take(step[0], step[1])
        plan.append(step)
        planned[step[0]] += 1
        short[group[step[0]]] -= step[1]
        state.sides()
    gained = (res.flow[state.student_arc] - placed0).astype(np.int64)
    table = pd.DataFrame(plan, columns=["site", "students", "weeks"]).astype({"site": np.int64, "students": np.int64})
    return Guidance(bound, first, table, gained, waiting, placed0 > 0)


def _first(state: _State) -> pd.DataFrame:
    """What one more place does at every site, each alone on the maximum flow."""
    upper = state.upper()
    rows = []
    for j in np.flatnonzero(upper > 0).tolist():
        if upper[j] == 1 and not state.c[j]:  # exactly one: one of a, b (see the module docstring)
            rows.append((j, 1, "week_1" if state.a[j] else "week_2"))
            continue
        mark = state.res.mark()
        gain, weeks = state.add_place(j)
        state.res.undo(mark)
        if gain:
            rows.append((j, gain, weeks))
    return pd.DataFrame(rows, columns=["site", "students", "weeks"]).astype({"site": np.int64, "students": np.int64})


def _best(
    state: _State, waiting: _Ints, needed: _Bools, planned: _Ints, limit: _Ints | None = None, tries: int = 8
) -> tuple[int, int, str] | None:
    """Add the place placing most students against none of the rules the network relaxes (the students placed
    less those placed against them; ties: ``needed`` sites, fewer places ``planned``, most students ``waiting``
    in range, then file order); None when no place adds any. ``limit``: per site, the most a place may add (only
    places adding at most that many, at least one). At most ``tries`` places are tried once one is found."""
    upper = state.upper() if limit is None else np.minimum(state.upper(), limit)
    limit = upper if limit is None else limit
    order = np.lexsort((np.arange(len(upper)), -waiting, planned, ~needed, -upper))
    best: tuple[int, int, int, str] | None = None  # (key, site, gain, weeks)
    for n, j in enumerate(order[upper[order] > 0].tolist()):
        if best is not None and (upper[j] <= best[0] or n >= tries):
            break
        mark = state.res.mark()
        gain, weeks = state.add_place(j)
        ok = 0 < gain <= limit[j]
        key = gain - state.breaks(mark) if ok else -1
        if ok and key == upper[j]:
            return j, gain, weeks
        state.res.undo(mark)
        if ok and (best is None or key > best[0]):
            best = (key, j, gain, weeks)
    if best is None:
        return None
    state.add_place(best[1])
    return best[1], best[2], best[3]
