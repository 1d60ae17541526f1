"""The command line (DESIGN.md §5-6) through click's CliRunner, plus one real ``python -m matcher`` process.

Exit status: 0 success, 2 bad input or usage (every problem listed, nothing written), 1 internal failure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.generate.scenario import embedded_scenario

from conftest import platform_inputs, write_csv

OUTPUTS = ("assignments.csv", "unassigned.csv", "summary.json")


def invoke(*args: str):
    """Run ``matcher *args`` in-process; returns click's Result (``output`` holds stdout and stderr)."""
    return CliRunner().invoke(main, list(args))


def demo_files() -> tuple[Path, Path]:
    """The embedded demo scenario's students and sites files."""
    return tuple(Path(str(p)) for p in embedded_scenario())


def read_ids(path: Path) -> list[str]:
    """The ``student_id`` column of a CSV file, as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)["student_id"].tolist()


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory) -> Path:
    """Folder of one in-process ``matcher demo`` run."""
    out = tmp_path_factory.mktemp("demo") / "out"
    result = invoke("demo", "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def faulty_students(tmp_path) -> Path:
    """A students file with five faults, one per data row (rows 2-6)."""
    path = tmp_path / "students.csv"
    path.write_text(
        "student_id,lat,lon,max_km,weeks,split_ok\n"
        "E1,45.75,4.85,loin,both,true\n"  # row 2: max_km not a number
        "E2,45.75,,10,both,true\n"  # row 3: latitude without longitude
        "E1,45.76,4.85,10,both,true\n"  # row 4: student_id repeats row 2
        "E4,45.75,4.85,10,trois,true\n"  # row 5: weeks unknown
        "E5,45.75,4.85,10,both,peut-être\n",  # row 6: split_ok not a boolean
        encoding="utf-8",
    )
    return path


@pytest.fixture
def good_sites(tmp_path) -> Path:
    """A valid sites file: two sites in Lyon."""
    return write_csv(
        tmp_path / "sites.csv",
        [
            {"site_id": "S1", "company": "Énergie Rhône", "lat": 45.76, "lon": 4.85, "capacity": 2},
            {"site_id": "S2", "company": "Réseaux", "lat": 45.75, "lon": 4.87, "capacity": 1},
        ],
    )


@pytest.fixture
def good_students(tmp_path) -> Path:
    """A valid students file: three students in Lyon."""
    return write_csv(
        tmp_path / "good_students.csv",
        [{"student_id": f"E{i}", "lat": 45.75 + 0.01 * i, "lon": 4.85} for i in range(3)],
    )


# --- demo ---------------------------------------------------------------------------------------------------------


def test_demo_writes_the_three_files(demo_out):
    for name in OUTPUTS:
        assert (demo_out / name).is_file() and (demo_out / name).stat().st_size > 0
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["solver"]["status"] in ("optimal", "feasible")
    assert summary["period"] == {"week_1": ["2026-06-15", "2026-06-19"], "week_2": ["2026-06-22", "2026-06-26"]}
    assert [lv["level"] for lv in summary["objective"]][:5] == [
        "placed",
        "floors",
        "priority",
        "preference",
        "distance",
    ]
    floors = summary["floors"]  # the demo shares the partner's 1,000 places among académies as floors
    assert floors["source"] == "proportional" and floors["total_floor"] == 1000 and len(floors["academies"]) == 30
    assert floors["placed_towards_floors"] == sum(min(a["placed"], a["floor"]) for a in floors["academies"])
    assert summary["gender"]["per_trade"] and summary["coverage"]["offered_attains_target"] is True
    assert not list(demo_out.glob(".*"))  # no temporary file left behind


def test_demo_students_are_each_in_exactly_one_file(demo_out):
    students = read_ids(demo_files()[0])
    a = pd.read_csv(demo_out / "assignments.csv", dtype=str, keep_default_na=False)
    u = pd.read_csv(demo_out / "unassigned.csv", dtype=str, keep_default_na=False)
    assert list(a.columns) == [
        "student_id",
        "site_id",
        "company",
        "weeks",
        "start_date",
        "end_date",
        "distance_km",
        "preference_rank",
        "group_id",
        "student_academie",
        "site_academie",
    ]
    assert list(u.columns) == ["student_id", "reason_code", "reason"]
    placed = set(a["student_id"])
    assert placed.isdisjoint(u["student_id"]) and not u["student_id"].duplicated().any()
    assert sorted(placed | set(u["student_id"])) == sorted(students) and len(students) == len(set(students))
    rows = a.groupby("student_id")["weeks"].agg(lambda w: tuple(sorted(w)))
    assert set(rows) <= {("both",), ("week_1",), ("week_2",), ("week_1", "week_2")}
    summary = json.loads((demo_out / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["students"] == len(students)
    assert (summary["counts"]["placed"], summary["counts"]["not_placed"]) == (len(placed), len(u))


def test_demo_twice_gives_byte_identical_files(demo_out, tmp_path):
    result = invoke("demo", "--out", str(tmp_path / "again"))
    assert result.exit_code == 0, result.output
    for name in OUTPUTS:
        assert (tmp_path / "again" / name).read_bytes() == (demo_out / name).read_bytes(), name


def test_python_m_matcher_demo(demo_out, tmp_path):
    # A real process (its own hash seed): exits 0 and writes the same bytes as the in-process run.
    out = tmp_path / "proc"
    proc = subprocess.run(
        [sys.executable, "-m", "matcher", "demo", "--out", str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in OUTPUTS:
        assert (out / name).read_bytes() == (demo_out / name).read_bytes(), name


# --- validate -----------------------------------------------------------------------------------------------------


def test_validate_the_embedded_demo_files():
    students, sites = demo_files()
    result = invoke("validate", "--students", str(students), "--sites", str(sites))
    assert result.exit_code == 0, result.output
    n = len(read_ids(students))
    assert f"{n:,} students" in result.output


def test_validate_lists_every_problem_with_row_and_column(faulty_students, good_sites):
    result = invoke("validate", "--students", str(faulty_students), "--sites", str(good_sites))
    assert result.exit_code == 2, result.output
    out = result.output
    for where in (
        "row 2, column max_km",
        "row 3, column lon",
        "row 4, column student_id",
        "row 5, column weeks",
        "row 6, column split_ok",
    ):
        assert f"students.csv, {where}" in out, (where, out)
    assert "5 problem(s)" in out
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit)  # no uncaught exception


# --- allocate -----------------------------------------------------------------------------------------------------


def test_allocate_with_a_bad_file_writes_nothing(faulty_students, good_sites, tmp_path):
    out = tmp_path / "out"
    result = invoke("allocate", "--students", str(faulty_students), "--sites", str(good_sites), "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_allocate_writes_the_files(good_students, good_sites, tmp_path):
    out = tmp_path / "out"
    result = invoke("allocate", "--students", str(good_students), "--sites", str(good_sites), "--out", str(out))
    assert result.exit_code == 0, result.output
    a = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    # E0 at (45.75, 4.85), E1 at (45.76, 4.85) on S1 (2 places), E2 at (45.77, 4.85): 3 places for 3 students.
    assert sorted(a["student_id"]) == ["E0", "E1", "E2"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["students"]["file"] == "good_students.csv"


def test_allocate_stable_mode(good_students, good_sites, tmp_path):
    out = tmp_path / "out"
    result = invoke(
        "allocate", "--students", str(good_students), "--sites", str(good_sites), "--out", str(out), "--mode", "stable"
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["mode"] == "stable" and summary["blocking_pairs"] == 0
    assert sorted(read_ids(out / "assignments.csv") + read_ids(out / "unassigned.csv")) == sorted(
        read_ids(good_students)
    )


# --- generate -----------------------------------------------------------------------------------------------------


def test_generate_same_seed_same_files(tmp_path):
    runs = []
    for name, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        out = tmp_path / name
        result = invoke("generate", "--students", "300", "--sites", "60", "--seed", seed, "--out", str(out))
        assert result.exit_code == 0, result.output
        runs.append({f: (out / f).read_bytes() for f in ("students.csv", "sites.csv")})
    assert runs[0] == runs[1]
    assert runs[0]["students.csv"] != runs[2]["students.csv"]
    assert len(runs[0]["students.csv"].decode().splitlines()) == 301


def test_every_command_reading_a_platform_extract_takes_its_places_per_site(tmp_path):
    inputs = platform_inputs(tmp_path)
    grid = tmp_path / "grid.toml"
    grid.write_text("default_max_km = [10.0, 20.0]\n", encoding="utf-8")
    run = CliRunner().invoke(main, ["allocate", *inputs, "--default-capacity", "2", "--out", str(tmp_path / "run")])
    assert run.exit_code == 0, run.output
    commands = {
        "reallocate": ["reallocate", "--previous", str(tmp_path / "run"), *inputs, "--out", str(tmp_path / "again")],
        "recruit": ["recruit", *inputs, "--top", "1", "--out", str(tmp_path / "recruit")],
        "sweep": ["sweep", *inputs, "--grid", str(grid), "--out", str(tmp_path / "sweep")],
    }
    for name, args in commands.items():
        refused = CliRunner().invoke(main, args)
        assert refused.exit_code == 2 and "--default-capacity N" in refused.output, (name, refused.output)
        done = CliRunner().invoke(main, [*args, "--default-capacity", "2"])
        assert done.exit_code == 0, (name, done.output)
    summary = json.loads((tmp_path / "again" / "summary.json").read_text(encoding="utf-8"))
    assert summary["counts"]["placed"] == 4 and summary["parameters"]["default_capacity"] == 2
    assert pd.read_csv(tmp_path / "sweep" / "sweep.csv")["placed"].tolist() == [4, 4]
