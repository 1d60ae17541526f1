"""The stable mode: students-propose deferred acceptance, full-time placements (docs/rules.md, "Stable mode").

Students rank their candidate sites by preference rank (site choices, then trades), then distance, then site
position. Hosts rank students by the configured criteria (``Config.host_priority``; default: priority students,
then nearer students, then a seeded lottery), always ending with the lottery so the order is strict.

Students asking for both weeks compete first for full-time places (``min(capacity_week_1, capacity_week_2)`` per
site); one-week students then compete for the places left in their week. Hosts therefore rank full-time requests
before one-week requests, which keeps the whole result stable.

Deferred acceptance runs in simultaneous rounds, vectorised with numpy: every free student proposes to the next
site of its list, each site keeps its best proposals up to capacity and rejects the rest. The result is the
students-optimal stable matching (Gale and Shapley 1962; Roth 1984 for hospitals with capacities).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.util import hash_pandas_object

from matcher.config import HOST_CRITERIA
from matcher.objective import metres

__all__ = ["HOST_CRITERIA", "lottery", "host_keys", "deferred_acceptance", "stable_placements"]


def lottery(student_ids: pd.Series | np.ndarray, seed: int) -> np.ndarray:
    """One uint64 lottery number per student id, from the seed: independent of the rows' order."""
    key = f"matcher{seed:09d}"[-16:]
    return hash_pandas_object(
        pd.Series(np.asarray(student_ids, dtype=object)).astype(str), index=False, hash_key=key
    ).to_numpy(np.uint64)


def host_keys(students: pd.DataFrame, pairs: pd.DataFrame, criteria: tuple[str, ...], seed: int) -> np.ndarray:
    """Each pair's place in its host's order (0 = the host's favourite among the students of ``pairs``).

    Parameters
    ----------
    students : DataFrame
        Clean students table (``student_id``, ``priority``).
    pairs : DataFrame
        Candidate pairs ``student, site, km``.
    criteria : tuple of str
        Among ``HOST_CRITERIA``, the first deciding first; the lottery always ends the order.
    seed : int
        Lottery seed.
    """
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    draw = lottery(students["student_id"], seed)[s]
    columns = {
        "priority": ~students["priority"].to_numpy(bool)[s],
        "distance": metres(pairs["km"].to_numpy(float)),
        "lottery": draw,
    }
    keys = [columns[c] for c in criteria] + [draw, s]
    order = np.lexsort(tuple(reversed([j] + keys)))  # lexsort: last key first
    out = np.empty(len(s), np.int64)
    starts = np.searchsorted(j[order], j[order], side="left")
    out[order] = np.arange(len(s)) - starts
    return out


def deferred_acceptance(
    student: np.ndarray, site: np.ndarray, host_key: np.ndarray, capacity: np.ndarray, n_students: int
) -> np.ndarray:
    """Students-optimal stable matching; returns the matched pair row per student (-1 when unmatched).

    Parameters
    ----------
    student, site : ndarray of int
        Pairs, grouped by student and sorted by the student's preference (best first).
    host_key : ndarray of int
        Per pair, the host's ranking of the student (smaller is better; distinct within a site).
    capacity : ndarray of int
        Places per site.
    n_students : int
        Number of students (positions ``0 .. n_students-1``).
    """
    start = np.searchsorted(student, np.arange(n_students), side="left")
    end = np.searchsorted(student, np.arange(n_students), side="right")
    nxt = start.copy()  # next pair each student proposes to
    held = np.zeros(0, np.int64)  # pair rows tentatively accepted
    free = np.flatnonzero(nxt < end)
    cap = np.asarray(capacity, np.int64)
    while len(free):
        offers = nxt[free]
        touched = np.zeros(len(cap), bool)
        touched[site[offers]] = True
        mine = touched[site[held]]
        pool = np.concatenate([held[mine], offers])
        pool = pool[np.lexsort((host_key[pool], site[pool]))]
        first = np.searchsorted(site[pool], site[pool], side="left")
        keep = (np.arange(len(pool)) - first) < cap[site[pool]]
        held = np.concatenate([held[~mine], pool[keep]])
        rejected = student[pool[~keep]]
        nxt[rejected] += 1
        free = rejected[nxt[rejected] < end[rejected]]
    out = np.full(n_students, -1, np.int64)
    out[student[held]] = held
    return out


def _preference_order(pairs: pd.DataFrame) -> np.ndarray:
    """Row order by student, then rank, km and site (the students' lists); no sort when already in that order."""
    keys = [pairs[c].to_numpy() for c in ("student", "rank", "km", "site")]
    later = np.zeros(max(len(pairs) - 1, 0), bool)
    tie = np.ones(max(len(pairs) - 1, 0), bool)
    for k in keys:
        later |= tie & (k[1:] > k[:-1])
        tie &= k[1:] == k[:-1]
    if (later | tie).all():
        return np.arange(len(pairs))
    return np.lexsort(tuple(reversed(keys)))


def stable_placements(
    students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame, criteria: tuple[str, ...], seed: int
) -> pd.DataFrame:
    """Full-time (and one-week) placements of the stable mode: ``student, site, week`` rows.

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables.
    pairs : DataFrame
        Candidate pairs ``student, site, km, rank`` (``matcher.candidates``).
    criteria : tuple of str
        Hosts' ranking criteria (``Config.host_priority``).
    seed : int
        Lottery seed.
    """
    c1, c2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    weeks = students["weeks"].to_numpy(object)
    ranked = pairs.assign(host=host_keys(students, pairs, criteria, seed))
    ranked = ranked.iloc[_preference_order(ranked)].reset_index(drop=True)
    pair_weeks = weeks[ranked["student"].to_numpy(np.int64)]
    frames, used = [], np.zeros(len(sites), np.int64)
    for market, cap in (("both", np.minimum(c1, c2)), ("week_1", None), ("week_2", None)):
        if cap is None:
            cap = (c1 if market == "week_1" else c2) - used
        sub = ranked[pair_weeks == market]
        s, j = sub["student"].to_numpy(np.int64), sub["site"].to_numpy(np.int64)
        match = deferred_acceptance(s, j, sub["host"].to_numpy(np.int64), np.maximum(cap, 0), len(students))
        who = np.flatnonzero(match >= 0)
        where = j[match[who]]
        if market == "both":
            used = np.bincount(where, minlength=len(sites))
            frames += [pd.DataFrame({"student": who, "site": where, "week": np.int8(w)}) for w in (1, 2)]
        else:
            frames.append(pd.DataFrame({"student": who, "site": where, "week": np.int8(int(market[-1]))}))
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)
