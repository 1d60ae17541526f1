"""Re-allocation after withdrawals, cancellations, capacity cuts and late requests, without reshuffling.

Every previous placement that is still valid is kept as it was; the optimal engine places as many of the other
students as possible in the places left (the kept placements' places are taken). ``changes`` lists every student
whose situation changed and why (docs/rules.md, "Re-allocation").

A placement is a student's whole allocation (both rows of a split). It is still valid when the student is still
asking for the same weeks, every one of its sites still exists, every (student, site) pair is still eligible
(distance, trade, reservation, accessibility, full-time rules) and the site's new capacity holds it: when a
capacity is cut, the site keeps the placements it ranks first (``Config.host_priority``: full-time placements,
then priority students, nearer students, the seeded lottery).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.load.instance import Instance, build_instance
from matcher.objective import metres
from matcher.pipeline.previous import read_previous
from matcher.result import Level, Result
from matcher.solve.engine import Optimum, optimise
from matcher.solve.regions import Regional
from matcher.solve.stable import lottery
from matcher.solve.widen import not_widened
from matcher.tables.changes import changes_table
from matcher.tables.finish import Solved, finish, scope
from matcher.util.i18n import mark
from matcher.util.stages import Stages

__all__ = ["Reallocation", "reallocate", "read_previous", "CAUSES", "METHOD"]

#: ``summary.json``'s ``method`` of a re-allocation (the optimal engine's, the valid placements kept).
METHOD = mark("re-allocation: still-valid placements kept, OR-Tools min-cost flow, lexicographic")

#: Why a previous placement was not kept (``changes.csv``'s ``change`` column, with the codes of new situations).
CAUSES = {
    "WITHDRAWN": "the student no longer asks for a placement",
    "SITE_CANCELLED": "a site of the placement was cancelled",
    "CAPACITY_CUT": "the site's capacity was cut below its placements",
    "REQUEST_CHANGED": "the student now asks for other weeks or no longer accepts a split",
    "NO_LONGER_ELIGIBLE": "the site is no longer eligible for the student (distance, trade, reservation, "
    "accessibility or full-time rule)",
}


@dataclass(frozen=True)
class Reallocation:
    """The new allocation (a ``Result`` like ``allocate``'s) and ``changes``: one row per changed student."""

    result: Result
    changes: pd.DataFrame


def _causes(prev: pd.DataFrame, instance: Instance, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """Previous rows with positions, and per previously placed student the cause of losing it ('' = kept)."""
    students, sites, config = instance.students, instance.sites, instance.config
    s, t = instance.student_positions(prev["student_id"]), instance.site_positions(prev["site_id"])
    rows = prev.assign(s=s, t=t)
    known = (s >= 0) & (t >= 0)
    asks = np.where(s >= 0, students["weeks"].to_numpy(object)[np.maximum(s, 0)], "")
    n_rows = rows.groupby("student_id")["weeks"].transform("size").to_numpy()
    split_ok = np.where(s >= 0, students["split_ok"].to_numpy(bool)[np.maximum(s, 0)], True)
    w = rows["weeks"].to_numpy(object)
    request_ok = np.where(asks == "both", (w == "both") | ((n_rows == 2) & split_ok), w == asks)
    c1, c2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    tt = np.maximum(t, 0)
    zero_cap = (((w == "both") | (w == "week_1")) & (c1[tt] == 0)) | (((w == "both") | (w == "week_2")) & (c2[tt] == 0))
    eligible = pd.MultiIndex.from_arrays([s, t]).isin(pd.MultiIndex.from_frame(pairs[["student", "site"]]))
    ft_only = sites["full_time_only"].to_numpy(bool)[tt] & (w != "both")
    cause = np.select(
        [s < 0, t < 0, ~request_ok, zero_cap, ~eligible | ft_only],
        ["WITHDRAWN", "SITE_CANCELLED", "REQUEST_CHANGED", "CAPACITY_CUT", "NO_LONGER_ELIGIBLE"],
        "",
    )
    rows["cause"] = np.where(known | (cause != ""), cause, "")
    rows = _trim(rows, students, sites, pairs, config)
    first = rows[rows["cause"] != ""].groupby("student_id")["cause"].first()
    per_student = pd.Series("", index=pd.Index(rows["student_id"].unique())).astype(object)
    per_student[first.index] = first
    return rows, per_student


def _trim(
    rows: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame, config: Config
) -> pd.DataFrame:
    """Mark CAPACITY_CUT the placements beyond a site's new capacity in a week, the lowest-ranked by the host."""
    bad_student = rows.groupby("student_id")["cause"].transform(lambda c: (c != "").any()).to_numpy(bool)
    ok = rows[~bad_student]
    s, t = ok["s"].to_numpy(np.int64), ok["t"].to_numpy(np.int64)
    km = pd.Series(pairs["km"].to_numpy(float), index=pd.MultiIndex.from_arrays([pairs["student"], pairs["site"]]))
    km_kept = metres(km.reindex(pd.MultiIndex.from_arrays([s, t])).to_numpy(float))
    value = {
        "priority": ~students["priority"].to_numpy(bool)[s],
        "distance": km_kept,
        "lottery": lottery(students["student_id"], config.seed)[s],
    }
    keys = [(ok["weeks"] != "both").to_numpy()] + [value[c] for c in config.host_priority] + [s]
    order = np.lexsort(tuple(reversed([t] + keys)))
    cut = set()
    for week, cap in ((1, sites["capacity_week_1"]), (2, sites["capacity_week_2"])):
        o = order[ok["weeks"].to_numpy(object)[order] != ("week_2" if week == 1 else "week_1")]
        tw = t[o]
        place = np.arange(len(o)) - np.searchsorted(tw, tw, side="left")
        cut |= set(ok["student_id"].to_numpy(object)[o[place >= cap.to_numpy(np.int64)[tw]]])
    lost = rows["student_id"].isin(cut).to_numpy() & ~bad_student
    return rows.assign(cause=np.where(lost, "CAPACITY_CUT", rows["cause"]))


def _placements(s: np.ndarray, t: np.ndarray, weeks: np.ndarray) -> pd.DataFrame:
    """``student, site, week`` rows of output-table rows given as positions and weeks."""
    frames = [
        pd.DataFrame(
            {
                "student": s[(weeks == "both") | (weeks == f"week_{w}")],
                "site": t[(weeks == "both") | (weeks == f"week_{w}")],
                "week": np.int8(w),
            }
        )
        for w in (1, 2)
    ]
    return pd.concat(frames, ignore_index=True).astype({"student": np.int64, "site": np.int64})


def residual_problem(
    students: pd.DataFrame, sites: pd.DataFrame, kept: pd.DataFrame
) -> tuple[np.ndarray, pd.DataFrame, pd.DataFrame]:
    """The students not kept (their positions and table) and the sites with the kept placements' places taken.

    ``kept`` holds ``student, site, week`` rows (positions).
    """
    rest = np.setdiff1d(np.arange(len(students)), kept["student"].to_numpy())
    left = sites.copy()
    for w in (1, 2):
        used = np.bincount(kept.loc[kept["week"] == w, "site"].to_numpy(np.int64), minlength=len(sites))
        left[f"capacity_week_{w}"] = sites[f"capacity_week_{w}"].to_numpy(np.int64) - used
    return rest, students.iloc[rest].reset_index(drop=True), left


def reallocate(
    previous: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config | None = None,
    *,
    previous_unassigned: pd.DataFrame | None = None,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
) -> Reallocation:
    """Keep the still-valid previous placements and place as many others as possible.

    Parameters
    ----------
    previous : DataFrame
        The previous ``assignments.csv`` (``student_id, site_id, weeks``).
    students, sites : DataFrame
        The updated clean located tables (``matcher.load.load_inputs``).
    config : Config, optional
        Options; the optimal engine places the students not kept whatever ``mode`` says.
    previous_unassigned : DataFrame, optional
        The previous ``unassigned.csv``: tells new requests from students left unplaced before.
    pairs : DataFrame, optional
        User-supplied distances, as for ``allocate``.
    inputs : dict, optional
        Input file names and hashes to record in the summary.
    """
    config = config or Config()
    stages = Stages()
    instance = build_instance(students, sites, config)
    with stages.stage("candidates"):
        cands = candidates(students, sites, config, pairs_table=pairs, groups=instance.groups)
        rows, cause = _causes(previous, instance, cands.pairs)
        keep = rows[rows["student_id"].map(cause).to_numpy() == ""]
        kept = _placements(keep["s"].to_numpy(np.int64), keep["t"].to_numpy(np.int64), keep["weeks"].to_numpy(object))
    placements, all_pairs, best = stages.run("solve", _place_rest, students, sites, kept, config, cands.pairs, pairs)
    info = {
        "status": None,  # first in summary.json; set by scope below
        **best.info,
        "method": METHOD,
        "kept_students": int(keep["student_id"].nunique()),
        **scope(cands, not_widened(cands, "reallocation"), best.status),
        **_not_applied(config),
    }
    levels = _levels(best.levels, kept, all_pairs, students)
    solved = Solved(placements, all_pairs, all_pairs, levels, info)
    result = finish(instance, solved, cands, given_pairs=pairs, inputs=inputs or {}, stages=stages, check_groups=False)
    changes = changes_table(previous, previous_unassigned, cause, result.assignments, result.unassigned, students)
    figures = {
        "previous_placed": int(previous["student_id"].nunique()),
        "kept": int(keep["student_id"].nunique()),
        "changes": {k: int(v) for k, v in changes["change"].value_counts().sort_index().items()},
    }
    summary = {**result.summary, "reallocation": figures}  # a new Result: the finished one is never changed
    return Reallocation(Result(result.assignments, result.unassigned, summary, result.timings), changes)


def _not_applied(config: Config) -> dict[str, Any]:
    """The policy's levels that re-allocation does not optimise (the summary still reports their figures)."""
    left = [
        name
        for name, on in (("floors", config.academie_floors != "none"), ("gender", config.gender_target is not None))
        if on
    ]
    return {"levels_not_applied": left} if left else {}


def _place_rest(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    kept: pd.DataFrame,
    config: Config,
    pairs: pd.DataFrame,
    given: pd.DataFrame | None,
) -> tuple[pd.DataFrame, pd.DataFrame, Optimum]:
    """The optimal engine on the residual problem; placements and pairs in positions of the full tables."""
    rest, rest_students, left = residual_problem(students, sites, kept)
    rest_pairs = candidates(rest_students, left, config, pairs_table=given).pairs
    best = optimise(
        rest_students, left, rest_pairs, config.objective.order, config.time_limit, regional=Regional.of(config)
    )
    new = best.placements.assign(student=rest[best.placements["student"].to_numpy(np.int64)])
    placements = pd.concat([kept, new], ignore_index=True).sort_values(["student", "week"], kind="stable")
    all_pairs = pd.concat(
        [pairs, rest_pairs.assign(student=rest[rest_pairs["student"].to_numpy(np.int64)])], ignore_index=True
    ).drop_duplicates(["student", "site"])
    return placements, all_pairs, best


def _levels(levels: tuple[Level, ...], kept: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame) -> list[Level]:
    """The residual's levels plus the kept placements' constant contribution (to values and bounds alike)."""
    rows = kept.merge(pairs, on=["student", "site"], how="left")
    who = kept["student"].unique()
    add = {
        "placed": len(who),
        "priority": int(students["priority"].to_numpy(bool)[who].sum()),
        "preference": int(rows["rank"].sum()),
        "distance": int(metres(rows["km"].to_numpy(float)).sum()),
        "splits": int((kept.groupby("student")["site"].nunique() > 1).sum()),
    }
    return [
        Level(lv.name, lv.value + add[lv.name], None if lv.bound is None else lv.bound + add[lv.name], lv.sense)
        for lv in levels
    ]
