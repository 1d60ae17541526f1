"""Eligibility rules on candidate pairs (``docs/rules.md``): reservations, accessibility, weeks, trade ranks.

``rule_flags`` says, per pair, whether each of the reservation, accessibility and weeks rules allows it (the
nearest-offers table reads these flags rather than writing the rules again). ``eligible`` keeps, of the raw pairs
the geographic search (or a user's pairs table, or the site choices) found, those all three allow, one row per pair
with its best preference rank. ``trade_rank`` ranks a pair by the student's listed trades. All are vectorised over
the pairs; rows are ordered by sorting single int64 keys that pack the sort columns (numpy sorts those fastest), or
by ``numpy.lexsort`` when the packed key would not fit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.util.runs import lengths, positions

__all__ = ["RuleFlags", "eligible", "rule_flags", "trade_rank"]

_COLUMNS = ("student", "site", "km", "rank")

_Bools = npt.NDArray[np.bool_]


def trade_rank(
    s: np.ndarray, j: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame, penalty: int | None
) -> np.ndarray:
    """Rank of each (student, site) pair by trade (docs/rules.md), 0 where no trade rule allows the pair.

    A table of which site offers which trade, and one of each student's trades by preference, make each of the
    student's ranked trades one vectorised test.
    """
    s, j = np.asarray(s, np.int64), np.asarray(j, np.int64)
    wants, offers = students["sectors"].to_numpy(object), sites["sectors"].to_numpy(object)
    n_t, n_o = lengths(wants), lengths(offers)
    codes, names = pd.factorize(
        np.fromiter(chain(chain.from_iterable(wants), chain.from_iterable(offers)), object, n_t.sum() + n_o.sum())
    )
    offered = np.zeros((len(sites), len(names) + 1), bool)  # the last column: no trade (offered nowhere)
    offered[np.repeat(np.arange(len(sites)), n_o), codes[n_t.sum() :]] = True
    width = int(n_t.max(initial=0))
    ranked = np.full((width, len(wants)), len(names), np.int64)  # trade q of each student, by preference
    ranked[positions(n_t), np.repeat(np.arange(len(wants)), n_t)] = codes[: n_t.sum()]
    c = lengths(students["site_choices"].to_numpy(object))[s]
    t = n_t[s]
    rank = np.where(t == 0, c + 1, 0 if penalty is None else c + t + penalty).astype(np.int64)
    found = t == 0
    for q in range(width):
        hit = offered.ravel()[j * offered.shape[1] + ranked[q][s]] & ~found
        rank[hit] = c[hit] + q + 1
        found |= hit
    return rank


def eligible(
    raw: pd.DataFrame | Mapping[str, np.ndarray],
    students: pd.DataFrame,
    sites: pd.DataFrame,
    penalty: int | None,
    ranked: bool = True,
) -> pd.DataFrame:
    """Apply reservation, accessibility and weeks rules to the ``student, site, km, rank`` columns ``raw``; keep
    one row per pair with its rank (``ranked``: the best rank, rows by student, rank, km, site; otherwise the first
    raw row's rank, rows by student and site).

    A pool finds a site at the rank of the pool's trade; the site may offer a trade the student ranks higher
    (found by that trade's pool only beyond its cap), so trade ranks are computed again from the pair itself —
    but for pairs found at the first trade's rank, which no trade betters (unless the penalty is negative).
    """
    s, j = np.asarray(raw["student"], np.int64), np.asarray(raw["site"], np.int64)
    ok = np.flatnonzero(rule_flags(s, j, students, sites).allowed)
    s, j = s[ok], j[ok]
    km, rank = np.asarray(raw["km"], float)[ok], np.asarray(raw["rank"], np.int64)[ok]
    if not ranked:
        keep = _first_rows(s * len(sites) + j)
        return pd.DataFrame(dict(zip(_COLUMNS, (s[keep], j[keep], km[keep], rank[keep]))))
    c = lengths(students["site_choices"].to_numpy(object))[s]
    by_trade = np.flatnonzero(rank > c + (penalty is None or penalty >= 0))  # not a choice, nor the first trade
    rank[by_trade] = trade_rank(s[by_trade], j[by_trade], students, sites, penalty)  # the best trade wins
    keep = _first_rows(s * len(sites) + j, rank)  # one row per pair, its best rank
    return pd.DataFrame(dict(zip(_COLUMNS, _by_preference(s[keep], j[keep], km[keep], rank[keep], len(sites)))))


@dataclass(frozen=True)
class RuleFlags:
    """Per pair, whether each of the reservation, accessibility and weeks rules (docs/rules.md) allows it.

    Attributes
    ----------
    reserved_ok : ndarray of bool
        The site is reserved to nobody, or to the student's priority or to the student's lycée.
    accessible_ok : ndarray of bool
        The student does not need an accessible site, or the site is accessible.
    weeks_ok : ndarray of bool
        The site has a place in the weeks the student needs (in both where only full time is possible).
    """

    reserved_ok: _Bools
    accessible_ok: _Bools
    weeks_ok: _Bools

    @property
    def allowed(self) -> _Bools:
        """Whether the three rules allow the pair."""
        return self.reserved_ok & self.accessible_ok & self.weeks_ok


def rule_flags(s: np.ndarray, j: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame) -> RuleFlags:
    """The reservation, accessibility and weeks rules on the (student, site) pairs ``s, j`` (row positions).

    The rules depend on 5 bits of the student and 6 of the site: they are worked out once per combination
    (``_rules``), then looked up per pair, but for the lycées a site is reserved to."""
    s, j = np.asarray(s, np.int64), np.asarray(j, np.int64)
    weeks = students["weeks"].to_numpy(object)
    who = _bits(
        students["priority"].to_numpy(bool),
        students["needs_accessible"].to_numpy(bool),
        weeks == "week_1",
        weeks == "week_2",
        students["split_ok"].to_numpy(bool),
    )
    res_l = lengths(sites["reserved_lycees"].to_numpy(object)) > 0
    where = _bits(
        sites["reserved_priority"].to_numpy(bool),
        res_l,
        sites["accessible"].to_numpy(bool),
        sites["capacity_week_1"].to_numpy() > 0,
        sites["capacity_week_2"].to_numpy() > 0,
        sites["full_time_only"].to_numpy(bool),
    )
    grid = np.arange(32 * 64)
    tables = _rules(
        *((grid >> (6 + b)) & 1 == 1 for b in reversed(range(5))), *((grid >> b) & 1 == 1 for b in reversed(range(6)))
    )
    pair: npt.NDArray[np.int64] = who[s] * 64 + where[j]
    reserved_ok, accessible_ok, weeks_ok = (np.take(table, pair) for table in tables)  # take: faster than table[pair]
    at_l = np.flatnonzero(res_l[j])
    reserved_ok[at_l[_lycee_listed(s[at_l], j[at_l], students, sites)]] = True
    return RuleFlags(reserved_ok, accessible_ok, weeks_ok)


def _rules(
    priority: _Bools,
    accessible_only: _Bools,
    week_1: _Bools,
    week_2: _Bools,
    split_ok: _Bools,
    res_p: _Bools,
    res_l: _Bools,
    accessible: _Bools,
    c1: _Bools,
    c2: _Bools,
    ft_only: _Bools,
) -> tuple[_Bools, _Bools, _Bools]:
    """The reservation rule (but for listed lycées), the accessibility rule and the weeks rule, on boolean arrays."""
    reserved_ok = ~(res_p | res_l) | (res_p & priority)
    full_time = ~split_ok | ft_only  # such pairs are only usable full time
    weeks_ok = np.where(week_1, c1 & ~ft_only, np.where(week_2, c2 & ~ft_only, np.where(full_time, c1 & c2, c1 | c2)))
    return reserved_ok, ~accessible_only | accessible, weeks_ok


def _bits(*flags: np.ndarray) -> np.ndarray:
    """The boolean arrays ``flags`` as the bits of one integer each, the first the highest."""
    out = np.zeros(len(flags[0]), np.int64)
    for flag in flags:
        out = out * 2 + flag
    return out


def _first_rows(pair: np.ndarray, rank: np.ndarray | None = None) -> np.ndarray:
    """Per distinct ``pair`` (non-negative), the row with the lowest ``rank``, the first such row; by pair."""
    n, rank = len(pair), np.zeros(len(pair), np.int64) if rank is None else rank
    width = int(rank.max(initial=0)) + 1
    if len(pair) and int(pair.max()) * width * n + width * n < 2**63 and rank.min() >= 0:
        key = np.sort((pair * width + rank) * n + np.arange(n))  # a sort of int64 values, not an argsort
        order = key % n
    else:
        order = np.lexsort((rank, pair))
    first = np.ones(n, bool)
    first[1:] = pair[order[1:]] != pair[order[:-1]]
    return order[first]


def _by_preference(
    s: np.ndarray, j: np.ndarray, km: np.ndarray, rank: np.ndarray, n_sites: int
) -> tuple[np.ndarray, ...]:
    """The columns sorted by student, rank, km then site (one row per student and site).

    With km as its position among the sorted distinct values, the four columns pack into one int64 key, sorted
    and unpacked again; ``numpy.lexsort`` where they do not fit, or where -0.0 or NaN would not come back alike.
    """
    width = int(rank.max(initial=0)) + 1
    odd = np.isnan(km) | ((km == 0) & np.signbit(km))
    if len(s) and not odd.any() and rank.min() >= 0:
        values = np.unique(km)  # a sort of the values, then a hash table of the distinct ones: no argsort
        at = pd.Index(values).get_indexer(km)
        if int(s.max() + 1) * width * len(values) * n_sites < 2**63:
            key = np.sort(((s * width + rank) * len(values) + at) * n_sites + j)
            key, j = np.divmod(key, n_sites)
            key, at = np.divmod(key, len(values))
            s, rank = np.divmod(key, width)
            return s, j, values[at], rank
    order = np.lexsort((j, km, rank, s))
    return s[order], j[order], km[order], rank[order]


def _lycee_listed(s: np.ndarray, j: np.ndarray, students: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """For pairs at lycée-reserved sites: whether the student's lycée is listed."""
    listed = sites["reserved_lycees"].to_numpy(object)
    n = lengths(listed)
    uai = np.fromiter(chain.from_iterable(listed), object, n.sum())
    codes, names = pd.factorize(np.concatenate([uai, students["lycee_uai"].to_numpy(object)[s]]))
    allowed = np.repeat(np.arange(len(sites), dtype=np.int64), n) * (len(names) + 1) + codes[: len(uai)]
    return np.isin(j * (len(names) + 1) + codes[len(uai) :], allowed)
