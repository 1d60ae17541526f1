"""A user-supplied pairs table replaces the built-in distances; a bad one is refused with every problem. Looking
pairs up by student and site (``pair_rows``)."""

import numpy as np
import pandas as pd
from click.testing import CliRunner

from matcher.candidates.search import pair_rows
from matcher.cli.main import main

STUDENTS = "student_id,lat,lon,max_km\nA,45.75,4.85,30\nB,45.76,4.86,30\n"
SITES = "site_id,company,lat,lon,capacity\nS1,Acme,45.75,4.85,1\nS2,Acme,45.80,4.90,1\n"


def _files(tmp_path, pairs: str):
    for name, text in (("students.csv", STUDENTS), ("sites.csv", SITES), ("pairs.csv", pairs)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [
        "allocate",
        "--students",
        str(tmp_path / "students.csv"),
        "--sites",
        str(tmp_path / "sites.csv"),
        "--pairs",
        str(tmp_path / "pairs.csv"),
        "--out",
        str(tmp_path / "out"),
    ]


def test_minutes_table_decides_who_goes_where(tmp_path):
    # Only the table's pairs exist: A may only go to S2 (40 min), B to S1 (10 min) or S2 (15 min).
    # Most placed: 2 (A at S2, B at S1); the minutes are the distance column.
    args = _files(tmp_path, "student_id,site_id,minutes\nA,S2,40\nB,S1,10\nB,S2,15\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "out" / "assignments.csv").set_index("student_id")
    assert out.loc["A", "site_id"] == "S2" and out.loc["B", "site_id"] == "S1"
    assert out.loc["A", "distance_km"] == 40 and out.loc["B", "distance_km"] == 10


def test_bad_pairs_table_lists_every_problem_and_writes_nothing(tmp_path):
    args = _files(tmp_path, "student_id,site_id,km\nA,S9,3\nZ,S1,x\nB,S1,-2\n")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "row 2, column site_id: unknown site" in result.output
    assert "row 3, column student_id: unknown student" in result.output
    assert "pairs.csv, column km: not a non-negative number: 2 rows (3, 4); values 'x', '-2'" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_pair_rows_finds_each_pair_and_marks_the_missing():
    pairs = pd.DataFrame({"student": [0, 0, 1, 2], "site": [5, 2, 5, 0], "km": [1.0, 2.0, 3.0, 4.0], "rank": 1})
    rows = pair_rows(pairs, np.array([1, 0, 2, 0, 3, 2]), np.array([5, 2, 0, 5, 5, 9]))
    assert rows.tolist() == [2, 1, 3, 0, -1, -1]
    assert pair_rows(pairs.iloc[:0], np.array([0]), np.array([1])).tolist() == [-1]
