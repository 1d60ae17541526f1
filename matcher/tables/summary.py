"""The figures of an allocation (``summary.json``): counts, objective levels, per-académie and coverage.

Everything here is deterministic for the same inputs and configuration (timings live elsewhere), so that the
same run gives byte-identical files.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.config import Config
from matcher.load.instance import Instance
from matcher.objective import spec
from matcher.result import Level
from matcher.tables.floors import floors_table
from matcher.tables.gender import gender_figures
from matcher.version import __version__

__all__ = ["build_summary", "unused_places", "Counts", "AcademieFigures"]


class Counts(TypedDict):
    """``summary.json``'s ``counts``: students placed and not, places offered and used (a week counts half)."""

    students: int
    placed: int
    placed_full_time: int
    placed_split: int
    placed_one_week: int
    not_placed: int
    sites: int
    places_offered: float
    week_1_places: int
    week_2_places: int
    places_used: float


class AcademieFigures(TypedDict):
    """One row of ``summary.json``'s ``academies``."""

    academie: str
    students: int
    placed: int
    not_placed: int
    places_offered: float
    places_used: float


def build_summary(
    instance: Instance,
    assignments: pd.DataFrame,
    unassigned: pd.DataFrame,
    levels: list[Level],
    info: dict[str, Any],
    inputs: dict[str, Any],
) -> dict[str, Any]:
    """The summary as a JSON-ready dict; every student of ``assignments`` is one of ``instance`` (checked)."""
    students, sites, config, period = instance.students, instance.sites, instance.config, instance.period
    at = _positions(instance, assignments)
    first = ~pd.Series(at[0]).duplicated().to_numpy()  # each student's first row
    counts = _counts(students, sites, assignments, unassigned, at[0], first)
    return {
        "matcher_version": __version__,
        "inputs": inputs,
        "parameters": _parameters(config),
        "period": {
            "week_1": [period.week_1_start.isoformat(), period.week_1_end.isoformat()],
            "week_2": [period.week_2_start.isoformat(), period.week_2_end.isoformat()],
        },
        "counts": counts,
        "objective": [
            {
                "level": lv.name,
                "sense": lv.sense,
                "value": lv.value,
                "bound": lv.bound,
                "gap": None if lv.gap is None else round(lv.gap, 9),
                "unit": spec(lv.name).unit,
            }
            for lv in levels
        ],
        "solver": {**info, **_gap(levels)},
        "unassigned_reasons": {k: int(v) for k, v in unassigned["reason_code"].value_counts().sort_index().items()},
        "coverage": {
            "target_places": config.coverage_target,
            "places_offered": counts["places_offered"],
            "places_used": counts["places_used"],
            "offered_attains_target": counts["places_offered"] >= config.coverage_target,
        },
        "academies": _academies(students, sites, assignments, first),
        "floors": _floors(instance, assignments, unassigned),
        "groups": _groups(instance, at[0]),
        "gender": gender_figures(students, sites, assignments, _positions(instance, assignments)),
    }


def _positions(instance: Instance, assignments: pd.DataFrame) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Positions of the assignments' students and sites in the instance."""
    return instance.student_positions(assignments["student_id"]), instance.site_positions(assignments["site_id"])


def _floors(instance: Instance, assignments: pd.DataFrame, unassigned: pd.DataFrame) -> dict[str, Any] | None:
    """Per académie with a floor: floor, requests, placed, shortfall and what held it back; None without floors."""
    students, config, floors = instance.students, instance.config, instance.floors
    if floors.empty:
        return None
    table = floors_table(students, unassigned, assignments["student_id"], floors)
    return {
        "source": config.academie_floors,
        "total_floor": int(table["floor"].sum()),
        "placed_towards_floors": int(np.minimum(table["placed"], table["floor"]).sum()),
        "academies_below_floor": int((table["shortfall"] > 0).sum()),
        "academies": [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in table.to_dict("records")
        ],
    }


def _groups(instance: Instance, s: npt.NDArray[np.intp]) -> dict[str, int]:
    """Groups placed whole, and groups placed only in part (none in the optimal mode: its checker forbids it);
    ``s``: the students' positions of the assignment rows."""
    groups = instance.groups
    member = np.flatnonzero(groups.code >= 0)
    placed = np.zeros(len(groups.code), bool)
    placed[s] = True
    n_placed = np.bincount(groups.code[member[placed[member]]], minlength=len(groups.size))
    whole = n_placed == groups.size
    return {
        "groups": len(groups.size),
        "students_in_groups": int(groups.size.sum()),
        "groups_placed": int(whole.sum()),
        "students_placed_in_groups": int(groups.size[whole].sum()),
        "groups_partly_placed": int(((n_placed > 0) & ~whole).sum()),
    }


def _gap(levels: list[Level]) -> dict[str, float | str | None]:
    """The lexicographic gap: the first level (splits aside) short of its bound, and by how much."""
    for lv in levels:
        if lv.name != "splits" and lv.gap:
            return {"gap": round(lv.gap, 9), "gap_level": lv.name}
    return {"gap": 0.0, "gap_level": None}


def _parameters(config: Config) -> dict[str, Any]:
    raw = {k: dataclasses.asdict(v) if k == "objective" else v for k, v in config.options().items()}
    raw["week_1_start"] = config.week_1_start.isoformat() if config.week_1_start else None
    if config.default_capacity is None:  # named only when used: runs without it keep their summary
        del raw["default_capacity"]
    return raw


def _places(sites: pd.DataFrame) -> tuple[float, int, int]:
    c1, c2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    return float(c1.sum() + c2.sum()) / 2, int(c1.sum()), int(c2.sum())


def _counts(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    assignments: pd.DataFrame,
    unassigned: pd.DataFrame,
    s: npt.NDArray[np.intp],
    first: npt.NDArray[np.bool_],
) -> Counts:
    """``s``: the students' positions of the assignment rows, ``first``: each student's first row."""
    both = (assignments["weeks"] == "both").to_numpy(bool)
    size = np.bincount(s, minlength=len(students))
    one = size[s[first]] == 1  # per placed student, in the order of their first rows
    offered, w1, w2 = _places(sites)
    return {
        "students": len(students),
        "placed": int(first.sum()),
        "placed_full_time": int((one & both[first]).sum()),
        "placed_split": int((size == 2).sum()),
        "placed_one_week": int((one & ~both[first]).sum()),
        "not_placed": len(unassigned),
        "sites": len(sites),
        "places_offered": offered,
        "week_1_places": w1,
        "week_2_places": w2,
        "places_used": int(np.where(both, 2, 1).sum()) / 2,
    }


def _academies(
    students: pd.DataFrame, sites: pd.DataFrame, assignments: pd.DataFrame, first: npt.NDArray[np.bool_]
) -> list[AcademieFigures]:
    """Per académie of the students (requests, placed) and of the sites (places offered and used); ``first``:
    each student's first assignment row."""
    req = students.groupby("academie").size()
    placed = assignments["student_academie"][first].value_counts()
    offered = sites.assign(p=(sites["capacity_week_1"] + sites["capacity_week_2"]) / 2).groupby("academie")["p"].sum()
    used = assignments.assign(p=np.where(assignments["weeks"] == "both", 1.0, 0.5)).groupby("site_academie")["p"].sum()
    names = sorted(set(req.index) | set(offered.index))
    return [
        {
            "academie": a or "(none)",
            "students": int(req.get(a, 0)),
            "placed": int(placed.get(a, 0)),
            "not_placed": int(req.get(a, 0) - placed.get(a, 0)),
            "places_offered": float(offered.get(a, 0)),
            "places_used": float(used.get(a, 0)),
        }
        for a in names
    ]


#: The kinds of unused places, in the order ``summary.json`` lists them (sorted).
_UNUSED = ("eligible_students_placed_elsewhere", "free_week_or_full_time_rule_mismatch", "no_eligible_request_in_range")


def unused_places(
    instance: Instance, assignments: pd.DataFrame, pairs: pd.DataFrame, placed: npt.NDArray[np.bool_]
) -> dict[str, float]:
    """Places left unused, by why: no eligible request in range, eligible students all placed elsewhere, or
    eligible students left unplaced because the free places were in the wrong week (or a full-time rule).

    ``pairs`` holds candidate positions; ``placed`` flags placed students by position.
    """
    sites = instance.sites
    j = instance.site_positions(assignments["site_id"])
    weeks = assignments["weeks"].to_numpy(object)
    both = weeks == "both"
    used1 = np.bincount(j[both | (weeks == "week_1")], minlength=len(sites))
    used2 = np.bincount(j[both | (weeks == "week_2")], minlength=len(sites))
    free = ((sites["capacity_week_1"].to_numpy() - used1) + (sites["capacity_week_2"].to_numpy() - used2)) / 2
    s, site = pairs["student"].to_numpy(), pairs["site"].to_numpy()
    asked = np.bincount(site, minlength=len(sites)) > 0
    waiting = np.bincount(site[~placed[s]], minlength=len(sites)) > 0
    why = np.where(~asked, 2, np.where(waiting, 1, 0))  # positions in _UNUSED
    out = np.bincount(why, weights=free, minlength=len(_UNUSED))  # halves: exact sums
    return {k: float(v) for k, v in zip(_UNUSED, out) if v > 0}
