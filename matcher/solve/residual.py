"""The residual network of a maximum flow, searched and augmented one path at a time (for ``recruit``).

A :class:`Residual` holds a network's arcs, capacities and flows (its own copies, changed in place). Every node's
residual arcs are listed once (arcs leaving it with room, arcs entering it with flow, walked backwards); a search
is breadth-first, a whole frontier at a time with numpy, and stops as soon as it reaches a target, so a path that
exists is found after a few levels. The nodes the residual network reaches from the source, and those that reach
the sink, come from scipy's breadth-first search, with its trees: a path along a tree is pushed without a search
(:meth:`Residual.push_path`) while its arcs keep their room. Every change (a capacity raised, a path augmented)
is logged so that :meth:`Residual.undo` restores an earlier state exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order

from matcher.solve.network import SINK, SOURCE, Network

__all__ = ["Residual", "tree_path"]

_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


class Residual:
    """A flow on ``net`` (``flows``: a maximum one) and its residual network."""

    def __init__(self, net: Network, flows: npt.ArrayLike) -> None:
        self.tails = net.tails.astype(np.int64)
        self.heads = net.heads.astype(np.int64)
        self.cap = net.capacities.astype(np.int64)
        self.flow = np.asarray(flows, np.int64).copy()
        self.n_nodes = net.n_nodes
        ends = np.concatenate([self.tails, self.heads])  # an arc is listed at its tail (forward), then its head
        others = np.concatenate([self.heads, self.tails])
        order = np.argsort(ends * self.n_nodes + others)  # by node, then by the other end (scipy wants sorted rows)
        self._arc = np.concatenate([np.arange(len(self.tails))] * 2)[order]
        self._forward = order < len(self.tails)
        self._other = others[order]
        self._other32 = self._other.astype(np.int32)
        self._node = ends[order]
        self._start = np.searchsorted(self._node, np.arange(self.n_nodes + 1))
        fwd = self._forward.view(np.uint8)
        self._want = (2 - fwd, 1 + fwd)  # per entry, the bit of ``_usable``'s code that counts (forward, backwards)
        self._log: list[tuple[str, int, int]] = []

    @property
    def value(self) -> int:
        """The flow leaving the source."""
        return int(self.flow[self.tails == SOURCE].sum() - self.flow[self.heads == SOURCE].sum())

    def mark(self) -> int:
        """A point to :meth:`undo` back to."""
        return len(self._log)

    def undo(self, mark: int) -> None:
        """Undo every change made since ``mark``."""
        while len(self._log) > mark:
            kind, arc, delta = self._log.pop()
            (self.cap if kind == "cap" else self.flow)[arc] -= delta

    def since(self, mark: int) -> list[tuple[str, int, int]]:
        """The changes made since ``mark``, in order (for :meth:`redo`)."""
        return self._log[mark:]

    def redo(self, changes: list[tuple[str, int, int]]) -> None:
        """Make ``changes`` (from :meth:`since`) again."""
        for kind, arc, delta in changes:
            (self.cap if kind == "cap" else self.flow)[arc] += delta
            self._log.append((kind, arc, delta))

    def raise_capacity(self, arc: int) -> None:
        """One more unit of capacity on ``arc``."""
        self.cap[arc] += 1
        self._log.append(("cap", arc, 1))

    def push_arc(self, arc: int) -> None:
        """One more unit of flow on ``arc`` (the caller keeps the flow conserved)."""
        self.flow[arc] += 1
        self._log.append(("flow", arc, 1))

    def _usable(self, at: _Ints | slice, backwards: bool) -> _Bools:
        """Per adjacency entry: whether its residual arc leaves its node (``backwards``: enters it)."""
        arc = self._arc[at]
        code = (self.flow[arc] < self.cap[arc]).view(np.uint8) + 2 * (self.flow[arc] > 0).view(np.uint8)
        out: _Bools = (code & np.where(self._forward[at] != backwards, 1, 2).astype(np.uint8)) > 0
        return out

    def reached(self) -> tuple[tuple[_Bools, _Ints], tuple[_Bools, _Ints]]:
        """Per node: whether the residual network reaches it from the source, and its parent in the breadth-first
        tree; then whether it reaches the sink, and the next node towards the sink (negative for the roots and the
        nodes not reached)."""
        code = (self.flow < self.cap).view(np.uint8) + 2 * (self.flow > 0).view(np.uint8)
        per_entry = code[self._arc]
        out = []
        for backwards, root in ((False, SOURCE), (True, SINK)):
            usable = np.flatnonzero(per_entry & self._want[backwards])
            indptr = np.searchsorted(usable, self._start).astype(np.int32)
            other = self._other32[usable]
            graph = csr_array((np.ones(len(other), np.float64), other, indptr), shape=(self.n_nodes, self.n_nodes))
            order, parent = breadth_first_order(graph, root, directed=True)
            seen = np.zeros(self.n_nodes, bool)
            seen[order] = True
            out.append((seen, parent.astype(np.int64)))
        return out[0], out[1]

    def push_path(self, nodes: list[int]) -> bool:
        """Push one unit along the residual arcs between consecutive ``nodes``; False (nothing changes) when one of
        them has no residual arc to the next."""
        steps = []
        for x, y in zip(nodes, nodes[1:]):
            lo, hi = self._start[x], self._start[x + 1]
            at = lo + np.searchsorted(self._other[lo:hi], [y, y + 1])
            found = np.arange(at[0], at[1])
            found = found[self._usable(found, False)]
            if len(found) == 0:
                return False
            steps.append(int(found[0]))
        for step in steps:
            arc, delta = int(self._arc[step]), 1 if self._forward[step] else -1
            self.flow[arc] += delta
            self._log.append(("flow", arc, delta))
        return True

    def augment(self, starts: _Ints, targets: _Bools, blocked: _Bools | None = None, backwards: bool = False) -> int:
        """Push one unit along a shortest residual path from a node of ``starts`` to a node in ``targets`` (never
        entering a ``blocked`` node); ``backwards``: from a node in ``targets`` to one of ``starts``, searched
        from ``starts`` against the arcs (the source reaches nearly everything: searched from the other end).
        Returns the target reached, or -1 when there is no such path (nothing changes). The caller accounts for
        how the unit enters the path's first node and leaves its last."""
        seen = np.zeros(self.n_nodes, bool) if blocked is None else blocked.copy()
        seen[starts] = True
        via = np.full(self.n_nodes, -1, np.int64)  # position in the adjacency lists of the step into each node
        frontier = np.asarray(starts, np.int64)
        while len(frontier):
            first, last = self._start[frontier], self._start[frontier + 1]
            lengths = last - first
            at = np.repeat(first - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
            at = at[self._usable(at, backwards)]
            at = at[~seen[self._other[at]]]
            other, first_seen = np.unique(self._other[at], return_index=True)
            at = at[first_seen]
            seen[other], via[other] = True, at
            hit = other[targets[other]]
            if len(hit):
                self._push(int(hit[0]), via, set(np.asarray(starts).tolist()), backwards)
                return int(hit[0])
            frontier = other
        return -1

    def _push(self, node: int, via: _Ints, starts: set[int], backwards: bool) -> None:
        """One unit along the path recorded in ``via`` (from a start to ``node``; ``backwards``: the other way)."""
        while node not in starts:
            step = int(via[node])
            arc = int(self._arc[step])
            delta = 1 if self._forward[step] != backwards else -1
            self.flow[arc] += delta
            self._log.append(("flow", arc, delta))
            node = int(self._node[step])


def tree_path(parent: _Ints, node: int, backwards: bool) -> list[int]:
    """The tree path from ``node`` to the root (``backwards``: from the root to ``node``)."""
    path = [node]
    while parent[path[-1]] >= 0:
        path.append(int(parent[path[-1]]))
    return path[::-1] if backwards else path
