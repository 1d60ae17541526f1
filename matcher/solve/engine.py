"""The optimal mode: lexicographic min-cost flow on the relaxed network, then local restriction rounds until the
full-time rules hold.

The groups' sites may be chosen first (``groupplan``); the flow itself is ``relaxed`` (whole, or académie by
académie), the repair rounds ``rounds``, the steps after them ``improve``, and the final level values with their
bounds ``valuation``; here the rounds are driven and the best allocation kept.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.groups import Groups, find_groups
from matcher.result import Level, Status
from matcher.solve.floorlevel import FloorBound, FloorLevel, floor_level
from matcher.solve.flow import FlowOutcome
from matcher.solve.groupplan import GroupPlan, bound_with_groups, placed_bound_only, plan_groups
from matcher.solve.improve import Problem, closed, key, pooled
from matcher.solve.regions import Maximum, Regional, best_pairs, maximum
from matcher.solve.relaxed import by_academie, relaxed_flow
from matcher.solve.rounds import State, find_breaks, repair_round, settle
from matcher.solve.valuation import final_levels
from matcher.util import parallel
from matcher.util.i18n import mark

__all__ = ["COMPARE_PAIRS", "METHOD", "Optimum", "optimise"]

#: ``summary.json``'s ``method`` for the optimal mode (in English there; the command line says it translated).
METHOD = mark("OR-Tools min-cost flow, lexicographic")


@dataclass(frozen=True)
class Optimum:
    """Placements (``student, site, week`` rows), level values with proven bounds, and solver facts."""

    placements: pd.DataFrame
    pairs: pd.DataFrame
    levels: tuple[Level, ...]
    status: Status
    info: dict[str, Any]  # solver facts for summary.json: method, counts...


def optimise(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    pairs: pd.DataFrame,
    order: tuple[str, ...],
    time_limit: float = float("inf"),
    floors: pd.Series | None = None,
    gender: tuple[float, int] | None = None,
    regional: Regional = Regional(),
    known: Maximum | None = None,
    groups: Groups | None = None,
) -> Optimum:
    """Best allocation of ``pairs`` under the lexicographic ``order``; bounds from the relaxed network.

    With groups and ``placed`` first, the groups are first placed where the other students' maximum flow leaves
    places to spare (``groupplan``), the engine below allocates the others on the places left, and the groups not
    planned are placed whole in the places still free; the bounds are the whole relaxed network's (``known``'s
    value when given, which the plan's own maximum flows start from; else its maximum flow, solved beside the
    plan's, ``_planned``; the later levels' hold for every allocation, ``bounds``). Up to ``COMPARE_PAIRS``
    candidate pairs the problem is first solved without the plan; the plan is then tried only when the groups
    where that puts them cost placements (``groupplan.bound_with_groups``), and the better allocation by level
    values kept (the one without the plan on ties).

    The relaxed flow lets students split anywhere and group members go apart. Each round fixes the placements
    that keep the rules, except at the sites where a student breaks the full-time rules; groups not placed whole
    and together leave the flow and are placed whole where they still fit (``groups.place_groups``); the
    students breaking a full-time rule are restricted (``repair.restrict``) and solved again with the students
    placed at those sites and those still unplaced, on the places left, until no one breaks a rule, until
    ``time_limit`` seconds have passed, or until ``_STALL`` rounds in a row bring no better settled allocation
    (the last rounds move a handful of students each; ``rounds.repair_round``). Every round's flow is also
    *settled* into an allocation keeping every rule (``rounds.settle``: the students breaking a rule taken out,
    broken groups placed whole where they fit, then ``fill`` places those who fit in the places left), and the
    best one is returned (most placed, then floors, then priority students; a later round wins ties): a round may
    place fewer than an earlier one. Then ``closing.close_gap`` allocates again exactly the neighbourhoods where
    the relaxation places more, and ``pools.augment_in_pools`` adds the augmenting paths of a network that keeps
    the full-time rules (each site's places split into a full-time pool and week pools; two passes); each taken
    when ``improve.key`` is better.

    The first flow proves only ``placed`` (maximum flow). When the rules cost no placement, the relaxation is
    solved again level by level for bounds on the later levels; its allocation is taken when it keeps every
    rule (it is then the lexicographic optimum).

    ``floors`` (students to place per académie) drives the ``floors`` level (``floorlevel``), ``gender``
    (girls' share, smallest site) the ``gender`` level (``gendercap``); without them, those levels are left out.
    Flows proving only ``placed`` on more than ``regional.min_pairs`` pairs are solved académie by académie
    (``regions``), in ``regional.processes`` processes: ``placed`` stays maximal, the cost levels are optimised
    within each académie's share of places. ``known``: a maximum flow over ``pairs`` already solved (widening
    solves one), used to share the places out for the first flows instead of solving it again; those keep
    each student's best pairs and the maximum flow's (``regions.best_pairs``), the repair rounds every pair.
    """
    start = time.perf_counter()
    groups = find_groups(students) if groups is None else groups
    grouped = order[0] == "placed" and bool((groups.code >= 0).any())
    alone = None  # the engine without the plan
    if not grouped or len(pairs) <= COMPARE_PAIRS:
        alone = _valued(_optimise(students, sites, pairs, order, time_limit, floors, gender, regional, known, groups))
        if not grouped or not _groups_cost(alone, pairs, students, sites, groups):
            return alone
    whole, plan = _planned(pairs, students, sites, groups, order, known, regional)
    if plan is None:
        return alone or _valued(
            _optimise(students, sites, pairs, order, time_limit, floors, gender, regional, whole, groups)
        )
    left = time_limit - (time.perf_counter() - start)
    inner = _optimise(students, plan.sites, plan.pairs, order, left, floors, gender, regional, plan.maximum, groups)
    level = floor_level(students, floors)
    floors_bound = None if level is None else FloorBound(level, pairs, students, sites)
    planned = _valued(
        replace(
            inner,
            placements=plan.back(inner.placements),
            pairs=pairs,
            sites=sites,
            first=placed_bound_only(inner.first, whole.value),
            floors_bound=floors_bound,
            info={**inner.info, "groups_planned": len(plan.planned)},
        )
    )
    return planned if alone is None or _rank(planned) > _rank(alone) else alone


def _planned(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: Groups,
    order: tuple[str, ...],
    known: Maximum | None,
    regional: Regional,
) -> tuple[Maximum, GroupPlan | None]:
    """The whole relaxed network's maximum flow (``known`` when given) and the groups' plan (``plan_groups``).

    With ``known``, the plan's flows start from it. Otherwise, on a problem solved by region in several processes
    (``regional``), the whole maximum flow is solved in a forked process while the plan solves its own from
    nothing (``parallel.started``): the plan reads the minimum cut, the same for every maximum flow, so it
    chooses the same groups (140,000 students: 10.5–11.0 s against 14.5–16.0 s; the full cohort: 23.5–24.5 s
    against 28.1–28.2 s). Else the whole maximum flow first, then the plan from it."""
    if known is not None or not regional.applies(len(pairs)) or regional.processes <= 1 or not parallel.can_fork():
        whole = known if known is not None else maximum(pairs, students, sites)
        return whole, plan_groups(pairs, students, sites, groups, order, whole)
    with parallel.started(lambda _: maximum(pairs, students, sites), 1, regional.processes) as result:
        plan = plan_groups(pairs, students, sites, groups, order)
        return result()[0], plan


def _groups_cost(
    alone: Optimum, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups
) -> bool:
    """Whether the groups where ``alone`` puts them cost placements (``groupplan.bound_with_groups`` below the
    relaxed network's bound)."""
    bound = alone.levels[0].bound
    return bound is not None and bound_with_groups(alone.placements, pairs, students, sites, groups) < bound


def _rank(optimum: Optimum) -> tuple[float, ...]:
    """How two allocations of one problem compare by their level values (the larger the better)."""
    return tuple(lv.value if lv.sense == "max" else -lv.value for lv in optimum.levels)


def _optimise(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    pairs: pd.DataFrame,
    order: tuple[str, ...],
    time_limit: float,
    floors: pd.Series | None,
    gender: tuple[float, int] | None,
    regional: Regional,
    known: Maximum | None,
    groups: Groups,
) -> _Solved:
    """The engine of ``optimise`` without the groups' plan (its allocation, not yet valued)."""
    start = time.perf_counter()
    level = floor_level(students, floors)
    order = tuple(name for name in order if (name != "floors" or level) and (name != "gender" or gender))
    floors_bound = None if level is None else FloorBound(level, pairs, students, sites)
    first_pairs = pairs
    if by_academie(False, regional, pairs, students, order):
        known = known if known is not None else maximum(pairs, students, sites)  # one for every chase flow
        first_pairs = best_pairs(pairs, known)  # the repair rounds see every pair
    placements, first, open_ = _chase(first_pairs, students, sites, order, level, floors_bound, gender, regional, known)
    state = State(
        fixed=placements.iloc[:0],
        current=pairs,
        stage=np.zeros(len(students), np.int8),
        solves=first.solves,
        groups=groups,
        open_=open_,
        gender=gender,
        regional=regional,
    )
    best, stalled = placements, 0  # best: replaced by the first round's settled allocation
    best_key: tuple[int, int, int] | None = None
    alone = pairs[state.groups.code[pairs["student"].to_numpy()] < 0]  # the pairs ``fill`` may use
    while True:
        broken = find_breaks(placements, students, sites, state.groups)
        settled = settle(placements, broken, state, students, sites, order, alone)
        now = key(settled, level, students, order)
        stalled = 0 if best_key is None or now > best_key else stalled + 1
        if best_key is None or now >= best_key:  # a later round wins ties: its cost levels were solved again
            best, best_key = settled, now
        if not broken.any or stalled >= _STALL or time.perf_counter() - start > time_limit:
            break  # done, no better settled allocation for _STALL rounds, or no time for more flows
        placements = repair_round(placements, broken, state, students, sites, order)
    problem = Problem(pairs, students, sites, order, level)
    placements = pooled(closed(best, best_key, problem, state), problem, state)
    if placements["student"].nunique() == first.levels[0].bound and len(first.levels) > 1 and level is None:
        exact, first = relaxed_flow(pairs, students, sites, order, gender=gender)
        state.solves += first.solves
        if not find_breaks(exact, students, sites, state.groups).any:
            placements = exact
    info = {
        "method": METHOD,
        "flow_solves": state.solves,
        "restriction_rounds": state.rounds,
        "restricted_students": int((state.stage > 0).sum()),
    }
    return _Solved(placements, pairs, students, sites, first.levels, order, gender, level, floors_bound, info)


def _chase(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    level: FloorLevel | None,
    bound: FloorBound | None,
    gender: tuple[float, int] | None,
    regional: Regional,
    known: Maximum | None,
    tries: int = 3,
) -> tuple[pd.DataFrame, FlowOutcome, npt.NDArray[np.bool_] | None]:
    """The first flow; with floors, the open académies are updated from each result (``tries`` flows at most,
    none once the level reaches its ``bound``) and the best allocation by ``improve.key`` is kept. Returns placements,
    outcome and the open mask used. ``level`` and ``bound`` are both given or both None."""
    if level is None or bound is None:
        placements, first = relaxed_flow(pairs, students, sites, order, False, None, gender, regional, known)
        return placements, first, None
    open_ = level.open_mask(None)
    placements, first = relaxed_flow(pairs, students, sites, order, False, open_, gender, regional, known)
    best, solves = (placements, first, open_), first.solves
    for _ in range(tries - 1):
        reached = level.value(best[0]["student"].unique())
        if reached >= bound.given(reached):  # every floor met as far as places allow
            break
        again = level.open_mask(placements["student"].unique())
        if np.array_equal(again, open_):
            break
        open_ = again
        placements, outcome = relaxed_flow(pairs, students, sites, order, False, open_, gender, regional, known)
        solves += outcome.solves
        if key(placements, level, students, order) > key(best[0], level, students, order):
            best = (placements, outcome, open_)
    return best[0], replace(best[1], solves=solves), best[2]


#: Up to this many candidate pairs (an académie's size), ``optimise`` solves without the groups' plan first (its
#: estimate can be wrong where few places are left), and with it when that may gain (``benchmarks/README.md``).
COMPARE_PAIRS = 250_000

#: Repair rounds in a row whose settled allocation is no better than the best one before the repair stops.
_STALL = 4


@dataclass(frozen=True)
class _Solved:
    """An allocation of ``_optimise``, with what valuing it needs (``_valued``): the relaxed flow's levels
    ``first`` (the bounds), the order of the levels kept, the floors level and its bound."""

    placements: pd.DataFrame
    pairs: pd.DataFrame
    students: pd.DataFrame
    sites: pd.DataFrame
    first: tuple[Level, ...]
    order: tuple[str, ...]
    gender: tuple[float, int] | None
    level: FloorLevel | None
    floors_bound: FloorBound | None
    info: dict[str, Any]


def _valued(solved: _Solved) -> Optimum:
    """Level values against the bounds of the relaxed flow's levels (``valuation.final_levels``), status and
    solver facts."""
    s = solved
    levels = final_levels(
        s.placements, s.pairs, s.students, s.sites, s.first, s.order, s.gender, s.level, s.floors_bound
    )
    proven = all(lv.gap == 0 for lv in levels if lv.name != "splits")
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    return Optimum(s.placements.reset_index(drop=True), s.pairs, tuple(levels), status, s.info)
