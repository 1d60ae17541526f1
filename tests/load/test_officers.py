"""The officers' corpus (tests/data/officers, built by tests/officers.py): each file loads to exactly the clean tables
of the plain contract CSV of the same data, or fails with its grouped message."""

from __future__ import annotations

import csv
import importlib.util
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from officers import HERE, SAME, build

from matcher.cli.main import main
from matcher.config import Config
from matcher.errors import InputError
from matcher.load.locate import locate
from matcher.load.table import read_file

DEFAULT = Config(default_capacity=2)
BENCHMARKS = HERE.parent.parent.parent / "benchmarks"


def located(name: str | Path, kind: str) -> pd.DataFrame:
    """The clean located table of a corpus file (InputError when anything is wrong)."""
    config = DEFAULT if str(name).startswith("platform_listing") else Config(default_capacity=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = read_file(HERE / name, kind, config)
    table, problems = locate(result.table, result.file, rows=result.rows)
    if result.problems + problems:
        raise InputError(result.problems + problems)
    return table


def test_the_committed_corpus_is_what_the_builder_writes(tmp_path):
    built = build(tmp_path)
    assert sorted(p.name for p in HERE.iterdir() if p.suffix != ".py") == sorted(built)
    for name, path in built.items():
        if path.suffix in (".csv", ".pdf"):  # spreadsheets hold their creation time
            assert path.read_bytes() == (HERE / name).read_bytes(), name


@pytest.mark.parametrize("name", sorted(SAME))
def test_each_way_of_writing_loads_to_the_plain_tables(name):
    kind, plain = SAME[name]
    pd.testing.assert_frame_equal(located(name, kind), located(plain, kind))


def test_the_platform_extract_leaves_out_what_is_not_for_seconde_or_not_located(tmp_path):
    result = read_file(HERE / "platform_extract.csv", "sites", Config(default_capacity=1))
    assert result.excluded == 1  # 1006: troisieme_or_quatrieme
    assert [(p.row, p.value) for p in result.left_out] == [(8, "Nulle-Part / 99999")]
    assert result.rows.tolist() == [2, 3, 4, 5, 6]
    listed = tmp_path / "left_out.csv"
    args = ["--sites", str(HERE / "platform_extract.csv"), "--default-capacity", "1", "--problems", str(listed)]
    done = CliRunner().invoke(main, ["validate", "--students", str(HERE / "students.csv"), *args])
    assert done.exit_code == 0, done.output
    assert "platform_extract.csv: 1 offers not open to seconde students left out (Filière)" in done.output
    assert "platform_extract.csv: 1 offers left out, not located: row 8 (Nulle-Part / 99999: unknown commune name)" in (
        done.output
    )
    assert (
        listed.read_text(encoding="utf-8-sig")
        .splitlines()[1]
        .startswith("platform_extract.csv,,8,commune_insee,Nulle-Part / 99999,offer left out: unknown commune name,")
    )


def test_without_a_default_capacity_the_extract_gives_one_problem_saying_so():
    lines = failure("validate", "--students", str(HERE / "students.csv"), "--sites", str(HERE / "platform_extract.csv"))
    assert lines[1:] == [
        "platform_extract.csv, column capacity: no capacity column. Fix: add capacity (full time) or capacity_week_1 "
        "and capacity_week_2, or give every site the same number of places with --default-capacity N (policy option "
        "default_capacity)"
    ]


def test_the_platform_sectors_reach_the_trades_through_the_crosswalk():
    sites = located("platform_extract.csv", "sites")
    assert sites["sectors"].iat[0] == (
        "secteur_energie",
        "electricite",
        "reseaux_energie",
        "energies_renouvelables",
        "genie_climatique",
        "efficacite_energetique",
        "mobilite_electrique",
        "bureau_etudes",
    )


def failure(*args: str) -> list[str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 2, result.output
    return [line for line in result.output.splitlines() if not line.startswith("matcher: warning")]


def test_an_ambiguous_commune_name_lists_its_candidates():
    lines = failure(
        "validate", "--students", str(HERE / "students.csv"), "--sites", str(HERE / "sites_ambiguous_commune.csv")
    )
    assert lines[1] == (
        "sites_ambiguous_commune.csv, row 2, column commune_insee: ambiguous commune name: 4 communes (Saint-Denis "
        "(11339), Saint-Denis (30247), Saint-Denis (93066), Saint-Denis (97411)) (value 'Saint-Denis'). Fix: write the "
        "commune's INSEE code, or give its postal code or département beside the name"
    )


def test_capacities_that_are_not_whole_numbers_make_one_line_with_a_fix_that_fits():
    lines = failure(
        "validate", "--students", str(HERE / "students.csv"), "--sites", str(HERE / "sites_bad_capacity.xlsx")
    )
    assert lines == [
        "matcher: 3 problem(s) in the input; nothing was written.",
        "sites_bad_capacity.xlsx, column capacity: not a whole number: 3 rows (2, 3, 4); values '3+3', '?', '1.5'. "
        "Fix: write a whole number such as 3 (no fraction, sum or question mark)",
    ]


def test_week_1_dates_that_cannot_decide_make_one_problem_for_the_column():
    lines = failure(
        "validate", "--students", str(HERE / "students_week_1_dates.csv"), "--sites", str(HERE / "sites.csv")
    )
    assert lines == [
        "matcher: 1 problem(s) in the input; nothing was written.",
        "students_week_1_dates.csv, row 2, column weeks: a date in week 1 cannot say whether the student comes for "
        "week 1 or for both weeks (4 row(s): 2, 3, 4, 5) (value '15/06/2026'). Fix: write both, week_1 or week_2, or "
        "the first and last day (e.g. du 15/06/2026 au 26/06/2026)",
    ]


def test_swapped_files_are_said_first():
    lines = failure("validate", "--students", str(HERE / "sites.csv"), "--sites", str(HERE / "students.csv"))
    assert lines[1] == (
        "these look like the sites: did you swap --students and --sites? (sites.csv) Fix: give this file as --sites "
        "and the other one as --students"
    )
    assert lines[2].startswith("these look like the students: did you swap --students and --sites? (students.csv)")
    assert len(lines) <= 8


def test_a_pdf_is_named_for_what_it_is_in_one_line():
    lines = failure("validate", "--students", str(HERE / "students.csv"), "--sites", str(HERE / "sites.pdf"))
    assert lines == [
        "matcher: 1 problem(s) in the input; nothing was written.",
        "sites.pdf: this file is a PDF document, not a table. Fix: open it and save the table as .xlsx, .ods or CSV "
        "(UTF-8, comma or semicolon)",
    ]


def test_a_siecle_export_is_refused_until_pseudonymized_and_then_loads(tmp_path):
    siecle = str(HERE / "students_siecle.csv")
    lines = failure("validate", "--students", siecle, "--sites", str(HERE / "sites.csv"))
    assert "students_siecle.csv, column student_id: a SIECLE export: its INE column is personal" in lines[1]
    key = tmp_path / "key"
    key.write_text("a secret key of more than sixteen characters")
    out = tmp_path / "students.csv"
    done = CliRunner().invoke(main, ["pseudonymize", "--students", siecle, "--out", str(out), "--key-file", str(key)])
    assert done.exit_code == 0, done.output
    pseudonymized, plain = located(out, "students"), located("students.csv", "students")
    assert pseudonymized["student_id"].str.match(r"^P[0-9A-F]{24}$").all()
    pd.testing.assert_frame_equal(pseudonymized.drop(columns="student_id"), plain.drop(columns="student_id"))


def test_a_national_platform_extract_locates_nearly_every_offer_quickly(tmp_path):
    spec = importlib.util.spec_from_file_location("platform_extract", BENCHMARKS / "platform_extract.py")
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    extract = builder.build_extract()
    path = tmp_path / "offers.csv"
    extract.to_csv(path, sep=";", index=False, quoting=csv.QUOTE_ALL)
    start = time.process_time()
    result = read_file(path, "sites", Config(default_capacity=1))
    table, problems = locate(result.table, result.file, rows=result.rows)
    seconds = time.process_time() - start
    assert len(extract) == 27_206 and problems == [] and result.problems == []
    seconde = len(extract) - result.excluded
    assert (table["location_source"] != "").all()
    assert len(table) + len(result.left_out) == seconde
    assert len(table) / seconde >= 0.995, (len(table), seconde)
    assert all(p.value.startswith("ZZ") for p in result.left_out)  # only the offers built unlocatable are left out
    assert seconds < 10


def test_a_csv_under_title_lines_names_the_header_row_and_counts_rows_as_in_the_file(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text(
        "Liste des élèves 2026;;\n;;\nstudent_id;commune_insee;sectors\nE1;69381;electricite\nE1;69381;electricite\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["validate", "--students", str(path), "--sites", str(HERE / "sites.csv")])
    assert result.exit_code == 2, result.output
    assert "the header is on row 3; the rows above it were skipped" in result.output
    assert "students.csv, row 5, column student_id: duplicate id (same as row 4)" in result.output


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_refused_character_under_title_rows_is_named_at_its_row_in_the_file(tmp_path, kind):
    # Two title rows, the header on row 3, a bidi override in the second data row (row 5 of the file): the
    # problem names row 5 in a CSV and in a spreadsheet alike.
    rows = [["Liste des élèves 2026", "", ""], ["", "", ""], ["student_id", "commune_insee", "sectors"]]
    rows += [["E1", "69381", "electricite"], ["E2\u202e", "69381", "electricite"]]
    path = tmp_path / f"students.{kind}"
    if kind == "csv":
        path.write_text("".join(";".join(r) + "\n" for r in rows), encoding="utf-8")
    else:
        pd.DataFrame(rows).to_excel(path, header=False, index=False)
    result = read_file(path, "students", Config())
    assert [(p.row, p.column) for p in result.problems] == [(5, "student_id")]
