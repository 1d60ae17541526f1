"""A small workbook per recipient: one per lycée (its students) and one per company (the students it hosts), in
the sub-folders ``lycees/`` and ``entreprises/`` of the report, with a zip of each set.

Each file holds only its recipient's rows, under a header saying what the file is, the period, the run and that it
holds small counts (a working document, not for publication). Dates are real dates, distances numbers with one
decimal, ranks integers; the column names are frozen, filterable, and as wide as their content. File names come
from the full name and the UAI (lycées) or a short key of the name (companies, whose SIRET is not in the sites
file), reduced to letters, digits and ``-`` so that they are valid on every system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from matcher.domain import reference
from matcher.export.safecells import neutralize
from matcher.report.data import Allocation
from matcher.report.tables import company_rows, student_rows
from matcher.util.i18n import Lang

__all__ = ["write_recipient_books", "safe_name", "FORMATS"]

#: Number formats of the typed columns (Excel codes).
FORMATS = {"date": "dd/mm/yyyy", "km": "0.0", "int": "0", "pct": "0.0%"}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_KIND = {"start_date": "date", "end_date": "date", "distance_km": "km", "preference_rank": "int"}


def safe_name(*parts: str, limit: int = 80) -> str:
    """A file name stem valid on every system: ASCII letters, digits and ``-`` only, at most ``limit`` long."""
    text = unicodedata.normalize("NFKD", " ".join(p for p in parts if p))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    text = text[:limit].strip("-") or "sans-nom"
    return f"{text}-fichier" if text.upper() in _RESERVED else text


def _cell(ws: object, r: int, c: int, value: object, kind: str | None, fmt: dict[str, object]) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) or value == "":
        return
    if kind == "date":
        ws.write_datetime(r, c, dt.datetime.fromisoformat(str(value)), fmt["date"])  # type: ignore[attr-defined]
    elif kind in ("km", "int"):
        ws.write_number(r, c, float(value), fmt[kind])  # type: ignore[attr-defined, arg-type]
    else:
        ws.write_string(r, c, str(neutralize(str(value))))  # type: ignore[attr-defined]


def write_book(path: Path, title: str, header: Sequence[str], frame: pd.DataFrame, heading: Sequence[str]) -> Path:
    """One sheet titled ``title``: the ``heading`` lines, then ``frame`` under the column names ``header``."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
    wb.set_properties({"title": heading[0], "created": dt.datetime(2000, 1, 1)})
    fmt = {k: wb.add_format({"num_format": v}) for k, v in FORMATS.items()}
    bold = wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1})
    ws = wb.add_worksheet(title[:31])
    for r, line in enumerate(heading):
        ws.write_string(r, 0, line, wb.add_format({"bold": r == 0}))
    top = len(heading) + 1
    kinds = [_KIND.get(c) for c in frame.columns]
    values = frame.to_numpy(object)
    for c, name in enumerate(header):
        ws.write_string(top, c, name, bold)
        longest = max([len(name)] + [len(str(v)) for v in values[:500, c] if v is not None])
        ws.set_column(c, c, min(max(longest, 10 if kinds[c] == "date" else 4) + 2, 70))
        for r, v in enumerate(values[:, c]):
            _cell(ws, top + 1 + r, c, v, kinds[c], fmt)
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(len(frame), 1), len(header) - 1)
    wb.close()
    return path


_LYCEE_COLS = ["student_id", "site_id", "company", "weeks", "start_date", "end_date", "distance_km", "reason"]
_COMPANY_COLS = ["site_id", "student_id", "lycee_uai", "weeks", "start_date", "end_date", "distance_km"]


def _headers(tr: Lang) -> dict[str, str]:
    return {
        "student_id": tr("Student"),
        "site_id": tr("Site"),
        "company": tr("Company"),
        "weeks": tr("Weeks"),
        "start_date": tr("From"),
        "end_date": tr("To"),
        "distance_km": tr("Distance (km)"),
        "reason": tr("Reason not placed"),
        "lycee_uai": tr("Lycée (UAI)"),
    }


def _heading(alloc: Allocation, tr: Lang, what: str) -> list[str]:
    weeks = alloc.summary.get("period", {})
    days = sorted(d for w in weeks.values() for d in w)
    period = f"{tr.date(days[0])} – {tr.date(days[-1])}" if days else "–"
    return [
        what,
        f"{tr('Period')} : {period} · {tr('Run')} : {alloc.folder.name}",
        tr("Working document: it holds small counts and pseudonymous ids; do not publish it."),
    ]


def _zip(folder: Path) -> Path:
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.xlsx")):
            zf.write(f, f"{folder.name}/{f.name}")
    return target


def write_recipient_books(alloc: Allocation, out: str | Path, tr: Lang | None = None) -> dict[str, Path]:
    """Write ``lycees/*.xlsx``, ``entreprises/*.xlsx`` and their zips under ``out``; returns the zips' paths.

    Without the students file (no lycée known), only the companies' workbooks are written.
    """
    tr = tr or Lang()
    out, names = Path(out), _headers(tr)
    written: dict[str, Path] = {}
    rows = student_rows(alloc)
    if "lycee_uai" in rows:
        folder = out / "lycees"
        folder.mkdir(parents=True, exist_ok=True)
        lycees = reference.lycees()["name"]
        for uai, part in rows[rows["lycee_uai"] != ""].groupby("lycee_uai", sort=True):
            full = str(lycees.get(uai, "")).strip() or tr("Lycée")
            what = f"{tr('Students of the lycée')} {full} ({uai})"
            cols = [c for c in _LYCEE_COLS if c in part]
            path = folder / f"{safe_name(full, str(uai))}.xlsx"
            write_book(path, str(uai), [names[c] for c in cols], part[cols], _heading(alloc, tr, what))
        written["lycees.zip"] = _zip(folder)
    folder = out / "entreprises"
    folder.mkdir(parents=True, exist_ok=True)
    for company, part in company_rows(alloc).groupby("company", sort=True):
        key = hashlib.sha1(str(company).encode()).hexdigest()[:6]
        cols = [c for c in _COMPANY_COLS if c in part]
        what = f"{tr('Students hosted by')} {company}"
        path = folder / f"{safe_name(str(company), key)}.xlsx"
        write_book(path, safe_name(str(company))[:31], [names[c] for c in cols], part[cols], _heading(alloc, tr, what))
    written["entreprises.zip"] = _zip(folder)
    return written
