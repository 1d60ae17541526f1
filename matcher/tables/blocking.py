"""Blocking pairs of an allocation, counted independently of how it was made (docs/rules.md, "Stable mode").

A candidate pair (student *s*, site *j*) blocks when both would rather be together:

- *s* is not placed, or *s* prefers *j* to its current host (its worst one when split): smaller preference rank,
  then shorter distance (km as computed), then smaller site position, as in the students' lists;
- *j* could take *s* in every week *s* needs (both weeks for a full-time request: stability is about full-time
  placements): in each such week *j* has a free place or hosts a student it ranks below *s*.

Hosts rank full-time requests before one-week requests, then by ``Config.host_priority`` (priority, distance in
metres, a lottery seeded by ``Config.seed``), then by student position. Works on the output table and the
candidate pairs only, so it serves both modes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.candidates.lookup import pair_rows
from matcher.config import Config
from matcher.load.instance import Instance
from matcher.objective import metres
from matcher.solve.stable import lottery

__all__ = ["blocking_pairs"]


def _host_rank(
    students: pd.DataFrame, s: np.ndarray, distance: np.ndarray, draw: np.ndarray, config: Config
) -> list[np.ndarray]:
    """Sort keys (smaller is better, first key decides first) of students ``s`` as seen by a host; ``draw`` is
    every student's lottery number."""
    one_week = (students["weeks"].to_numpy(object) != "both")[s]
    lot = draw[s]
    value = {
        "priority": (~students["priority"].to_numpy(bool))[s].astype(np.int64),
        "distance": distance,
        "lottery": lot,
    }
    return [one_week.astype(np.int64)] + [value[c] for c in config.host_priority] + [lot, s]


def _below(
    a: list[np.ndarray], b: list[np.ndarray], at: np.ndarray | None = None, rows: np.ndarray | None = None
) -> np.ndarray:
    """Element-wise: key tuple ``a`` (taken at positions ``at`` when given) is worse (larger) than ``b`` (taken at
    ``rows`` when given); each key after the first is compared only where the keys before it tie."""
    x, y = _take(a[0], at), _take(b[0], rows)
    worse, tie = x > y, np.flatnonzero(x == y)
    for x, y in zip(a[1:], b[1:]):
        x, y = x[tie if at is None else at[tie]], y[tie if rows is None else rows[tie]]
        worse[tie] = x > y
        tie = tie[x == y]
    return worse


def _take(x: np.ndarray, at: np.ndarray | None) -> np.ndarray:
    """``x`` at positions ``at``, or ``x`` itself."""
    return x if at is None else x[at]


def _current(spos: np.ndarray, tpos: np.ndarray, rank: np.ndarray, km: np.ndarray, n: int) -> list[np.ndarray]:
    """Per student position, the key ``rank, km, site`` of its worst current host (inf for the unplaced).

    ``rank`` and ``km`` are those of each assignment row (NaN when its pair is not a candidate); the worst host is
    the last row of each student in the order student, rank, km, site (NaN last).
    """
    order = np.lexsort((tpos, km, rank, spos))
    last = np.ones(len(order), bool)
    last[:-1] = spos[order][1:] != spos[order][:-1]
    worst = order[last]
    cur = [np.full(n, np.inf) for _ in range(3)]  # unplaced: anything is better
    for k, col in enumerate((rank, km, tpos.astype(float))):
        cur[k][spos[worst]] = np.where(np.isnan(col[worst]), np.inf, col[worst])
    return cur


def blocking_pairs(instance: Instance, assignments: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """Every blocking pair as ``student_id, site_id`` rows (empty for a stable allocation).

    Parameters
    ----------
    instance : Instance
        The located tables and the options (``host_priority`` and ``seed``).
    assignments : DataFrame
        The output table (``student_id, site_id, weeks``).
    pairs : DataFrame
        Candidate pairs ``student, site, km, rank`` (row positions): who may go where.

    The hosts' side is only looked at for the pairs whose student wants the site.
    """
    students, sites, config = instance.students, instance.sites, instance.config
    spos, tpos = instance.student_positions(assignments["student_id"]), instance.site_positions(assignments["site_id"])
    ps, pj = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    km, rank = pairs["km"].to_numpy(float), pairs["rank"].to_numpy(np.int64)  # compared with floats: exact
    at = pair_rows(pairs, spos, tpos)
    cur = _current(spos, tpos, np.where(at >= 0, rank[at], np.nan), np.where(at >= 0, km[at], np.nan), len(students))
    wants = np.flatnonzero(_below(cur, [rank, km, pj], at=ps))
    ps, pj = ps[wants], pj[wants]
    draw = lottery(students["student_id"], config.seed)
    occ_keys = _host_rank(students, spos, np.where(at >= 0, metres(km[at]), 0), draw, config)
    cand_keys = _host_rank(students, ps, metres(km[wants]), draw, config)
    can = _hosts_take(students, sites, assignments["weeks"].to_numpy(object), tpos, occ_keys, ps, pj, cand_keys)
    return pd.DataFrame(
        {
            "student_id": students["student_id"].to_numpy(object)[ps[can]],
            "site_id": sites["site_id"].to_numpy(object)[pj[can]],
        }
    )


def _hosts_take(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    weeks: np.ndarray,
    tpos: np.ndarray,
    occ_keys: list[np.ndarray],
    ps: np.ndarray,
    pj: np.ndarray,
    cand_keys: list[np.ndarray],
) -> np.ndarray:
    """Whether site ``pj`` could take student ``ps`` in every week the student needs: a free place, or an
    occupant (rows ``weeks`` at ``tpos`` with keys ``occ_keys``) it ranks below the student."""
    asks = students["weeks"].to_numpy(object)
    order = np.lexsort(tuple(reversed([tpos] + occ_keys)))  # the rows by site, then host order
    can = np.ones(len(ps), bool)
    for w, cap in ((1, sites["capacity_week_1"].to_numpy(np.int64)), (2, sites["capacity_week_2"].to_numpy(np.int64))):
        in_w = (weeks == "both") | (weeks == f"week_{w}")
        used = np.bincount(tpos[in_w], minlength=len(sites))
        need_w = ((asks == "both") | (asks == f"week_{w}"))[ps]
        full = np.flatnonzero(can & need_w & (used >= cap)[pj])  # the rows still open needing a worse occupant
        worst_occ = _worst_per_site(occ_keys, tpos, order[in_w[order]], len(sites))
        can[full] = _below(worst_occ, cand_keys, at=pj[full], rows=full) & (used > 0)[pj[full]]
    return can


def _worst_per_site(keys: list[np.ndarray], site: np.ndarray, order: np.ndarray, n_sites: int) -> list[np.ndarray]:
    """Per site, the key tuple of its worst-ranked occupant among the rows ``order`` (sorted by site, then keys;
    zeros where none; guarded by a used count)."""
    last = np.ones(len(order), bool)
    last[:-1] = site[order][1:] != site[order][:-1]
    rows = order[last]
    out = []
    for k in keys:
        col = np.zeros(n_sites, k.dtype)
        col[site[rows]] = k[rows]
        out.append(col)
    return out
