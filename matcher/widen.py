"""Widen capped candidate lists so that the cap costs no placement: the ``placed`` bound over all eligible pairs.

When candidate lists are capped (``Candidates.truncated``), a student may have eligible sites beyond the ``k``
kept per pool, and the allocation network built on the kept pairs may place fewer students than one built on
all of them (at national scale the kept pairs' relaxation placed 175 fewer). ``widen`` lists every eligible
pair of the truncated students, in chunks, and solves the maximum flow of the relaxed network on all pairs with
OR-Tools' max flow (no costs: fast). The pairs that maximum flow uses are added to the kept ones. The widened
network then carries a maximum flow of the whole one, so its ``placed`` value — the first objective level, and
the bound the engine proves — holds over *all* eligible pairs. The later levels are still optimised over the
kept pairs (plus those added); ``summary.json`` says so (``bounds_over``).

Listing all pairs takes memory: above ``config.max_widen_pairs`` listed pairs (estimated first), nothing is
widened and the bounds hold over the kept pairs only, as without this stage.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow

from .budget import estimate_pairs
from .candidates import Candidates, candidates
from .config import Config
from .groups import find_groups
from .solve.flow import max_flow, solved_max_flow
from .solve.network import build_network

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
    """

    candidates: Candidates
    placed_bound: int | None = None
    kept_bound: int | None = None
    added_pairs: int = 0
    listed_pairs: int = 0
    skipped: str = ""

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
    estimate = estimate_pairs(students.iloc[truncated], sites, config.with_options(max_pairs=2**62, candidate_k=0))
    if estimate > config.max_widen_pairs:
        return Widening(cands, None, None, 0, 0, skipped=f"about {estimate:,} eligible pairs to list, more than "
                                                         f"max_widen_pairs ({config.max_widen_pairs:,})")
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    kept_bound = max_flow(build_network(cands.pairs, weeks, cap1, cap2))
    extra = _other_pairs(cands.pairs, truncated, groups.code, students, sites, config)
    everything = pd.concat([cands.pairs[["student", "site"]].astype(np.int32), extra], ignore_index=True)
    n_listed = len(extra)
    del extra
    bound, used = _max_flow_over(everything, weeks, cap1, cap2, first=len(cands.pairs))
    new = used[["student", "site"]].drop_duplicates().astype(np.int64)
    who = _with_mates(np.unique(new["student"].to_numpy(np.int64)), groups.code)
    rows = candidates(students, sites, config, k=0, only=who).pairs if len(who) else cands.pairs.iloc[:0]
    added = rows.merge(new, on=["student", "site"])
    pairs = pd.concat([cands.pairs, added], ignore_index=True)
    order = np.lexsort((pairs["site"].to_numpy(), pairs["km"].to_numpy(), pairs["rank"].to_numpy(),
                        pairs["student"].to_numpy()))
    widened = replace(cands, pairs=pairs.iloc[order].reset_index(drop=True))
    return Widening(widened, bound, kept_bound, len(added), n_listed)


def _with_mates(who: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``who`` and every member of their groups (a group's pairs are decided for all its members at once)."""
    mine = code[who]
    return np.union1d(who, np.flatnonzero(np.isin(code, mine[mine >= 0]))).astype(np.int64)


def _other_pairs(kept: pd.DataFrame, who: np.ndarray, code: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame,
                 config: Config) -> pd.DataFrame:
    """``student, site`` (int32) of every eligible pair of the students ``who`` that is not kept, listed in chunks
    of students (``who`` holds whole groups; ``code``: each student's group, -1 for none)."""
    key_kept = np.sort(kept["student"].to_numpy(np.int64) * len(sites) + kept["site"].to_numpy(np.int64))
    frames = []
    for start in range(0, len(who), _CHUNK):
        chunk = _with_mates(who[start:start + _CHUNK], code)
        found = candidates(students, sites, config, k=0, only=chunk).pairs
        found = found[np.isin(found["student"].to_numpy(), who[start:start + _CHUNK])]
        key = found["student"].to_numpy(np.int64) * len(sites) + found["site"].to_numpy(np.int64)
        at = np.minimum(np.searchsorted(key_kept, key), max(len(key_kept) - 1, 0))
        new = key_kept[at] != key if len(key_kept) else np.ones(len(key), bool)
        frames.append(found.loc[new, ["student", "site"]].astype(np.int32))
    return pd.concat(frames, ignore_index=True)


def _max_flow_over(pairs: pd.DataFrame, weeks, cap1, cap2, first: int) -> tuple[int, pd.DataFrame]:
    """Maximum flow of the relaxed network on ``pairs``, and the placements it makes on pairs ``first`` onwards.

    Memory-lean for tens of millions of arcs: 32-bit arc arrays, the arc arrays dropped once the solver holds
    them, flows read back for the arcs of those pairs only.
    """
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    solver = SimpleMaxFlow()
    solver.add_arcs_with_capacity(net.tails, net.heads, net.capacities)
    arcs = np.flatnonzero(net.pair >= first).astype(np.int32)
    net = net.only(arcs)
    value = solved_max_flow(solver)
    return value, net.read(solver.flows(arcs), pairs)
