"""Bounds on the cost levels over every allocation placing at least n students (``matcher.solve.bounds``).

A named case computed by hand, the engine's summary when a group leaves ``placed`` short of its bound, and a
property against an independent formulation: scipy's HiGHS linear programme of the relaxation (students choose a
site per week, capacities per site and week, at least n placed), which the min-cost flow must match and the cheap
bound may not exceed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from matcher.solve.bounds import bound_placing, cheapest_sum, relaxed_cost
from matcher.solve.floorlevel import FloorBound, floor_level

from cases import N1, N3, O, site, student
from conftest import levels, metres, run_files


def tables(weeks: list[str], caps: list[tuple[int, int]], pairs: list[tuple[int, int, int, float]]):
    students = pd.DataFrame({"weeks": weeks})
    sites = pd.DataFrame({"capacity_week_1": [c[0] for c in caps], "capacity_week_2": [c[1] for c in caps]})
    rows = pd.DataFrame(pairs, columns=["student", "site", "rank", "km"])
    return students, sites, rows.sort_values(["student", "site"], kind="stable").reset_index(drop=True)


def test_cheapest_sum_and_the_relaxation_by_hand():
    # s0 (both weeks): A at 2 km has no week-2 place, so week 1 costs 2 km at A and week 2 5 km at B: 7.
    # s1 (week 1 only): A at 1 km: 1. s2 (both): B at 4 km both weeks: 8.
    # Places ignored, n=1: 1; n=2: 1 + 7 = 8; n=3: 16. Ranks: s0 1 + 3, s1 2, s2 2 + 2 -> n=2: 2 + 4 = 6.
    # With places (A: 1 in week 1; B: 1 each week) two students are s1 and s2 (1 + 8 = 9 km; s0 and s1 would need
    # A twice, or B in week 1 for s0: 1 + 10 = 11), ranks 2 + 4 = 6; three cannot be placed (one week-2 place).
    students, sites, pairs = tables(
        ["both", "week_1", "both"], [(1, 0), (1, 1)], [(0, 0, 1, 2.0), (0, 1, 3, 5.0), (1, 0, 2, 1.0), (2, 1, 2, 4.0)]
    )
    km = pairs["km"].to_numpy()
    assert [cheapest_sum(pairs, students, sites, km, n) for n in (1, 2, 3)] == [1, 8, 16]
    assert [relaxed_cost("distance", pairs, students, sites, n) for n in (1, 2, 3)] == [1000, 9000, None]
    assert relaxed_cost("preference", pairs, students, sites, 2) == 6
    assert bound_placing("distance", pairs, students, sites, 2) == 9000.0  # small: the relaxation's own
    assert bound_placing("gender", pairs, students, sites, 2) == 0.0


def test_a_group_left_out_still_leaves_bounds_on_the_cost_levels(tmp_path):
    # Groups G and H (two members each, at N1, trade electricite) reach only A (at O, 3 places, groups of 2): one
    # group is placed, the other has no room. s (at O, numerique) reaches only B (at N3, 1 place). Placed 3
    # against the relaxation's 4 (members apart), so the flow's cost bounds do not hold; three students placed
    # cost at least the three cheapest students' two weeks: three members at A, 6 x |O N1|. Preference: rank 1
    # per student-week, 6 = 6.
    grp = [student(f"{g}{i}", N1, group_id=g, sectors="electricite") for g in "GH" for i in (1, 2)]
    sites = [site("A", O, 3, sectors="electricite", max_group_size=2), site("B", N3, 1, sectors="numerique")]
    _, _, r = run_files(tmp_path, grp + [student("s", O, sectors="numerique")], sites)
    lv = levels(r)
    assert (lv["placed"]["value"], lv["placed"]["bound"]) == (3, 4)
    assert (lv["preference"]["value"], lv["preference"]["bound"], lv["preference"]["gap"]) == (6, 6, 0)
    value, bound = 4 * metres(O, N1) + 2 * metres(O, N3), 6 * metres(O, N1)
    assert (lv["distance"]["value"], lv["distance"]["bound"]) == (value, bound)
    assert abs(lv["distance"]["gap"] - (value - bound) / value) < 1e-6  # over the larger of the two


def _lp_minimum(students, sites, pairs, cost, n) -> float | None:
    """Least ``cost`` of the relaxation placing at least ``n`` students (None when it cannot): x[pair, week] and
    y[student] in [0, 1], each needed week's x summing to y, places per site and week, sum of y at least n."""
    n_pairs, n_st, n_si = len(pairs), len(students), len(sites)
    s, j = pairs["student"].to_numpy(), pairs["site"].to_numpy()
    kind = students["weeks"].to_numpy(object)
    rows, cols, vals, b_eq, up_rows, up_cols, b_ub = [], [], [], [], [], [], []
    for w, column in ((0, "capacity_week_1"), (1, "capacity_week_2")):
        x = w * n_pairs + np.arange(n_pairs)
        for i in range(n_st):
            if kind[i] == ("week_2" if w == 0 else "week_1"):
                continue
            mine = x[s == i]
            rows += [len(b_eq)] * (len(mine) + 1)
            cols += list(mine) + [2 * n_pairs + i]
            vals += [1.0] * len(mine) + [-1.0]
            b_eq.append(0.0)
        for k in range(n_si):
            up_rows += [len(b_ub)] * int((j == k).sum())
            up_cols += list(x[j == k])
            b_ub.append(float(sites[column].iat[k]))
    up_rows += [len(b_ub)] * n_st
    up_cols += list(2 * n_pairs + np.arange(n_st))
    n_var = 2 * n_pairs + n_st
    a_ub = coo_matrix(([1.0] * (len(up_rows) - n_st) + [-1.0] * n_st, (up_rows, up_cols)), (len(b_ub) + 1, n_var))
    a_eq = coo_matrix((vals, (rows, cols)), (len(b_eq), n_var))
    c = np.concatenate([cost, cost, np.zeros(n_st)])
    res = linprog(c, A_ub=a_ub, b_ub=b_ub + [-float(n)], A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    return res.fun if res.status == 0 else None


@st.composite
def instances(draw):
    n_st, n_si = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    weeks = draw(st.lists(st.sampled_from(["both", "week_1", "week_2"]), min_size=n_st, max_size=n_st))
    caps = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)), min_size=n_si, max_size=n_si))
    links = draw(
        st.lists(st.tuples(st.integers(0, n_st - 1), st.integers(0, n_si - 1)), max_size=n_st * n_si, unique=True)
    )
    pairs = [(i, k, draw(st.integers(1, 4)), draw(st.integers(0, 30)) / 2) for i, k in links]
    return tables(weeks, caps, pairs)


@settings(max_examples=150, deadline=None)
@given(instances(), st.integers(1, 6))
def test_no_allocation_placing_n_students_costs_less(instance, n):
    """The min-cost flow (OR-Tools) and the linear programme (HiGHS) of the relaxation agree; the cheap bound never
    exceeds them, and equals them when no site's places limit anyone (every site-week holds every student)."""
    students, sites, pairs = instance
    ample = sites.assign(
        capacity_week_1=np.where(sites["capacity_week_1"] > 0, len(students), 0),
        capacity_week_2=np.where(sites["capacity_week_2"] > 0, len(students), 0),
    )
    for level in ("preference", "distance"):
        cost = pairs["rank"].to_numpy(float) if level == "preference" else np.rint(pairs["km"].to_numpy() * 1000)
        best = _lp_minimum(students, sites, pairs, cost, n)
        flow = relaxed_cost(level, pairs, students, sites, n)
        assert (flow is None) == (best is None)
        if best is None:
            continue  # fewer than n students can be placed at all: no allocation to bound
        assert abs(flow - best) < 1e-6
        assert bound_placing(level, pairs, students, sites, n) == flow
        assert cheapest_sum(pairs, students, sites, cost, n) <= best + 1e-6
        assert abs(cheapest_sum(pairs, students, ample, cost, n) - _lp_minimum(students, ample, pairs, cost, n)) < 1e-6


def test_the_gender_bound_by_hand():
    # Five boys and one girl reach only S (5 places a week; at least 40 % girls at sites of 5 or more: 3 free boys'
    # places a week). Placing 5: the girl and 4 boys, one boy over the free places each week: 2 boy-weeks;
    # placing 6 cannot be done; placing 4: none over.
    students, sites, pairs = tables(["both"] * 6, [(5, 5)], [(i, 0, 1, 1.0) for i in range(6)])
    students = students.assign(gender=["M"] * 5 + ["F"])
    assert [relaxed_cost("gender", pairs, students, sites, n, (0.4, 5)) for n in (4, 5, 6)] == [0, 2, None]
    assert bound_placing("gender", pairs, students, sites, 5, (0.4, 5)) == 2.0
    assert bound_placing("gender", pairs, students, sites, 5) == 0.0  # no target: nothing to count


@settings(max_examples=150, deadline=None)
@given(instances(), st.lists(st.integers(0, 3), min_size=2, max_size=2), st.data())
def test_the_quick_floors_bound_is_never_below_the_exact_one(instance, floors, data):
    """Each académie's floor or its students with a candidate pair, the smaller, summed: never below the maximum
    flows' bound; ``given`` answers the exact bound for any value an allocation can reach."""
    students, sites, pairs = instance
    students = students.assign(
        academie=data.draw(st.lists(st.sampled_from(["A", "B"]), min_size=len(students), max_size=len(students)))
    )
    level = floor_level(students, pd.Series(floors, index=["A", "B"]))
    exact = level.bound(pairs, students, sites)
    bound = FloorBound(level, pairs, students, sites)
    assert bound.quick >= exact
    for reached in range(exact + 1):
        assert bound.given(reached) == exact
