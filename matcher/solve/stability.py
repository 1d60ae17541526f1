"""The stable mode in the pipeline: deferred acceptance, its level values, and the price of stability.

``stable_optimum`` returns the same ``Optimum`` the optimal engine returns, so tables, the checker, the summary
and the export are shared. Its level values are bounded by the optimal mode's proven bounds on the same
candidates (any allocation is), so its status and gap say how far stability is from the lexicographic optimum.
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np
import pandas as pd

from matcher.config import Config
from matcher.domain.groups import Groups, find_groups
from matcher.objective import metres, spec
from matcher.result import Level, Status
from matcher.solve.engine import Optimum, optimise
from matcher.solve.groups import broken_groups
from matcher.solve.regions import Regional
from matcher.solve.stable import stable_placements
from matcher.util.i18n import mark

__all__ = ["METHOD", "Figures", "stable_optimum", "placement_figures"]

#: ``summary.json``'s ``method`` for the stable mode (in English there; the command line says it translated).
METHOD = mark("students-propose deferred acceptance (stable, full time)")


class Figures(TypedDict):
    """What ``placement_figures`` returns (a section of ``summary.json``; the means are None without placements)."""

    placed: int
    placed_full_time: int
    placed_priority: int
    student_weeks: int
    distance_km_total: float
    distance_km_mean: float | None
    preference_rank_sum: int
    preference_rank_mean: float | None
    first_choice: int


def placement_figures(placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame) -> Figures:
    """Students placed (full time, priority), distance and preference ranks of ``student, site, week`` rows."""
    rows = placements.merge(pairs, on=["student", "site"], how="left", validate="many_to_one")
    per = rows.groupby("student").agg(
        n=("site", "size"), sites=("site", "nunique"), km=("km", "mean"), rank=("rank", "mean")
    )
    placed = per.index.to_numpy(np.int64)
    weeks = len(rows)
    return {
        "placed": len(per),
        "placed_full_time": int(((per["n"] == 2) & (per["sites"] == 1)).sum()),
        "placed_priority": int(students["priority"].to_numpy(bool)[placed].sum()),
        "student_weeks": weeks,
        "distance_km_total": round(float(rows["km"].sum()), 3),
        "distance_km_mean": round(float(rows["km"].mean()), 3) if weeks else None,
        "preference_rank_sum": int(rows["rank"].sum()),
        "preference_rank_mean": round(float(rows["rank"].mean()), 4) if weeks else None,
        "first_choice": int((per["rank"] == 1).sum()),
    }


def _levels(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    order: tuple[str, ...],
    bounds: dict[str, float | None],
) -> list[Level]:
    """Level values (per student-week, as in the optimal engine) with the optimal mode's lexicographic bounds."""
    f = placement_figures(placements, pairs, students)
    rows = placements.merge(pairs, on=["student", "site"], how="left")
    value = {
        "placed": f["placed"],
        "priority": f["placed_priority"],
        "preference": f["preference_rank_sum"],
        "distance": int(metres(rows["km"].to_numpy(float)).sum()),
        "splits": 0,
    }  # never split
    out, short = [], False
    for name in (n for n in order if n not in ("floors", "gender")):  # not pursued by the stable mode
        bound = 0.0 if name == "splits" else None if short else bounds.get(name)
        lv = Level(name, float(value[name]), bound, spec(name).sense)
        short = short or bool(lv.gap) or bound is None
        out.append(lv)
    return out


def stable_optimum(
    students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame, config: Config, *, groups: Groups | None = None
) -> tuple[Optimum, dict[str, Any]]:
    """The stable allocation of ``pairs`` and the summary's ``price_of_stability`` section (empty when off);
    ``groups``: ``find_groups(students)`` when the caller has it.

    Groups are hosted whole or not at all: a group that deferred acceptance places only in part is taken out
    (its places stay free, which may leave blocking pairs; ``summary.json`` counts them).
    """
    groups = find_groups(students) if groups is None else groups
    placements = _whole_groups(stable_placements(students, sites, pairs, config.host_priority, config.seed), groups)
    extra: dict[str, Any] = {}  # a section of summary.json
    bounds: dict[str, float | None] = {}
    if config.price_of_stability:
        best = optimise(
            students,
            sites,
            pairs,
            config.objective.order,
            config.time_limit,
            regional=Regional.of(config),
            groups=groups,
        )
        bounds = {lv.name: lv.bound for lv in best.levels}
        mine = placement_figures(placements, pairs, students)
        other = placement_figures(best.placements, best.pairs, students)
        extra = {
            "price_of_stability": {
                "stable": mine,
                "optimal": other,
                "optimal_status": best.status.value,
                # k: each key of Figures in turn, all of them numbers or None
                "difference": {k: _diff(mine[k], other[k]) for k in mine},  # type: ignore[literal-required]
            }
        }
    levels = _levels(placements, pairs, students, config.objective.order, bounds)
    proven = all(lv.gap == 0 for lv in levels if lv.name != "splits")
    info = {"method": METHOD, "host_priority": list(config.host_priority)}
    return Optimum(placements, pairs, tuple(levels), Status.OPTIMAL if proven else Status.FEASIBLE, info), extra


def _whole_groups(placements: pd.DataFrame, groups: Groups) -> pd.DataFrame:
    """``placements`` without the members of groups placed in part or at different sites."""
    bad = broken_groups(placements, groups, len(groups.code))
    if len(bad) == 0:
        return placements
    out = np.isin(groups.code[placements["student"].to_numpy()], bad)
    return placements[~out].reset_index(drop=True)


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 4)
