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
from matcher.solve.residual import Residual

__all__ = ["Guidance", "recruitment_plan"]

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
    """

    bound: int
    first: pd.DataFrame
    plan: pd.DataFrame
    gained: _Ints
    waiting: _Ints


class _State:
    """The residual network and the site arcs' layout (``build_network``: site j's week-1 arc is arc j, its week-2
    arc is arc m + j; its nodes 2 + j and 2 + m + j)."""

    def __init__(self, pairs: pd.DataFrame, weeks: np.ndarray, cap1: _Ints, cap2: _Ints) -> None:
        net = build_network(pairs, weeks, cap1, cap2)
        solver = max_flow_solver(net)
        self.res = Residual(net, solver.flows(np.arange(len(net.tails))))
        self.m = m = len(cap1)
        self.w1, self.w2 = 2 + np.arange(m), 2 + m + np.arange(m)
        self.has1, self.has2 = cap1 > 0, cap2 > 0
        self.student_arc = net.student_arc
        self.sink = np.zeros(net.n_nodes, bool)
        self.sink[SINK] = True
        self.no_source = np.zeros(net.n_nodes, bool)
        self.no_source[SOURCE] = True
        self.sides()

    def sides(self) -> None:
        """Which sites' new places open a path (``a``, ``b``) or may (``c``), on the current flow."""
        reach, to_sink = self.res.reached(), self.res.reached(backwards=True)
        self.middle = ~(reach | to_sink)
        self.a = to_sink[self.w1] & self.has1
        self.b = reach[self.w2] & self.has2
        self.c = self.has1 & self.has2 & ~self.a & ~self.b & self.middle[self.w1] & self.middle[self.w2]
        self.blocked = ~self.middle

    def upper(self) -> _Ints:
        """Per site, the most one more place there can add: 2 with ``a`` and ``b``, 1 with one of them or ``c``."""
        out: _Ints = (self.a & self.b).astype(np.int64) + (self.a | self.b | self.c)
        return out

    def add_place(self, j: int) -> tuple[int, str]:
        """One more place at site ``j``, the flow made maximum again; returns (students it adds, weeks used)."""
        used1 = used2 = False
        paths = 0
        if self.has1[j]:
            self.res.raise_capacity(j)
        if self.has2[j]:
            self.res.raise_capacity(self.m + j)
        if self.a[j]:
            used1 = self._path(j, [int(self.w1[j])], self.sink, self.no_source, 1)
            paths += used1
        if self.b[j]:
            target = np.zeros(len(self.sink), bool)
            target[self.w2[j]] = True
            used2 = self._path(j, [SOURCE], target, None, 2)
            paths += used2
        if self.c[j]:
            target = np.zeros(len(self.sink), bool)
            target[self.w2[j]] = True
            used1 = used2 = self._path(j, [int(self.w1[j])], target, self.blocked, 3)
            paths += used1
        weeks = "both" if used1 and used2 else "week_1" if used1 else "week_2" if used2 else ""
        return paths, weeks

    def _path(self, j: int, starts: list[int], target: _Bools, blocked: _Bools | None, arcs: int) -> bool:
        """Augment along a path from ``starts`` to ``target``, then through site ``j``'s new arcs (1: week 1,
        2: week 2, 3: both); whether there was one."""
        if self.res.augment(np.asarray(starts, np.int64), target, blocked) < 0:
            return False
        for bit, arc in ((1, j), (2, self.m + j)):
            if arcs & bit:
                self.res.push_arc(arc)
        return True


def recruitment_plan(pairs: pd.DataFrame, weeks: np.ndarray, cap1: _Ints, cap2: _Ints, top: int) -> Guidance:
    """The guidance for the relaxed network on ``pairs`` (``student, site``) of students with ``weeks`` at sites
    with ``cap1``/``cap2`` places; a plan of at most ``top`` places (see the module docstring)."""
    state = _State(pairs, weeks, cap1, cap2)
    res = state.res
    bound, placed0 = res.value, res.flow[state.student_arc].copy()
    waiting = _waiting(pairs, placed0, len(cap1))
    first = _first(state)
    plan = []
    while len(plan) < top:
        step = _best(state, waiting)
        if step is None:
            break
        plan.append(step)
        state.sides()
    gained = (res.flow[state.student_arc] - placed0).astype(np.int64)
    table = pd.DataFrame(plan, columns=["site", "students", "weeks"]).astype({"site": np.int64, "students": np.int64})
    return Guidance(bound, first, table, gained, waiting)


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


def _best(state: _State, waiting: _Ints) -> tuple[int, int, str] | None:
    """Add the place adding most students (ties: most students waiting in range, then file order); None when no
    place adds any."""
    upper = state.upper()
    order = np.lexsort((np.arange(len(upper)), -waiting, -upper))
    best: tuple[int, int, str] | None = None
    for j in order[upper[order] > 0].tolist():
        if best is not None and upper[j] <= best[1]:
            break
        mark = state.res.mark()
        gain, weeks = state.add_place(j)
        if gain == upper[j]:
            return j, gain, weeks
        state.res.undo(mark)
        if gain and (best is None or gain > best[1]):
            best = (j, gain, weeks)
    if best is not None:
        state.add_place(best[0])
    return best


def _waiting(pairs: pd.DataFrame, placed: _Ints, m: int) -> _Ints:
    """Per site, the students the flow leaves unplaced who have a pair there."""
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    keep = placed[s] == 0
    unique = np.unique(j[keep] * (len(placed) + 1) + s[keep]) // (len(placed) + 1)
    return np.bincount(unique, minlength=m).astype(np.int64)
