"""Candidate pairs: which sites each student may go to, how far, and at what preference rank.

The rules are in ``docs/rules.md``. Distances are great-circle distances on the mean Earth radius, computed as
chords between 3-D unit vectors (exact on the sphere) and searched with scipy's cKDTree. Sites are split into
*pools* — one per trade (plus one for any trade), for all sites and for accessible ones, reserved sites apart —
so that the ``k`` nearest sites of a pool are the ``k`` best of that preference rank (the trees:
``matcher.candidates.pools``; the search: ``matcher.candidates.geographic``). Explicit ``site_choices`` are added
as pairs of their own, and a user's pairs table replaces the search (``matcher.candidates.explicit``). No loop runs
over students × sites.

A student whose ``k`` nearest sites of some pool are all in range may have more eligible sites: the student is
*truncated*. ``matcher.solve.widen`` then
adds the other pairs a maximum flow over all eligible pairs needs, so that
the ``placed`` bound holds over every pair; the later levels' bounds hold over the kept pairs (``summary.json``
says which, ``bounds_over``).
With ``stay_in_academie``, sites of another académie are not candidates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from matcher.candidates.budget import clearly_above, fitted_k
from matcher.candidates.eligibility import eligible
from matcher.candidates.explicit import choice_pairs, given_pairs, limits
from matcher.candidates.geographic import geographic_pairs
from matcher.candidates.lookup import pair_rows
from matcher.candidates.pools import SiteIndex, site_index
from matcher.config import Config
from matcher.domain.geo import chord, in_range, same_points, unit_vectors
from matcher.domain.groups import Groups, find_groups, group_pairs
from matcher.util import parallel

__all__ = ["Candidates", "SiteIndex", "candidates", "pair_rows", "site_index"]

#: The columns of candidate pairs.
_COLUMNS = ("student", "site", "km", "rank")

#: Fewest students per piece when the search is shared between the machine's cores (``parallel``): one piece per
#: process above twice this. The 2024 national scale (70,000 students) takes about 1.5 s in two processes against
#: 1.8 s in one; forking, sending the pairs back and merging them eat most of what the second core saves on less.
_PIECE = 10_000


@dataclass(frozen=True)
class Candidates:
    """Eligible pairs and what is known about the students who have none.

    Attributes
    ----------
    pairs : DataFrame
        ``student``, ``site`` (row positions in the students / sites tables), ``km`` and ``rank``; one row per
        eligible pair, sorted by student then rank then distance.
    truncated : ndarray of bool
        Per student: eligible sites beyond the ``k`` kept may exist.
    k : int
        Sites kept per student and pool (0: all in range).
    alone : ndarray of int
        Per student, eligible sites before the group rule (a group member keeps only the sites that can host
        the whole group).
    """

    pairs: pd.DataFrame
    truncated: np.ndarray
    k: int
    alone: np.ndarray


def candidates(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    *,
    k: int | None = None,
    only: np.ndarray | None = None,
    pairs_table: pd.DataFrame | None = None,
    ranked: bool = True,
    index: SiteIndex | None = None,
    groups: Groups | None = None,
) -> Candidates:
    """Eligible pairs for ``students`` (all, or the positions in ``only``).

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables.
    config : Config
        ``default_max_km``, ``other_sectors_rank_penalty`` and ``candidate_k`` are used.
    k : int, optional
        Sites kept per student and pool; 0 keeps all in range. Default: all in range when that makes at most
        ``config.max_pairs`` pairs, else ``config.candidate_k``.
    only : ndarray of int, optional
        Student positions to compute (used when widening).
    pairs_table : DataFrame, optional
        User-supplied ``student_id, site_id, km|minutes``: replaces the geographic search.
    ranked : bool
        False: the eligible pairs only, by student then site, with the rank of the first trade pool that found
        each (not always the best) — what widening needs, at half the cost.
    index : SiteIndex, optional
        ``site_index(sites)`` when several calls search the same sites (built here otherwise).
    groups : Groups, optional
        ``find_groups(students)`` when the caller has it (the instance's); found here otherwise.
    """
    k = _auto_k(students, sites, config, config.candidate_k) if k is None else k
    groups = find_groups(students) if groups is None else groups
    who = np.arange(len(students)) if only is None else np.asarray(only)
    if pairs_table is not None:
        return _candidates(students, sites, config, k, who, pairs_table, ranked, None, groups)
    index = index or site_index(sites)
    if len(who) > 2 * _PIECE and parallel.processes_of(config) > 1 and parallel.can_fork():
        return _shared(students, sites, config, k, who, ranked, index, groups)
    return _candidates(students, sites, config, k, who, None, ranked, index, groups)


def _shared(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    k: int,
    who: np.ndarray,
    ranked: bool,
    index: SiteIndex,
    groups: Groups,
) -> Candidates:
    """``_candidates`` for one piece of students per process (each with its group mates, then kept to its own
    rows), shared between the machine's cores: the same pairs, in the same order.

    Each piece holds the students of a share of the points (``geo.same_points``), as each point is searched once
    per piece; the pieces' rows, each sorted by student, are merged by student."""
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))
    by_point = np.sort(who)[np.argsort(same[np.sort(who)], kind="stable")]
    pieces = [np.sort(part) for part in np.array_split(by_point, parallel.processes_of(config))]

    def piece(i: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        mine = pieces[i]
        found = _candidates(students, sites, config, k, groups.with_mates(mine), None, ranked, index, groups)
        return found.pairs[np.isin(found.pairs["student"].to_numpy(), mine)], found.truncated[mine], found.alone[mine]

    parts = parallel.run(piece, len(pieces), parallel.processes_of(config))
    truncated, alone = np.zeros(len(students), bool), np.zeros(len(students), np.int64)
    for mine, (_, cut, n_alone) in zip(pieces, parts):
        truncated[mine], alone[mine] = cut, n_alone
    pairs = pd.concat([part[0] for part in parts], ignore_index=True)
    order = np.argsort(pairs["student"].to_numpy(), kind="stable")  # merges the pieces' sorted runs
    return Candidates(pairs=pairs.take(order).reset_index(drop=True), truncated=truncated, k=k, alone=alone)


def _candidates(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    k: int,
    who: np.ndarray,
    pairs_table: pd.DataFrame | None,
    ranked: bool,
    index: SiteIndex | None,
    groups: Groups,
) -> Candidates:
    """``candidates`` for the students ``who``, in this process (``index``: the sites' trees, without
    ``pairs_table``)."""
    truncated = np.zeros(len(students), bool)
    if pairs_table is not None:
        given = given_pairs(students, sites, config, pairs_table)
        found = [tuple(given[name].to_numpy() for name in _COLUMNS)]
    else:
        assert index is not None, "the geographic search needs the sites' trees"
        found, truncated = geographic_pairs(students, config, k, who, index)
    choices = choice_pairs(students, sites, who, pairs_table)
    found.append(tuple(choices[name].to_numpy() for name in _COLUMNS))
    raw = {name: np.concatenate([columns[i] for columns in found]) for i, name in enumerate(_COLUMNS)}
    pairs = eligible(raw, students, sites, config.other_sectors_rank_penalty, ranked)
    if config.stay_in_academie:
        same = (
            students["academie"].to_numpy(object)[pairs["student"].to_numpy()]
            == sites["academie"].to_numpy(object)[pairs["site"].to_numpy()]
        )
        pairs = pairs[same].reset_index(drop=True)
    alone = np.bincount(pairs["student"].to_numpy(np.int64), minlength=len(students))
    pairs = group_pairs(pairs, students, sites, groups)
    return Candidates(pairs=pairs, truncated=truncated, k=k, alone=alone)


def _auto_k(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int) -> int:
    """0 (no cap) when all sites in range make at most ``config.max_pairs`` pairs, else ``k`` or fewer when the run
    would not fit the memory limit (``budget.fitted_k``; decided on an evenly spread sample of students when it is
    far above: ``budget.clearly_above``)."""
    if k == 0 or len(students) == 0 or len(sites) == 0:
        return k
    tree = cKDTree(unit_vectors(sites["lat"], sites["lon"]))
    located = np.flatnonzero(students["lat"].notna().to_numpy())
    xyz, radius = unit_vectors(students["lat"], students["lon"]), chord(limits(students, config))
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))

    def count(rows: np.ndarray) -> int:
        rows = located[rows]
        return int(np.sum(in_range(tree, xyz[rows], radius[rows], same[rows], parallel.processes_of(config))))

    if (
        clearly_above(count, len(located), config.max_pairs) is None
        and count(np.arange(len(located))) <= config.max_pairs
    ):
        return 0
    return min(k, fitted_k(students, sites, config))
