"""Widen capped candidate lists so that the cap costs no placement: the ``placed`` bound over all eligible pairs.

When candidate lists are capped (``Candidates.truncated``), a student may have eligible sites beyond the ``k``
kept per pool, and the allocation network built on the kept pairs may place fewer students than one built on
all of them (at national scale the kept pairs' relaxation placed 175 fewer). ``widen`` proves and repairs this
with a minimum cut:

1. every eligible pair of the truncated students that is not kept is listed, in chunks (student and site only);
2. OR-Tools' max flow (no costs: fast) solves the relaxed network on the kept pairs; its source side ``S`` (the
   nodes the source still reaches) is a minimum cut;
3. an unlisted pair's arc *crosses* that cut when it leaves ``S`` (week 1: ``W1[site]`` in ``S``, the student
   not; week 2: the student in ``S``, ``W2[site]`` not). With no crossing arc, the cut is also a cut of the
   network on all pairs, of the same capacity: no flow over all pairs is larger (max-flow min-cut). Otherwise
   the crossing pairs are added. When the flow is still maximum with them — a breadth-first search (scipy) of
   its residual network with their arcs reaches no sink — the nodes the search reaches are the new cut and step 3
   runs again; else step 2 does.

The kept pairs plus those added carry a maximum flow of the whole network, so the ``placed`` value — the first
objective level, and the bound the engine proves — holds over *all* eligible pairs, while every maximum flow
solved has only the kept pairs and a few added ones (at national scale: 2.8 M pairs instead of 9.2 M). The later
levels are still optimised over the kept pairs (plus those added); ``summary.json`` says so (``bounds_over``).

Listing all pairs takes time: above ``config.max_widen_pairs`` listed pairs (estimated first), nothing is
widened and the bounds hold over the kept pairs only, as without this stage.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Callable, Iterator

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from . import parallel
from .budget import clearly_above, estimate_pairs
from .candidates import Candidates, SiteIndex, candidates, site_index
from .config import Config
from .groups import Groups, find_groups
from .solve.flow import max_flow_solver
from .solve.network import SINK, SOURCE, build_network
from .solve.regions import Maximum

__all__ = ["Widening", "widen"]

_CHUNK = 2_000  # truncated students listed at once (bounds the memory of one listing)


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
        Eligible pairs of the truncated students listed (0 when skipped).
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
    estimate = clearly_above(lambda rows: estimate_pairs(mine.iloc[rows], sites, every), len(mine),
                             config.max_widen_pairs) or estimate_pairs(mine, sites, every)
    if estimate > config.max_widen_pairs:
        return Widening(cands, None, None, 0, 0, skipped=f"about {estimate:,} eligible pairs to list, more than "
                                                         f"max_widen_pairs ({config.max_widen_pairs:,})")
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    kept = cands.pairs[["student", "site"]].astype(np.int32)
    trees = site_index(sites)  # built once: the listing's forked processes and the added pairs share it
    with _other_pairs(cands.pairs, truncated, groups, students, sites, config, trees) as listed:
        cut = _min_cut(kept, weeks, cap1, cap2, first=len(kept))  # while listing
        extra = listed()
    n_listed, kept_bound, new = len(extra), cut.value, kept.iloc[:0]
    while True:
        crossing = _crossing(extra, cut.side, weeks, cap1, cap2)
        if not crossing.any():
            break
        new = pd.concat([new, extra[crossing]], ignore_index=True)
        cut = _recut(cut, extra[crossing], weeks, cap1, cap2) or \
            _min_cut(pd.concat([kept, new], ignore_index=True), weeks, cap1, cap2, len(kept))
        extra = extra[~crossing]
    bound, used = cut.value, cut.used
    new = used.loc[cut.fresh, ["student", "site"]].drop_duplicates().astype(np.int64)  # a maximum flow needs these
    who = groups.with_mates(np.unique(new["student"].to_numpy(np.int64)))
    rows = candidates(students, sites, config, k=0, only=who, index=trees).pairs if len(who) else cands.pairs.iloc[:0]
    added = rows.merge(new, on=["student", "site"])
    widened = replace(cands, pairs=_merged(cands.pairs, added))
    return Widening(widened, bound, kept_bound, len(added), n_listed, maximum=Maximum(bound, used))


def _merged(pairs: pd.DataFrame, added: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` (sorted by student, rank, km, site) with ``added``, in the same order: only the students who get
    pairs are sorted again."""
    if added.empty:
        return pairs
    touched = np.isin(pairs["student"].to_numpy(), added["student"].to_numpy())
    theirs = pd.concat([pairs[touched], added], ignore_index=True)
    theirs = theirs.iloc[np.lexsort((theirs["site"].to_numpy(), theirs["km"].to_numpy(), theirs["rank"].to_numpy(),
                                     theirs["student"].to_numpy()))]
    out = pd.concat([pairs[~touched], theirs], ignore_index=True)  # each student's rows in one part
    return out.iloc[np.argsort(out["student"].to_numpy(), kind="stable")].reset_index(drop=True)


@contextmanager
def _other_pairs(kept: pd.DataFrame, who: np.ndarray, groups: Groups, students: pd.DataFrame, sites: pd.DataFrame,
                 config: Config, trees: SiteIndex) -> Iterator[Callable[[], pd.DataFrame]]:
    """``student, site`` (int32) of every eligible pair of the students ``who`` that is not kept, listed in chunks
    of students, the chunks shared between the machine's cores (``matcher.parallel``; ``who`` holds whole groups;
    ``groups``: the students' groups; ``trees``: the sites' search trees). Listed in the background: the block
    runs meanwhile, and calls the function it is given for the pairs."""
    key_kept = np.sort(kept["student"].to_numpy(np.int64) * len(sites) + kept["site"].to_numpy(np.int64))

    def chunk_pairs(index: int) -> pd.DataFrame:
        mine = who[index * _CHUNK:(index + 1) * _CHUNK]
        found = candidates(students, sites, config, k=0, only=groups.with_mates(mine), ranked=False, index=trees).pairs
        found = found[np.isin(found["student"].to_numpy(), mine)]
        key = found["student"].to_numpy(np.int64) * len(sites) + found["site"].to_numpy(np.int64)
        at = np.minimum(np.searchsorted(key_kept, key), max(len(key_kept) - 1, 0))
        new = key_kept[at] != key if len(key_kept) else np.ones(len(key), bool)
        return found.loc[new, ["student", "site"]].astype(np.int32)

    n_chunks = -(-len(who) // _CHUNK)
    with parallel.started(chunk_pairs, n_chunks, parallel.processes_of(config)) as listed:
        yield lambda: pd.concat(listed(), ignore_index=True)


@dataclass(frozen=True)
class _Cut:
    """A maximum flow of the relaxed network and the minimum cut it leaves.

    ``side``: per node, on the source side; ``used``: the flow's placements, ``fresh`` marking those on pairs
    ``first`` onwards (see ``_min_cut``); ``residual``: tails and heads of the arcs of the flow's residual network
    (arcs with room left, and arcs carrying flow reversed).
    """

    value: int
    side: np.ndarray
    used: pd.DataFrame
    fresh: np.ndarray
    residual: tuple[np.ndarray, np.ndarray]


def _min_cut(pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray, first: int) -> _Cut:
    """OR-Tools' maximum flow of the relaxed network on ``pairs`` (32-bit arcs) and its minimum cut."""
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    solver = max_flow_solver(net)
    flows = solver.flows(np.arange(len(net.tails), dtype=np.int32))
    side = np.zeros(net.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    on_pair = np.flatnonzero(net.pair >= 0)
    used = net.only(on_pair).read(flows[on_pair], pairs)
    fresh = net.pair[on_pair[flows[on_pair] > 0]] >= first
    room, back = flows < net.capacities, flows > 0
    residual = (np.concatenate([net.tails[room], net.heads[back]]), np.concatenate([net.heads[room], net.tails[back]]))
    return _Cut(int(solver.optimal_flow()), side, used, fresh, residual)


def _recut(cut: _Cut, added: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray) -> _Cut | None:
    """``cut``'s flow with the arcs of the pairs ``added`` (no flow on them): its new minimum cut when it is still
    a maximum flow (a breadth-first search of its residual network reaches no sink), else None."""
    tails, heads, _ = _arcs(added, weeks, cap1, cap2)
    tails, heads = np.concatenate([cut.residual[0], tails]), np.concatenate([cut.residual[1], heads])
    n_nodes = len(cut.side)
    graph = csr_matrix((np.ones(len(tails), np.int8), (tails, heads)), shape=(n_nodes, n_nodes))
    side = np.zeros(n_nodes, bool)
    side[breadth_first_order(graph, SOURCE, directed=True, return_predecessors=False)] = True
    return None if side[SINK] else replace(cut, side=side, residual=(tails, heads))


def _arcs(pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray,
          cap2: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The arcs ``build_network`` gives ``pairs`` (week 1 ``W1[site] → student``, week 2 ``student → W2[site]``):
    tails, heads, and the row of ``pairs`` of each."""
    m, n = len(cap1), len(weeks)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    one = np.flatnonzero((weeks != "week_2")[s] & (cap1[j] > 0))
    two = np.flatnonzero((weeks != "week_1")[s] & (cap2[j] > 0))
    s_in = 2 + 2 * m + s
    return (np.concatenate([2 + j[one], s_in[two] + n]), np.concatenate([s_in[one], 2 + m + j[two]]),
            np.concatenate([one, two]))


def _crossing(pairs: pd.DataFrame, side: np.ndarray, weeks: np.ndarray, cap1: np.ndarray,
              cap2: np.ndarray) -> np.ndarray:
    """Which of ``pairs`` (not in the network) would add an arc leaving the source side ``side`` (the arcs of
    ``_arcs``, node numbers as in ``build_network``)."""
    m, n = len(cap1), len(weeks)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    s_in = 2 + 2 * m + s
    week1 = side[2 + j] & ~side[s_in] & (cap1[j] > 0) & (weeks != "week_2")[s]
    week2 = side[s_in + n] & ~side[2 + m + j] & (cap2[j] > 0) & (weeks != "week_1")[s]
    return week1 | week2
