"""Candidate pairs: which sites each student may go to, how far, and at what preference rank.

The rules are in ``docs/rules.md``. Distances are great-circle distances on the mean Earth radius, computed as
chords between 3-D unit vectors (exact on the sphere) and searched with scipy's cKDTree. Sites are split into
*pools* — one per trade (plus one for any trade), for all sites and for accessible ones, reserved sites apart —
so that the ``k`` nearest sites of a pool are the ``k`` best of that preference rank. Explicit ``site_choices``
are added as pairs of their own. No loop runs over students × sites.

A student whose ``k`` nearest sites of some pool are all in range may have more eligible sites: the student is
*truncated*. ``matcher.widen`` then adds the other pairs a maximum flow over all eligible pairs needs, so that
the ``placed`` bound holds over every pair; the later levels' bounds hold over the kept pairs (``summary.json``
says which, ``bounds_over``).
With ``stay_in_academie``, sites of another académie are not candidates.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from . import parallel
from .budget import clearly_above
from .config import Config
from .eligibility import eligible, trade_rank
from .geo import chord as _chord
from .geo import chord_km as _km
from .geo import great_circle_km, unit_vectors
from .groups import find_groups, group_pairs

__all__ = ["Candidates", "SiteIndex", "candidates", "pair_rows", "site_index"]

#: Fewest students per piece when the search is shared between the machine's cores (``parallel``).
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


def candidates(students: pd.DataFrame, sites: pd.DataFrame, config: Config, *, k: int | None = None,
               only: np.ndarray | None = None, pairs_table: pd.DataFrame | None = None,
               ranked: bool = True, index: SiteIndex | None = None) -> Candidates:
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


def _shared(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int, who: np.ndarray,
            ranked: bool, index: SiteIndex) -> Candidates:
    """``_candidates`` for pieces of at least ``_PIECE`` students (each with its group mates, then kept to its own
    rows), two per process, shared between the machine's cores: the same pairs, in the same order."""
    groups = find_groups(students)
    processes = parallel.processes_of(config)  # two pieces each: some work is per piece, whatever its size
    pieces = np.array_split(np.sort(who), min(-(-len(who) // _PIECE), 2 * processes))

    def piece(i: int) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        mine = pieces[i]
        found = _candidates(students, sites, config, k, groups.with_mates(mine), None, ranked, index)
        return found.pairs[np.isin(found.pairs["student"].to_numpy(), mine)], found.truncated[mine], found.alone[mine]

    parts = parallel.run(piece, len(pieces), processes)
    truncated, alone = np.zeros(len(students), bool), np.zeros(len(students), np.int64)
    for mine, (_, cut, n_alone) in zip(pieces, parts):
        truncated[mine], alone[mine] = cut, n_alone
    pairs = pd.concat([part[0] for part in parts], ignore_index=True)
    return Candidates(pairs=pairs, truncated=truncated, k=k, alone=alone)


def _candidates(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int, who: np.ndarray,
                pairs_table: pd.DataFrame | None, ranked: bool, index: SiteIndex | None) -> Candidates:
    """``candidates`` for the students ``who``, in this process (``index``: the sites' trees, without
    ``pairs_table``)."""
    if pairs_table is not None:
        raw, truncated = _given_pairs(students, sites, config, pairs_table), np.zeros(len(students), bool)
    else:
        raw, truncated = _geographic_pairs(students, config, k, who, index)
    raw = pd.concat([raw, _choice_pairs(students, sites, who, pairs_table)], ignore_index=True)
    pairs = eligible(raw, students, sites, config.other_sectors_rank_penalty, ranked)
    if config.stay_in_academie:
        same = (students["academie"].to_numpy(object)[pairs["student"].to_numpy()]
                == sites["academie"].to_numpy(object)[pairs["site"].to_numpy()])
        pairs = pairs[same].reset_index(drop=True)
    alone = np.bincount(pairs["student"].to_numpy(np.int64), minlength=len(students))
    pairs = group_pairs(pairs, students, sites, find_groups(students))
    return Candidates(pairs=pairs, truncated=truncated, k=k, alone=alone)


def pair_rows(pairs: pd.DataFrame, student: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Row position in ``pairs`` (one row per student and site) of each (``student``, ``site``); -1 where there is
    none. A sorted key and a binary search: no join."""
    student, site = np.asarray(student, np.int64), np.asarray(site, np.int64)
    width = int(max(pairs["site"].max() if len(pairs) else -1, site.max(initial=-1))) + 1
    key = pairs["student"].to_numpy(np.int64) * width + pairs["site"].to_numpy(np.int64)
    order = np.argsort(key, kind="stable")
    wanted = student * width + site
    at = np.minimum(np.searchsorted(key[order], wanted), max(len(key) - 1, 0))
    found = (key[order][at] == wanted) if len(key) else np.zeros(len(wanted), bool)
    return np.where(found, order[at] if len(key) else -1, -1)


def _limits(students: pd.DataFrame, config: Config) -> np.ndarray:
    return students["max_km"].fillna(config.default_max_km).to_numpy(float)


def _pool_keys(students: pd.DataFrame, config: Config, who: np.ndarray) -> pd.DataFrame:
    """One row per (student, pool, rank) query: sector pools at rank c+q, the any-trade pool when allowed."""
    st = students.iloc[who]
    n_choice = st["site_choices"].map(len).to_numpy()
    acc = st["needs_accessible"].to_numpy(bool)
    sec = pd.DataFrame({"student": who, "sector": st["sectors"].to_numpy(), "c": n_choice, "acc": acc})
    listed = sec.explode("sector").dropna(subset=["sector"])
    listed["rank"] = listed["c"] + listed.groupby("student").cumcount() + 1
    frames = [listed]
    none = sec[st["sectors"].map(len).to_numpy() == 0].assign(sector="*", rank=lambda d: d["c"] + 1)
    frames.append(none)
    if config.other_sectors_rank_penalty is not None:
        some = sec[st["sectors"].map(len).to_numpy() > 0]
        frames.append(some.assign(sector="*", rank=some["c"] + some["sector"].map(len)
                                  + config.other_sectors_rank_penalty))
    keys = pd.concat(frames, ignore_index=True)
    return keys[["student", "sector", "acc", "rank"]]


def _pools(sites: pd.DataFrame, xyz: np.ndarray) -> dict[tuple[str, bool, bool], _Pool]:
    """Trees per (sector or '*', accessible only, reserved)."""
    site_sec = pd.DataFrame({"site": np.arange(len(sites)), "sector": sites["sectors"].to_numpy(),
                             "acc": sites["accessible"].to_numpy(bool),
                             "res": (sites["reserved_priority"].to_numpy(bool)
                                     | (sites["reserved_lycees"].map(len).to_numpy() > 0))})
    by_sector = site_sec.explode("sector").dropna(subset=["sector"])
    by_sector = pd.concat([by_sector, site_sec.assign(sector="*")], ignore_index=True)
    pools = {}
    for (sector, res), group in by_sector.groupby(["sector", "res"], sort=True):
        for acc_only in (False, True):
            sel = group["site"].to_numpy()[group["acc"].to_numpy()] if acc_only else group["site"].to_numpy()
            if len(sel):
                pools[(sector, acc_only, bool(res))] = _Pool(sel, cKDTree(xyz[sel]))
    return pools


def _geographic_pairs(students, config, k, who, index: SiteIndex) -> tuple[pd.DataFrame, np.ndarray]:
    st_xyz = unit_vectors(students["lat"], students["lon"])
    pools = index.pools
    limit = _limits(students, config)
    reach = float(_chord(limit.max(initial=0.0))) * (1 + 1e-12)  # one search radius for all: ties break alike
    keys = _pool_keys(students, config, who)
    truncated = np.zeros(len(students), bool)
    frames = []
    for (sector, acc), q in keys.groupby(["sector", "acc"], sort=True):
        for res in (False, True):
            pool = pools.get((sector, bool(acc), res))
            if pool is None:
                continue
            s = q["student"].to_numpy()
            found, cut = _query(pool, st_xyz[s], limit[s], k, reach)
            truncated[s[cut]] = True
            frames.append(pd.DataFrame({"student": s[found[0]], "site": pool.sites[found[1]],
                                        "km": found[2], "rank": q["rank"].to_numpy()[found[0]]}))
    empty = pd.DataFrame({"student": [], "site": [], "km": [], "rank": []})
    return (pd.concat(frames, ignore_index=True) if frames else empty), truncated


def _query(pool: _Pool, xyz: np.ndarray, limit: np.ndarray, k: int, reach: float):
    """Sites of ``pool`` within each limit: (query row, pool row, km) arrays and the truncated query rows.

    ``reach``: the chord searched around every student, the same whatever students are searched together (the
    sites found at equal distances then never depend on them)."""
    n_pool = len(pool.sites)
    if k == 0:
        return _query_all(pool, xyz, limit), np.zeros(len(xyz), bool)
    kk = n_pool if k == 0 else min(k, n_pool)
    dist, idx = pool.tree.query(xyz, k=kk, distance_upper_bound=reach)
    dist, idx = dist.reshape(len(xyz), kk), idx.reshape(len(xyz), kk)
    km = _km(np.where(np.isfinite(dist), dist, 2.0))
    ok = (idx < n_pool) & (km <= limit[:, None])
    cut = ok[:, -1] & (kk < n_pool)
    rows, cols = np.nonzero(ok)
    return (rows, idx[rows, cols], km[rows, cols]), cut


def _query_all(pool: _Pool, xyz: np.ndarray, limit: np.ndarray):
    """Every site of ``pool`` within each limit (no cap)."""
    found = pool.tree.query_ball_point(xyz, _chord(limit) * (1 + 1e-12), return_sorted=False)
    lengths = np.fromiter((len(f) for f in found), np.int64, len(found))
    rows = np.repeat(np.arange(len(xyz)), lengths)
    cols = np.concatenate(found).astype(np.int64) if lengths.sum() else np.zeros(0, np.int64)
    km = _km(np.linalg.norm(xyz[rows] - pool.tree.data[cols], axis=1))
    keep = km <= limit[rows]
    return rows[keep], cols[keep], km[keep]


def _auto_k(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int) -> int:
    """0 (no cap) when all sites in range make at most ``config.max_pairs`` pairs, else ``k`` (decided on an evenly
    spread sample of students when it is far above: ``budget.clearly_above``)."""
    if k == 0 or len(students) == 0 or len(sites) == 0:
        return k
    tree = cKDTree(unit_vectors(sites["lat"], sites["lon"]))
    st = students[students["lat"].notna()]

    def in_range(rows: pd.DataFrame) -> int:
        xyz = unit_vectors(rows["lat"], rows["lon"])
        return int(np.sum(tree.query_ball_point(xyz, _chord(_limits(rows, config)), return_length=True)))
    if clearly_above(lambda rows: in_range(st.iloc[rows]), len(st), config.max_pairs) is not None:
        return k
    return 0 if in_range(st) <= config.max_pairs else k


def _choice_pairs(students, sites, who, pairs_table) -> pd.DataFrame:
    """Explicit site choices: rank = position in the list; exempt from distance and trade."""
    st = students.iloc[who]
    ch = pd.DataFrame({"student": who, "site_id": st["site_choices"].to_numpy()}).explode("site_id")
    ch = ch.dropna(subset=["site_id"])
    ch["rank"] = ch.groupby("student").cumcount() + 1
    pos = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    ch = ch[ch["site_id"].isin(pos.index)]
    ch["site"] = pos.loc[ch["site_id"].to_numpy()].to_numpy()
    s, j = ch["student"].to_numpy(int), ch["site"].to_numpy(int)
    if pairs_table is not None:
        given = _given_pairs(students, sites, None, pairs_table, check_limit=False)
        ch = ch.merge(given[["student", "site", "km"]], on=["student", "site"])  # only the table's pairs exist
    else:
        ch["km"] = great_circle_km(students["lat"].to_numpy()[s], students["lon"].to_numpy()[s],
                                   sites["lat"].to_numpy()[j], sites["lon"].to_numpy()[j])
    return ch[["student", "site", "km", "rank"]]


def _given_pairs(students, sites, config, table: pd.DataFrame, *, check_limit: bool = True) -> pd.DataFrame:
    """Pairs from a user table; its ``km`` or ``minutes`` value is the distance."""
    unit = "km" if "km" in table.columns else "minutes"
    spos = pd.Series(np.arange(len(students)), index=students["student_id"].to_numpy())
    tpos = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    t = table[table["student_id"].isin(spos.index) & table["site_id"].isin(tpos.index)]
    out = pd.DataFrame({"student": spos.loc[t["student_id"]].to_numpy(), "site": tpos.loc[t["site_id"]].to_numpy(),
                        "km": t[unit].to_numpy(float)})
    if not check_limit:
        return out
    limit = _limits(students, config) if unit == "km" else np.full(len(students), config.max_minutes)
    out = out[out["km"].to_numpy() <= limit[out["student"].to_numpy()]]
    return _with_trade_rank(out, students, sites, config)


def _with_trade_rank(pairs: pd.DataFrame, students, sites, config) -> pd.DataFrame:
    """Rank pairs by trade (given pairs carry no rank of their own); drop pairs no trade rule allows."""
    rank = trade_rank(pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64), students, sites,
                      config.other_sectors_rank_penalty)
    return pairs.assign(rank=rank)[rank > 0].reset_index(drop=True)
