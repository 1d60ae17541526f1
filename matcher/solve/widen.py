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

The max flows and their cuts (steps 1 and 3) are in ``mincut``, the searches (step 2) in ``crossing``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from matcher.candidates.budget import clearly_above, estimate_pairs
from matcher.candidates.search import Candidates, candidates
from matcher.config import Config
from matcher.domain.groups import Groups, find_groups
from matcher.solve.crossing import CrossingSearch as _Search  # these three under the names the tests import
from matcher.solve.mincut import augmented as _augmented
from matcher.solve.mincut import max_flow_cut as _max_flow
from matcher.solve.regions import Maximum
from matcher.util.i18n import mark

__all__ = ["NOT_WIDENED", "Widening", "not_widened", "widen"]

#: Why capped lists were not widened (``Widening.reason``, ``summary.json``'s ``skipped_reason``) → the reason
#: said (``skipped``: in English in ``summary.json``; the command line says it in the reader's language, with
#: ``eligible_pairs_estimate`` and the ``max_widen_pairs`` parameter).
NOT_WIDENED = {
    "max_widen_pairs_zero": mark("max_widen_pairs is 0"),
    "estimate_above_limit": mark("about {pairs} eligible pairs, more than max_widen_pairs ({limit})"),
    "found_above_limit": mark("more than max_widen_pairs ({limit}) eligible pairs found by the searches"),
    "stable_mode": mark("the stable mode keeps the nearest sites"),
    "reallocation": mark("re-allocation keeps the nearest sites"),
}


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
        Why nothing was widened, in English ("" when widened, or when nothing was truncated).
    maximum : Maximum or None
        The last maximum flow solved, on the widened pairs (the engine shares places out with it); None when
        nothing was widened.
    reason : str
        The key of ``NOT_WIDENED`` that ``skipped`` says ("" when widened).
    estimate : int or None
        With ``estimate_above_limit``, the eligible pairs estimated.
    """

    candidates: Candidates
    placed_bound: int | None = None
    kept_bound: int | None = None
    added_pairs: int = 0
    listed_pairs: int = 0
    skipped: str = ""
    maximum: Maximum | None = None
    reason: str = ""
    estimate: int | None = None

    @property
    def over_all_pairs(self) -> bool:
        """Whether the ``placed`` bound holds over every eligible pair."""
        return not self.candidates.truncated.any() or self.placed_bound is not None


def not_widened(
    cands: Candidates, reason: str, limit: int = 0, estimate: int | None = None, listed: int = 0
) -> Widening:
    """``cands`` as they are, and why (a key of ``NOT_WIDENED``; ``limit``: ``max_widen_pairs``; ``listed``:
    the pairs the searches found before they stopped)."""
    said = NOT_WIDENED[reason].format(pairs=f"{estimate or 0:,}", limit=f"{limit:,}")
    return Widening(cands, None, None, 0, listed, skipped=said, reason=reason, estimate=estimate)


def widen(
    cands: Candidates, students: pd.DataFrame, sites: pd.DataFrame, config: Config, *, groups: Groups | None = None
) -> Widening:
    """Add to ``cands`` the pairs a maximum flow over all eligible pairs uses (see the module docstring);
    ``groups``: ``find_groups(students)`` when the caller has it."""
    groups = find_groups(students) if groups is None else groups
    truncated = groups.with_mates(np.flatnonzero(cands.truncated))
    if len(truncated) == 0:
        return Widening(cands, None, None, 0, 0)
    if config.max_widen_pairs == 0:
        return not_widened(cands, "max_widen_pairs_zero")
    mine, every = students.iloc[truncated], config.with_options(max_pairs=2**62, candidate_k=0)
    estimate = clearly_above(
        lambda rows: estimate_pairs(mine.iloc[rows], sites, every), len(mine), config.max_widen_pairs
    ) or estimate_pairs(mine, sites, every)
    if estimate > config.max_widen_pairs:  # the max flows and searches would take too long
        return not_widened(cands, "estimate_above_limit", config.max_widen_pairs, estimate)
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    flow = _max_flow(cands.pairs[["student", "site"]].astype(np.int64), weeks, cap1, cap2)
    finder = _Search(students, sites, config, truncated, groups)
    kept_bound, seen = flow.value, None
    while True:
        crossing = finder.crossing(flow, seen)
        if crossing is None:
            return not_widened(cands, "found_above_limit", config.max_widen_pairs, listed=finder.found)
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
