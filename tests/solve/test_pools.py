"""The pools' maximum flow (``matcher.solve.pools``): named cases with their hand-computed results, and properties on
random instances where the full-time rules bind: every result keeps the rules and places at least as many
students; where nobody is held to full time the pools' network is the relaxed network, whose maximum flow it then
reaches from nobody placed; the min-cost re-allocation never costs more."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings

from matcher.solve.flow import max_flow
from matcher.solve.mip import solve_mip
from matcher.solve.network import build_network
from matcher.solve.pools import augment_in_pools, moved, pair_costs, recost_in_pools
from matcher.solve.repair import fill

from conftest import assert_keeps_the_rules
from strategies import SETTINGS, tight

ORDER = ("placed", "priority", "preference", "distance")


def _sites(c1: list[int], c2: list[int], fto: list[bool] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"capacity_week_1": c1, "capacity_week_2": c2, "full_time_only": fto or [False] * len(c1)})


def _students(weeks: list[str], split_ok: list[bool]) -> pd.DataFrame:
    n = len(weeks)
    return pd.DataFrame({"weeks": weeks, "split_ok": split_ok, "priority": [False] * n, "gender": ["F"] * n})


def _pairs(student: list[int], site: list[int], rank: list[int] | None = None) -> pd.DataFrame:
    return pd.DataFrame({"student": student, "site": site, "km": [1.0] * len(site), "rank": rank or [1] * len(site)})


def _rows(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "student": np.array([r[0] for r in rows], np.int64),
            "site": np.array([r[1] for r in rows], np.int64),
            "week": np.array([r[2] for r in rows], np.int8),
        }
    )


def _as_set(rows: pd.DataFrame) -> set[tuple[int, int, int]]:
    return set(zip(rows["student"].tolist(), rows["site"].tolist(), rows["week"].tolist()))


NO_GROUPS = np.array([-1, -1])


def test_a_student_who_may_not_split_moves_to_free_a_full_time_place():
    # Sites A (0) and B (1), one place each week. x (0) and y (1) may not split; x has pairs at A and B and holds A
    # full time, y has a pair at A only. The pools' network has one augmenting path: y into A, x out of A into B's
    # free places (free in both weeks: B's full-time pool). Both placed, full time.
    students, sites = _students(["both", "both"], [False, False]), _sites([1, 1], [1, 1])
    pairs = _pairs([0, 0, 1], [0, 1, 0])
    out = augment_in_pools(_rows([(0, 0, 1), (0, 0, 2)]), pairs, students, sites, NO_GROUPS)
    assert _as_set(out) == {(0, 1, 1), (0, 1, 2), (1, 0, 1), (1, 0, 2)}
    assert_keeps_the_rules(out, pairs, students, sites)


def test_a_split_student_moves_its_week_1_to_free_a_place_for_a_week_1_student():
    # A (0) has a week-1 place, B (1) a week-2 place, C (2) a week-1 place. p (0) may split, has pairs at A, B and
    # C, and does week 1 at A, week 2 at B; w (1) wants week 1 only and has a pair at A only. Path: w into A, p's
    # week 1 out of A into C. Both placed; p still split (allowed).
    students, sites = _students(["both", "week_1"], [True, True]), _sites([1, 0, 1], [0, 1, 0])
    pairs = _pairs([0, 0, 0, 1], [0, 1, 2, 0])
    out = augment_in_pools(_rows([(0, 0, 1), (0, 1, 2)]), pairs, students, sites, NO_GROUPS)
    assert _as_set(out) == {(0, 2, 1), (0, 1, 2), (1, 0, 1)}
    assert_keeps_the_rules(out, pairs, students, sites)


def test_group_members_keep_their_places():
    # The first case with x (0) in a group (of two, its mate unplaced and without pairs): x keeps A, nothing moves.
    students, sites = _students(["both", "both", "both"], [False, False, False]), _sites([1, 1], [1, 1])
    placements = _rows([(0, 0, 1), (0, 0, 2)])
    out = augment_in_pools(placements, _pairs([0, 0, 1], [0, 1, 0]), students, sites, np.array([7, -1, 7]))
    assert out is placements


def test_a_student_who_may_split_placed_full_time_moves_in_the_second_pass():
    # X (0) and W (1) have one place each week. p (0) may split, holds X full time and has a pair at W; q (1) may
    # not split and has a pair at X only. First pass: X's places are in the week pools (p's), q reaches only
    # full-time pools: nothing. Second pass: p counts as full time, X's places join the full-time pool with W's
    # free ones: q into X, p to W, full time.
    students, sites = _students(["both", "both"], [True, False]), _sites([1, 1], [1, 1])
    placements, pairs = _rows([(0, 0, 1), (0, 0, 2)]), _pairs([0, 0, 1], [0, 1, 0])
    assert augment_in_pools(placements, pairs, students, sites, NO_GROUPS) is placements
    out = augment_in_pools(placements, pairs, students, sites, NO_GROUPS, full_time=True)
    assert _as_set(out) == {(0, 1, 1), (0, 1, 2), (1, 0, 1), (1, 0, 2)}


def test_a_student_who_must_change_from_full_time_to_split_is_left_to_the_closing():
    # What the pools cannot do (the closing MIP does: ``test_closing``): X (0) has one place each week, Y (1) one in
    # week 1 only, Z (2) one in week 2 only. p (0) may split and holds X full time; q (1) may not split and has a
    # pair at X only. Both placed needs p split between Y and Z: in neither pass can p leave X (first pass: q
    # reaches no week pool; second: p stays full time, and no other site has both weeks): nothing is added.
    students, sites = _students(["both", "both"], [True, False]), _sites([1, 1, 0], [1, 0, 1])
    placements = _rows([(0, 0, 1), (0, 0, 2)])
    for full_time in (False, True):
        out = augment_in_pools(placements, _pairs([0, 0, 0, 1], [0, 1, 2, 0]), students, sites, NO_GROUPS, full_time)
        assert out is placements


def test_the_students_moved_are_allocated_again_at_their_best_sites():
    # A, B, C (0, 1, 2) have one place each week. x (0) may not split: ranks 3 at A, 1 at B, 2 at C; y (1) may not
    # split, rank 1 at A. From x at C and y at A, with both moving, the least rank is x at B (rank 1) and y at A:
    # 2 × 1 + 2 × 1 = 4 student-week ranks, against 2 × 2 + 2 × 1 = 6.
    students, sites = _students(["both", "both"], [False, False]), _sites([1, 1, 1], [1, 1, 1])
    pairs = _pairs([0, 0, 0, 1], [0, 1, 2, 0], rank=[3, 1, 2, 1])
    now = _rows([(0, 2, 1), (0, 2, 2), (1, 0, 1), (1, 0, 2)])
    costs = pair_costs(pairs, ORDER, 2, 20)
    out = recost_in_pools(now, np.array([True, True]), pairs, students, sites, NO_GROUPS, costs)
    assert _as_set(out) == {(0, 1, 1), (0, 1, 2), (1, 0, 1), (1, 0, 2)}


def test_moved_students_and_those_at_the_sites_they_touch():
    # x (0) moves from A to B, y (1) is added at A, z (2) stays at B, w (3) stays at C: all but w recosted.
    before = _rows([(0, 0, 1), (0, 0, 2), (2, 1, 1), (2, 1, 2), (3, 2, 1), (3, 2, 2)])
    after = _rows([(0, 1, 1), (0, 1, 2), (1, 0, 1), (1, 0, 2), (2, 1, 1), (2, 1, 2), (3, 2, 1), (3, 2, 2)])
    assert moved(before, after, 4, 3).tolist() == [True, True, True, False]


def _start(students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """An allocation keeping every rule: ``repair.fill`` from nobody placed (full time first, in pair order)."""
    empty = _rows([])
    return fill(empty, pairs, students, sites)


@settings(max_examples=120, **SETTINGS)
@given(tight())
def test_the_pools_keep_the_rules_and_never_place_fewer(case):
    # From a greedy allocation: at least as many placed, every rule kept, never more than the MIP's optimum.
    students, sites, pairs = case
    groups = np.full(len(students), -1)
    start = _start(students, sites, pairs)
    one = augment_in_pools(start, pairs, students, sites, groups)
    out = augment_in_pools(one, pairs, students, sites, groups, full_time=True)
    for rows in (one, out):
        assert_keeps_the_rules(rows, pairs, students, sites)
    assert out["student"].nunique() >= one["student"].nunique() >= start["student"].nunique()
    assert out["student"].nunique() <= solve_mip(pairs, students, sites, ("placed",)).values["placed"]


@settings(max_examples=120, **SETTINGS)
@given(tight())
def test_without_full_time_rules_the_pools_reach_the_relaxed_maximum(case):
    # Everyone may split and no site is full-time-only: the pools' network is the relaxed network, exact here; from
    # nobody placed its augmenting paths reach the relaxed maximum flow.
    students, sites, pairs = case
    students, sites = students.assign(split_ok=True), sites.assign(full_time_only=False)
    out = augment_in_pools(_rows([]), pairs, students, sites, np.full(len(students), -1))
    assert_keeps_the_rules(out, pairs, students, sites)
    net = build_network(pairs, students["weeks"].to_numpy(object), *(sites[f"capacity_week_{w}"] for w in (1, 2)))
    assert out["student"].nunique() == max_flow(net)


@settings(max_examples=120, **SETTINGS)
@given(tight())
def test_recosting_never_costs_more_nor_places_fewer(case):
    students, sites, pairs = case
    groups = np.full(len(students), -1)
    now = augment_in_pools(_start(students, sites, pairs), pairs, students, sites, groups)
    costs = pair_costs(pairs, ORDER, len(students), 2 + 3 * len(sites) + 2 * len(students))
    out = recost_in_pools(now, np.ones(len(students), bool), pairs, students, sites, groups, costs)
    assert_keeps_the_rules(out, pairs, students, sites)
    assert out["student"].nunique() >= now["student"].nunique()
    cost = pd.Series(costs, index=pd.MultiIndex.from_frame(pairs[["student", "site"]]))
    assert (
        cost.loc[list(zip(out["student"], out["site"]))].sum() <= cost.loc[list(zip(now["student"], now["site"]))].sum()
    )
