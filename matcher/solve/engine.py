"""The optimal mode: lexicographic min-cost flow on the relaxed network, then local restriction rounds until the
full-time rules hold."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from matcher.candidates.search import pair_rows
from matcher.domain.groups import Groups, find_groups
from matcher.result import Status
from matcher.solve.bounds import lexicographic, unconditional
from matcher.solve.floorlevel import FloorBound, FloorLevel, floor_level, with_floors
from matcher.solve.flow import Level, solve_lexicographic
from matcher.solve.gendercap import boys_over, with_gender_caps
from matcher.solve.groups import broken_groups, place_groups
from matcher.solve.network import build_network
from matcher.solve.polish import polish_week_2
from matcher.solve.regions import Maximum, Regional, best_pairs, by_region, maximum
from matcher.solve.repair import fill, restrict, violations

__all__ = ["Optimum", "optimise"]


@dataclass(frozen=True)
class Optimum:
    """Placements (``student, site, week`` rows), level values with proven bounds, and solver facts."""

    placements: pd.DataFrame
    pairs: pd.DataFrame
    levels: tuple[Level, ...]
    info: dict


def _flow(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    prove: bool = True,
    open_: np.ndarray | None = None,
    gender: tuple[float, int] | None = None,
    regional: Regional = Regional(),
    known: Maximum | None = None,
):
    """Placements and outcome of the relaxed network's flow; with ``prove=False`` and as many pairs as
    ``regional`` says, solved académie by académie (``regions.by_region``; ``known``: a maximum flow over ``pairs``
    already solved)."""
    if _regional(prove, regional, pairs, students, order):

        def one(p, st, si, region):
            mask = open_ if open_ is None or region is None else open_[region.students]
            return _flow(p, st, si, order, False, mask, gender)

        return by_region(pairs, students, sites, students["academie"].to_numpy(object), one, regional.processes, known)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    net = build_network(pairs, students["weeks"].to_numpy(object), cap1, cap2)
    cost = None
    if gender is not None:  # a soft target of girls' share at large sites: a layer of the network
        net, cost = with_gender_caps(net, pairs, students["gender"].to_numpy(object) == "M", cap1, cap2, *gender)
    outcome = solve_lexicographic(net, pairs, students["priority"].to_numpy(bool), order, prove, open_, cost)
    return polish_week_2(
        net.read(outcome.flows, pairs), pairs, students, sites, order, gender, rules_first=not prove
    ), outcome


def _regional(
    prove: bool, regional: Regional, pairs: pd.DataFrame, students: pd.DataFrame, order: tuple[str, ...]
) -> bool:
    """Whether a flow is solved académie by académie (see ``_flow``): not with ``floors`` first (the shares come
    from a maximum flow)."""
    return not prove and regional.applies(len(pairs)) and "academie" in students and order[0] == "placed"


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
) -> Optimum:
    """Best allocation of ``pairs`` under the lexicographic ``order``; bounds from the relaxed network.

    The relaxed flow lets students split anywhere and group members go apart. Each round fixes the placements
    that keep the rules, except at the sites where a student breaks the full-time rules; groups not placed whole
    and together leave the flow and are placed whole where they still fit (``groups.place_groups``); the
    students breaking a full-time rule are restricted (``repair.restrict``) and solved again with the students
    placed at those sites and those still unplaced, on the places left, until no one breaks a rule, until
    ``time_limit`` seconds have passed, or until ``_STALL`` rounds in a row bring no better settled allocation
    (the last rounds move a handful of students each). Every round's flow is also *settled* into an allocation
    keeping every rule (``_settle``: the students breaking a rule taken out, broken groups placed whole where they
    fit, then ``fill`` places those who fit in the places left), and the best one is returned (most placed, then
    floors, then priority students; a later round wins ties): a round may place fewer than an earlier one.

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
    level = floor_level(students, floors)
    order = tuple(name for name in order if (name != "floors" or level) and (name != "gender" or gender))
    floors_bound = None if level is None else FloorBound(level, pairs, students, sites)
    first_pairs = pairs
    if _regional(False, regional, pairs, students, order):
        known = known if known is not None else maximum(pairs, students, sites)  # one for every chase flow
        first_pairs = best_pairs(pairs, known)  # the repair rounds see every pair
    placements, first, open_ = _chase(first_pairs, students, sites, order, level, floors_bound, gender, regional, known)
    state = _State(
        fixed=placements.iloc[:0],
        current=pairs,
        stage=np.zeros(len(students), np.int8),
        solves=first.solves,
        groups=find_groups(students),
        open_=open_,
        gender=gender,
        regional=regional,
    )
    best, best_key, stalled = None, None, 0
    alone = pairs[state.groups.code[pairs["student"].to_numpy()] < 0]  # the pairs ``fill`` may use
    while True:
        broken = _broken(placements, students, sites, state.groups)
        settled = _settle(placements, broken, state, students, sites, order, alone)
        key = _key(settled, level, students, order)
        stalled = 0 if best_key is None or key > best_key else stalled + 1
        if best_key is None or key >= best_key:  # a later round wins ties: its cost levels were solved again
            best, best_key = settled, key
        if not broken.any or stalled >= _STALL or time.perf_counter() - start > time_limit:
            break  # done, no better settled allocation for _STALL rounds, or no time for more flows
        placements = _round(placements, broken, state, students, sites, order)
    placements = best
    if placements["student"].nunique() == first.levels[0].bound and len(first.levels) > 1 and level is None:
        exact, first = _flow(pairs, students, sites, order, gender=gender)
        state.solves += first.solves
        if not _broken(exact, students, sites, state.groups).any:
            placements = exact
    return _result(placements, pairs, students, sites, first, order, state, level, floors_bound)


def _chase(
    pairs,
    students,
    sites,
    order,
    level: FloorLevel | None,
    bound: FloorBound | None,
    gender,
    regional: Regional,
    known: Maximum | None,
    tries: int = 3,
):
    """The first flow; with floors, the open académies are updated from each result (``tries`` flows at most,
    none once the level reaches its ``bound``) and the best allocation by ``_key`` is kept. Returns placements,
    outcome and the open mask used."""
    open_ = None if level is None else level.open_mask(None)
    placements, first = _flow(pairs, students, sites, order, False, open_, gender, regional, known)
    if level is None:
        return placements, first, None
    best, solves = (placements, first, open_), first.solves
    for _ in range(tries - 1):
        reached = level.value(best[0]["student"].unique())
        if reached >= bound.given(reached):  # every floor met as far as places allow
            break
        again = level.open_mask(placements["student"].unique())
        if np.array_equal(again, open_):
            break
        open_ = again
        placements, outcome = _flow(pairs, students, sites, order, False, open_, gender, regional, known)
        solves += outcome.solves
        if _key(placements, level, students, order) > _key(best[0], level, students, order):
            best = (placements, outcome, open_)
    return best[0], replace(best[1], solves=solves), best[2]


def _settle(
    placements: pd.DataFrame,
    broken: _Breaks,
    state: _State,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    alone: pd.DataFrame,
) -> pd.DataFrame:
    """An allocation keeping every rule from a round's ``placements``: the students breaking a rule taken out,
    broken groups placed whole where they fit, then ``fill`` on the pairs ``alone`` of students in no group (which
    adds no one to a maximum flow that breaks no rule: such a student would be an augmenting path)."""
    keep = pd.concat(
        [state.fixed, placements[~placements["student"].isin(broken.students(state.groups))]], ignore_index=True
    )
    whole = place_groups(broken.groups, state.current, students, _places_left(sites, keep), state.groups, order)
    out = pd.concat([keep, whole], ignore_index=True).sort_values(["student", "week"], kind="stable")
    return fill(out, alone, students, sites)


def _key(
    placements: pd.DataFrame, level: FloorLevel | None, students: pd.DataFrame, order: tuple[str, ...]
) -> tuple[int, int, int]:
    """How allocations compare (the larger the better): students placed, then counted towards floors (floors
    first when ``order`` says so), then priority students."""
    who = placements["student"].unique()
    floors = 0 if level is None else level.value(who)
    first = (floors, len(who)) if order[0] == "floors" else (len(who), floors)
    return *first, int(students["priority"].to_numpy(bool)[who].sum())


#: Repair rounds in a row whose settled allocation is no better than the best one before the repair stops.
_STALL = 4


@dataclass
class _State:
    """What the repair rounds carry: placements fixed so far, the pairs still open, restriction stages."""

    fixed: pd.DataFrame
    current: pd.DataFrame
    stage: np.ndarray
    solves: int
    groups: Groups
    open_: np.ndarray | None = None
    gender: tuple[float, int] | None = None
    regional: Regional = Regional()
    rounds: int = 0


@dataclass(frozen=True)
class _Breaks:
    """Who breaks a rule: split students on their own (``student, site_1, site_2``) and groups not placed whole
    and together (a group with a member breaking a full-time rule included)."""

    split: pd.DataFrame
    groups: np.ndarray

    @property
    def any(self) -> bool:
        return len(self.split) > 0 or len(self.groups) > 0

    def students(self, groups: Groups) -> np.ndarray:
        """Every student concerned: the split students and all members of the broken groups."""
        return np.union1d(self.split["student"].to_numpy(np.int64), np.flatnonzero(np.isin(groups.code, self.groups)))


def _broken(placements: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups) -> _Breaks:
    """The rules ``placements`` break (see ``_Breaks``)."""
    split = violations(placements, students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool))
    in_group = groups.code[split["student"].to_numpy()]
    bad = np.union1d(broken_groups(placements, groups, len(students)), in_group[in_group >= 0])
    return _Breaks(split[in_group < 0], bad.astype(np.int64))


def _round(
    placements: pd.DataFrame,
    broken: _Breaks,
    state: _State,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
) -> pd.DataFrame:
    """One repair round (see ``optimise``) on what ``broken`` found; returns the new flow's placements and
    updates ``state``."""
    groups, split, bad_groups = state.groups, broken.split, broken.groups
    out = np.isin(groups.code, bad_groups)  # members of broken groups leave the flow
    group_sites = state.current.loc[out[state.current["student"].to_numpy()], "site"].to_numpy()
    near = np.union1d(np.union1d(split["site_1"].to_numpy(), split["site_2"].to_numpy()), group_sites)
    who = placements["student"].to_numpy()
    moving = out[who] | np.isin(who, split["student"]) | np.isin(who, who[placements["site"].isin(near)])
    fixed = pd.concat([state.fixed, placements[~moving]], ignore_index=True)
    fixed = pd.concat(
        [fixed, place_groups(bad_groups, state.current, students, _places_left(sites, fixed), groups, order)],
        ignore_index=True,
    )
    left = _places_left(sites, fixed)
    open_ = state.current[~(np.isin(state.current["student"], fixed["student"]) | out[state.current["student"]])]
    others = placements[moving & ~np.isin(who, split["student"]) & ~out[who]]
    r = restrict(open_, split, left, state.stage, students["split_ok"].to_numpy(bool), others)
    state.fixed, state.current, state.stage, state.rounds = fixed, r.pairs, r.stage, state.rounds + 1
    placements, outcome = _flow(state.current, students, left, order, False, state.open_, state.gender, state.regional)
    state.solves += outcome.solves
    return placements


def _result(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    first,
    order: tuple[str, ...],
    state: _State,
    level: FloorLevel | None,
    floors_bound: FloorBound | None,
) -> Optimum:
    """Level values against the relaxed flow's bounds, status and solver facts.

    The ``floors`` level's value and bound are computed exactly (``FloorLevel``); the flow's bounds for the levels
    after it hold for its approximation only, so with floors they are not claimed. A cost level left without a
    lexicographic bound gets one over every allocation placing as many students (``bounds``).
    """
    levels = [
        Level(lv.name, got.value, lv.bound, lv.sense)
        for lv, got in zip(first.levels, _values(first.levels, placements, pairs, students))
    ]
    if state.gender is not None:  # counted on the sites' full capacities (a repair round sees the places left)
        over = boys_over(
            placements,
            students["gender"].to_numpy(object) == "M",
            sites["capacity_week_1"].to_numpy(np.int64),
            sites["capacity_week_2"].to_numpy(np.int64),
            *state.gender,
        )
        levels = [Level(lv.name, float(over), lv.bound, lv.sense) if lv.name == "gender" else lv for lv in levels]
    if level is not None:
        levels = with_floors(levels, placements, pairs, students, sites, level, floors_bound)
    levels = unconditional(lexicographic(levels), placements, pairs, students, sites, state.gender)
    if "splits" in order:  # a tie-break, lowered by the week-2 polish: only the trivial bound 0 is proven
        levels.append(Level("splits", float(_splits(placements)), 0.0, "min"))
    proven = all(lv.gap == 0 for lv in levels if lv.name != "splits")
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    info = {
        "status": status.value,
        "method": "OR-Tools min-cost flow, lexicographic",
        "flow_solves": state.solves,
        "restriction_rounds": state.rounds,
        "restricted_students": int((state.stage > 0).sum()),
    }
    return Optimum(placements.reset_index(drop=True), pairs, tuple(levels), info)


def _places_left(sites: pd.DataFrame, fixed: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with each week's capacity less the places ``fixed`` takes."""
    week = fixed["week"].to_numpy()
    used = {w: np.bincount(fixed["site"].to_numpy()[week == w], minlength=len(sites)) for w in (1, 2)}
    return sites.assign(
        capacity_week_1=sites["capacity_week_1"].to_numpy(np.int64) - used[1],
        capacity_week_2=sites["capacity_week_2"].to_numpy(np.int64) - used[2],
    )


def _values(levels, placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame) -> tuple[Level, ...]:
    """Level values of ``placements`` (per student-week, as in the flow)."""
    at = pair_rows(pairs, placements["student"].to_numpy(), placements["site"].to_numpy())
    if (at < 0).any():
        raise RuntimeError("internal error: a placement on no candidate pair")
    rows = pairs.iloc[at]
    placed = placements["student"].unique()
    value = {
        "placed": len(placed),
        "priority": int(students["priority"].to_numpy(bool)[placed].sum()),
        "preference": int(rows["rank"].sum()),
        "distance": int(np.rint(rows["km"].to_numpy() * 1000).sum()),
        "floors": 0,
        "gender": 0,
    }  # computed by FloorLevel and boys_over
    return tuple(Level(lv.name, float(value[lv.name]), lv.bound, lv.sense) for lv in levels)


def _splits(placements: pd.DataFrame) -> int:
    per = placements.groupby("student")["site"].agg(["nunique", "size"])
    return int(((per["size"] == 2) & (per["nunique"] == 2)).sum())
