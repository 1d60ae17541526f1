"""For one student: the nearest offers and why each one is out of reach (or that it was open).

The rules are the candidate stage's own: the trade rule is :func:`matcher.candidates.eligibility.trade_rank`, and
the reservation, accessibility and weeks rules are :func:`matcher.candidates.eligibility.rule_flags`, the flags
``eligible`` combines: a pair shows the code of each of them it breaks (a site reserved to others with no place in
the student's weeks shows both). A site the student chose is exempt from the distance and trade rules, as in the
candidate stage. Room left is counted from the run's placements. With no placement, the offers left open are
exactly the candidate stage's pairs (tested on random instances).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from matcher.candidates.eligibility import rule_flags, trade_rank
from matcher.domain.geo import great_circle_km
from matcher.load.instance import Instance
from matcher.util.i18n import mark

__all__ = ["nearest_offers", "WHY"]

#: Why an offer is out, one code each, in the order they are tested (an offer may be out for several).
WHY: dict[str, str] = {
    "FORBIDDEN": mark("forbidden by an officer's override"),
    "OTHER_ACADEMIE": mark("in another académie (stay in académie)"),
    "TOO_FAR": mark("beyond the student's distance limit"),
    "WRONG_TRADE": mark("offers none of the student's trades"),
    "NOT_ACCESSIBLE": mark("not accessible, and the student needs it"),
    "RESERVED": mark("reserved to priority students or to other lycées"),
    "WRONG_WEEK": mark("no place in the weeks the student can come"),
    "FULL": mark("full: its places in those weeks went to others"),
    "OPEN": mark("eligible and with room left: it can be pinned"),
}


def nearest_offers(
    instance: Instance, assignments: pd.DataFrame, student_id: str, n: int = 10, forbidden: Collection[str] = ()
) -> pd.DataFrame:
    """The ``n`` sites nearest to student ``student_id`` with why each is out for them.

    Parameters
    ----------
    instance : Instance
        The run's students, sites and options.
    assignments : DataFrame
        The run's ``assignments.csv`` (``site_id``, ``weeks``): what is left of each site's places.
    student_id : str
        The student; KeyError when unknown.
    n : int
        How many sites.
    forbidden : collection of str
        The sites an officer's override forbids to the student.

    Returns
    -------
    DataFrame
        ``site_id, company, km, left_week_1, left_week_2, why`` by distance: ``why`` a tuple of :data:`WHY` codes
        (``("OPEN",)`` for an offer that was open to the student).
    """
    s = int(instance.student_positions(pd.Index([student_id]))[0])
    if s < 0:
        raise KeyError(student_id)
    student, sites = instance.students.iloc[s], instance.sites
    km = great_circle_km(student["lat"], student["lon"], sites["lat"], sites["lon"])
    j = np.argsort(km, kind="stable")[:n] if pd.notna(student["lat"]) else np.zeros(0, np.int64)
    left_1, left_2 = _left(sites, assignments)
    out = pd.DataFrame(
        {
            "site_id": sites["site_id"].to_numpy(object)[j],
            "company": sites["company"].to_numpy(object)[j],
            "km": np.round(km[j], 3),
            "left_week_1": left_1[j],
            "left_week_2": left_2[j],
        }
    )
    why = _why(instance, s, j, km[j], left_1[j], left_2[j], out["site_id"].isin(list(forbidden)).to_numpy())
    return out.assign(why=pd.Series(why, dtype=object))


def _left(sites: pd.DataFrame, assignments: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Places left per site in week 1 and week 2 after the placements."""
    at = pd.Index(sites["site_id"]).get_indexer(assignments["site_id"])
    weeks = assignments["weeks"].to_numpy(object)
    used_1 = np.bincount(at[(at >= 0) & (weeks != "week_2")], minlength=len(sites))
    used_2 = np.bincount(at[(at >= 0) & (weeks != "week_1")], minlength=len(sites))
    return sites["capacity_week_1"].to_numpy(np.int64) - used_1, sites["capacity_week_2"].to_numpy(np.int64) - used_2


def _why(
    instance: Instance,
    s: int,
    j: np.ndarray,
    km: np.ndarray,
    left_1: np.ndarray,
    left_2: np.ndarray,
    forbidden: np.ndarray,
) -> list[tuple[str, ...]]:
    """Per site ``j``: the codes of every rule that keeps student ``s`` out, or ``OPEN``."""
    students, sites, config = instance.students, instance.sites, instance.config
    student, at = students.iloc[s], sites.iloc[j]
    pos = np.full(len(j), s, np.int64)
    rules = rule_flags(pos, j, students, sites)
    chosen = at["site_id"].isin(list(student["site_choices"])).to_numpy()  # a choice: exempt from distance and trade
    tests = {
        "FORBIDDEN": forbidden,
        "OTHER_ACADEMIE": config.stay_in_academie & (at["academie"].to_numpy(object) != student["academie"]),
        "TOO_FAR": (km > instance.max_km[s]) & ~chosen,
        "WRONG_TRADE": (trade_rank(pos, j, students, sites, config.other_sectors_rank_penalty) == 0) & ~chosen,
        "NOT_ACCESSIBLE": ~rules.accessible_ok,
        "RESERVED": ~rules.reserved_ok,
        "WRONG_WEEK": ~rules.weeks_ok,
        "FULL": rules.allowed & _full(str(student["weeks"]), bool(student["split_ok"]), left_1, left_2),
    }
    codes = [tuple(code for code, hit in tests.items() if hit[k]) for k in range(len(j))]
    return [found or ("OPEN",) for found in codes]


def _full(weeks: str, split_ok: bool, left_1: np.ndarray, left_2: np.ndarray) -> np.ndarray:
    """Whether no place is left in the weeks the student needs (a split student: in either week)."""
    if weeks == "week_1":
        return np.asarray(left_1 <= 0)
    if weeks == "week_2":
        return np.asarray(left_2 <= 0)
    return np.asarray((left_1 <= 0) & (left_2 <= 0) if split_ok else (left_1 <= 0) | (left_2 <= 0))
