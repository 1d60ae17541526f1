"""The instance built once after loading: ids and positions both ways, distance limits, groups, period, floors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.config import Config
from matcher.errors import InputError
from matcher.load import load_inputs
from matcher.load.instance import build_instance

from cases import N1, N3, O, site, student
from conftest import write_csv


@pytest.fixture
def tables(tmp_path):
    s = write_csv(
        tmp_path / "students.csv",
        [student("a", N1, max_km=2, group_id="G"), student("b", N3, group_id="G"), student("c", O)],
    )
    t = write_csv(tmp_path / "sites.csv", [site("S1", O), site("S2", N1, capacity=2)])
    return load_inputs(s, t, Config())


def test_positions_and_ids_go_both_ways(tables):
    students, sites = tables
    instance = build_instance(students, sites, Config())
    assert list(instance.student_positions(pd.Series(["c", "a", "zz"]))) == [2, 0, -1]
    assert list(instance.site_positions(pd.Series(["S2", "S1"]))) == [1, 0]
    assert list(instance.student_ids[[2, 0]]) == ["c", "a"] and list(instance.site_ids[[1]]) == ["S2"]


def test_distance_limits_groups_period_and_floors_are_resolved_once(tables):
    students, sites = tables
    instance = build_instance(students, sites, Config(default_max_km=25.0, year=2026))
    assert list(instance.max_km) == [2.0, 25.0, 25.0]  # a's own limit, the default for the others
    assert not instance.max_km.flags.writeable
    assert list(instance.groups.code) == [0, 0, -1] and list(instance.groups.size) == [2]
    assert (instance.period.week_1_start, instance.period.week_2_end) == (date(2026, 6, 15), date(2026, 6, 26))
    assert instance.floors.empty
    proportional = build_instance(students, sites, Config(academie_floors="proportional", coverage_target=1000))
    assert int(proportional.floors.sum()) == 1000 and (proportional.floors >= 0).all()


def test_a_bad_floors_file_is_an_input_problem_when_the_instance_is_built(tables, tmp_path):
    students, sites = tables
    bad = tmp_path / "floors.csv"
    bad.write_text("academie,floor\nLyon,2.5\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        build_instance(students, sites, Config(academie_floors=str(bad)))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "floor")]


def test_validate_reports_a_bad_floors_file_before_any_allocation(tmp_path):
    s = write_csv(tmp_path / "students.csv", [student("x", N1)])
    t = write_csv(tmp_path / "sites.csv", [site("S", O)])
    bad = tmp_path / "floors.csv"
    bad.write_text("academie,floor\nAtlantis,3\n", encoding="utf-8")
    policy = tmp_path / "policy.toml"
    policy.write_text(f'academie_floors = "{bad}"\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", "--students", str(s), "--sites", str(t), "--config", str(policy)])
    assert res.exit_code == 2, res.output
    assert "floors.csv, row 2, column academie: unknown académie (value 'Atlantis')" in res.output


def test_the_instance_never_changes_the_tables_it_was_built_from(tables):
    students, sites = tables
    before = (students.copy(deep=True), sites.copy(deep=True))
    instance = build_instance(students, sites, Config())
    assert instance.students is students and instance.sites is sites
    pd.testing.assert_frame_equal(students, before[0])
    pd.testing.assert_frame_equal(sites, before[1])
    assert np.array_equal(instance.student_positions(students["student_id"]), np.arange(len(students)))
