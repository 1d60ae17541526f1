"""The bad-input corpus (tests/bad_inputs): each broken file gives its exact problems, exit 2, no traceback, and
``--out`` is not even created. Values of personal columns (``student_id``) are never printed, only their place.
Awkward but valid encodings load. A 200 MB file is refused before being read.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.cli.problems import grouped
from matcher.config import Config
from matcher.errors import Problem
from matcher.load import load_inputs
from matcher.load.files import MAX_FILE_BYTES

CORPUS = Path(__file__).parent.parent / "bad_inputs"
GOOD = {"students": CORPUS / "good_students.csv", "sites": CORPUS / "good_sites.csv"}
FIX_FORMULA = "Fix: type the value itself (in the spreadsheet: copy, then paste values only)"
FIX_FINITE = "Fix: write an ordinary number (no nan/inf)"

#: File → every line expected after the "N problem(s)" line, in order. Values in the students' location columns
#: (lat, lon, commune_insee, postal_code, address) are never shown: where a student lives is personal.
EXPECTED: dict[str, list[str]] = {
    "students_empty.csv": ["students_empty.csv: the file is empty. Fix: give a header row and one row per record"],
    "students_header_only.csv": [
        "students_header_only.csv: the file has a header but no data rows. Fix: add one row per record under the header"
    ],
    "students_truncated_last_line.csv": [
        "students_truncated_last_line.csv, row 4, column commune_insee: the last row is cut short (2 of 3 cells, no "
        "end of line): the file may have been saved or copied half-way. Fix: save the complete "
        "file again, or finish or delete this row"
    ],
    "students_unclosed_quote.csv": [
        "students_unclosed_quote.csv, row 3: a quote (\") opened in this row is never closed (value '\"'). Fix: "
        "close the quote, or remove it (quotes are needed only around cells containing the separator)"
    ],
    "students_binary_garbage.csv": [
        "students_binary_garbage.csv: not a text table: the file looks binary or uses an unknown encoding. Fix: "
        "save the table as CSV (UTF-8, comma or semicolon) or as .xlsx"
    ],
    "students_bad_byte.csv": [
        "students_bad_byte.csv, row 3, column sectors: this byte is neither UTF-8 nor Windows-1252 text: the file "
        "is damaged, binary, or in another encoding (value '0x81'). Fix: save the table again as CSV UTF-8 (or as "
        ".xlsx) from the spreadsheet"
    ],
    "students_duplicate_headers.csv": [
        "students_duplicate_headers.csv, row 1, column student_id: column student_id given twice (columns 1 and 3: "
        "'student_id' and 'student_id'). Fix: keep only one of these columns"
    ],
    "students_duplicate_ids.csv": [
        "students_duplicate_ids.csv, row 3, column student_id: duplicate id (same as row 2). Fix: give every row its "
        "own id",
        "students_duplicate_ids.csv, row 4, column student_id: duplicate id (same as row 2). Fix: give every row its "
        "own id",
    ],
    "students_nan_inf_huge.csv": [
        "students_nan_inf_huge.csv, row 2, column lat: longitude given without latitude. Fix: fill "
        "lat too, or empty lon",
        f"students_nan_inf_huge.csv, row 2, column lat: not a finite number. {FIX_FINITE}",
        "students_nan_inf_huge.csv, row 3, column lon: latitude given without longitude. Fix: fill "
        "lon too, or empty lat",
        f"students_nan_inf_huge.csv, row 3, column lon: not a finite number. {FIX_FINITE}",
        f"students_nan_inf_huge.csv, row 4, column max_km: not a finite number (value '1e400'). {FIX_FINITE}",
        f"students_nan_inf_huge.csv, row 5, column max_km: not a finite number (value '-Infinity'). {FIX_FINITE}",
        "students_nan_inf_huge.csv, row 6, column lat: coordinates outside France. Fix: give "
        "WGS84 decimal degrees (lat about 41 to 51 in metropolitan France), or a commune code instead",
    ],
    "students_formulas.csv": [
        f"students_formulas.csv, row 2, column student_id: looks like a spreadsheet formula. {FIX_FORMULA}",
        f"students_formulas.csv, row 3, column sectors: looks like a spreadsheet formula (value '@SUM(1+1)'). "
        f"{FIX_FORMULA}",
        "students_formulas.csv, row 4: no usable location. Fix: fill commune_insee, postal_code, lycee_uai "
        "(students) or lat and lon",
        f"students_formulas.csv, row 4, column commune_insee: looks like a spreadsheet formula. {FIX_FORMULA}",
    ],
    "students_mixed_separators.csv": [
        "students_mixed_separators.csv, row 3: this row is separated by ',', the header by ';' (value "
        "'E2,75105,20'). Fix: use one separator in the whole file (save it again from the spreadsheet)"
    ],
    "sites_huge_numbers.csv": [
        "sites_huge_numbers.csv, row 2, column capacity: implausibly large number (above 100,000) (value "
        "'99999999999999999999'). Fix: write the real number (places, group size)",
        "sites_huge_numbers.csv, row 3, column max_group_size: implausibly large number (above 100,000) (value "
        "'1e30'). Fix: write the real number (places, group size)",
        f"sites_huge_numbers.csv, row 4, column capacity: not a finite number (value 'nan'). {FIX_FINITE}",
    ],
    "sites_negative_capacity.csv": [
        "sites_negative_capacity.csv, row 2, column capacity_week_1: negative value (value '-3'). Fix: write a "
        "number that is zero or more",
        "sites_negative_capacity.csv, row 3, column capacity_week_2: negative value (value '-1'). Fix: write a "
        "number that is zero or more",
    ],
}


def allocate_args(path: Path, out: Path) -> list[str]:
    """``allocate`` with ``path`` as its own kind's file and the good file of the other kind."""
    kind = "sites" if path.name.startswith("sites") else "students"
    files = {**GOOD, kind: path}
    return ["allocate", "--students", str(files["students"]), "--sites", str(files["sites"]), "--out", str(out)]


def test_the_corpus_is_complete():
    broken = sorted(p.name for p in CORPUS.glob("*.csv") if p.name.startswith(("students_", "sites_")))
    assert broken == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_bad_file_gives_its_exact_problems_and_writes_nothing(name, tmp_path):
    out, listed = tmp_path / "out", tmp_path / "problems.csv"
    result = CliRunner().invoke(main, [*allocate_args(CORPUS / name, out), "--problems", str(listed)])
    lines = result.output.splitlines()
    assert result.exit_code == 2, result.output
    assert lines[0] == f"matcher: {len(EXPECTED[name])} problem(s) in the input; nothing was written."
    with open(listed, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [str(as_problem(r)) for r in rows] == EXPECTED[name]  # the full list, in order
    assert lines[1:] == grouped([as_problem(r) for r in rows]).splitlines()  # one line per kind
    assert "Traceback" not in result.output and not out.exists()


def as_problem(row: dict[str, str]) -> Problem:
    """A row of the ``--problems`` file back as the Problem it lists."""
    value = row["value"][1:] if row["value"][:2] in ("'=", "'+", "'-", "'@") else row["value"]
    return Problem(
        row["file"], int(row["row"]) if row["row"] else None, row["column"] or None, value, row["problem"], row["fix"]
    )


def test_problems_of_one_kind_make_one_line_with_their_count_rows_and_values(tmp_path):
    result = CliRunner().invoke(main, allocate_args(CORPUS / "students_nan_inf_huge.csv", tmp_path / "out"))
    assert (
        "students_nan_inf_huge.csv, column max_km: not a finite number: 2 rows (4, 5); values '1e400', '-Infinity'. "
        "Fix: write an ordinary number (no nan/inf)"
    ) in result.output.splitlines()
    duplicates = CliRunner().invoke(main, allocate_args(CORPUS / "students_duplicate_ids.csv", tmp_path / "out"))
    assert duplicates.output.splitlines()[1:] == [  # ids are personal: their values are never printed
        "students_duplicate_ids.csv, column student_id: duplicate id (same as row 2): 2 rows (3, 4). Fix: give every "
        "row its own id"
    ]


def test_a_real_process_prints_no_traceback(tmp_path):
    out = tmp_path / "out"
    run = subprocess.run(
        [sys.executable, "-m", "matcher", *allocate_args(CORPUS / "students_formulas.csv", out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert set(run.stderr.splitlines()[1:]) == set(EXPECTED["students_formulas.csv"])
    assert "Traceback" not in run.stderr and not out.exists()


def test_the_good_files_and_awkward_encodings_load():
    sites = GOOD["sites"]
    students, _ = load_inputs(GOOD["students"], sites, Config())
    assert students["student_id"].tolist() == ["E1", "E2", "E3"]
    utf16, _ = load_inputs(CORPUS / "accepted_utf16_tab.csv", sites, Config())
    assert utf16["sectors"].tolist() == [("electricite",), ("numerique",)]  # trades written with accents
    cp1252, _ = load_inputs(CORPUS / "accepted_cp1252_semicolon.csv", sites, Config())
    assert cp1252["sectors"].tolist() == [("electricite",), ("numerique",)]
    assert cp1252["max_km"].tolist() == [12.5, 20.0]


def test_a_200_mb_file_is_refused_quickly_before_being_read(tmp_path):
    big = tmp_path / "students.csv"
    row = b"E0000001,69381,electricite,30\n"
    block = row * (1 << 15)
    with open(big, "wb") as fh:
        fh.write(b"student_id,commune_insee,sectors,max_km\n")
        while fh.tell() < 200 * 2**20:
            fh.write(block)
        fh.truncate(200 * 2**20)
    assert big.stat().st_size > MAX_FILE_BYTES
    out = tmp_path / "out"
    start = time.perf_counter()
    result = CliRunner().invoke(main, allocate_args(big, out))
    assert time.perf_counter() - start < 5
    assert result.exit_code == 2 and not out.exists()
    assert result.output.splitlines()[1:] == [
        "students.csv: the file is 200 MB, above the 100 MB limit. Fix: split the file (e.g. one file per académie) "
        "and run each part separately"
    ]
