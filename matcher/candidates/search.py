"""Candidate pairs: which sites each student may go to, how far, and at what preference rank.

The rules are in ``docs/rules.md``. Distances are great-circle distances on the mean Earth radius, computed as
chords between 3-D unit vectors (exact on the sphere) and searched with scipy's cKDTree. Sites are split into
*pools* — one per trade (plus one for any trade), for all sites and for accessible ones, reserved sites apart —
so that the ``k`` nearest sites of a pool are the ``k`` best of that preference rank. Explicit ``site_choices``
are added as pairs of their own, and a user's pairs table replaces the search
(``matcher.candidates.explicit``). No loop runs
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
from itertools import chain

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from matcher.candidates.budget import clearly_above
from matcher.candidates.eligibility import eligible
from matcher.candidates.explicit import choice_pairs, given_pairs, limits
from matcher.candidates.lookup import pair_rows
from matcher.config import Config
from matcher.domain.geo import chord as _chord
from matcher.domain.geo import chord_km as _km
from matcher.domain.geo import distinct, in_range, same_points, unit_vectors
from matcher.domain.groups import find_groups, group_pairs
from matcher.util import parallel
from matcher.util.runs import lengths, nth, positions

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


@dataclass(frozen=True)
class _Pool:
    sites: np.ndarray  # site positions
    tree: cKDTree


@dataclass(frozen=True)
class SiteIndex:
    """The search trees of the sites, one per pool (see the module docstring), built by ``site_index``: calls of
    ``candidates`` on the same sites can share one."""

    pools: dict[tuple[str, bool, bool], _Pool]


def site_index(sites: pd.DataFrame) -> SiteIndex:
    """The search trees of ``sites`` (clean located table)."""
    return SiteIndex(_pools(sites, unit_vectors(sites["lat"], sites["lon"])))


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
    """
    k = _auto_k(students, sites, config, config.candidate_k) if k is None else k
    who = np.arange(len(students)) if only is None else np.asarray(only)
    if pairs_table is not None:
        return _candidates(students, sites, config, k, who, pairs_table, ranked, None)
    index = index or site_index(sites)
    if len(who) > 2 * _PIECE and parallel.processes_of(config) > 1 and parallel.can_fork():
        return _shared(students, sites, config, k, who, ranked, index)
    return _candidates(students, sites, config, k, who, None, ranked, index)


def _shared(
    students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int, who: np.ndarray, ranked: bool, index: SiteIndex
) -> Candidates:
    """``_candidates`` for one piece of students per process (each with its group mates, then kept to its own
    rows), shared between the machine's cores: the same pairs, in the same order.

    Each piece holds the students of a share of the points (``geo.same_points``), as each point is searched once
    per piece; the pieces' rows, each sorted by student, are merged by student."""
    groups = find_groups(students)
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))
    by_point = np.sort(who)[np.argsort(same[np.sort(who)], kind="stable")]
    pieces = [np.sort(part) for part in np.array_split(by_point, parallel.processes_of(config))]

    def piece(i: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        mine = pieces[i]
        found = _candidates(students, sites, config, k, groups.with_mates(mine), None, ranked, index)
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
) -> Candidates:
    """``candidates`` for the students ``who``, in this process (``index``: the sites' trees, without
    ``pairs_table``)."""
    truncated = np.zeros(len(students), bool)
    if pairs_table is not None:
        given = given_pairs(students, sites, config, pairs_table)
        found = [tuple(given[name].to_numpy() for name in _COLUMNS)]
    else:
        found, truncated = _geographic_pairs(students, config, k, who, index)
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
    pairs = group_pairs(pairs, students, sites, find_groups(students))
    return Candidates(pairs=pairs, truncated=truncated, k=k, alone=alone)


def _queries(
    students: pd.DataFrame, config: Config, who: np.ndarray
) -> list[tuple[tuple[str, bool], np.ndarray, np.ndarray]]:
    """The (student, rank) queries of each (pool trade, accessible only), sorted by both: sector pools at rank
    c+q, the any-trade pool ('*') when allowed; students in the order of ``who``."""
    sectors = students["sectors"].to_numpy(object)[who]
    n_t, c = lengths(sectors), lengths(students["site_choices"].to_numpy(object))[who]
    listed = np.repeat(who, n_t)
    trade = [np.fromiter(chain.from_iterable(sectors), object, n_t.sum()), np.full(int((n_t == 0).sum()), "*", object)]
    student, rank = [listed, who[n_t == 0]], [np.repeat(c, n_t) + nth(listed) + 1, c[n_t == 0] + 1]
    if config.other_sectors_rank_penalty is not None:
        trade.append(np.full(int((n_t > 0).sum()), "*", object))
        student.append(who[n_t > 0])
        rank.append((c + n_t + config.other_sectors_rank_penalty)[n_t > 0])
    student, rank = np.concatenate(student), np.concatenate(rank)
    codes, names = pd.factorize(np.concatenate(trade), sort=True)
    acc = students["needs_accessible"].to_numpy(bool)[student]
    group = codes * 2 + acc
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.diff(group[order], prepend=-1))
    return [
        ((names[group[order[a]] // 2], bool(group[order[a]] % 2)), student[rows], rank[rows])
        for a, rows in zip(starts, np.split(order, starts[1:]))
    ]


def _pools(sites: pd.DataFrame, xyz: np.ndarray) -> dict[tuple[str, bool, bool], _Pool]:
    """Trees per (sector or '*', accessible only, reserved)."""
    site_sec = pd.DataFrame(
        {
            "site": np.arange(len(sites)),
            "sector": sites["sectors"].to_numpy(),
            "acc": sites["accessible"].to_numpy(bool),
            "res": (sites["reserved_priority"].to_numpy(bool) | (sites["reserved_lycees"].map(len).to_numpy() > 0)),
        }
    )
    by_sector = site_sec.explode("sector").dropna(subset=["sector"])
    by_sector = pd.concat([by_sector, site_sec.assign(sector="*")], ignore_index=True)
    pools = {}
    for (sector, res), group in by_sector.groupby(["sector", "res"], sort=True):
        for acc_only in (False, True):
            sel = group["site"].to_numpy()[group["acc"].to_numpy()] if acc_only else group["site"].to_numpy()
            if len(sel):
                pools[(sector, acc_only, bool(res))] = _Pool(sel, cKDTree(xyz[sel]))
    return pools


def _geographic_pairs(
    students: pd.DataFrame, config: Config, k: int, who: np.ndarray, index: SiteIndex
) -> tuple[list[tuple[np.ndarray, ...]], np.ndarray]:
    """The (student, site, km, rank) columns found in each pool, pool by pool, and the truncated students."""
    st_xyz = unit_vectors(students["lat"], students["lon"])
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))
    limit = limits(students, config)
    reach = float(_chord(limit.max(initial=0.0))) * (1 + 1e-12)  # one search radius for all: ties break alike
    truncated = np.zeros(len(students), bool)
    found = []
    for (sector, acc), s, rank in _queries(students, config, who):
        for res in (False, True):
            pool = index.pools.get((sector, acc, res))
            if pool is None:
                continue
            (rows, cols, km), cut = _query(pool, st_xyz[s], same[s], limit[s], k, reach)
            truncated[s[cut]] = True
            found.append((s[rows], pool.sites[cols], km, rank[rows]))
    return found, truncated


def _query(pool: _Pool, xyz: np.ndarray, same: np.ndarray, limit: np.ndarray, k: int, reach: float):
    """Sites of ``pool`` within each limit: (query row, pool row, km) arrays and the truncated query rows.

    ``reach``: the chord searched around every student, the same whatever students are searched together (the
    sites found at equal distances then never depend on them). Each point (``same``: ``geo.same_points``) is
    searched once, for all the rows at it."""
    n_pool = len(pool.sites)
    if k == 0:
        return _query_all(pool, xyz, same, limit), np.zeros(len(xyz), bool)
    kk = min(k, n_pool)
    first, back = distinct(same)
    dist, idx = pool.tree.query(xyz[first], k=kk, distance_upper_bound=reach)
    dist, idx = dist.reshape(len(first), kk), idx.reshape(len(first), kk)
    km = _km(np.where(np.isfinite(dist), dist, 2.0))  # by point, nearest first: the sites in range come first
    at, per = distinct(same, limit)
    n = ((idx < n_pool)[back[at]] & (km[back[at]] <= limit[at, None])).sum(axis=1)[per]
    rows, cols = np.repeat(np.arange(len(xyz)), n), positions(n)
    return (rows, idx[back[rows], cols], km[back[rows], cols]), (n == kk) & (kk < n_pool)


def _query_all(pool: _Pool, xyz: np.ndarray, same: np.ndarray, limit: np.ndarray):
    """Every site of ``pool`` within each limit (no cap), each distinct point and limit searched once."""
    first, back = distinct(same, limit)
    found = pool.tree.query_ball_point(xyz[first], _chord(limit[first]) * (1 + 1e-12), return_sorted=False)
    n_found = lengths(found)
    rows = np.repeat(np.arange(len(first)), n_found)
    cols = np.concatenate(found).astype(np.int64) if n_found.sum() else np.zeros(0, np.int64)
    km = _km(np.linalg.norm(xyz[first][rows] - pool.tree.data[cols], axis=1))
    keep = km <= limit[first][rows]
    per = np.bincount(rows[keep], minlength=len(first))  # sites kept per distinct point and limit
    n = per[back]
    at = np.repeat((np.cumsum(per) - per)[back], n) + positions(n)  # each query row's share of them
    return np.repeat(np.arange(len(xyz)), n), cols[keep][at], km[keep][at]


def _auto_k(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int) -> int:
    """0 (no cap) when all sites in range make at most ``config.max_pairs`` pairs, else ``k`` (decided on an evenly
    spread sample of students when it is far above: ``budget.clearly_above``)."""
    if k == 0 or len(students) == 0 or len(sites) == 0:
        return k
    tree = cKDTree(unit_vectors(sites["lat"], sites["lon"]))
    located = np.flatnonzero(students["lat"].notna().to_numpy())
    xyz, radius = unit_vectors(students["lat"], students["lon"]), _chord(limits(students, config))
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))

    def count(rows: np.ndarray) -> int:
        rows = located[rows]
        return int(np.sum(in_range(tree, xyz[rows], radius[rows], same[rows], parallel.processes_of(config))))

    if clearly_above(count, len(located), config.max_pairs) is not None:
        return k
    return 0 if count(np.arange(len(located))) <= config.max_pairs else k
