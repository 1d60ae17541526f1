"""Eligibility rules on candidate pairs (``docs/rules.md``): reservations, accessibility, weeks, trade ranks.

``eligible`` keeps, of the raw pairs the geographic search (or a user's pairs table, or the site choices) found,
those the rules allow, one row per pair with its best preference rank. ``trade_rank`` ranks a pair by the
student's listed trades. Both are vectorised over the pairs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["eligible", "trade_rank"]


def trade_rank(s: np.ndarray, j: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame,
               penalty: int | None) -> np.ndarray:
    """Rank of each (student, site) pair by trade (docs/rules.md), 0 where no trade rule allows the pair.

    Trades are bits of 64-bit words per site, so each of the student's ranked trades is one vectorised test.
    """
    wants, offers = students["sectors"].to_numpy(object), sites["sectors"].to_numpy(object)
    codes = {code: i for i, code in enumerate(sorted({x for w in wants for x in w} | {x for o in offers for x in o}))}
    words = np.zeros((len(sites), len(codes) // 64 + 1), np.uint64)
    site_of = pd.DataFrame({"site": np.arange(len(sites)), "code": offers}).explode("code").dropna()
    bits = site_of["code"].map(codes).to_numpy(np.int64)
    np.bitwise_or.at(words, (site_of["site"].to_numpy(np.int64), bits // 64), np.left_shift(np.uint64(1), (bits % 64).astype(np.uint64)))
    n_t = np.fromiter((len(w) for w in wants), np.int64, len(wants))
    c = students["site_choices"].map(len).to_numpy(np.int64)[s]
    t = n_t[s]
    rank = np.where(t == 0, c + 1, 0 if penalty is None else c + t + penalty).astype(np.int64)
    found = t == 0
    width = int(n_t.max(initial=0))
    ranked = np.full((len(wants), width), -1, np.int64)
    for i, w in enumerate(wants):
        ranked[i, :len(w)] = [codes[x] for x in w]
    for q in range(width):
        code = ranked[s, q]
        test = ~found & (code >= 0)
        word = words[j[test], code[test] // 64]
        hit = np.zeros(len(s), bool)
        hit[test] = (np.right_shift(word, (code[test] % 64).astype(np.uint64)) & np.uint64(1)).astype(bool)
        rank[hit] = c[hit] + q + 1
        found |= hit
    return rank


def eligible(raw: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, penalty: int | None,
             ranked: bool = True) -> pd.DataFrame:
    """Apply reservation, accessibility and weeks rules; keep one row per pair with its rank (``ranked``: the
    best rank, rows by student, rank, km, site; otherwise any pool's rank, rows by student and site).

    A pool finds a site at the rank of the pool's trade; the site may offer a trade the student ranks higher
    (found by that trade's pool only beyond its cap), so trade ranks are computed again from the pair itself.
    """
    s, j = raw["student"].to_numpy(np.int64), raw["site"].to_numpy(np.int64)
    res_p = sites["reserved_priority"].to_numpy(bool)
    res_l = sites["reserved_lycees"].map(len).to_numpy() > 0
    ok = ~(res_p[j] | res_l[j]) | (res_p[j] & students["priority"].to_numpy(bool)[s])
    ok[np.flatnonzero(res_l[j])[_lycee_listed(s[res_l[j]], j[res_l[j]], students, sites)]] = True
    ok &= ~students["needs_accessible"].to_numpy(bool)[s] | sites["accessible"].to_numpy(bool)[j]
    weeks = students["weeks"].to_numpy(object)
    one1, one2 = (weeks == "week_1")[s], (weeks == "week_2")[s]
    c1, c2 = sites["capacity_week_1"].to_numpy()[j] > 0, sites["capacity_week_2"].to_numpy()[j] > 0
    ft_only = sites["full_time_only"].to_numpy(bool)[j]
    full_time = ~students["split_ok"].to_numpy(bool)[s] | ft_only  # such pairs are only usable full time
    ok &= np.where(one1, c1 & ~ft_only, np.where(one2, c2 & ~ft_only, np.where(full_time, c1 & c2, c1 | c2)))
    s, j = s[ok], j[ok]
    km, rank = raw["km"].to_numpy(float)[ok], raw["rank"].to_numpy(np.int64)[ok]
    if not ranked:
        _, keep = np.unique(s * len(sites) + j, return_index=True)
        return pd.DataFrame({"student": s[keep], "site": j[keep], "km": km[keep], "rank": rank[keep]})
    by_trade = rank > students["site_choices"].map(len).to_numpy(np.int64)[s]  # not a choice: the best trade wins
    rank[by_trade] = trade_rank(s[by_trade], j[by_trade], students, sites, penalty)
    width = int(rank.max(initial=0)) + 1
    pair = s * len(sites) + j
    order = np.argsort(pair * width + rank)  # by student, site, then best rank first (one int64 key: fast)
    first = np.ones(len(order), bool)
    first[1:] = pair[order][1:] != pair[order][:-1]
    keep = order[first]  # one row per pair, by student then site
    keep = keep[np.argsort(km[keep], kind="stable")]
    keep = keep[np.argsort(s[keep] * width + rank[keep], kind="stable")]  # student, rank, km, then site
    return pd.DataFrame({"student": s[keep], "site": j[keep], "km": km[keep], "rank": rank[keep]})


def _lycee_listed(s: np.ndarray, j: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """For pairs at lycée-reserved sites: whether the student's lycée is listed."""
    listed = pd.DataFrame({"site": np.arange(len(sites)), "uai": sites["reserved_lycees"].to_numpy(object)})
    listed = listed.explode("uai").dropna()
    pairs = pd.DataFrame({"site": j, "uai": students["lycee_uai"].to_numpy(object)[s], "i": np.arange(len(s))})
    hit = pairs.merge(listed, on=["site", "uai"])["i"].to_numpy()
    out = np.zeros(len(s), bool)
    out[hit] = True
    return out
