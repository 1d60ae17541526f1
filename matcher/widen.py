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
   the crossing pairs are added and step 2 runs again.

The kept pairs plus those added carry a maximum flow of the whole network, so the ``placed`` value — the first
objective level, and the bound the engine proves — holds over *all* eligible pairs, while every maximum flow
solved has only the kept pairs and a few added ones (at national scale: 2.8 M pairs instead of 9.2 M). The later
levels are still optimised over the kept pairs (plus those added); ``summary.json`` says so (``bounds_over``).

Listing all pairs takes time: above ``config.max_widen_pairs`` listed pairs (estimated first), nothing is
widened and the bounds hold over the kept pairs only, as without this stage.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from . import parallel
from .budget import clearly_above, estimate_pairs
from .candidates import Candidates, candidates
from .config import Config
from .groups import find_groups
from .solve.flow import max_flow_solver
from .solve.network import build_network
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
    truncated = _with_mates(np.flatnonzero(cands.truncated), groups.code)
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
    extra = _other_pairs(cands.pairs, truncated, groups.code, students, sites, config)
    n_listed = len(extra)
    kept = cands.pairs[["student", "site"]].astype(np.int32)
    kept_bound, side, used, fresh = _min_cut(kept, weeks, cap1, cap2, first=len(kept))
    bound, new = kept_bound, kept.iloc[:0]
    while True:
        crossing = _crossing(extra, side, weeks, cap1, cap2)
        if not crossing.any():
            break
        new = pd.concat([new, extra[crossing]], ignore_index=True)
        extra = extra[~crossing]
        bound, side, used, fresh = _min_cut(pd.concat([kept, new], ignore_index=True), weeks, cap1, cap2, len(kept))
    new = used.loc[fresh, ["student", "site"]].drop_duplicates().astype(np.int64)  # a maximum flow needs these only
    who = _with_mates(np.unique(new["student"].to_numpy(np.int64)), groups.code)
    rows = candidates(students, sites, config, k=0, only=who).pairs if len(who) else cands.pairs.iloc[:0]
    added = rows.merge(new, on=["student", "site"])
    pairs = pd.concat([cands.pairs, added], ignore_index=True)
    order = np.lexsort((pairs["site"].to_numpy(), pairs["km"].to_numpy(), pairs["rank"].to_numpy(),
                        pairs["student"].to_numpy()))
    widened = replace(cands, pairs=pairs.iloc[order].reset_index(drop=True))
    return Widening(widened, bound, kept_bound, len(added), n_listed, maximum=Maximum(bound, used))


def _with_mates(who: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``who`` and every member of their groups (a group's pairs are decided for all its members at once)."""
    mine = code[who]
    return np.union1d(who, np.flatnonzero(np.isin(code, mine[mine >= 0]))).astype(np.int64)


def _other_pairs(kept: pd.DataFrame, who: np.ndarray, code: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame,
                 config: Config) -> pd.DataFrame:
    """``student, site`` (int32) of every eligible pair of the students ``who`` that is not kept, listed in chunks
    of students, the chunks shared between the machine's cores (``matcher.parallel``; ``who`` holds whole groups;
    ``code``: each student's group, -1 for none)."""
    key_kept = np.sort(kept["student"].to_numpy(np.int64) * len(sites) + kept["site"].to_numpy(np.int64))

    def chunk_pairs(index: int) -> pd.DataFrame:
        mine = who[index * _CHUNK:(index + 1) * _CHUNK]
        found = candidates(students, sites, config, k=0, only=_with_mates(mine, code), ranked=False).pairs
        found = found[np.isin(found["student"].to_numpy(), mine)]
        key = found["student"].to_numpy(np.int64) * len(sites) + found["site"].to_numpy(np.int64)
        at = np.minimum(np.searchsorted(key_kept, key), max(len(key_kept) - 1, 0))
        new = key_kept[at] != key if len(key_kept) else np.ones(len(key), bool)
        return found.loc[new, ["student", "site"]].astype(np.int32)

    n_chunks = -(-len(who) // _CHUNK)
    return pd.concat(parallel.run(chunk_pairs, n_chunks, parallel.processes_of(config)), ignore_index=True)


def _min_cut(pairs: pd.DataFrame, weeks: np.ndarray, cap1: np.ndarray, cap2: np.ndarray,
             first: int) -> tuple[int, np.ndarray, pd.DataFrame, np.ndarray]:
    """Maximum flow of the relaxed network on ``pairs`` (32-bit arcs); per node, whether it is on the source side
    of the minimum cut that flow leaves; the placements the flow makes; and which of them are on pairs ``first``
    onwards."""
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    solver = max_flow_solver(net)
    value = int(solver.optimal_flow())
    side = np.zeros(net.n_nodes, bool)
    side[solver.get_source_side_min_cut()] = True
    arcs = np.flatnonzero(net.pair >= 0).astype(np.int32)
    flows = solver.flows(arcs)
    return value, side, net.only(arcs).read(flows, pairs), net.pair[arcs[flows > 0]] >= first


def _crossing(pairs: pd.DataFrame, side: np.ndarray, weeks: np.ndarray, cap1: np.ndarray,
              cap2: np.ndarray) -> np.ndarray:
    """Which of ``pairs`` (not in the network) would add an arc leaving the source side ``side`` (node numbers as
    in ``build_network``): week 1 ``W1[site] → student`` from the side, week 2 ``student → W2[site]`` to the
    other side."""
    m, n = len(cap1), len(weeks)
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    w1, w2, s_in = 2 + j, 2 + m + j, 2 + 2 * m + s
    week1 = (weeks != "week_2")[s] & (cap1[j] > 0) & side[w1] & ~side[s_in]
    week2 = (weeks != "week_1")[s] & (cap2[j] > 0) & side[s_in + n] & ~side[w2]
    return week1 | week2
