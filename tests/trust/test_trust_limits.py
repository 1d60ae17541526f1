"""Class 4, limits on what is read: regular files only (no pipe or device, for every input), spreadsheet archives
checked before they are expanded, cell length, columns and lines bounded, long values cut in messages; and class 8,
no student's location value in a message."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile

import pytest
from hostile import GOOD_SITES, GOOD_STUDENTS, invoke

from matcher.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_UNZIPPED_BYTES

ALLOCATE = ("allocate", "--students", GOOD_STUDENTS, "--sites", GOOD_SITES)


@pytest.fixture
def fifo(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("option", ["--students", "--sites", "--config", "--pairs"])
@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_pipes_and_devices_are_refused_unread(tmp_path, fifo, option, special):
    path = fifo if special == "fifo" else special
    args = list(ALLOCATE)
    if option in args:
        args[args.index(option) + 1] = path
    else:
        args += [option, path]
    start = time.perf_counter()
    result = invoke(*args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "not a regular file" in result.output and time.perf_counter() - start < 20
    assert not (tmp_path / "out").exists()


def test_a_floors_file_on_dev_zero_is_refused(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('academie_floors = "/dev/zero"\n', encoding="utf-8")
    result = invoke(*ALLOCATE, "--config", policy, "--out", tmp_path / "out")
    assert result.exit_code == 2 and "not a regular file" in result.output, result.output


def _bomb(declared_total: int) -> bytes:
    """A small zip whose one member expands to ``declared_total`` bytes of one letter (written in chunks)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as member:
            chunk = b"A" * 2**20
            for _ in range(declared_total // len(chunk)):
                member.write(chunk)
    return buffer.getvalue()


def test_an_xlsx_expanding_beyond_the_limit_is_refused_before_expanding(tmp_path):
    path = tmp_path / "students.xlsx"
    path.write_bytes(_bomb(MAX_UNZIPPED_BYTES + 2**20))
    assert path.stat().st_size < 2 * 2**20
    command = [sys.executable, "-m", "matcher", "allocate", "--students", str(path), "--sites", str(GOOD_SITES)]
    child = subprocess.Popen([*command, "--out", str(tmp_path / "out")], stderr=subprocess.PIPE, text=True)
    stderr = child.stderr.read() if child.stderr else ""
    _, status, usage = os.wait4(child.pid, 0)  # this process's own peak memory, not its siblings'
    assert os.waitstatus_to_exitcode(status) == 2, stderr
    assert "expands to" in stderr and len(stderr) < 2000
    assert usage.ru_maxrss / 1024 < 1000, usage.ru_maxrss  # MB: the imports take about 0.4 GB, nothing more


def test_a_long_cell_in_the_last_row_is_a_problem_with_its_value_cut(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text(GOOD_STUDENTS.read_text() + "E4,69381,electricite," + "9" * 200_000 + "\n", encoding="utf-8")
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2, result.output
    assert "students.csv, row 5, column max_km: a cell of 200,000 characters" in result.output
    assert "(200,000 characters)" in result.output and len(result.output) < 1000


def test_a_long_cell_in_an_xlsx_is_a_problem_not_an_echo(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["student_id", "commune_insee"])
    sheet.append(["E1", "69381"])
    sheet.append(["E2", "x" * (MAX_CELL_CHARS * 3)])
    path = tmp_path / "students.xlsx"
    book.save(path)
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2 and "a cell of 30,000 characters" in result.output, result.output
    assert len(result.output) < 1000


def test_too_many_columns_is_a_problem(tmp_path):
    path = tmp_path / "students.csv"
    header = ",".join(["student_id", "commune_insee"] + [f"c{i}" for i in range(MAX_COLUMNS)])
    path.write_text(header + "\nE1,69381\n", encoding="utf-8")
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2 and f"{MAX_COLUMNS + 2:,} columns" in result.output, result.output


def test_swapped_coordinates_name_the_row_and_column_not_the_home(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text("student_id,lat,lon\nE1,4.8512,45.7623\nE2,45.75,4.85\n", encoding="utf-8")
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2, result.output
    assert "students.csv, row 2, column lat: coordinates outside France (latitude and longitude look swapped)" in (
        result.output
    )
    assert "4.85" not in result.output and "45.76" not in result.output


def test_a_site_location_is_still_shown(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text("site_id,company,lat,lon,capacity\nS1,A,4.8512,45.7623,2\n", encoding="utf-8")
    result = invoke("validate", "--students", GOOD_STUDENTS, "--sites", path)
    assert result.exit_code == 2 and "4.8512" in result.output, result.output  # a workplace is not personal


def test_a_long_quoted_cell_over_many_short_lines_is_still_measured(tmp_path):
    """Every line is short, but the quoted cell spans them all: the limit holds for the cell, not the line."""
    path = tmp_path / "students.csv"
    cell = "\n".join(["x" * 50] * 400)  # 20,399 characters on lines of 50
    path.write_text(GOOD_STUDENTS.read_text() + f'E4,69381,"{cell}"\n', encoding="utf-8")
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2, result.output
    assert "a cell of 20,399 characters" in result.output, result.output
