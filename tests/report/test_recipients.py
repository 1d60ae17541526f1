"""A workbook per lycée and per company: only its own rows, typed cells (real dates, numbers with their formats),
frozen and filterable column names, a header saying it holds small counts; LibreOffice opens them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import Config, allocate, load_inputs, write_outputs
from matcher.cli.main import main
from matcher.domain import reference
from matcher.report import read_allocation, recipients
from matcher.report.recipients import safe_name, write_recipient_books
from matcher.report.sheets import FORMATS
from matcher.util.i18n import Lang

from conftest import write_csv


def _rows(path):
    ws = openpyxl.load_workbook(path).worksheets[0]
    return ws, list(ws.iter_rows(min_row=5))  # 3 heading lines, a blank, then the column names


def test_a_lycee_workbook_holds_only_its_students_with_typed_cells(published_demo):
    alloc = read_allocation(published_demo)
    home = alloc.students.set_index("student_id")["lycee_uai"]
    uai = home.reindex(alloc.assignments["student_id"]).value_counts().index[0]  # the lycée with most placements
    name = reference.lycees()["name"][uai]
    book = published_demo / "lycees" / f"{name.replace(' ', '-')}-{uai}.xlsx"  # its full name and UAI
    ws, rows = _rows(book)
    assert ws.freeze_panes == "A6" and ws.auto_filter.ref.startswith("A5")
    assert uai in ws["A1"].value and name in ws["A1"].value
    assert "15 juin 2026" in ws["A2"].value and "ne pas" in ws["A3"].value.lower()  # small counts: says so
    assert [c.value for c in rows[0]][:2] == ["Élève", "Site"]
    assert {r[0].value for r in rows[1:]} == set(home.index[home == uai])  # its own students, all of them
    placed = [r for r in rows[1:] if r[4].value is not None]
    assert len(placed) >= 2
    for r in placed:
        start, km = r[4], r[6]
        assert isinstance(start.value, dt.datetime) and start.number_format == FORMATS["date"]
        assert start.value.date() >= dt.date(2026, 6, 15)
        assert isinstance(km.value, float) and km.number_format == FORMATS["km"]


def test_a_company_workbook_and_the_zips(published_demo):
    books = sorted((published_demo / "entreprises").glob("*.xlsx"))
    assert len(books) > 100
    ws, rows = _rows(books[0])
    company = ws["A1"].value.split(" ", 3)[-1]
    hosted = pd.read_csv(published_demo / "assignments.csv", dtype=str)
    expected = set(hosted.loc[hosted["company"] == company, "student_id"])
    assert {r[1].value for r in rows[1:]} == expected and expected
    with zipfile.ZipFile(published_demo / "entreprises.zip") as zf:
        assert len(zf.namelist()) == len(books)
    with zipfile.ZipFile(published_demo / "lycees.zip") as zf:
        assert len(zf.namelist()) == len(list((published_demo / "lycees").glob("*.xlsx"))) > 1000


@pytest.mark.parametrize(
    "parts, stem",
    [
        (("Lycée Jean-Moulin / Béziers", "0340005A"), "Lycee-Jean-Moulin-Beziers-0340005A"),
        (("CON:*?", ""), "CON-fichier"),
        (("Lycée " + "polyvalent " * 10, "0750654D"), "Lycee-" + "polyvalent-" * 6 + "0750654D"),
    ],
)
def test_file_names_are_safe_everywhere(parts, stem):
    assert safe_name(*parts) == stem


def test_libreoffice_opens_the_workbooks(published_demo, tmp_path):
    soffice = shutil.which("soffice") or "/usr/bin/soffice"
    sample = [published_demo / "report.xlsx"]
    sample += (
        sorted((published_demo / "lycees").glob("*.xlsx"))[:3]
        + sorted((published_demo / "entreprises").glob("*.xlsx"))[:3]
    )
    run = subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "csv",
            "--outdir",
            str(tmp_path / "csv"),
            *map(str, sample),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    for book in sample:
        csv = tmp_path / "csv" / (book.stem + ".csv")
        assert csv.is_file() and csv.stat().st_size > 100, book.name


def test_the_main_workbook_has_one_sheet_per_kind_with_typed_cells(published_demo):
    wb = openpyxl.load_workbook(published_demo / "report.xlsx")
    assert wb.sheetnames == ["Synthèse", "Académies", "Élèves", "Lycées", "Entreprises", "Métiers"]
    assert "ne pas le publier" in wb["Synthèse"]["A3"].value  # says it holds small counts
    ws = wb["Académies"]
    header = [c.value for c in ws[5]]
    assert header[:2] == ["Académie", "Élèves"] and "Semaines-places offertes" in header
    offered, fill = header.index("Semaines-places offertes"), header.index("Taux de remplissage")
    rows = list(ws.iter_rows(min_row=6))
    assert len(rows) >= 30 and ws.freeze_panes == "A6" and ws.auto_filter.ref.startswith("A5")
    for row in rows:
        weeks, rate = row[offered], row[fill]
        assert weeks.number_format == FORMATS["int"] and float(weeks.value).is_integer()  # never 12.5 places
        assert rate.value is None or (rate.number_format == FORMATS["pct"] and 0 <= rate.value <= 1.5)
    lycees = [c.value for c in wb["Lycées"][5]]
    names = {r[lycees.index("Nom")] for r in wb["Lycées"].iter_rows(min_row=6, values_only=True)}
    assert "LYCEE GENERAL HENRI IV" in names  # full names from the reference data


def test_a_new_run_into_a_reported_folder_keeps_the_recipients_folders(published_demo, tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(published_demo, folder)
    before = sorted(p.name for p in (folder / "lycees").iterdir())
    result = CliRunner().invoke(main, ["demo", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (folder / "lycees").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["demo"]  # no hidden working folder left
    (folder / "lycees" / "extra").mkdir()  # a folder matcher did not write is still refused
    result = CliRunner().invoke(main, ["demo", "--out", str(folder), "--lang", "en"])
    assert result.exit_code == 2 and "sub-folders" in result.output


def test_two_long_company_names_sharing_their_start_get_a_workbook_each(tmp_path):
    # Names were cut at 80 characters with their key after them: both companies' workbooks had one file name and
    # the second was written over the first. The key is now kept whole, and a name still shared gets "-2".
    long = "Établissements de maintenance des installations électriques " * 2
    students = [{"student_id": f"E{i}", "lycee_uai": "0750654D"} for i in range(2)]
    sites = [
        {"site_id": f"S{i}", "company": f"{long}{side}", "commune_insee": "75105", "capacity": 1}
        for i, side in enumerate(("Nord", "Sud"))
    ]
    config = Config()
    st, si = load_inputs(write_csv(tmp_path / "st.csv", students), write_csv(tmp_path / "si.csv", sites), config)
    write_outputs(allocate(st, si, config), tmp_path / "out")
    alloc = dataclasses.replace(read_allocation(tmp_path / "out"), students=st, sites=si)
    write_recipient_books(alloc, tmp_path / "books")
    files = sorted((tmp_path / "books" / "entreprises").glob("*.xlsx"))
    assert len(files) == 2 and all(len(f.stem) <= 80 for f in files)
    hosts = {openpyxl.load_workbook(f).worksheets[0]["A1"].value.rsplit(" ", 1)[-1] for f in files}
    assert hosts == {"Nord", "Sud"}


def test_file_names_still_shared_get_a_number():
    books = [(stem, [], "", None) for stem in ("a", "a", "a-2", "b", "a")]
    assert [b[0] for b in recipients._one_per_file(books)] == ["a", "a-3", "a-2", "b", "a-4"]


def test_the_weeks_are_said_in_the_readers_words_not_as_codes(published_demo, tmp_path):
    # The workbooks read "both" / "week_1" in French: an officer forwarding them would have to explain the codes.
    weeks = {"les deux semaines", "semaine 1", "semaine 2"}
    for folder in ("lycees", "entreprises"):
        for book in sorted((published_demo / folder).glob("*.xlsx"))[:40]:
            _, rows = _rows(book)
            at = [c.value for c in rows[0]].index("Semaines")
            assert {r[at].value for r in rows[1:]} <= weeks | {None}, book.name
    sheet = openpyxl.load_workbook(published_demo / "report.xlsx", read_only=True)["Entreprises"]
    assert {"les deux semaines", "semaine 1"} <= {v for r in sheet.iter_rows(values_only=True) for v in r}
    alloc = read_allocation(published_demo)
    write_recipient_books(alloc, tmp_path, Lang("en"))
    _, rows = _rows(sorted((tmp_path / "entreprises").glob("*.xlsx"))[0])
    at = [c.value for c in rows[0]].index("Weeks")
    assert {r[at].value for r in rows[1:]} <= {"both weeks", "week 1", "week 2"}
    assert pd.read_csv(published_demo / "assignments.csv")["weeks"].isin(["both", "week_1", "week_2"]).all()
