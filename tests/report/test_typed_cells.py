"""Typed cells read back with openpyxl from a small real run whose ids look like formulas: in a lycée's workbook, a
company's and ``report.xlsx``, numbers stay numbers, dates dates and formula-like text inert text. The cells decided
at once over a column follow the rule value by value; the recipients' workbooks are the same written in one process
or two."""

from __future__ import annotations

import dataclasses
import datetime as dt
import warnings
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Config, allocate, load_inputs, write_outputs
from matcher.export.safecells import FORMULA_STARTS, neutralize
from matcher.report import Allocation, committee_figures, publish, read_allocation
from matcher.report import recipients as books
from matcher.report.cells import Table, column, typed
from matcher.report.sheets import FORMATS, labels
from matcher.report.workbook import write_workbook
from matcher.util.i18n import Lang

from conftest import two_lycees_two_companies

IDS = {"E1": "=HYPERLINK(1)", "E2": "+33 6 00", "E3": "E3", "E4": "@E4"}


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, Allocation]:
    """Four students of two lycées at two companies (one named ``-Acme``), reported in two processes."""
    d = tmp_path_factory.mktemp("typed")
    first = {"student_id": "E1", "lycee_uai": "0750654D", "gender": "M"}
    st_, si = load_inputs(*two_lycees_two_companies(d, first), Config())
    st_["student_id"] = st_["student_id"].replace(IDS)
    si["company"] = si["company"].replace({"Acme": "-Acme"})
    write_outputs(allocate(st_, si, Config()), d / "out")
    alloc = dataclasses.replace(read_allocation(d / "out"), students=st_, sites=si)
    write_workbook(alloc, publish(committee_figures(alloc)), d / "out" / "report.xlsx")
    books.write_recipient_books(alloc, d / "out", processes=2)
    return d / "out", alloc


def _table(ws) -> tuple[dict[str, int], list[tuple]]:
    """The column names (row 5) and the cells of the rows below."""
    header = {c.value: i for i, c in enumerate(ws[5])}
    return header, [tuple(row) for row in ws.iter_rows(min_row=6)]


@pytest.mark.parametrize("which", ["report", "lycee", "company"])
def test_numbers_dates_and_inert_text_read_back(run, which):
    folder, _ = run
    path = {
        "report": folder / "report.xlsx",
        "lycee": next((folder / "lycees").glob("*-0750654D.xlsx")),
        "company": next((folder / "entreprises").glob("Acme-*.xlsx")),
    }[which]
    wb = openpyxl.load_workbook(path)
    names = labels(Lang())
    ws = wb[Lang()("Students")] if which == "report" else wb.worksheets[0]
    header, rows = _table(ws)
    placed = [r for r in rows if r[header[names["distance_km"]]].value is not None]
    assert placed
    for r in placed:
        km, start = r[header[names["distance_km"]]], r[header[names["start_date"]]]
        assert type(km.value) in (int, float) and km.number_format == FORMATS["km"]  # read back as a number
        assert isinstance(start.value, dt.datetime) and start.number_format == FORMATS["date"]
    ids = {r[header[names["student_id"]]].value for r in rows}
    assert ids and ids <= {neutralize(i) for i in IDS.values()}  # "'=HYPERLINK(1)", "'+33 6 00", "E3", "'@E4"
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(FORMULA_STARTS)]
    if which == "company":
        assert wb.worksheets[0]["A1"].value.endswith("-Acme")  # the heading's own text is written as given


def test_two_processes_write_the_same_books(run, tmp_path):
    folder, alloc = run
    books.write_recipient_books(alloc, tmp_path, processes=1)
    for path in sorted((folder / "lycees").glob("*.xlsx")) + sorted((folder / "entreprises").glob("*.xlsx")):
        assert (tmp_path / path.parent.name / path.name).read_bytes() == path.read_bytes(), path.name
    for name in ("lycees.zip", "entreprises.zip"):
        one, two = zipfile.ZipFile(tmp_path / name), zipfile.ZipFile(folder / name)
        assert one.namelist() == two.namelist() and all(one.read(n) == two.read(n) for n in one.namelist())


_VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.sampled_from(["2026-06-15", "2026-06-26", "=1+1", "-3", "'x", "@a", " a ", "0.5"]),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.integers(-(2**40), 2**40),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_VALUES, max_size=12),
    st.sampled_from([None, "date", "km", "int", "pct"]),
    st.sampled_from([object, "str", "float64", "Int64"]),
)
def test_a_column_decided_at_once_follows_the_rule_value_by_value(values, kind, dtype):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # pandas casting NaN to Int64 before refusing it
            series = pd.Series(values, dtype=dtype)
    except (TypeError, ValueError, OverflowError):
        return  # values that make no such column
    try:
        cells = [typed(v, kind) for v in series.to_numpy(object)]
    except ValueError:  # a 10-character text that is no date, in a date column: refused either way
        with pytest.raises(ValueError):
            column(series, kind)
        return
    col = column(series, kind)
    assert col.how.tolist() == [h for h, _ in cells]
    assert col.values.tolist() == [v for _, v in cells]
    assert col.size.tolist() == [len(str(v)) if h else 0 for v, (h, _) in zip(series.to_numpy(object), cells)]
    rows = np.arange(len(series))[::-1].copy()
    taken = Table.of(series.to_frame("x"), {"x": kind} if kind else {}).take(rows)
    assert taken.rows == len(series) and taken.columns[0].how.tolist() == col.how[rows].tolist()
