"""Widen capped candidate lists so that the cap costs no placement: the ``placed`` bound over all eligible pairs.

When candidate lists are capped (``Candidates.truncated``), a student may have eligible sites beyond the ``k``
kept per pool, and the allocation network built on the kept pairs may place fewer students than one built on
all of them (at national scale the kept pairs' relaxation placed 175 fewer). ``widen`` proves and repairs this
with a minimum cut, without listing every eligible pair:

1. OR-Tools' max flow (no costs: fast) solves the relaxed network on the kept pairs; the nodes its residual
   network reaches from the source, ``S``, are the source side of a minimum cut;
2. a pair's arc *crosses* that cut when it leaves ``S`` (week 1: ``W1[site]`` in ``S``, the student not; week 2:
   the student in ``S``, ``W2[site]`` not). Crossing pairs are searched, not listed: for the capped students on
   the right side of the cut, every eligible site on the other side (the candidate search on those sites only),
   pairs already in the network left out. With no crossing pair, the cut is also a cut of the network on all
   pairs, of the same capacity: no flow over all pairs is larger (max-flow min-cut);
3. otherwise the crossing pairs are added and the flow augmented on its residual network (OR-Tools' max flow),
   whose own minimum cut is the new one; step 2 runs again. After the first round the flow seldom grows: the
   residual network is searched first (scipy's breadth-first search), and when it cannot reach the sink the
   flow is still maximum and the nodes it reaches are the new cut, without a max flow. A pair crossing the new
   cut whose student and site are on the same sides as before crossed the last cut too, so it is already in the
   network: step 2 then searches only the students and sites that changed sides (against every site, or every
   capped student, across the cut).

The kept pairs plus those added carry a maximum flow of the whole network, so the ``placed`` value — the first
objective level, and the bound the engine proves — holds over *all* eligible pairs, while every maximum flow
solved has only the kept pairs and a few added ones. The later levels are still optimised over the kept pairs
(plus those added); ``summary.json`` says so (``bounds_over``). When the capped students have more than
``config.max_widen_pairs`` eligible pairs (estimated first: the full cohort has about 770 million), nothing is
widened: the max flows would take too long; the searches also stop, and nothing is widened, once they have found
more than that many pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow
from scipy.sparse import csr_array
from scipy.sparse.csgraph import breadth_first_order

from matcher.candidates.budget import clearly_above, estimate_pairs
from matcher.candidates.search import Candidates, candidates
from matcher.config import Config
from matcher.domain.groups import Groups, find_groups
from matcher.solve.flow import max_flow_solver, solved_max_flow
from matcher.solve.network import SINK, SOURCE, Network, build_network
from matcher.solve.regions import Maximum

__all__ = ["Widening", "widen"]


@dataclass(frozen=True)
class Widening:
    """What widening did.

    Attributes
    ----------
    candidates : Candidates
        The kept pairs plus the pairs added, in the candidate stage's order.
    placed_bound : int or None
        Most students the relaxed network places over all eligible pairs; None when nothing was widened.
    kept_bound : int or None
        The same over the kept pairs only (before widening); None when nothing was widened.
    added_pairs : int
        Pairs added to the kept ones.
    listed_pairs : int
        Eligible pairs beyond the kept ones that the searches for crossing pairs found (0 when skipped).
    skipped : str
        Why nothing was widened ("" when widened, or when nothing was truncated).
    maximum : Maximum or None
        The last maximum flow solved, on the widened pairs (the engine shares places out with it); None when
        nothing was widened.
    """

    candidates: Candidates
    placed_bound: int | None = None
    kept_bound: int | None = None
    added_pairs: int = 0
    listed_pairs: int = 0
    skipped: str = ""
    maximum: Maximum | None = None

    @property
    def over_all_pairs(self) -> bool:
        """Whether the ``placed`` bound holds over every eligible pair."""
        return not self.candidates.truncated.any() or self.placed_bound is not None


def widen(cands: Candidates, students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> Widening:
    """Add to ``cands`` the pairs a maximum flow over all eligible pairs uses (see the module docstring)."""
    groups = find_groups(students)
    truncated = groups.with_mates(np.flatnonzero(cands.truncated))
    if len(truncated) == 0:
        return Widening(cands, None, None, 0, 0)
    if config.max_widen_pairs == 0:
        return Widening(cands, None, None, 0, 0, skipped="max_widen_pairs is 0")
    mine, every = students.iloc[truncated], config.with_options(max_pairs=2**62, candidate_k=0)
    estimate = clearly_above(
        lambda rows: estimate_pairs(mine.iloc[rows], sites, every), len(mine), config.max_widen_pairs
    ) or estimate_pairs(mine, sites, every)
    if estimate > config.max_widen_pairs:  # the max flows and searches would take too long
        return Widening(
            cands,
            None,
            None,
            0,
            0,
            skipped=f"about {estimate:,} eligible pairs, more than max_widen_pairs ({config.max_widen_pairs:,})",
        )
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    flow = _max_flow(cands.pairs[["student", "site"]].astype(np.int64), weeks, cap1, cap2)
    finder = _Search(students, sites, config, truncated, groups)
    kept_bound, seen = flow.value, None
    while True:
        crossing = finder.crossing(flow, seen)
        if crossing is None:
            return Widening(
                cands,
                None,
                None,
                0,
                finder.found,
                skipped=f"more than max_widen_pairs ({config.max_widen_pairs:,}) eligible pairs found by the searches",
            )
        if crossing.empty:
            break
        look, seen = seen is not None, flow.side  # after the first round, the flow seldom grows: look first
        flow = _augmented(flow, crossing, weeks, cap1, cap2, look)
    used = flow.placements()
    new = used[used["pair"] >= len(cands.pairs)]
    new = flow.pairs.iloc[new["pair"].to_numpy()].drop_duplicates()  # a maximum flow needs these
    added = _ranked(new, students, sites, config, groups) if len(new) else cands.pairs.iloc[:0]
    widened = replace(cands, pairs=_merged(cands.pairs, added))
    return Widening(
        widened,
        flow.value,
        kept_bound,
        len(added),
        finder.found,
        maximum=Maximum(flow.value, used[["student", "site", "week"]]),
    )


def _ranked(
    new: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, config: Config, groups: Groups
) -> pd.DataFrame:
    """The candidate rows (``student, site, km, rank``) of the pairs ``new``: the candidate search of their
    students (with their group mates) on their sites only, every pair in range kept."""
    where = np.unique(new["site"].to_numpy(np.int64))
    who = groups.with_mates(np.unique(new["student"].to_numpy(np.int64)))
    rows = candidates(students, sites.iloc[where].reset_index(drop=True), config, k=0, only=who).pairs
    rows = rows.assign(site=where[rows["site"].to_numpy(np.int64)])
    return rows.merge(new, on=["student", "site"])


def _merged(pairs: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (sorted by student, rank, km, site) with ``added``, in the same order: only the students who get
    pairs are sorted again."""
    if added.empty:
        return pairs
    touched = np.isin(pairs["student"].to_numpy(), added["student"].to_numpy())
    theirs = pd.concat([pairs[touched], added], ignore_index=True)
    theirs = theirs.iloc[
        np.lexsort(
            (
                theirs["site"].to_numpy(),
                theirs["km"].to_numpy(),
                theirs["rank"].to_numpy(),
                theirs["student"].to_numpy(),
            )
        )
    ]
    out = pd.concat([pairs[~touched], theirs], ignore_index=True)  # each student's rows in one part
    return out.iloc[np.argsort(out["student"].to_numpy(), kind="stable")].reset_index(drop=True)


@dataclass(frozen=True)
class _Flow:
    """A maximum flow of the relaxed network on ``pairs`` (``student, site``): the network, its arc flows, its
    value and ``side``, per node, whether the residual network reaches it from the source (a minimum cut)."""

    pairs: pd.DataFrame
    net: Network
    flows: np.ndarray
    value: int
    side: np.ndarray

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


def _max_flow(pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray) -> _Flow:
    """OR-Tools' maximum flow of the relaxed network on ``pairs`` and its minimum cut."""
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    solver = max_flow_solver(net)
    side = np.zeros(net.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    return _Flow(pairs, net, solver.flows(np.arange(len(net.tails), dtype=np.int32)), int(solver.optimal_flow()), side)


def _augmented(
    flow: _Flow, added: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray, look: bool
) -> _Flow:
    """``flow`` on its pairs plus ``added`` (no flow on their arcs), made maximum again.

    With ``look``, the residual network is searched from the source first (scipy's breadth-first search): when
    the sink is out of reach, ``flow`` is still maximum and the nodes reached are the new cut's source side.
    Otherwise OR-Tools' max flow runs on the residual network, its flows are added to ``flow``'s, and the nodes
    its own residual network reaches from the source are the new cut's source side."""
    pairs = pd.concat([flow.pairs, added], ignore_index=True)
    tails, heads, rows, week = _arcs(added, weeks, cap1, cap2)
    old = flow.net
    net = Network(
        np.concatenate([old.tails, tails]),
        np.concatenate([old.heads, heads]),
        np.concatenate([old.capacities, np.ones(len(tails), old.capacities.dtype)]),
        np.concatenate([old.pair, len(flow.pairs) + rows]),
        np.concatenate([old.week, week]),
        old.student_arc,
        old.n_nodes,
        old.week_nodes,
    )
    flows = np.concatenate([flow.flows, np.zeros(len(tails), flow.flows.dtype)])
    room, back = np.flatnonzero(flows < net.capacities), np.flatnonzero(flows > 0)
    tails, heads = (
        np.concatenate([net.tails[room], net.heads[back]]),
        np.concatenate([net.heads[room], net.tails[back]]),
    )
    if look and not (side := _reached(tails, heads, net.n_nodes))[SINK]:
        return _Flow(pairs, net, flows, flow.value, side)
    solver = SimpleMaxFlow()
    solver.add_arcs_with_capacity(tails, heads, np.concatenate([net.capacities[room] - flows[room], flows[back]]))
    more = solved_max_flow(solver)
    extra = solver.flows(np.arange(len(room) + len(back), dtype=np.int32))
    flows = flows.copy()
    flows[room] += extra[: len(room)]
    flows[back] -= extra[len(room) :]  # an arc with room and flow (a site's places) is in both parts
    side = np.zeros(net.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    return _Flow(pairs, net, flows, flow.value + more, side)


def _reached(tails: np.ndarray, heads: np.ndarray, n_nodes: int) -> np.ndarray:
    """Per node, whether the arcs ``tails → heads`` lead to it from the source (scipy's breadth-first search)."""
    graph = csr_array((np.ones(len(tails), np.int8), (tails, heads)), shape=(n_nodes, n_nodes))
    side = np.zeros(n_nodes, bool)
    side[breadth_first_order(graph, SOURCE, directed=True, return_predecessors=False)] = True
    return side


def _arcs(
    pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The arcs ``build_network`` gives ``pairs`` (week 1 ``W1[site] → student``, week 2 ``student → W2[site]``):
    tails, heads, the row of ``pairs`` and the week of each."""
    m, n = len(cap1), len(weeks)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    one = np.flatnonzero((weeks != "week_2")[s] & (cap1[j] > 0))
    two = np.flatnonzero((weeks != "week_1")[s] & (cap2[j] > 0))
    s_in = 2 + 2 * m + s
    return (
        np.concatenate([2 + j[one], s_in[two] + n]),
        np.concatenate([s_in[one], 2 + m + j[two]]),
        np.concatenate([one, two]),
        np.concatenate([np.ones(len(one), np.int8), np.full(len(two), 2, np.int8)]),
    )


class _Search:
    """Searches for the eligible pairs crossing a flow's minimum cut (see the module docstring, step 2)."""

    def __init__(
        self, students: pd.DataFrame, sites: pd.DataFrame, config: Config, truncated: np.ndarray, groups: Groups
    ):
        self.students, self.sites, self.config, self.groups = students, sites, config, groups
        self.truncated = truncated  # capped students and their group mates, sorted
        self.found = 0
        self.weeks = students["weeks"].to_numpy(object)

    def crossing(self, flow: _Flow, seen: np.ndarray | None = None) -> pd.DataFrame | None:
        """``student, site`` of the eligible pairs whose arcs cross ``flow``'s cut, none in ``flow.pairs``; None
        once the searches have found more than ``max_widen_pairs`` pairs.

        ``seen``: the cut (source side per node) of the last search, whose crossing pairs are all in
        ``flow.pairs``; only pairs with an end on another side than there are searched (the others crossed that
        cut too). None: every pair is searched."""
        m, n, side, who = len(self.sites), len(self.students), flow.side, self.truncated
        cap1 = self.sites["capacity_week_1"].to_numpy(np.int64) > 0
        cap2 = self.sites["capacity_week_2"].to_numpy(np.int64) > 0
        s_in, w1 = 2 + 2 * m + who, 2 + np.arange(m)
        one = (self.weeks[who] != "week_2") & ~side[s_in], np.flatnonzero(side[w1] & cap1)
        two = (self.weeks[who] != "week_1") & side[s_in + n], np.flatnonzero(~side[w1 + m] & cap2)
        parts = [flow.pairs.iloc[:0][["student", "site"]]]
        key = np.sort(flow.pairs["student"].to_numpy(np.int64) * m + flow.pairs["site"].to_numpy(np.int64))
        for (mask, among), s_node, j_node in ((one, s_in, w1), (two, s_in + n, w1 + m)):
            if seen is None:
                searches = [(who[mask], among)]
            else:  # a student or a site that changed sides, against every site or student across the cut
                searches = [
                    (who[mask & (seen[s_node] != side[s_node])], among),
                    (who[mask], among[seen[j_node[among]] != side[j_node[among]]]),
                ]
            for students, sites in searches:
                found = self._every(students, sites, key)
                if found is None:
                    return None
                parts.append(found)
        return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)

    def _every(self, who: np.ndarray, among: np.ndarray, known: np.ndarray) -> pd.DataFrame | None:
        """Every eligible pair of the students ``who`` at the sites ``among`` (positions) whose key (student times
        sites plus site) is not in ``known`` (sorted); None once the searches have found more than
        ``max_widen_pairs`` pairs."""
        if len(who) == 0 or len(among) == 0:
            return pd.DataFrame({"student": np.zeros(0, np.int64), "site": np.zeros(0, np.int64)})
        mine = self.sites.iloc[among].reset_index(drop=True)
        found = candidates(self.students, mine, self.config, k=0, only=self.groups.with_mates(who), ranked=False)
        pairs = found.pairs[np.isin(found.pairs["student"].to_numpy(), who)]
        s, j = pairs["student"].to_numpy(np.int64), among[pairs["site"].to_numpy(np.int64)]
        new = ~_isin_sorted(s * len(self.sites) + j, known)
        self.found += int(new.sum())
        if self.found > self.config.max_widen_pairs:
            return None
        return pd.DataFrame({"student": s[new], "site": j[new]})


def _isin_sorted(values: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_keys)`` with a binary search (``sorted_keys`` sorted)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    return sorted_keys[at] == values
