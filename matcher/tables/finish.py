"""The one tail of every mode: placements → tables → independent check → summary, as a :class:`Result`.

The optimal mode, the stable mode and re-allocation each hand their placements here (:class:`Solved`), so that the
three report the same figures the same way: the scope of their bounds, unused places, the gender target, blocking
pairs — and say plainly which objective levels a mode did not optimise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from matcher.candidates import Candidates
from matcher.check.checker import verify
from matcher.load.instance import Instance
from matcher.result import BOUNDS_OVER, Level, Result, Status
from matcher.solve.widen import Widening
from matcher.tables.assignments import assignment_table
from matcher.tables.blocking import blocking_pairs
from matcher.tables.gender import gender_target_figures
from matcher.tables.reasons import reasons
from matcher.tables.summary import build_summary, unused_places
from matcher.util.stages import Stages

__all__ = ["Solved", "finish", "scope"]


@dataclass(frozen=True)
class Solved:
    """What a mode's solve stage hands to :func:`finish`.

    Attributes
    ----------
    placements : DataFrame
        ``student, site, week`` rows (positions in the located tables).
    pairs : DataFrame
        Candidate pairs holding every placement's pair (``km``, ``rank``).
    eligible : DataFrame
        Every candidate pair considered (reasons, unused places, gender and blocking figures).
    levels : list of Level
        Each objective level's value and proven bound.
    info : dict
        The solver's facts for ``summary.json`` (status, method, scope of the bounds...).
    extra : dict
        A mode's own summary sections (``price_of_stability``, ``reallocation``...), added last.
    """

    placements: pd.DataFrame
    pairs: pd.DataFrame
    eligible: pd.DataFrame
    levels: list[Level]
    info: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


def finish(
    instance: Instance,
    solved: Solved,
    cands: Candidates,
    *,
    given_pairs: pd.DataFrame | None,
    inputs: dict[str, Any],
    stages: Stages,
    check_groups: bool = True,
) -> Result:
    """The result of ``solved``: tables, the independent checker's verdict, the summary."""
    students, sites, config = instance.students, instance.sites, instance.config
    with stages.stage("tables"):
        n_eligible = np.bincount(solved.eligible["student"].to_numpy(np.int64), minlength=len(students))
        assignments = assignment_table(instance, solved.placements, solved.pairs)
        placed = np.zeros(len(students), bool)
        placed[solved.placements["student"].to_numpy()] = True
        unassigned = reasons(instance, np.flatnonzero(~placed), n_eligible, cands.alone)
    with stages.stage("check"):
        verify(students, sites, assignments, unassigned, config, given_pairs, groups=check_groups)
    with stages.stage("summary"):
        summary = build_summary(instance, assignments, unassigned, list(solved.levels), solved.info, inputs)
        summary["unused_places"] = unused_places(instance, assignments, solved.eligible, placed)
        summary["gender_target"] = gender_target_figures(
            students, sites, solved.placements, solved.eligible, config.gender_target, config.gender_site_min
        )
        with stages.stage("blocking_pairs"):
            summary["blocking_pairs"] = len(blocking_pairs(instance, assignments, solved.eligible))
        summary.update(solved.extra)
    return Result(assignments, unassigned, summary, dict(stages.timings))


def scope(cands: Candidates, widening: Widening, status: Status) -> dict[str, Any]:
    """What the bounds are proven over: every eligible pair, or only the nearest sites kept per trade pool.

    With a cap, eligible sites beyond it were not considered for the later levels, so the result is not claimed
    optimal; the ``placed`` bound still holds over all eligible pairs when the lists were widened. The status
    becomes text here, for ``summary.json``, and nowhere else.
    """
    truncated = int(cands.truncated.sum())
    over = BOUNDS_OVER[0] if not truncated else BOUNDS_OVER[1] if widening.over_all_pairs else BOUNDS_OVER[2]
    info: dict[str, Any] = {
        "status": (Status.FEASIBLE if truncated and status is Status.OPTIMAL else status).value,
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
            "skipped_reason": widening.reason,
            "eligible_pairs_estimate": widening.estimate,
        }
    return info
