"""Maximum flows of the relaxed network with their minimum cuts, for widening (``widen``) and the groups' plan
(``groupplan``): OR-Tools' max flow on some pairs, the same flow made maximum again once pairs are added (after a
breadth-first search of its residual network, which often shows it still is), and a maximum flow made from a flow
already there (``maximum_from``; ``lowered``: with fewer places).

Every arc array stays ``int32`` (node and arc numbers, capacities and flows of a network of at most 2³¹ arcs):
at national scale each of the network's 5 million arcs is copied several times per augmentation, in 0.4 s of CPU
against 0.9 s with int64 copies (its max flow: about 0.8 s). The widened network is built after OR-Tools' solver
is freed, not beside it: widening's peak, measured on its own, 812 MB instead of 988 MB."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order

from matcher.candidates.lookup import pair_rows
from matcher.solve.flow import max_flow_solver, solved_max_flow, solver_flows
from matcher.solve.network import SINK, SOURCE, Network, build_network

__all__ = ["CutFlow", "max_flow_cut", "maximum_from", "lowered", "augmented"]


@dataclass(frozen=True)
class CutFlow:
    """A maximum flow of the relaxed network on ``pairs`` (``student, site``): the network, its arc flows, its
    value and ``side``, per node, whether the residual network reaches it from the source (a minimum cut)."""

    pairs: pd.DataFrame
    net: Network
    flows: np.ndarray
    value: int
    side: npt.NDArray[np.bool_]

    def placements(self) -> pd.DataFrame:
        """``student, site, week`` rows of the flow, and ``pair``: the row of ``pairs`` each is on."""
        used = np.flatnonzero((self.flows > 0) & (self.net.pair >= 0))
        rows = self.net.pair[used]
        return pd.DataFrame(
            {
                "student": self.pairs["student"].to_numpy(np.int64)[rows],
                "site": self.pairs["site"].to_numpy(np.int64)[rows],
                "week": self.net.week[used].astype(np.int8),
                "pair": rows,
            }
        )


def max_flow_cut(pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray) -> CutFlow:
    """OR-Tools' maximum flow of the relaxed network on ``pairs`` and its minimum cut."""
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    solver = max_flow_solver(net)
    side = np.zeros(net.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    flows = solver_flows(solver, len(net.tails))
    return CutFlow(pairs, net, flows, int(solver.optimal_flow()), side)


def maximum_from(
    pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray, start: pd.DataFrame
) -> CutFlow:
    """The relaxed network's maximum flow on ``pairs`` and its minimum cut, from the flow of the placements
    ``start`` (``student, site, week`` rows on ``pairs``: every placed student's weeks whole, within the places),
    made maximum on its residual network (``augmented``). When ``start`` is a maximum flow of a network close to
    this one, OR-Tools' part takes well under a max flow from nothing: measured on the others' network of the
    groups' plan (``groupplan``), 0.75 s against 1.25 s at national scale, 4.4 s against 11.2 s at the full
    cohort."""
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    rows = pair_rows(pairs, start["student"].to_numpy(np.int64), start["site"].to_numpy(np.int64))
    flows = net.flows_of(rows, start["week"].to_numpy(np.int64))
    value = int(start["student"].nunique())
    flow = CutFlow(pairs, net, flows, value, np.zeros(net.n_nodes, bool))
    return augmented(flow, pairs.iloc[:0], weeks, cap1, cap2, look=False)


def lowered(net: Network, pairs: pd.DataFrame, rows: pd.DataFrame, weeks: np.ndarray) -> CutFlow:
    """The maximum flow and minimum cut of the network ``net`` of ``pairs``, from the ``rows`` of a flow on the same
    arcs with more places (``CutFlow.placements``; ``Network.with_places``): the students with a row beyond their
    site's places that week are taken out (whole; the last rows there), and the flow of the others made maximum
    again (``augmented``)."""
    m = len(net.week_nodes[0])
    cap1, cap2 = net.capacities[:m].astype(np.int64), net.capacities[m : 2 * m].astype(np.int64)
    j, week = rows["site"].to_numpy(np.int64), rows["week"].to_numpy(np.int64)
    where = j * 2 + week - 1
    order = np.argsort(where, kind="stable")
    seat = np.empty(len(where), np.int64)
    seat[order] = np.arange(len(where)) - np.searchsorted(where[order], where[order])
    student = rows["student"].to_numpy(np.int64)
    rows = rows[~np.isin(student, student[seat >= np.where(week == 1, cap1[j], cap2[j])])]
    flows = net.flows_of(rows["pair"].to_numpy(np.int64), rows["week"].to_numpy(np.int64))
    start = CutFlow(pairs, net, flows, int(rows["student"].nunique()), np.zeros(net.n_nodes, bool))
    return augmented(start, pairs.iloc[:0], weeks, cap1, cap2, look=False)


def augmented(
    flow: CutFlow, added: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray, look: bool
) -> CutFlow:
    """``flow`` on its pairs plus ``added`` (no flow on their arcs), made maximum again.

    With ``look``, the residual network is searched from the source first (scipy's breadth-first search): when
    the sink is out of reach, ``flow`` is still maximum and the nodes reached are the new cut's source side.
    Otherwise OR-Tools' max flow runs on the residual network, its flows are added to ``flow``'s, and the nodes
    its own residual network reaches from the source are the new cut's source side."""
    pairs = pd.concat([flow.pairs, added], ignore_index=True) if len(added) else flow.pairs
    tails, heads, rows, week = _arcs(added, weeks, cap1, cap2)
    old, i32, n_new = flow.net, np.int32, len(tails)
    room, back = np.flatnonzero(flow.flows < old.capacities).astype(i32), np.flatnonzero(flow.flows > 0).astype(i32)
    res_tails = np.concatenate([old.tails[room], tails, old.heads[back]])  # the added arcs have room, no flow
    res_heads = np.concatenate([old.heads[room], heads, old.tails[back]])
    if look and not (side := _reached(res_tails, res_heads, old.n_nodes))[SINK]:
        flows = np.concatenate([flow.flows, np.zeros(n_new, i32)])
        return CutFlow(pairs, _extended(old, tails, heads, rows + len(flow.pairs), week), flows, flow.value, side)
    solver = SimpleMaxFlow()
    room_left = np.concatenate([old.capacities[room] - flow.flows[room], np.ones(n_new, i32), flow.flows[back]])
    solver.add_arcs_with_capacity(res_tails, res_heads, room_left)
    n_room, n_back = len(room), len(back)
    del res_tails, res_heads, room_left, room, back  # OR-Tools holds its own copies: not kept through its solve
    more = solved_max_flow(solver)
    extra = solver_flows(solver, n_room + n_new + n_back)
    side = np.zeros(old.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    del solver  # the network with the added arcs is built once the solver's memory is freed
    flows = np.concatenate([flow.flows, extra[n_room : n_room + n_new]])
    flows[np.flatnonzero(flow.flows < old.capacities)] += extra[:n_room]  # the arcs ``room`` and ``back`` again
    flows[np.flatnonzero(flow.flows > 0)] -= extra[n_room + n_new :]  # an arc with room and flow is in both parts
    return CutFlow(pairs, _extended(old, tails, heads, rows + len(flow.pairs), week), flows, flow.value + more, side)


def _extended(old: Network, tails: np.ndarray, heads: np.ndarray, pair: np.ndarray, week: np.ndarray) -> Network:
    """``old`` with the arcs ``tails → heads`` (capacity 1) of the pairs ``pair`` (rows of the whole pairs table)
    and ``week`` added at the end (``old`` itself when there are none: no copy)."""
    if len(tails) == 0:
        return old
    return Network(
        np.concatenate([old.tails, tails]),
        np.concatenate([old.heads, heads]),
        np.concatenate([old.capacities, np.ones(len(tails), np.int32)]),
        np.concatenate([old.pair, pair.astype(np.int32)]),
        np.concatenate([old.week, week]),
        old.student_arc,
        old.n_nodes,
        old.week_nodes,
    )


def _reached(tails: np.ndarray, heads: np.ndarray, n_nodes: int) -> np.ndarray:
    """Per node, whether the arcs ``tails → heads`` lead to it from the source (scipy's breadth-first search)."""
    graph = csr_array((np.ones(len(tails)), (tails, heads)), shape=(n_nodes, n_nodes))  # float64: what scipy uses
    side = np.zeros(n_nodes, bool)
    side[breadth_first_order(graph, SOURCE, directed=True, return_predecessors=False)] = True
    return side


def _arcs(
    pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The arcs ``build_network`` gives ``pairs`` (week 1 ``W1[site] → student``, week 2 ``student → W2[site]``):
    tails, heads, the row of ``pairs`` (int32) and the week of each."""
    m, n = len(cap1), len(weeks)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    one = np.flatnonzero((weeks != "week_2")[s] & (cap1[j] > 0))
    two = np.flatnonzero((weeks != "week_1")[s] & (cap2[j] > 0))
    s_in = 2 + 2 * m + s
    return (
        np.concatenate([2 + j[one], s_in[two] + n]).astype(np.int32),
        np.concatenate([s_in[one], 2 + m + j[two]]).astype(np.int32),
        np.concatenate([one, two]).astype(np.int32),
        np.concatenate([np.ones(len(one), np.int8), np.full(len(two), 2, np.int8)]),
    )
