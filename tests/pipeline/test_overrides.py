"""Overrides (pin, forbid): named cases on the real solver, problems for the invalid ones, the CLI's --overrides."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import Config, InputError, allocate, embedded_scenario, load_inputs
from matcher.cli import main
from matcher.load.overrides import overrides_table, read_overrides
from matcher.pipeline.overrides import Plan, allocate_overridden

from cases import N1, N10, O, placements, site, student
from conftest import gc_km, write_csv

# a at O, b at N1 (1.1 km north); S1 at O and S2 at N10 (11.1 km north of O, 10.0 km from b), one place each.
# Free optimum: a → S1 (0 km), b → S2 (10.0 km); the swap would cost 12.2 km per week.
STUDENTS = [student("a", O, max_km=30), student("b", N1, max_km=30)]
SITES = [site("S1", O), site("S2", N10)]


def _run(tmp_path, rows, students=STUDENTS):
    config = Config()
    st, si = load_inputs(write_csv(tmp_path / "s.csv", students), write_csv(tmp_path / "t.csv", SITES), config)
    path = write_csv(tmp_path / "overrides.csv", [dict(zip(("student_id", "site_id", "action"), r)) for r in rows])
    plan = Plan.of(read_overrides(path, st, si), st, si, path.name)
    return allocate_overridden(st, si, config, plan)


def _swap_cost_m() -> float:
    """Metres over student-weeks that the swap a → S2, b → S1 costs against a → S1, b → S2 (two weeks each)."""
    return 2 * 1000 * (gc_km(O, N10) + gc_km(N1, O) - gc_km(N1, N10))


@pytest.mark.parametrize("rows", [[("b", "S1", "pin")], [("a", "S1", "forbid")]], ids=["pin", "forbid"])
def test_override_moves_the_students_and_counts_its_cost(tmp_path, rows):
    result = _run(tmp_path, rows)
    assert placements(result) == {"a": [("S2", "both")], "b": [("S1", "both")]}
    section = result.summary["overrides"]
    assert (section["pinned"], section["forbidden"]) == (rows[0][2] == "pin", rows[0][2] == "forbid")
    cost = {c["level"]: c["cost"] for c in section["cost"]}
    assert cost["placed"] == 0
    assert cost["distance"] == pytest.approx(_swap_cost_m(), abs=4)  # 4 pairs rounded to the metre


def test_pin_beyond_the_distance_limit_is_a_problem(tmp_path):
    near = [student("a", O, max_km=30), student("b", N1, max_km=5)]  # S2 is 10.0 km from b
    with pytest.raises(InputError) as caught:
        _run(tmp_path, [("a", "S1", "pin"), ("b", "S2", "pin")], students=near)
    [problem] = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("overrides.csv", 3, "site_id")
    assert "not eligible" in problem.message


def test_bad_rows_are_all_reported(tmp_path):
    # S1 has 2 places over the two weeks (1 a week): three students pinned there cannot all have a week
    rows = [("a", "S1", "pin"), ("b", "S1", "pin"), ("c", "S1", "pin"), ("zz", "S2", "forbid"), ("a", "S2", "keep")]
    with pytest.raises(InputError) as caught:
        _run(tmp_path, rows, students=[*STUDENTS, student("c", N1, max_km=30)])
    found = {(p.row, p.column, p.message) for p in caught.value.problems}
    assert found == {
        (2, "site_id", "more students pinned to this site than its places"),
        (3, "site_id", "more students pinned to this site than its places"),
        (4, "site_id", "more students pinned to this site than its places"),
        (5, "student_id", "unknown student"),
        (6, "action", "unknown action"),
    }


def test_pins_share_a_site_by_week_or_one_cannot_be_kept(tmp_path):
    # S1 takes one student a week. c needs week 1 only and d week 2 only: both pins kept.
    weekly = [student("c", O, max_km=30, weeks="week_1"), student("d", N1, max_km=30, weeks="week_2")]
    result = _run(tmp_path, [("c", "S1", "pin"), ("d", "S1", "pin")], students=weekly)
    assert placements(result) == {"c": [("S1", "week_1")], "d": [("S1", "week_2")]}
    # a and b need both weeks and may not split: one place for two full-time pins. The optimum keeps a (0 km from
    # S1, against 1.1 km for b); solved again with S1 kept for its pinned students, b still has no place.
    (tmp_path / "full").mkdir()
    with pytest.raises(InputError) as caught:
        _run(tmp_path / "full", [("a", "S1", "pin"), ("b", "S1", "pin")])
    [problem] = caught.value.problems
    assert problem.row == 3
    assert problem.message == "pin cannot be kept: the other pins and the sites' weeks leave no place for it"


def test_cli_overrides_on_the_demo(tmp_path):
    students, sites = (str(p) for p in embedded_scenario())
    # E0000001 is not placed in the free optimum (its sites' places go to others); S000301 is in its range.
    # E0000002's only eligible site is S000822: forbidding the pair leaves it unplaced.
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("student_id,site_id,action\nE0000001,S000301,pin\nE0000002,S000822,forbid\n")
    args = ["allocate", "--students", students, "--sites", sites, "--overrides", str(overrides)]
    done = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert done.exit_code == 0, done.output
    assigned = pd.read_csv(tmp_path / "out" / "assignments.csv", dtype=str)
    assert assigned.loc[assigned["student_id"] == "E0000001", "site_id"].tolist() == ["S000301"]
    assert "E0000002" not in set(assigned["student_id"])
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["overrides"]["pinned"], summary["overrides"]["forbidden"]) == (1, 1)
    assert summary["inputs"]["overrides"]["file"] == "overrides.csv"
    overrides.write_text("student_id,site_id,action\nE0000001,S000822,pin\n")  # 100+ km from E0000001's lycée
    refused = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out2")])
    assert refused.exit_code == 2
    assert "overrides.csv, row 2, column site_id: pin not allowed" in refused.output
    assert not (tmp_path / "out2").exists()


def test_locking_every_placement_of_the_demo_keeps_them_all(tmp_path):
    # every row of the free optimum pinned (split students to both hosts): the same placements, no level worse
    config = Config()
    students, sites = load_inputs(*embedded_scenario(), config)
    free = allocate(students, sites, config.with_options(candidate_k=0))
    pins = free.assignments[["student_id", "site_id"]].assign(action="pin", row=range(2, len(free.assignments) + 2))
    plan = Plan.of(overrides_table(pins, students, sites, "lock.csv"), students, sites, "lock.csv")
    locked = allocate_overridden(students, sites, config, plan)
    pd.testing.assert_frame_equal(locked.assignments, free.assignments)
    assert locked.summary["overrides"]["pinned"] == len(free.assignments)
    assert {c["level"]: c["cost"] for c in locked.summary["overrides"]["cost"]} == {
        "placed": 0,
        "priority": 0,
        "preference": 0,
        "distance": 0,
        "splits": 0,
    }
