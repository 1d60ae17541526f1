"""Validation: every problem of both files is reported together, with its row and column."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from matcher.config import Config
from matcher.errors import InputError
from matcher.load import load_inputs, read_table

DATA = Path(__file__).parent.parent / "data"
SITES = DATA / "sites.csv"
STUDENTS_HEADER = "student_id,commune_insee,sectors,site_choices,max_km\n"


def _problems(students: Path, sites: Path = SITES, config: Config | None = None) -> set[tuple]:
    config = config or Config()
    with pytest.raises(InputError) as caught:
        load_inputs(students, sites, config)
    return {(p.file, p.row, p.column) for p in caught.value.problems}


def test_ten_faults_are_all_reported_with_row_and_column(tmp_path):
    students = shutil.copy(DATA / "students_ten_faults.csv", tmp_path / "students.csv")
    with pytest.raises(InputError) as caught:
        load_inputs(students, SITES, Config())
    problems = caught.value.problems
    assert {(p.row, p.column) for p in problems} == {
        (4, "student_id"),  # " e001 " repeats E001 (case and spaces)
        (5, "lycee_uai"),  # unknown UAI
        (6, "commune_insee"),  # unknown INSEE code
        (7, "postal_code"),  # unknown postal code
        (8, "lon"),  # latitude without longitude
        (9, "lat"),  # Madrid
        (10, "max_km"),  # not a number
        (11, "weeks"),  # unknown value
        (12, "split_ok"),  # not a boolean
        (13, "gender"),  # unknown value
    }
    assert len(problems) == 10 and {p.file for p in problems} == {"students.csv"}
    assert all(p.message and p.fix for p in problems)
    assert "row 2" in next(p.message for p in problems if p.column == "student_id")
    report = caught.value.report()
    assert "row 4, column student_id" in report and "'peut-être'" in report


def test_problems_of_both_files_and_cross_references_come_together(tmp_path):
    students = tmp_path / "students.csv"
    students.write_text(
        STUDENTS_HEADER + "A,75105,electricite,S1|S9,inf\n"  # unknown site, infinite distance
        ",75105,,,\n"  # empty id
        "C,,,,-5\n"  # no location, negative distance
        "D,75105,plomberie,s1,\n",
        encoding="utf-8",
    )  # unknown sector; s1 = S1
    sites = tmp_path / "sites.csv"
    sites.write_text(
        "site_id,company,commune_insee,capacity,capacity_week_1,capacity_week_2,max_group_size,"
        "reserved_lycees,sectors\n"
        "S1,A,69381,3,,,1,,electricite\n"
        "s1 ,B,69381,2,,,1,,\n"  # duplicate by case
        "S3,,69381,,,,1,,\n"  # no company, no capacity
        "S4,D,69381,2,2,1,0,0000000X,\n"  # capacities disagree, group size 0, unknown UAI
        "S5,E,69381,-1,,,,,\n"  # negative capacity
        "S6,F,69381,1.5,,,,,solaire\n"  # non-integer capacity, unknown sector
        "S7,G,69381,,2,,,,\n",
        encoding="utf-8",
    )  # per-week capacity only: fine
    config = Config(sectors=("electricite", "numerique"))
    assert _problems(students, sites, config) == {
        ("students.csv", 2, "site_choices"),
        ("students.csv", 2, "max_km"),
        ("students.csv", 3, "student_id"),
        ("students.csv", 4, None),
        ("students.csv", 4, "max_km"),
        ("students.csv", 5, "sectors"),
        ("sites.csv", 3, "site_id"),
        ("sites.csv", 4, "company"),
        ("sites.csv", 4, "capacity"),
        ("sites.csv", 5, "capacity"),
        ("sites.csv", 5, "max_group_size"),
        ("sites.csv", 5, "reserved_lycees"),
        ("sites.csv", 6, "capacity"),
        ("sites.csv", 7, "capacity"),
        ("sites.csv", 7, "sectors"),
    }
    table, _ = read_table(sites, "sites")
    assert (table.loc[6, "capacity_week_1"], table.loc[6, "capacity_week_2"]) == (2, 0)


def test_missing_required_and_location_columns_are_file_level_problems(tmp_path):
    students = tmp_path / "students.csv"
    students.write_text("identifiant_inconnu,sectors\nA,electricite\nB,\n", encoding="utf-8")
    sites = tmp_path / "sites.csv"
    sites.write_text("site_id,commune_insee\nS1,69381\n", encoding="utf-8")
    assert _problems(students, sites) == {
        ("students.csv", None, "student_id"),
        ("students.csv", None, None),
        ("sites.csv", None, "company"),
        ("sites.csv", None, "capacity"),
    }


def test_column_given_twice_is_reported(tmp_path):
    students = tmp_path / "students.csv"
    students.write_text("student_id,cp,code_postal\nA,75005,75005\n", encoding="utf-8")
    _, problems = read_table(students, "students")
    assert [(p.row, p.column) for p in problems] == [(1, "postal_code")]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf", "empty"),
        (b"student_id,commune_insee\n", "no data rows"),
        (b"\n\nA\nB\n", "no header row"),  # no line names a column (blank lines above a header are skipped)
        (bytes(range(256)) * 8, "binary"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "cannot read this spreadsheet"),
        (b"PK\x03\x04 not really a zip", "damaged zip archive"),
        (b"%PDF-1.4 ...", "this file is a PDF document, not a table"),
        (b"\x89PNG\r\n\x1a\n....", "this file is a PNG image, not a table"),
    ],
)
def test_unreadable_files_are_problems_not_crashes(tmp_path, content, message):
    path = tmp_path / "students.csv"
    path.write_bytes(content)
    table, problems = read_table(path, "students")
    assert len(problems) == 1 and problems[0].row is None and message in problems[0].message
    assert table.empty and "student_id" in table.columns
    with pytest.raises(InputError):
        load_inputs(path, SITES, Config())


def test_missing_file_is_a_problem(tmp_path):
    table, problems = read_table(tmp_path / "nowhere.csv", "students")
    assert table.empty and len(problems) == 1 and "cannot read" in problems[0].message


def test_unquoted_decimal_comma_in_comma_file_is_reported_per_row(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text('student_id,commune_insee,max_km\nA,75105,12,5\nB,75105,"12,5"\nC,75105,3,\n', encoding="utf-8")
    table, problems = read_table(path, "students")
    assert [(p.row, p.column) for p in problems] == [(2, None)]
    assert table["max_km"].tolist()[1:] == [12.5, 3.0]


def test_excel_numbers_and_nan_are_checked(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["site_id", "company", "postal_code", "capacity", "max_group_size"])
    book.active.append([123, "A", 69001, 2.0, 3])
    book.active.append(["B2", "B", 69001, "nan", 1])
    book.active.append(["B3", "C", 69001, 1, 2.5])
    path = tmp_path / "sites.xlsx"
    book.save(path)
    table, problems = read_table(path, "sites")
    assert {(p.row, p.column) for p in problems} == {(3, "capacity"), (4, "max_group_size")}
    assert table.loc[0, "site_id"] == "123" and table.loc[0, "capacity_week_1"] == 2


def test_read_table_rejects_an_unknown_kind(tmp_path):
    with pytest.raises(ValueError):
        read_table(SITES, "teachers")
