"""The exact MIP on the free places' neighbourhood (``matcher.solve.closing``): a named case with its hand-computed
optimum, and a cross-check with the whole-problem MIP (``matcher.solve.mip``) on random instances: from nobody
placed, every student is in the neighbourhood, so the components solved one by one must place exactly as many as
the MIP on everything. Every result keeps the full-time rules, the weeks, the capacities and the pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings

from matcher.candidates.search import candidates
from matcher.solve.closing import Closing, close_gap, neighbourhood
from matcher.solve.mip import solve_mip
from matcher.solve.repair import violations

from strategies import SETTINGS, instances, tables

ORDER = ("placed", "priority", "preference", "distance")


def _assert_keeps_the_rules(rows: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame):
    assert set(zip(rows["student"], rows["site"])) <= set(zip(pairs["student"], pairs["site"]))
    assert not rows.duplicated(["student", "week"]).any()
    for w in (1, 2):
        used = np.bincount(rows.loc[rows["week"] == w, "site"], minlength=len(sites))
        assert (used <= sites[f"capacity_week_{w}"].to_numpy()).all()
    weeks = rows.groupby("student")["week"].agg(lambda x: tuple(sorted(x)))
    wanted = students["weeks"].to_numpy(object)[weeks.index.to_numpy()]
    expect = {"both": (1, 2), "week_1": (1,), "week_2": (2,)}
    assert [expect[w] for w in wanted] == list(weeks)
    assert violations(rows, students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool)).empty


def test_a_student_who_may_split_moves_to_free_a_full_time_place():
    # Site X (0) has one place each week, Y (1) one in week 1 only, Z (2) one in week 2 only. Student p (0) may
    # split and has pairs at X, Y and Z; q (1) may not split and has pairs at X and Y (Y is no use to her: it has
    # no week-2 place). The repair left p full time at X and q unplaced. The free places are Y's week 1 and Z's
    # week 2: both students have a pair there, so both are in the neighbourhood, with X (held by p). The relaxed
    # flow places both (p at Y then Z, q at X); so does the MIP: 2 placed, p split, q full time at X.
    students = pd.DataFrame({"weeks": ["both", "both"], "split_ok": [True, False], "priority": [False, True]})
    sites = pd.DataFrame(
        {"capacity_week_1": [1, 1, 0], "capacity_week_2": [1, 0, 1], "full_time_only": [False, False, False]}
    )
    pairs = pd.DataFrame(
        {"student": [0, 0, 0, 1, 1], "site": [0, 1, 2, 0, 1], "km": [1.0, 2.0, 2.0, 1.0, 1.0], "rank": [1] * 5}
    )
    before = pd.DataFrame({"student": [0, 0], "site": [0, 0], "week": np.array([1, 2], np.int8)})
    who, hot = neighbourhood(before, pairs, sites, np.zeros(2, bool))
    assert list(who) == [0, 1] and list(hot) == [True, True, True]
    after = close_gap(before, pairs, students, sites, np.zeros(2, bool), ORDER)
    assert sorted(zip(after["student"], after["site"], after["week"])) == [(0, 1, 1), (0, 2, 2), (1, 0, 1), (1, 0, 2)]
    _assert_keeps_the_rules(after, pairs, students, sites)


def test_nothing_to_gain_leaves_the_allocation_as_it_is():
    # The same sites, but q has a pair at X only: she is not next to a free place, and p alone in the
    # neighbourhood gains nothing (the relaxed flow on it places p and nobody else): the allocation is returned.
    students = pd.DataFrame({"weeks": ["both", "both"], "split_ok": [True, False], "priority": [False, True]})
    sites = pd.DataFrame(
        {"capacity_week_1": [1, 1, 0], "capacity_week_2": [1, 0, 1], "full_time_only": [False, False, False]}
    )
    pairs = pd.DataFrame({"student": [0, 0, 0, 1], "site": [0, 1, 2, 0], "km": [1.0, 2.0, 2.0, 1.0], "rank": [1] * 4})
    before = pd.DataFrame({"student": [0, 0], "site": [0, 0], "week": np.array([1, 2], np.int8)})
    assert close_gap(before, pairs, students, sites, np.zeros(2, bool), ORDER) is before


def test_a_student_in_a_group_stays_where_he_is():
    # The first case with q in a group: she is never moved nor placed here (groups are placed whole elsewhere).
    students = pd.DataFrame({"weeks": ["both", "both"], "split_ok": [True, False], "priority": [False, True]})
    sites = pd.DataFrame(
        {"capacity_week_1": [1, 1, 0], "capacity_week_2": [1, 0, 1], "full_time_only": [False, False, False]}
    )
    pairs = pd.DataFrame(
        {"student": [0, 0, 0, 1, 1], "site": [0, 1, 2, 0, 1], "km": [1.0, 2.0, 2.0, 1.0, 1.0], "rank": [1] * 5}
    )
    before = pd.DataFrame({"student": [0, 0], "site": [0, 0], "week": np.array([1, 2], np.int8)})
    assert close_gap(before, pairs, students, sites, np.array([False, True]), ORDER) is before


@settings(max_examples=40, **SETTINGS)
@given(instances())
def test_from_nobody_placed_the_components_place_what_the_whole_mip_places(instance):
    students, sites, config = tables(instance)
    pairs = candidates(students, sites, config).pairs
    empty = pd.DataFrame(
        {"student": np.zeros(0, np.int64), "site": np.zeros(0, np.int64), "week": np.zeros(0, np.int8)}
    )
    everyone = Closing(max_students=len(students) + 1)
    out = close_gap(empty, pairs, students, sites, np.zeros(len(students), bool), ORDER, everyone)
    _assert_keeps_the_rules(out, pairs, students, sites)
    whole = solve_mip(pairs, students, sites, ("placed", "priority"))
    assert whole.proven
    prio = students["priority"].to_numpy(bool)[out["student"].unique()].sum()
    assert (out["student"].nunique(), prio) == (whole.values.get("placed", 0), whole.values.get("priority", 0))
