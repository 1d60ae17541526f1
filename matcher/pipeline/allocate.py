"""The allocation pipeline: candidates → flow → repair → check → tables, with timings.

``allocate`` works on clean located tables (``matcher.load.load_inputs``) and returns a :class:`Result` whose
DataFrames an analyst can use directly. Every result passes the independent checker before it is returned.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

import numpy as np
import pandas as pd

from matcher.candidates.budget import check_memory
from matcher.candidates.lookup import pair_rows
from matcher.candidates.search import candidates
from matcher.check.checker import verify
from matcher.config import Config
from matcher.domain.period import period_for
from matcher.result import BOUNDS_OVER, Result, Status
from matcher.solve.engine import optimise
from matcher.solve.regions import Regional
from matcher.solve.stability import stable_optimum
from matcher.solve.widen import Widening, widen
from matcher.tables.blocking import blocking_pairs
from matcher.tables.floors import academie_floors
from matcher.tables.gender import gender_target_figures
from matcher.tables.reasons import reasons
from matcher.tables.summary import build_summary, unused_places

__all__ = ["Result", "allocate", "assignment_table", "ASSIGNMENT_COLUMNS", "UNASSIGNED_COLUMNS", "BOUNDS_OVER"]

ASSIGNMENT_COLUMNS = (
    "student_id",
    "site_id",
    "company",
    "weeks",
    "start_date",
    "end_date",
    "distance_km",
    "preference_rank",
    "group_id",
    "student_academie",
    "site_academie",
)
UNASSIGNED_COLUMNS = ("student_id", "reason_code", "reason")


@contextmanager
def _timed(timings: dict, stage: str):
    start = time.perf_counter()
    yield
    timings[stage] = round(time.perf_counter() - start, 3)


def allocate(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config | None = None,
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict | None = None,
) -> Result:
    """Allocate the placement weeks.

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables, as returned by ``matcher.load.load_inputs``.
    config : Config, optional
        Options; defaults to ``Config()``.
    pairs : DataFrame, optional
        User-supplied ``student_id, site_id, km|minutes`` replacing the built-in distances.
    inputs : dict, optional
        Input file names and hashes to record in the summary.

    With ``config.stay_in_academie`` and more than one académie, each académie is allocated on its own and the
    parts merged (``matcher.pipeline.batch.allocate_by_academie``): the problem splits exactly.
    """
    config = config or Config()
    if config.stay_in_academie:
        from matcher.pipeline.batch import academies_of, allocate_by_academie

        if len(academies_of(students, sites)) > 1:
            return allocate_by_academie(students, sites, config, pairs=pairs, inputs=inputs)
    timings: dict = {}
    with _timed(timings, "candidates"):
        cands = candidates(students, sites, config, pairs_table=pairs)
    with _timed(timings, "widen"):  # the cap must cost no placement
        widening = (
            widen(cands, students, sites, config)
            if config.mode == "optimal"
            else Widening(cands, skipped="the stable mode keeps the nearest sites")
        )
    cands = widening.candidates
    check_memory(len(students), len(sites), len(cands.pairs), config)  # refuses, with advice, before the model
    with _timed(timings, "solve"):
        if config.mode == "stable":
            best, extra = stable_optimum(students, sites, cands.pairs, config)
        else:
            gender = None if config.gender_target is None else (config.gender_target, config.gender_site_min)
            best, extra = (
                optimise(
                    students,
                    sites,
                    cands.pairs,
                    config.objective.order,
                    config.time_limit,
                    academie_floors(config),
                    gender,
                    Regional.of(config),
                    widening.maximum,
                ),
                {},
            )
    with _timed(timings, "tables"):
        n_eligible = np.bincount(cands.pairs["student"].to_numpy(np.int64), minlength=len(students))
        assignments = assignment_table(best.placements, best.pairs, students, sites, config)
        unplaced = np.setdiff1d(np.arange(len(students)), best.placements["student"].to_numpy())
        unassigned = reasons(students, sites, config, unplaced, n_eligible, cands.alone)
    with _timed(timings, "check"):
        verify(students, sites, assignments, unassigned, config, pairs, groups=True)
    _same_bound(best.levels, widening, config)
    info = {**best.info, **_scope(cands, widening, best.info["status"])}
    summary = build_summary(students, sites, assignments, unassigned, config, list(best.levels), info, inputs or {})
    placed = np.zeros(len(students), bool)
    placed[best.placements["student"].to_numpy()] = True
    summary["unused_places"] = unused_places(sites, assignments, cands.pairs, placed)
    summary["gender_target"] = gender_target_figures(
        students, sites, best.placements, cands.pairs, config.gender_target, config.gender_site_min
    )
    with _timed(timings, "blocking_pairs"):
        summary["blocking_pairs"] = len(blocking_pairs(students, sites, assignments, cands.pairs, config))
    summary.update(extra)
    return Result(assignments, unassigned, summary, timings)


def _scope(cands, widening: Widening, status: str) -> dict:
    """What the bounds are proven over: every eligible pair, or only the nearest sites kept per trade pool.

    With a cap, eligible sites beyond it were not considered for the later levels, so the result is not claimed
    optimal; the ``placed`` bound still holds over all eligible pairs when the lists were widened.
    """
    truncated = int(cands.truncated.sum())
    over = BOUNDS_OVER[0] if not truncated else BOUNDS_OVER[1] if widening.over_all_pairs else BOUNDS_OVER[2]
    info = {
        "status": Status.FEASIBLE.value if truncated and status == Status.OPTIMAL.value else status,
        "candidate_pairs": len(cands.pairs),
        "candidates_per_pool": cands.k,
        "truncated_students": truncated,
        "bounds_over": over,
    }
    if truncated:
        info["widening"] = {
            "placed_bound_all_pairs": widening.placed_bound,
            "placed_bound_kept_pairs": widening.kept_bound,
            "pairs_added": widening.added_pairs,
            "pairs_listed": widening.listed_pairs,
            "skipped": widening.skipped,
        }
    return info


def _same_bound(levels, widening: Widening, config: Config) -> None:
    """The engine's ``placed`` bound on the widened pairs is the maximum over all pairs; anything else is a bug."""
    if config.mode != "optimal" or widening.placed_bound is None or not levels or levels[0].name != "placed":
        return
    if levels[0].bound != widening.placed_bound:
        raise RuntimeError(
            f"internal error: the placed bound on the widened pairs ({levels[0].bound:g}) differs "
            f"from the maximum flow over all eligible pairs ({widening.placed_bound})"
        )


def assignment_table(
    placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, config: Config
) -> pd.DataFrame:
    """One row per student and host from ``student, site, week`` placements: one site both weeks is a ``both`` row."""
    at = pair_rows(pairs, placements["student"].to_numpy(), placements["site"].to_numpy())
    found = np.maximum(at, 0)
    rows = placements.assign(
        km=np.where(at >= 0, pairs["km"].to_numpy(float)[found], np.nan),
        rank=np.where(at >= 0, pairs["rank"].to_numpy(float)[found], np.nan),
    )
    rows = rows.groupby(["student", "site"], as_index=False).agg(
        n=("week", "size"), week=("week", "first"), km=("km", "first"), rank=("rank", "first")
    )
    names = np.array(["both", "week_1", "week_2"])
    code = np.where(rows["n"].to_numpy() == 2, 0, np.where(rows["week"].to_numpy() == 1, 1, 2))
    order = np.lexsort((names[code], rows["student"].to_numpy()))
    code, s, j = code[order], rows["student"].to_numpy()[order], rows["site"].to_numpy()[order]
    period = period_for(config.year, config.week_1_start)
    start, end = (np.array([period.dates(w)[i].isoformat() for w in names], dtype=object)[code] for i in (0, 1))
    return pd.DataFrame(
        {
            "student_id": students["student_id"].to_numpy(object)[s],
            "site_id": sites["site_id"].to_numpy(object)[j],
            "company": sites["company"].to_numpy(object)[j],
            "weeks": names[code],
            "start_date": start,
            "end_date": end,
            "distance_km": np.round(rows["km"].to_numpy(float)[order], 3),
            "preference_rank": rows["rank"].to_numpy(np.int64)[order],
            "group_id": students["group_id"].to_numpy(object)[s],
            "student_academie": students["academie"].to_numpy(object)[s],
            "site_academie": sites["academie"].to_numpy(object)[j],
        }
    )
