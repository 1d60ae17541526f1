"""The officers' workbook (``report.xlsx``) for the académie or the nation: a summary sheet, then one sheet per
kind of table — académies, students, lycées, companies, trades — with typed cells (:mod:`matcher.report.sheets`).

The per-lycée and per-company lists are in their own small workbooks (:mod:`matcher.report.recipients`). Every text
cell is inert (``=HYPERLINK(...)`` is stored with a leading apostrophe), never a formula.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from matcher.domain import reference
from matcher.report.data import Allocation
from matcher.report.page import STATUS
from matcher.report.sheets import Book, heading, labels, place_weeks
from matcher.report.tables import academy_table, company_rows, lycee_table, student_rows, trade_table
from matcher.util.i18n import Lang

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


def _key_figures(alloc: Allocation, tr: Lang) -> pd.DataFrame:
    c, cov, s = alloc.summary.get("counts", {}), alloc.summary.get("coverage", {}), alloc.summary.get("solver", {})
    weeks = {k: round(2 * float(c.get(k) or 0)) for k in ("places_offered", "places_used")}
    rows = [
        (tr("Students"), c.get("students")),
        (tr("Placed"), c.get("placed")),
        (tr("Placed full time"), c.get("placed_full_time")),
        (tr("Placed split"), c.get("placed_split")),
        (tr("Placed for one week"), c.get("placed_one_week")),
        (tr("Not placed"), c.get("not_placed")),
        (tr("Place-weeks offered"), weeks["places_offered"]),
        (tr("Target (place-weeks)"), 2 * int(cov.get("target_places") or 0)),
        (tr("Place-weeks used"), weeks["places_used"]),
        (tr("Solver"), tr(STATUS.get(str(s.get("status", "")), str(s.get("status", ""))))),
        (tr("Inputs"), tr(alloc.inputs_note)),
    ]
    return pd.DataFrame(rows, columns=["figure", "value"])


def write_workbook(alloc: Allocation, published: pd.DataFrame, path: str | Path, tr: Lang | None = None) -> Path:
    """Write the workbook to ``path``: a summary (key figures and the published committee table), then one sheet
    per kind of table; returns the path."""
    tr, path = tr or Lang(), Path(path)
    names = labels(tr) | {"figure": tr("Figure"), "value": tr("Value")}
    what = tr("Placements: the officers' workbook") + f" — {alloc.folder.name}"
    book = Book(str(path), what)
    summary = book.sheet(tr("Summary"), heading(alloc, tr, what), _key_figures(alloc, tr), names)
    row = 17
    summary.write_string(row, 0, tr("Steering committee figures (published: <5 and s where suppressed)"), book.bold)
    committee = place_weeks(published)
    for c, col in enumerate(committee.columns):
        summary.write_string(row + 1, c, names.get(str(col), str(col)), book.head)
        for r, v in enumerate(committee[col].tolist()):
            book.cell(summary, row + 2 + r, c, v, "pct" if "share" in col or col == "fill_rate" else "int")
    summary.write_string(row + 3 + len(committee), 0, reference.ATTRIBUTION)
    tables = {
        tr("Académies"): place_weeks(academy_table(alloc)),
        tr("Students"): student_rows(alloc, tr),
        tr("Lycées"): lycee_table(alloc),
        tr("Companies"): company_rows(alloc, tr),
        tr("Trades"): trade_table(alloc, tr),
    }
    for title, frame in tables.items():
        if frame is not None:
            book.sheet(title, heading(alloc, tr, f"{title} — {alloc.folder.name}"), frame, names)
    book.close()
    return path
