"""Translation of candidate pairs into a flow network, and its inverse.

Every unit of flow is one student, on a path ``source → W1[site] → student → W2[site] → sink``:

- ``source → W1[j]`` carries site j's week-1 places, ``W2[k] → sink`` its week-2 places;
- ``student_in → student_out`` (capacity 1) is the student: flow through it means "placed";
- a both-weeks student enters from ``W1[j]`` and leaves to ``W2[k]`` (``j == k``: full time, else split);
- a week-1 student enters from ``W1[j]`` and leaves straight to the sink; a week-2 student enters from the source.

The network is exact for students who may split at sites that allow it; "full time only" (a student who may not
split, a ``full_time_only`` site) is relaxed here and restored by ``repair``. ``Network.read`` is the inverse: it
turns arc flows back into (student, site, week) rows. Nothing else reads solver indices.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from matcher.errors import SolverError

__all__ = ["Network", "build_network"]

SOURCE, SINK = 0, 1


@dataclass(frozen=True)
class Network:
    """Arcs of the flow network with what each arc stands for.

    Attributes
    ----------
    tails, heads, capacities : ndarray of int64
        The arcs, in the order they are added to the solver.
    pair : ndarray of int64
        For pair arcs, the row of the candidate pairs table; -1 for other arcs.
    week : ndarray of int8
        For pair arcs, the week (1 or 2) the arc stands for; 0 for other arcs.
    student_arc : ndarray of int64
        Arc index of each student's ``in → out`` arc.
    n_nodes : int
    week_nodes : tuple of two ndarray of int64
        Node of each site's week-1 and week-2 places.
    """

    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    pair: np.ndarray
    week: np.ndarray
    student_arc: np.ndarray
    n_nodes: int
    week_nodes: tuple[np.ndarray, np.ndarray]

    def with_places(self, cap1: np.ndarray, cap2: np.ndarray) -> Network:
        """The same arcs with the sites' places ``cap1`` in week 1 and ``cap2`` in week 2 (their arcs' capacities)."""
        m = len(self.week_nodes[0])
        capacities = np.concatenate([cap1, cap2, self.capacities[2 * m :]]).astype(self.capacities.dtype)
        return replace(self, capacities=capacities)

    def for_read(self) -> Network:
        """The same network with only what ``read`` needs (each arc's pair and week): once a solver holds its own
        copy of the arcs, their ends and capacities can be freed before it solves."""
        empty = self.tails[:0]
        return replace(self, tails=empty, heads=empty, capacities=empty)

    def only(self, arcs: np.ndarray) -> Network:
        """The same network's inverse restricted to ``arcs`` (their flows are then read in that order)."""
        return Network(
            self.tails[arcs],
            self.heads[arcs],
            self.capacities[arcs],
            self.pair[arcs],
            self.week[arcs],
            np.zeros(0, np.int64),
            self.n_nodes,
            self.week_nodes,
        )

    def flows_of(self, rows: np.ndarray, week: np.ndarray) -> np.ndarray:
        """Arc flows (``int32``) of placements on the pair rows ``rows`` in ``week`` (1 or 2): their pair arcs, their
        students' arcs and the arcs of the sites' places; the inverse of ``read``. Raises unless this is a flow
        (every placed student with a row in each week the network gives it, no site's places exceeded)."""
        rows, week = np.asarray(rows, np.int64), np.asarray(week, np.int64)
        at = np.full(len(rows), -1, np.int64)
        for w in (1, 2):  # each week's pair arcs are added by increasing row (``build_network``)
            arcs, mine = np.flatnonzero(self.week == w), np.flatnonzero(week == w)
            if len(arcs):
                pos = arcs[np.minimum(np.searchsorted(self.pair[arcs], rows[mine]), len(arcs) - 1)]
                at[mine] = np.where(self.pair[pos] == rows[mine], pos, -1)
        if (at < 0).any():
            raise SolverError("internal error: a placement on no arc of the allocation network")
        m, n = len(self.week_nodes[0]), len(self.student_arc)
        first = 2 + 2 * m  # student 0's in-node; its out-node is first + n
        flows = np.zeros(len(self.tails), np.int32)
        flows[at] = 1
        placed = np.zeros(n, np.int32)
        placed[np.where(week == 1, self.heads[at] - first, self.tails[at] - first - n)] = 1
        flows[self.student_arc] = placed
        flows[:m] = np.bincount(self.tails[at[week == 1]] - 2, minlength=m)  # source → W1[j]
        flows[m : 2 * m] = np.bincount(self.heads[at[week == 2]] - 2 - m, minlength=m)  # W2[j] → sink
        ends = np.arange(2 * m + n, len(self.tails) - int((self.pair >= 0).sum()))  # week-2 students' in, week-1's out
        flows[ends] = placed[
            np.where(self.tails[ends] == SOURCE, self.heads[ends] - first, self.tails[ends] - first - n)
        ]
        used = np.flatnonzero(flows)
        into = np.bincount(self.heads[used], flows[used], minlength=self.n_nodes)[2:]
        out = np.bincount(self.tails[used], flows[used], minlength=self.n_nodes)[2:]
        if (flows > self.capacities).any() or not np.array_equal(into, out):
            raise SolverError("internal error: placements that are no flow of the allocation network")
        return flows

    def read(self, flows: np.ndarray, pairs: pd.DataFrame) -> pd.DataFrame:
        """Placements from arc flows: one row per student-week with ``student``, ``site``, ``week`` (1 or 2)."""
        used = np.flatnonzero((flows > 0) & (self.pair >= 0))
        rows = self.pair[used]  # the two columns read, not the whole rows taken
        return pd.DataFrame(
            {
                "student": pairs["student"].to_numpy(np.int64)[rows],
                "site": pairs["site"].to_numpy(np.int64)[rows],
                "week": self.week[used].astype(np.int8),
            }
        )


def build_network(
    pairs: pd.DataFrame,
    weeks: np.ndarray,
    cap1: np.ndarray,
    cap2: np.ndarray,
    dtype: type[np.int32] | type[np.int64] = np.int64,
) -> Network:
    """The network for candidate ``pairs`` of students with ``weeks`` (both/week_1/week_2) at sites with ``cap1/2``.

    Pairs unusable for their weeks (no place that week) get no arc. ``dtype`` is the integer type of the arc
    arrays (``np.int32`` halves the memory of a large network; OR-Tools takes either).
    """
    n, m = len(weeks), len(cap1)
    w1 = np.arange(2, 2 + m, dtype=dtype)
    w2 = w1 + m
    s_in = np.arange(2 + 2 * m, 2 + 2 * m + n, dtype=dtype)
    s_out = s_in + n
    ps, pj = pairs["student"].to_numpy(dtype), pairs["site"].to_numpy(dtype)
    one1, one2 = weeks == "week_1", weeks == "week_2"
    idx = np.arange(len(pairs), dtype=dtype)
    in1 = ~one2[ps] & (cap1[pj] > 0)
    out2 = ~one1[ps] & (cap2[pj] > 0)
    parts = [  # (tails, heads, capacities, pair, week)
        (np.full(m, SOURCE), w1, cap1, -1, 0),
        (w2, np.full(m, SINK), cap2, -1, 0),
        (s_in, s_out, np.ones(n, dtype), -1, 0),
        (np.full(int(one2.sum()), SOURCE), s_in[one2], np.ones(int(one2.sum()), dtype), -1, 0),
        (s_out[one1], np.full(int(one1.sum()), SINK), np.ones(int(one1.sum()), dtype), -1, 0),
        (w1[pj[in1]], s_in[ps[in1]], np.ones(int(in1.sum()), dtype), idx[in1], 1),
        (s_out[ps[out2]], w2[pj[out2]], np.ones(int(out2.sum()), dtype), idx[out2], 2),
    ]
    tails = np.concatenate([np.asarray(p[0], dtype) for p in parts])
    heads = np.concatenate([np.asarray(p[1], dtype) for p in parts])
    caps = np.concatenate([np.asarray(p[2], dtype) for p in parts])
    pair = np.concatenate([np.full(len(p[0]), p[3], dtype) if np.isscalar(p[3]) else p[3].astype(dtype) for p in parts])
    week = np.concatenate([np.full(len(p[0]), p[4], np.int8) for p in parts])
    return Network(tails, heads, caps, pair, week, 2 * m + np.arange(n, dtype=np.int64), 2 + 2 * m + 2 * n, (w1, w2))
