"""The geographic search: per pool of sites (``matcher.candidates.pools``), the ``k`` nearest sites of each student
within the student's distance limit, or all of them (``k`` = 0), at the pool's preference rank.

Each distinct point is searched once, for all the students at it, and every search uses one radius (the longest
limit), so the sites found at equal distances never depend on which students are searched together.
"""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from matcher.candidates.explicit import limits
from matcher.candidates.pools import SiteIndex, SitePool
from matcher.config import Config
from matcher.domain.geo import chord as _chord
from matcher.domain.geo import chord_km as _km
from matcher.domain.geo import distinct, same_points, unit_vectors
from matcher.util.runs import lengths, nth, positions

__all__ = ["geographic_pairs"]


def geographic_pairs(
    students: pd.DataFrame, config: Config, k: int, who: np.ndarray, index: SiteIndex
) -> tuple[list[tuple[np.ndarray, ...]], np.ndarray]:
    """The (student, site, km, rank) columns found in each pool, pool by pool, and the truncated students."""
    st_xyz = unit_vectors(students["lat"], students["lon"])
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))
    limit = limits(students, config)
    reach = float(_chord(limit.max(initial=0.0))) * (1 + 1e-12)  # one search radius for all: ties break alike
    truncated = np.zeros(len(students), bool)
    found: list[tuple[np.ndarray, ...]] = []
    for (sector, acc), s, rank in _queries(students, config, who):
        for res in (False, True):
            pool = index.pools.get((sector, acc, res))
            if pool is None:
                continue
            (rows, cols, km), cut = _query(pool, st_xyz[s], same[s], limit[s], k, reach)
            truncated[s[cut]] = True
            found.append((s[rows], pool.sites[cols], km, rank[rows]))
    return found, truncated


def _queries(
    students: pd.DataFrame, config: Config, who: np.ndarray
) -> list[tuple[tuple[str, bool], np.ndarray, np.ndarray]]:
    """The (student, rank) queries of each (pool trade, accessible only), sorted by both: sector pools at rank
    c+q, the any-trade pool ('*') when allowed; students in the order of ``who``."""
    sectors = students["sectors"].to_numpy(object)[who]
    n_t, c = lengths(sectors), lengths(students["site_choices"].to_numpy(object))[who]
    listed = np.repeat(who, n_t)
    trade = [np.fromiter(chain.from_iterable(sectors), object, n_t.sum()), np.full(int((n_t == 0).sum()), "*", object)]
    student_parts = [listed, who[n_t == 0]]
    rank_parts = [np.repeat(c, n_t) + nth(listed) + 1, c[n_t == 0] + 1]
    if config.other_sectors_rank_penalty is not None:
        trade.append(np.full(int((n_t > 0).sum()), "*", object))
        student_parts.append(who[n_t > 0])
        rank_parts.append((c + n_t + config.other_sectors_rank_penalty)[n_t > 0])
    student, rank = np.concatenate(student_parts), np.concatenate(rank_parts)
    codes, names = pd.factorize(np.concatenate(trade), sort=True)
    acc = students["needs_accessible"].to_numpy(bool)[student]
    group = codes * 2 + acc
    order = np.argsort(group, kind="stable")
    starts = np.flatnonzero(np.diff(group[order], prepend=-1))
    return [
        ((names[group[order[a]] // 2], bool(group[order[a]] % 2)), student[rows], rank[rows])
        for a, rows in zip(starts, np.split(order, starts[1:]))
    ]


def _query(
    pool: SitePool, xyz: np.ndarray, same: np.ndarray, limit: np.ndarray, k: int, reach: float
) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
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


def _query_all(
    pool: SitePool, xyz: np.ndarray, same: np.ndarray, limit: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
