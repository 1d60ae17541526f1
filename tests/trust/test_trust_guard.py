"""Class 1, the output guard: no command writes over one of its inputs (through links and ``..`` alike), and an
``--out`` that cannot be written is refused before anything is loaded (exit 2, nothing written)."""

from __future__ import annotations

import os
import shutil

import pytest
from hostile import GOOD_SITES, GOOD_STUDENTS, invoke, snapshot, tree

KEY = "a-long-secret-key-kept-by-the-officer"


@pytest.fixture
def inputs(tmp_path):
    students, sites = tmp_path / "students.csv", tmp_path / "sites.csv"
    shutil.copy(GOOD_STUDENTS, students)
    shutil.copy(GOOD_SITES, sites)
    return students, sites


def test_an_input_named_like_an_output_inside_out_is_refused(tmp_path, inputs):
    students, sites = inputs
    out = tmp_path / "out"
    out.mkdir()
    kept = out / "assignments.csv"  # the officer keeps the platform's file of that name in the folder
    shutil.copy(students, kept)
    before = snapshot([kept, sites])
    result = invoke("allocate", "--students", kept, "--sites", sites, "--out", out)
    assert result.exit_code == 2, result.output
    assert "would write assignments.csv over its input" in result.output
    assert snapshot(before) == before and tree(out) == ["assignments.csv"]


def test_a_link_to_an_input_inside_out_is_refused(tmp_path, inputs):
    students, sites = inputs
    out = tmp_path / "out"
    out.mkdir()
    (out / "unassigned.csv").symlink_to(students)
    result = invoke("allocate", "--students", out / "unassigned.csv", "--sites", sites, "--out", out)
    assert result.exit_code == 2 and "over its input" in result.output, result.output
    assert students.read_bytes() == GOOD_STUDENTS.read_bytes()


def test_pseudonymize_out_through_dotdot_is_the_input(tmp_path, inputs, monkeypatch):
    students, _ = inputs
    monkeypatch.setenv("MATCHER_PSEUDONYM_KEY", KEY)
    (tmp_path / "sub").mkdir()
    result = invoke("pseudonymize", "--students", students, "--out", tmp_path / "sub" / ".." / "students.csv")
    assert result.exit_code == 2 and "over its input" in result.output, result.output
    assert students.read_bytes() == GOOD_STUDENTS.read_bytes()


@pytest.mark.parametrize("how", ["same", "symlink", "hardlink"])
def test_reidentify_out_onto_the_real_students_file_is_refused(tmp_path, inputs, monkeypatch, how):
    students, sites = inputs
    monkeypatch.setenv("MATCHER_PSEUDONYM_KEY", KEY)
    table = tmp_path / "assignments.csv"
    table.write_text("student_id,site_id\nPABC,S1\n", encoding="utf-8")
    target = {"same": students, "symlink": tmp_path / "named.csv", "hardlink": tmp_path / "named.csv"}[how]
    if how == "symlink":
        target.symlink_to(students)
    elif how == "hardlink":
        os.link(students, target)
    result = invoke("reidentify", "--table", table, "--students", students, "--out", target)
    assert result.exit_code == 2 and "over its input" in result.output, result.output
    assert students.read_bytes() == GOOD_STUDENTS.read_bytes()


def test_reallocate_into_the_previous_folder_is_refused(tmp_path, inputs):
    students, sites = inputs
    previous = tmp_path / "previous"
    assert invoke("allocate", "--students", students, "--sites", sites, "--out", previous).exit_code == 0
    before = snapshot(previous.iterdir())
    result = invoke("reallocate", "--previous", previous, "--students", students, "--sites", sites, "--out", previous)
    assert result.exit_code == 2 and "over its input" in result.output, result.output
    assert snapshot(before) == before


def test_report_over_its_own_input_is_refused(tmp_path, inputs):
    students, sites = inputs
    run = tmp_path / "run"
    assert invoke("allocate", "--students", students, "--sites", sites, "--out", run).exit_code == 0
    shutil.copy(students, run / "committee.csv")  # an input that a report would replace
    result = invoke("report", run, "--students", run / "committee.csv", "--sites", sites)
    assert result.exit_code == 2 and "committee.csv over its input" in result.output, result.output


@pytest.mark.parametrize("command", ["allocate", "sweep", "coverage", "generate"])
def test_an_out_that_cannot_be_written_is_refused_before_loading(tmp_path, command):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    bad_students = tmp_path / "students.csv"
    bad_students.write_bytes(b"\x00\x01garbage")  # would be a problem of its own if it were read first
    out = blocker / "out"
    args = {
        "allocate": ["allocate", "--students", bad_students, "--sites", GOOD_SITES],
        "sweep": ["sweep", "--students", bad_students, "--sites", GOOD_SITES, "--grid", bad_students],
        "coverage": ["coverage", "--sites", bad_students],
        "generate": ["generate", "--students", "3", "--sites", "2"],
    }[command]
    result = invoke(*args, "--out", out)
    assert result.exit_code == 2, result.output
    assert "1 problem(s)" in result.output and "not a folder" in result.output, result.output


def test_an_out_name_too_long_is_refused_before_loading(tmp_path):
    result = invoke("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES, "--out", tmp_path / ("x" * 250))
    assert result.exit_code == 2 and "too long" in result.output, result.output
    assert tree(tmp_path) == []


def test_a_plain_run_into_a_new_folder_still_works(tmp_path, inputs):
    students, sites = inputs
    result = invoke("allocate", "--students", students, "--sites", sites, "--out", tmp_path / "a" / "b")
    assert result.exit_code == 0, result.output
    assert {"assignments.csv", "summary.json"} <= set(tree(tmp_path / "a" / "b"))
