"""Restore the full-time rules the flow network relaxes, by restricting candidate lists and solving again.

The network lets every both-weeks student take week 1 and week 2 at different sites. A student who may not split,
or a split that touches a ``full_time_only`` site, breaks the rules. Such a student is restricted in stages: first
to the sites offering both weeks; if they break a rule again, to a single site — their best site with a place
left in both weeks, else one of the broken split's sites (the full-time-only one first), else their best
remaining site — where the flow can only place them full time, or not at all. ``engine.optimise`` solves the flow
again for the restricted students and those still movable, on the places left, until no student breaks a rule.
Restrictions only grow, so this ends. Last, ``fill`` places anyone who still fits in the places left. The first,
unrestricted flow's level values remain valid bounds; the gap to them is what the rules cost.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["violations", "week_sites", "restrict", "Restriction", "fill"]


@dataclass(frozen=True)
class Restriction:
    """Pairs after restriction and how far each student has been restricted (0 none, 1 full-time sites, 2 one)."""

    pairs: pd.DataFrame
    stage: np.ndarray


def violations(placements: pd.DataFrame, split_ok: np.ndarray, full_time_only: np.ndarray) -> pd.DataFrame:
    """Split students who break a rule: ``student``, ``site_1``, ``site_2`` (by student; a student's first row of
    each week counts)."""
    site = week_sites(placements, int(placements["student"].max()) + 1 if len(placements) else 0)
    split = np.flatnonzero((site[0] >= 0) & (site[1] >= 0) & (site[0] != site[1]))
    one, two = site[0, split], site[1, split]
    bad = ~split_ok[split] | full_time_only[one] | full_time_only[two]
    return pd.DataFrame({"student": split[bad], "site_1": one[bad], "site_2": two[bad]})


def week_sites(placements: pd.DataFrame, n: int) -> npt.NDArray[np.int64]:
    """Per week (rows) and student (columns, ``n`` of them), the student's site that week, or -1 (a student's
    first row of each week counts)."""
    s, j = placements["student"].to_numpy(np.int64), placements["site"].to_numpy(np.int64)
    week = placements["week"].to_numpy()
    site = np.full((2, n), -1, np.int64)
    for w in (1, 2):
        at = np.flatnonzero(week == w)[::-1]  # the last assignment wins: reversed, the first row
        site[w - 1, s[at]] = j[at]
    return site


def restrict(
    pairs: pd.DataFrame,
    broken: pd.DataFrame,
    sites: pd.DataFrame,
    stage: np.ndarray,
    split_ok: np.ndarray,
    placements: pd.DataFrame,
) -> Restriction:
    """Restrict each student in ``broken`` one stage further (see the module docstring).

    A student who may not split already has only sites offering both weeks: they go straight to one site.
    ``pairs`` are sorted by student, then best first (``rank``, ``km``, ``site``); the pairs kept stay in that order.
    """
    both = (sites["capacity_week_1"].to_numpy() > 0) & (sites["capacity_week_2"].to_numpy() > 0)
    stage = stage.copy()
    who = broken["student"].to_numpy(np.int64)
    stage[who] = np.maximum(stage[who] + 1, np.where(split_ok[who], 1, 2))
    mine = pairs["student"].isin(who).to_numpy()
    kept = pairs[~mine | both[pairs["site"].to_numpy()]]  # stage 1: only sites offering both weeks
    second = who[stage[who] >= 2]
    if len(second):
        free = _free_both_weeks(placements[~placements["student"].isin(who)], sites)
        kept = pd.concat([kept[~kept["student"].isin(second)], _one_site(kept, broken, second, sites, free)])
        kept = kept.iloc[np.argsort(kept["student"].to_numpy(), kind="stable")]  # one pair each: order kept
    kept = kept.reset_index(drop=True)
    return Restriction(kept, stage)


def _free_both_weeks(others: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """Sites with a place left in both weeks once ``others`` are placed."""
    m = len(sites)
    used1 = np.bincount(others.loc[others["week"] == 1, "site"], minlength=m)
    used2 = np.bincount(others.loc[others["week"] == 2, "site"], minlength=m)
    return (sites["capacity_week_1"].to_numpy() > used1) & (sites["capacity_week_2"].to_numpy() > used2)


def _one_site(
    pairs: pd.DataFrame, broken: pd.DataFrame, who: np.ndarray, sites: pd.DataFrame, free: np.ndarray
) -> pd.DataFrame:
    """For each student in ``who``, one pair: their best site with a place left in both weeks, else a site of the
    broken split (a full-time-only one first), else their best remaining site."""
    ft_only = sites["full_time_only"].to_numpy(bool)
    mine = pairs[pairs["student"].isin(who)]
    split = broken[broken["student"].isin(who)]
    in_split = pd.concat(
        [
            split[["student", "site_1"]].set_axis(["student", "site"], axis=1),
            split[["student", "site_2"]].set_axis(["student", "site"], axis=1),
        ]
    ).assign(hit=1)
    mine = mine.merge(in_split, on=["student", "site"], how="left").fillna({"hit": 2})
    mine.loc[free[mine["site"].to_numpy()], "hit"] = 0
    mine = mine.assign(ft=~ft_only[mine["site"].to_numpy()])  # False sorts first
    best = mine.sort_values(["student", "hit", "ft", "rank", "km", "site"]).drop_duplicates("student")
    return best[pairs.columns]


def fill(placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Place every unplaced student who still fits as things are: full time at their best site with a place left
    in both weeks, else (when they may split) the best week-1 and week-2 sites left, else their one week.

    Students are taken priority first, then in file order; each takes the best pair left by rank then distance.
    """
    c1 = sites["capacity_week_1"].to_numpy(np.int64) - np.bincount(
        placements.loc[placements["week"] == 1, "site"], minlength=len(sites)
    )
    c2 = sites["capacity_week_2"].to_numpy(np.int64) - np.bincount(
        placements.loc[placements["week"] == 2, "site"], minlength=len(sites)
    )
    placed = np.zeros(len(students), bool)
    placed[placements["student"].to_numpy()] = True
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    open_ = np.flatnonzero(~placed[s] & ((c1[j] > 0) | (c2[j] > 0)))
    if len(open_) == 0:
        return placements
    open_ = open_[np.argsort(s[open_], kind="stable")]  # keeps each student's rank, km order
    s, j = s[open_], j[open_]
    who, first = np.unique(s, return_index=True)
    prio = students["priority"].to_numpy(bool)
    kind = np.select(
        [students["weeks"].to_numpy(object) == "week_1", students["weeks"].to_numpy(object) == "week_2"], [1, 2], 0
    )
    splittable = students["split_ok"].to_numpy(bool)
    ft_only = sites["full_time_only"].to_numpy(bool)
    ends = np.append(first[1:], len(s))
    hope = _may_fit(s, j, who, kind, splittable, ft_only, c1, c2)
    added = []
    for i in np.lexsort((who, ~prio[who])):  # priority first, then file order
        if not hope[i]:
            continue
        st = int(who[i])
        places = _fit(j[first[i] : ends[i]], int(kind[st]), bool(splittable[st]), ft_only, c1, c2)
        if places:
            added += [(st, site, week) for site, week in places]
    if not added:
        return placements
    rows = np.array(added, np.int64)
    new = pd.DataFrame({"student": rows[:, 0], "site": rows[:, 1], "week": rows[:, 2].astype(np.int8)})
    out = pd.concat([placements, new], ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def _may_fit(
    s: np.ndarray,
    j: np.ndarray,
    who: np.ndarray,
    kind: np.ndarray,
    split_ok: np.ndarray,
    ft_only: np.ndarray,
    c1: np.ndarray,
    c2: np.ndarray,
) -> np.ndarray:
    """Per student of ``who`` (the sorted students of pairs ``s, j``), whether ``_fit`` could place them on the
    places free now (a superset: places are only taken afterwards, so the others never fit)."""

    def any_of(flag: np.ndarray) -> np.ndarray:
        return np.bincount(np.searchsorted(who, s[flag]), minlength=len(who)) > 0

    one, two = c1[j] > 0, c2[j] > 0
    apart = split_ok[s] & ~ft_only[j]
    both = any_of(one & two) | (any_of(apart & one) & any_of(apart & two))
    mine = kind[who]
    return np.where(mine == 0, both, np.where(mine == 1, any_of(one), any_of(two)))


def _fit(
    j: np.ndarray, kind: int, split_ok: bool, ft_only: np.ndarray, c1: np.ndarray, c2: np.ndarray
) -> list[tuple[int, int]]:
    """(site, week) places for one student with candidate sites ``j`` (best first) on the places still free
    (``c1``/``c2`` updated); ``kind`` 0 both weeks, 1 or 2 that week only. Empty when nothing fits."""
    if kind == 0:
        full = j[(c1[j] > 0) & (c2[j] > 0)]
        if len(full):
            places = [(int(full[0]), 1), (int(full[0]), 2)]
        else:
            splittable = split_ok & ~ft_only[j]
            first, second = j[splittable & (c1[j] > 0)], j[splittable & (c2[j] > 0)]
            pair = next(((a, b) for a in first for b in second if a != b), None)
            places = [] if pair is None else [(int(pair[0]), 1), (int(pair[1]), 2)]
    else:
        free = j[(c1 if kind == 1 else c2)[j] > 0]
        places = [(int(free[0]), kind)] if len(free) else []
    for site, week in places:
        (c1 if week == 1 else c2)[site] -= 1
    return places
