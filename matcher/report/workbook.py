"""The officer's workbook (XLSX): a summary sheet, the committee table, one sheet per académie, and one sheet per
lycée and per company that can be forwarded as is.

Every text cell goes through :func:`matcher.export.safecells.neutralize`, so an id such as ``=HYPERLINK(...)`` is
stored as inert text (with a leading apostrophe), never as a formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from matcher.domain import reference
from matcher.export.safecells import neutralize
from matcher.report.data import Allocation
from matcher.report.tables import academy_table, company_rows, student_rows

__all__ = ["write_workbook"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet title (at most 31 characters, none of ``[]:*?/\\``), recorded in ``taken``."""
    base = _BAD.sub(" ", str(text)).strip().strip("'")[:31] or "sheet"
    title, n = base, 1
    while title.lower() in taken:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 3]} ({n})"
    taken.add(title.lower())
    return title


def _value(v: object) -> object:
    """A cell's value as written: missing values as None, numpy scalars as Python ones, text neutralised."""
    if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    return neutralize(v)  # type: ignore[no-untyped-call, unused-ignore]  # not annotated in matcher.export yet


class _Book:
    """An XlsxWriter workbook that never turns text into formulas or URLs, with unique sheet titles."""

    def __init__(self, path: Path) -> None:
        self.wb = xlsxwriter.Workbook(
            str(path),
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False, "in_memory": True},
        )
        self.wb.set_properties({"title": "matcher allocation", "created": None})
        self.bold = self.wb.add_format({"bold": True})
        self.taken: set[str] = set()

    def sheet(self, title: str) -> Worksheet:
        ws = self.wb.add_worksheet(sheet_title(title, self.taken))
        ws.row = 0
        return ws

    def line(self, ws: Worksheet, values: Sequence[object], bold: bool = False) -> None:
        for j, v in enumerate(values):
            v = _value(v)
            if isinstance(v, str):
                ws.write_string(ws.row, j, v, self.bold if bold else None)
            elif v is not None:
                ws.write(ws.row, j, v, self.bold if bold else None)
        ws.row += 1

    def table(self, ws: Worksheet, frame: pd.DataFrame) -> None:
        self.rows(ws, list(frame.columns), frame.to_numpy(object).tolist())

    def rows(self, ws: Worksheet, header: Sequence[object], rows: Sequence[Sequence[object]]) -> None:
        self.line(ws, header, bold=True)
        for row in rows:
            self.line(ws, row)


def _sheet(book: _Book, title: str, header: Sequence[str], rows: Sequence[Sequence[object]], heading: str) -> None:
    """A forwardable sheet: a heading line, then a filterable table with frozen column names."""
    ws = book.sheet(title)
    for i, col in enumerate(header):
        width = max([len(str(col))] + [len(str(r[i])) for r in rows[:200]]) + 2
        ws.set_column(i, i, min(width, 60))
    book.line(ws, [heading], bold=True)
    ws.freeze_panes(2, 0)
    book.rows(ws, header, rows)
    ws.autofilter(1, 0, max(ws.row - 1, 1), max(len(header) - 1, 0))


def _split(frame: pd.DataFrame, key: str, drop: bool = False) -> Iterator[tuple[str, list[str], list[list[object]]]]:
    """(key value, header, rows as lists) per group of ``frame`` by its text column ``key``, keys sorted."""
    header = [c for c in frame.columns if not (drop and c == key)]
    values = frame[header].to_numpy(object).tolist()
    for name, idx in sorted(frame.groupby(key, sort=False).indices.items()):
        yield str(name), header, [values[i] for i in idx]  # text already: str() only tells the type checker


def _summary(book: _Book, alloc: Allocation, published: pd.DataFrame) -> None:
    ws = book.sheet("Summary")
    ws.set_column(0, 0, 34)
    c, cov, s = alloc.summary.get("counts", {}), alloc.summary.get("coverage", {}), alloc.summary.get("solver", {})
    rows = [
        ("Students", c.get("students")),
        ("Placed", c.get("placed")),
        ("Placed full time", c.get("placed_full_time")),
        ("Placed split", c.get("placed_split")),
        ("Not placed", c.get("not_placed")),
        ("Places offered", c.get("places_offered")),
        ("Target (places)", cov.get("target_places")),
        ("Places used", c.get("places_used")),
        ("Solver status", s.get("status")),
        ("Gap", s.get("gap")),
        ("Inputs", alloc.inputs_note),
    ]
    book.line(ws, ["matcher allocation summary"], bold=True)
    for label, value in rows:
        book.line(ws, [label, value])
    ws.row += 1
    book.line(ws, ["Steering committee figures (counts of 1–4 shown as <5, revealing shares as s)"], bold=True)
    book.table(ws, published)
    ws.row += 1
    book.line(ws, ["Per académie"], bold=True)
    book.table(ws, academy_table(alloc))
    ws.row += 1
    book.line(ws, [reference.ATTRIBUTION])


def write_workbook(alloc: Allocation, published: pd.DataFrame, path: str | Path) -> Path:
    """Write the workbook to ``path``: Summary, one sheet per académie (its students), ``L <UAI>`` per lycée,
    ``C <company>`` per company; returns the path."""
    path = Path(path)
    book = _Book(path)
    _summary(book, alloc, published)
    rows = student_rows(alloc)
    for name, header, part in _split(rows, "student_academie"):
        _sheet(book, name or "(no académie)", header, part, f"Students of the académie {name}")
    if "lycee_uai" in rows:
        names = reference.lycees()["name"]
        for uai, header, part in _split(rows, "lycee_uai", drop=True):
            label = f"{uai} {names.get(uai, '')}".strip() if uai else "(no lycée)"
            _sheet(book, f"L {uai or 'none'}", header, part, f"Lycée {label}")
    for company, header, part in _split(company_rows(alloc), "company"):
        _sheet(book, f"C {company}", header, part, f"Company {company}")
    book.wb.close()
    return path
