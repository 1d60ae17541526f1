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

from .candidates import pair_rows
from .config import Config
from .solve.stable import lottery

__all__ = ["blocking_pairs"]


def _host_rank(students: pd.DataFrame, s: np.ndarray, metres: np.ndarray, config: Config) -> list[np.ndarray]:
    """Sort keys (smaller is better, first key decides first) of students ``s`` as seen by a host."""
    one_week = students["weeks"].to_numpy(object)[s] != "both"
    draw = lottery(students["student_id"], config.seed)[s]
    value = {"priority": (~students["priority"].to_numpy(bool)[s]).astype(np.int64), "distance": metres,
             "lottery": draw}
    return [one_week.astype(np.int64)] + [value[c] for c in config.host_priority] + [draw, s]


def _below(a: list[np.ndarray], b: list[np.ndarray]) -> np.ndarray:
    """Element-wise: key tuple ``a`` is worse (larger) than ``b``."""
    worse, tie = np.zeros(len(a[0]), bool), np.ones(len(a[0]), bool)
    for x, y in zip(a, b):
        worse |= tie & (x > y)
        tie &= x == y
    return worse


def blocking_pairs(students: pd.DataFrame, sites: pd.DataFrame, assignments: pd.DataFrame, pairs: pd.DataFrame,
                   config: Config) -> pd.DataFrame:
    """Every blocking pair as ``student_id, site_id`` rows (empty for a stable allocation).

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables.
    assignments : DataFrame
        The output table (``student_id, site_id, weeks``).
    pairs : DataFrame
        Candidate pairs ``student, site, km, rank`` (row positions): who may go where.
    config : Config
        ``host_priority`` and ``seed``.
    """
    spos = pd.Index(students["student_id"]).get_indexer(assignments["student_id"])
    tpos = pd.Index(sites["site_id"]).get_indexer(assignments["site_id"])
    weeks = assignments["weeks"].to_numpy(object)
    ps, pj = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    metres = np.rint(pairs["km"].to_numpy(float) * 1000).astype(np.int64)
    km = pairs["km"].to_numpy(float)
    pref = pd.DataFrame({"student": ps, "site": pj, "rank": pairs["rank"].to_numpy(np.int64), "km": km})
    # each placed student's worst current host, in the student's own order
    at = pair_rows(pairs, spos, tpos)
    held = pd.DataFrame({"student": spos, "site": tpos, "rank": np.where(at >= 0, pref["rank"].to_numpy()[at], np.nan),
                         "km": np.where(at >= 0, km[at], np.nan)})
    worst = held.sort_values(["student", "rank", "km", "site"]).groupby("student").tail(1).set_index("student")
    n, idx = len(students), worst.index.to_numpy(np.int64)
    cur = [np.full(n, np.inf) for _ in range(3)]  # unplaced: anything is better
    for k, col in enumerate(("rank", "km", "site")):
        cur[k][idx] = worst[col].fillna(np.inf).to_numpy(float)
    wants = _below([cur[0][ps], cur[1][ps], cur[2][ps]], [pref["rank"].to_numpy(float), km, pj.astype(float)])
    # occupants per site and week: count and the worst-ranked one's key
    occ_m = np.where(at >= 0, metres[at], 0)
    occ_keys = _host_rank(students, spos, occ_m, config)
    cand_keys = _host_rank(students, ps, metres, config)
    needs = students["weeks"].to_numpy(object)[ps]
    can = np.ones(len(ps), bool)
    for w, cap in ((1, sites["capacity_week_1"].to_numpy(np.int64)), (2, sites["capacity_week_2"].to_numpy(np.int64))):
        in_w = (weeks == "both") | (weeks == f"week_{w}")
        used = np.bincount(tpos[in_w], minlength=len(sites))
        worst_occ = _worst_per_site([k[in_w] for k in occ_keys], tpos[in_w], len(sites))
        has_worse = _below([k[pj] for k in worst_occ], cand_keys) & (used[pj] > 0)
        ok_w = (used[pj] < cap[pj]) | has_worse
        need_w = (needs == "both") | (needs == f"week_{w}")
        can &= ~need_w | ok_w
    hit = wants & can
    return pd.DataFrame({"student_id": students["student_id"].to_numpy(object)[ps[hit]],
                         "site_id": sites["site_id"].to_numpy(object)[pj[hit]]})


def _worst_per_site(keys: list[np.ndarray], site: np.ndarray, n_sites: int) -> list[np.ndarray]:
    """Per site, the key tuple of its worst-ranked occupant (zeros where none; guarded by a used count)."""
    order = np.lexsort(tuple(reversed([site] + keys)))
    last = np.ones(len(order), bool)
    last[:-1] = site[order][1:] != site[order][:-1]
    rows = order[last]
    out = []
    for k in keys:
        col = np.zeros(n_sites, k.dtype)
        col[site[rows]] = k[rows]
        out.append(col)
    return out
