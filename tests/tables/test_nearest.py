"""For a student not placed, the nearest offers and why each is out: a hand-checked case around Lyon, where each
site breaks one rule (distances from tests/cases.py's table), week-1 students at sites with no place in week 1 that
may break a second rule (each rule broken is named), and a student with no site in range."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings

from matcher.candidates import candidates
from matcher.config import Config
from matcher.load import load_inputs
from matcher.load.instance import build_instance
from matcher.tables.nearest import WHY, nearest_offers

from cases import E1, E2, N1, N3, N5, N10, N45, SAINT_JUST, O, site, student
from conftest import run_files, write_csv
from strategies import SETTINGS, instances, tables

N4 = (45.79, 4.85)  # 4.448 km north of O
TRADE = ("genie_climatique",)


STUDENTS = [
    student("X", O, sectors=TRADE, max_km=10, needs_accessible=True, split_ok=False, lycee_uai=SAINT_JUST),
    student("FAR", N45, sectors=TRADE, max_km=2),
]
SITES = [
    site("FULL", N1, sectors=TRADE, accessible=True),  # its one place taken by another student
    site("STEP", E1, sectors=TRADE),  # not accessible
    site("ELEC", E2, sectors=("electricite",), accessible=True),
    site("PRIO", N3, sectors=TRADE, accessible=True, reserved_priority=True),
    site("OPEN", N4, capacity=2, sectors=TRADE, accessible=True),  # one of its two places taken
    site("W1", N5, None, capacity_week_1=1, capacity_week_2=0, sectors=TRADE, accessible=True),
    site("DIST", N10, sectors=TRADE, accessible=True),
]


@pytest.fixture
def instance(tmp_path):
    st, si = load_inputs(write_csv(tmp_path / "e.csv", STUDENTS), write_csv(tmp_path / "s.csv", SITES), Config())
    return build_instance(st, si, Config())


PLACED = pd.DataFrame({"student_id": ["Y", "Z"], "site_id": ["FULL", "OPEN"], "weeks": ["both", "both"]})


def test_each_nearest_offer_with_the_rule_that_keeps_the_student_out(instance):
    table = nearest_offers(instance, PLACED, "X", n=10)
    assert list(table["site_id"]) == ["STEP", "FULL", "ELEC", "PRIO", "OPEN", "W1", "DIST"]
    assert list(table["km"]) == [0.776, 1.112, 1.552, 3.336, 4.448, 5.56, 11.12]
    assert list(table["why"]) == [
        ("NOT_ACCESSIBLE",),
        ("FULL",),
        ("WRONG_TRADE",),
        ("RESERVED",),
        ("OPEN",),
        ("WRONG_WEEK",),
        ("TOO_FAR",),
    ]
    assert list(table["left_week_1"]) == [1, 0, 1, 1, 1, 1, 1]
    assert list(table["left_week_2"]) == [1, 0, 1, 1, 1, 0, 1]
    assert set(WHY) >= {code for codes in table["why"] for code in codes}


def test_only_the_nearest_and_every_rule_broken(instance):
    table = nearest_offers(instance, PLACED.iloc[:0], "FAR", n=3)  # 50 km away, 2 km at most
    assert list(table["site_id"]) == ["DIST", "W1", "OPEN"]
    assert all(codes[0] == "TOO_FAR" for codes in table["why"])
    assert table["why"].iloc[0] == ("TOO_FAR",)


def test_a_pair_forbidden_by_an_override_says_so(instance):
    table = nearest_offers(instance, PLACED, "X", n=2, forbidden={"FULL", "ELSEWHERE"})
    assert list(table["why"]) == [("NOT_ACCESSIBLE",), ("FORBIDDEN", "FULL")]


def test_an_unknown_student_is_a_key_error(instance):
    with pytest.raises(KeyError):
        nearest_offers(instance, PLACED, "NOBODY")


#: Two week-1 students: W not priority, from Saint-Just; A priority, needing an accessible site.
ONE_WEEK_STUDENTS = [
    student("W", O, sectors=TRADE, weeks="week_1", lycee_uai=SAINT_JUST),
    student("A", O, sectors=TRADE, weeks="week_1", needs_accessible=True, priority=True),
]
#: By distance from O: three sites with no place in week 1 (PRIO reserved to priority students, STEP not accessible,
#: LISTED reserved to priority students or Saint-Just's, which takes both students), then W1, open to both.
ONE_WEEK_SITES = [
    site(
        "PRIO", E1, None, capacity_week_1=0, capacity_week_2=1, sectors=TRADE, accessible=True, reserved_priority=True
    ),
    site("STEP", E2, None, capacity_week_1=0, capacity_week_2=1, sectors=TRADE),  # not accessible
    site(
        "LISTED",
        N3,
        None,
        capacity_week_1=0,
        capacity_week_2=1,
        sectors=TRADE,
        accessible=True,
        reserved_priority=True,
        reserved_lycees=(SAINT_JUST,),
    ),
    site("W1", N5, None, capacity_week_1=1, capacity_week_2=0, sectors=TRADE, accessible=True),
]


@pytest.fixture
def week_1(tmp_path):
    st, si = load_inputs(
        write_csv(tmp_path / "e.csv", ONE_WEEK_STUDENTS), write_csv(tmp_path / "s.csv", ONE_WEEK_SITES), Config()
    )
    return build_instance(st, si, Config())


def test_a_site_reserved_to_others_with_no_place_in_the_students_week_shows_both(week_1):
    # PRIO is reserved to priority students (W is not one) and has no place in week 1, W's only week: both rules.
    # LISTED's reservation takes W (Saint-Just is listed): only its week is wrong.
    table = nearest_offers(week_1, PLACED.iloc[:0], "W", n=4)
    assert list(table["site_id"]) == ["PRIO", "STEP", "LISTED", "W1"]
    assert list(table["why"]) == [("RESERVED", "WRONG_WEEK"), ("WRONG_WEEK",), ("WRONG_WEEK",), ("OPEN",)]


def test_a_site_not_accessible_with_no_place_in_the_students_week_shows_both(week_1):
    # A needs an accessible site and comes in week 1 only; STEP is not accessible and has no place in week 1: both
    # rules. A is priority: the reservations of PRIO and LISTED take A, only their week is wrong.
    table = nearest_offers(week_1, PLACED.iloc[:0], "A", n=4)
    assert list(table["why"]) == [("WRONG_WEEK",), ("NOT_ACCESSIBLE", "WRONG_WEEK"), ("WRONG_WEEK",), ("OPEN",)]


def test_the_reasons_of_a_real_run_agree(tmp_path):
    students, sites, result = run_files(tmp_path, STUDENTS, SITES)  # the real solver, checked
    reason = dict(zip(result.unassigned["student_id"], result.unassigned["reason_code"]))
    assert reason == {"FAR": "NO_SITE_IN_RANGE"}
    table = nearest_offers(build_instance(students, sites, Config()), result.assignments, "FAR", n=len(SITES))
    assert len(table) == len(SITES) and all("TOO_FAR" in codes for codes in table["why"])
    placed_at = result.assignments.set_index("student_id")["site_id"]["X"]
    assert placed_at in {"FULL", "OPEN"}  # the two accessible sites of its trade in range, for the whole fortnight


@settings(max_examples=60, **SETTINGS)
@given(instances())
def test_the_offers_left_open_are_the_candidate_stage_pairs(drawn):
    """Cross-check: with no placement yet, the offers nearest_offers leaves open to a student are exactly the
    sites the candidate stage pairs them with (all in range, k = 0)."""
    students, sites, config = tables(drawn)
    instance = build_instance(students, sites, config)
    pairs = candidates(students, sites, config, k=0).pairs
    nobody = pd.DataFrame({"student_id": [], "site_id": [], "weeks": []}, dtype=str)
    for s, student_id in enumerate(students["student_id"]):
        table = nearest_offers(instance, nobody, student_id, n=len(sites))
        open_sites = set(table.loc[table["why"].map(lambda codes: codes == ("OPEN",)), "site_id"])
        paired = set(sites["site_id"].to_numpy()[pairs.loc[pairs["student"] == s, "site"].to_numpy()])
        assert open_sites == paired, (student_id, table)
