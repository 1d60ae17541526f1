"""Girls' share among placements, per trade and per site, when the students file gives ``gender``.

A placement's trade is the student's best-ranked trade that the site offers; for a student who lists no trade (or
went to a site of their own choice offering none of theirs), the site's first trade. Shares count the students
whose gender is known (``F`` or ``M``); sites are listed from ``SITE_MIN`` placed students up (smaller counts say
little and could single a student out).
"""

from __future__ import annotations

from typing import TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.solve.gendercap import free_boys
from matcher.util.i18n import mark
from matcher.util.runs import items

__all__ = ["gender_figures", "gender_target_figures", "GenderFigures", "GenderTargetFigures", "SiteWeekShort"]

#: Smallest number of placed students for a site to be listed.
SITE_MIN = 5

#: Why a site falls short of the gender target in a week, first match: no girl has it among her candidate sites
#: for that week; a girl who has is not placed (levels before ``gender`` kept her out, or no room that fits her
#: weeks); every girl who has it is placed elsewhere.
TARGET_WHY = (mark("no girl in range"), mark("girls in range left unplaced"), mark("girls in range placed elsewhere"))

#: Placed, girls, boys and girls' share for one trade (key ``trade``) or one site (key ``site_id``).
Row = dict[str, str | int | float]


class GenderFigures(TypedDict):
    """``summary.json``'s ``gender``: girls' share among placed students of known gender."""

    placed_with_gender: int
    girls: int
    girls_share: float | None
    per_trade: list[Row]
    per_site: list[Row]


class SiteWeekShort(TypedDict):
    """A site and week with more boys than the gender target leaves them places."""

    site_id: str
    week: int
    places: int
    boys: int
    girls: int
    free_boys_places: int
    over: int
    why: str


class GenderTargetFigures(TypedDict):
    """``summary.json``'s ``gender_target``: where the target is not met, and why."""

    target: float
    site_min: int
    boy_weeks_over: int
    site_weeks_short: int
    why: dict[str, int]
    sites: list[SiteWeekShort]


def gender_figures(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    assignments: pd.DataFrame,
    at: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
) -> GenderFigures | None:
    """``girls_share`` overall, ``per_trade`` and ``per_site`` (lists of dicts); None when no gender is given.

    ``at``: the positions of the assignments' students and sites in ``students`` and ``sites`` (-1 for an id not
    there), found from the ids when not given. Each student counts once, at the site of their first row.
    """
    if "gender" not in students.columns or not students["gender"].isin(["F", "M"]).any():
        return None
    s, j = at if at is not None else _positions(students, sites, assignments)
    known, female = (students["gender"].isin(g).to_numpy(bool) for g in (["F", "M"], ["F"]))
    rows = np.flatnonzero(~pd.Series(s).duplicated().to_numpy() & (s >= 0))  # each known student's first row
    rows = rows[known[s[rows]]]
    s, j, girl = s[rows], j[rows], female[s[rows]]
    offers = sites["sectors"].to_numpy(object)[j]
    offers[j < 0] = None  # a site not in ``sites`` offers nothing
    trade, trades = pd.factorize(_trades(students["sectors"].iloc[s], pd.Series(offers)))
    site, names = (
        (j, sites["site_id"].to_numpy(object))
        if (j >= 0).all()
        else pd.factorize(assignments["site_id"].to_numpy(object)[rows])
    )
    return {
        "placed_with_gender": len(rows),
        "girls": int(girl.sum()),
        "girls_share": None if len(rows) == 0 else round(float(girl.sum() / len(rows)), 4),
        "per_trade": _per("trade", trade, np.asarray(trades, object), girl, 1),
        "per_site": _per("site_id", site, names, girl, SITE_MIN),
    }


def _positions(
    students: pd.DataFrame, sites: pd.DataFrame, assignments: pd.DataFrame
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions of the assignments' students and sites (-1 for an id not there)."""
    return (
        pd.Index(students["student_id"]).get_indexer(assignments["student_id"]),
        pd.Index(sites["site_id"]).get_indexer(assignments["site_id"]),
    )


def _trades(wants: pd.Series, offers: pd.Series) -> np.ndarray:
    """Each placement's trade: the first of ``wants`` in ``offers``, else the first of ``offers``, else
    ``(none)``; ``wants`` and ``offers`` hold tuples of trades (missing: none)."""
    w, w_row = items(wants)
    o, o_row = items(offers)
    code = pd.factorize(np.concatenate([w, o]), use_na_sentinel=False)[0]
    width = code.max(initial=0) + 1
    hit = pd.Series(w_row * width + code[: len(w)]).isin(o_row * width + code[len(w) :]).to_numpy()
    chosen = np.full(len(wants), "(none)", dtype=object)
    first = _starts(o_row)
    chosen[o_row[first]] = o[first]
    first = _starts(w_row[hit])
    chosen[w_row[hit][first]] = w[hit][first]
    return chosen


def _starts(row: np.ndarray) -> np.ndarray:
    """Positions where a new value starts in the non-decreasing ``row``."""
    return np.flatnonzero(np.diff(row, prepend=-1) != 0)


def _per(key: str, code: np.ndarray, names: np.ndarray, girl: np.ndarray, at_least: int) -> list[Row]:
    """Placed, girls, boys and girls' share per name of ``names`` (each row's at ``code``) with at least
    ``at_least`` placed, sorted by name."""
    girls, boys = (np.bincount(code[flag & (code >= 0)], minlength=len(names)) for flag in (girl, ~girl))
    total = girls + boys
    kept = np.flatnonzero(total >= at_least)
    kept = kept[np.argsort(names[kept], kind="stable")]
    return [
        {
            key: str(names[k]),
            "placed": int(total[k]),
            "girls": int(girls[k]),
            "boys": int(boys[k]),
            "girls_share": round(float(girls[k] / total[k]), 4),
        }
        for k in map(int, kept)
    ]


def gender_target_figures(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    target: float | None,
    site_min: int,
) -> GenderTargetFigures | None:
    """Where the gender target is not met: per site and week with boys beyond the free boys' places (``site_id,
    week, places, boys, girls, free_boys_places, over, why``), their total and counts by ``TARGET_WHY``; None
    without a target. ``placements`` and ``pairs`` hold positions (``student, site[, week]``)."""
    if target is None:
        return None
    gender = students["gender"].to_numpy(object) if "gender" in students else np.full(len(students), "", object)
    boys, girls = gender == "M", gender == "F"
    placed = np.zeros(len(students), bool)
    placed[placements["student"].to_numpy(np.int64)] = True
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    weeks = students["weeks"].to_numpy(object)[s]
    rows: list[SiteWeekShort] = []
    for week, column in ((1, "capacity_week_1"), (2, "capacity_week_2")):
        cap = sites[column].to_numpy(np.int64)
        mine = placements[placements["week"].to_numpy() == week]
        who, where = mine["student"].to_numpy(np.int64), mine["site"].to_numpy(np.int64)
        n_boys, n_girls = (np.bincount(where[flag[who]], minlength=len(cap)) for flag in (boys, girls))
        free, concerned = free_boys(cap, target, site_min)
        short = np.flatnonzero(concerned & (n_boys > free))
        hers = girls[s] & (weeks != ("week_2" if week == 1 else "week_1"))
        in_range = np.bincount(j[hers], minlength=len(cap))
        left_out = np.bincount(j[hers & ~placed[s]], minlength=len(cap))
        why = np.where(in_range[short] == 0, 0, np.where(left_out[short] > 0, 1, 2))
        rows += [
            {
                "site_id": str(sites["site_id"].iat[k]),
                "week": week,
                "places": int(cap[k]),
                "boys": int(n_boys[k]),
                "girls": int(n_girls[k]),
                "free_boys_places": int(free[k]),
                "over": int(n_boys[k] - free[k]),
                "why": TARGET_WHY[w],
            }
            for k, w in zip(map(int, short), why)
        ]
    return {
        "target": target,
        "site_min": site_min,
        "boy_weeks_over": sum(r["over"] for r in rows),
        "site_weeks_short": len(rows),
        "why": {w: sum(r["why"] == w for r in rows) for w in TARGET_WHY},
        "sites": sorted(rows, key=lambda r: (-r["over"], r["site_id"], r["week"])),
    }
