"""One allocation on one problem: candidates → widening → solve → :func:`matcher.tables.finish.finish`.

``allocate_one`` is what ``allocate`` runs when the problem is not split by académie, and what every académie part
runs when it is (:mod:`matcher.pipeline.batch`); it never splits, so the two never call each other back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from matcher.candidates.budget import check_memory
from matcher.candidates.search import Candidates, candidates
from matcher.config import Config
from matcher.errors import SolverError
from matcher.load.instance import Instance, build_instance
from matcher.result import Level, Result
from matcher.solve.engine import Optimum, optimise
from matcher.solve.regions import Regional
from matcher.solve.stability import stable_optimum
from matcher.solve.widen import Widening, not_widened, widen
from matcher.tables.finish import Solved, finish, scope
from matcher.util.stages import StageObserver, Stages

__all__ = ["allocate_one", "solve_one"]


def allocate_one(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    observer: StageObserver | None = None,
    restrict: Callable[[Candidates], Candidates] | None = None,
) -> Result:
    """Allocate one problem as a whole (see ``allocate`` for the parameters; ``restrict``: an officer's overrides
    applied to the candidate pairs, :mod:`matcher.pipeline.overrides`)."""
    stages = Stages(observer)
    instance = build_instance(students, sites, config)
    groups = instance.groups
    cands = stages.run("candidates", candidates, students, sites, config, pairs_table=pairs, groups=groups)
    if restrict is not None:
        cands = stages.run("overrides", restrict, cands)
    if config.mode == "optimal":  # the cap must cost no placement
        widening = stages.run("widen", widen, cands, students, sites, config, groups=groups)
    else:
        widening = stages.run("widen", not_widened, cands, "stable_mode")
    cands = widening.candidates
    check_memory(len(students), len(sites), len(cands.pairs), config)  # refuses, with advice, before the model
    best, extra = stages.run("solve", solve_one, instance, cands.pairs, widening)
    _same_bound(best.levels, widening, config)
    info = {"status": None, **best.info, **scope(cands, widening, best.status)}  # status first in summary.json
    solved = Solved(best.placements, best.pairs, cands.pairs, list(best.levels), info, extra)
    return finish(instance, solved, cands, given_pairs=pairs, inputs=inputs or {}, stages=stages)


def solve_one(instance: Instance, pairs: pd.DataFrame, widening: Widening) -> tuple[Optimum, dict[str, Any]]:
    """The mode's placements and levels on the candidate ``pairs``, with the mode's own summary sections."""
    students, sites, config, groups = instance.students, instance.sites, instance.config, instance.groups
    if config.mode == "stable":
        return stable_optimum(students, sites, pairs, config, groups=groups)
    gender = None if config.gender_target is None else (config.gender_target, config.gender_site_min)
    best = optimise(
        students,
        sites,
        pairs,
        config.objective.order,
        config.time_limit,
        instance.floors,
        gender,
        Regional.of(config),
        widening.maximum,
        groups,
    )
    return best, {}


def _same_bound(levels: tuple[Level, ...] | list[Level], widening: Widening, config: Config) -> None:
    """The engine's ``placed`` bound on the widened pairs is the maximum over all pairs; anything else is a bug."""
    if config.mode != "optimal" or widening.placed_bound is None or not levels or levels[0].name != "placed":
        return
    if levels[0].bound != widening.placed_bound:
        raise SolverError(
            f"internal error: the placed bound on the widened pairs ({levels[0].bound:g}) differs "
            f"from the maximum flow over all eligible pairs ({widening.placed_bound})"
        )
