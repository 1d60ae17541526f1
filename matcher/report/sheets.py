"""Typed, forwardable worksheets: a heading (what the sheet is, the period, the run, whether it holds small
counts), then a table whose column names are frozen and filterable, in the reader's language, as wide as their
content, with real dates, whole numbers, one-decimal distances and percentages.

Every text cell goes through :func:`matcher.export.safecells.neutralize` and is written as a string, never as a
formula. Place counts are written in place-weeks (a place for both weeks is 2), never as ``12.5 places``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from matcher.report.cells import BLANK, DATE, NUMBER, TEXT, Table, typed
from matcher.report.data import Allocation
from matcher.util.i18n import Lang

__all__ = ["Book", "FORMATS", "KINDS", "labels", "heading", "place_weeks"]

#: Number formats of the typed columns (Excel codes).
FORMATS = {"date": "dd/mm/yyyy", "km": "0.0", "int": "#,##0", "pct": "0.0%"}
#: The kind of each known column (others are text).
KINDS = {
    **dict.fromkeys(("start_date", "end_date"), "date"),
    **dict.fromkeys(("distance_km", "mean_km", "nearest_place_km"), "km"),
    **dict.fromkeys(
        (
            "preference_rank",
            "students",
            "placed",
            "not_placed",
            "requests",
            "students_hosted",
            "place_weeks_offered",
            "place_weeks_used",
            "value",
            "seconde_gt_students",
        ),
        "int",
    ),
    **dict.fromkeys(("placed_share", "fill_rate", "girls_share", "priority_share"), "pct"),
}


def labels(tr: Lang) -> dict[str, str]:
    """Column names in the reader's language (the CSV files keep their contract names)."""
    return {
        "student_id": tr("Student"),
        "site_id": tr("Site"),
        "company": tr("Company"),
        "weeks": tr("Weeks"),
        "start_date": tr("From"),
        "end_date": tr("To"),
        "distance_km": tr("Distance (km)"),
        "preference_rank": tr("Preference rank"),
        "group_id": tr("Group"),
        "student_academie": tr("Académie of the student"),
        "site_academie": tr("Académie of the site"),
        "reason_code": tr("Reason code"),
        "reason": tr("Reason not placed"),
        "lycee_uai": tr("Lycée (UAI)"),
        "uai": tr("UAI"),
        "name": tr("Name"),
        "academie": tr("Académie"),
        "trade": tr("Trade first asked for"),
        "students": tr("Students"),
        "requests": tr("Requests"),
        "placed": tr("Placed"),
        "not_placed": tr("Not placed"),
        "mean_km": tr("Mean distance (km)"),
        "placed_share": tr("Share placed"),
        "place_weeks_offered": tr("Place-weeks offered"),
        "place_weeks_used": tr("Place-weeks used"),
        "students_hosted": tr("Students hosted"),
        "girls_share": tr("Girls' share"),
        "priority_share": tr("Priority students' share"),
        "fill_rate": tr("Fill rate"),
        "commune_insee": tr("Commune (INSEE)"),
        "departement": tr("Département"),
        "seconde_gt_students": tr("Seconde students"),
        "nearest_place_km": tr("Nearest place (km)"),
        "departement_name": tr("Name"),
        "seconde_students": tr("Seconde students"),
        "white_zone_lycees": tr("White-zone lycées"),
        "white_zone_students": tr("Seconde students in white zones"),
        "sites": tr("Sites"),
        "fair_share_place_weeks": tr("Fair share (place-weeks)"),
        "share_within_15km": tr("Share within 15 km"),
        "share_within_30km": tr("Share within 30 km"),
        "share_within_60km": tr("Share within 60 km"),
    }


def place_weeks(table: pd.DataFrame) -> pd.DataFrame:
    """``places_offered`` / ``places_used`` / ``fair_share_places`` (half places for one week) as whole
    place-weeks (``place_weeks_offered``...)."""
    out = table.copy()
    for col in ("places_offered", "places_used", "fair_share_places"):
        if col in out:
            at = list(out.columns).index(col)
            weeks = (out.pop(col).astype(float) * 2).round()
            out.insert(at, col.replace("places", "place_weeks"), weeks.astype("Int64"))
    return out


def heading(alloc: Allocation, tr: Lang, what: str, small_counts: bool = True) -> list[str]:
    """The lines above a table: what it is, the period and the run, and whether it holds small counts."""
    weeks = alloc.summary.get("period", {})
    days = sorted(d for w in weeks.values() for d in w)
    period = f"{tr.date(days[0])} – {tr.date(days[-1])}" if days else "–"
    note = (
        tr("Working document: it holds small counts and pseudonymous ids; do not publish it.")
        if small_counts
        else tr("Published figures: small counts are suppressed (statistical secrecy).")
    )
    return [what, f"{tr('Period')}{tr.colon}{period} · {tr('Run')}{tr.colon}{alloc.folder.name}", note]


class Book:
    """An XlsxWriter workbook of typed table sheets (never a formula, never a URL)."""

    def __init__(self, path: str, title: str) -> None:
        self.wb = xlsxwriter.Workbook(path, {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True})
        self.wb.set_properties({"title": title, "created": dt.datetime(2000, 1, 1)})
        self.fmt = {k: self.wb.add_format({"num_format": v}) for k, v in FORMATS.items()}
        self.head = self.wb.add_format({"bold": True, "bg_color": "#EEF2F7", "border": 1, "text_wrap": True})
        self.bold = self.wb.add_format({"bold": True})

    def cell(self, ws: Worksheet, r: int, c: int, v: Any, kind: str | None) -> None:
        """Write one value as its kind: a date, a number with its format, or inert text (:func:`typed`)."""
        how, value = typed(v, kind)
        if how:
            write, fmt = self._writers(ws, kind)[how]
            write(r, c, value, fmt)

    def sheet(self, title: str, top: Sequence[str], frame: pd.DataFrame, names: dict[str, str]) -> Worksheet:
        """A sheet: the ``top`` lines, a blank line, then ``frame`` (columns named through ``names``)."""
        return self.table(title, top, Table.of(frame, KINDS), names)

    def table(self, title: str, top: Sequence[str], table: Table, names: dict[str, str]) -> Worksheet:
        """A sheet: the ``top`` lines, a blank line, then ``table``'s cells (columns named through ``names``)."""
        ws = self.wb.add_worksheet(title[:31])
        for r, line in enumerate(top):
            ws.write_string(r, 0, line, self.bold if r == 0 else None)
        row = len(top) + 1
        for c, (key, col) in enumerate(zip(table.keys, table.columns)):
            name = names.get(key, key)
            ws.write_string(row, c, name, self.head)
            longest = max([len(w) for w in name.split()] + col.size[:500][col.how[:500] != BLANK].tolist())
            ws.set_column(c, c, min(max(longest, 10 if col.kind == "date" else 6) + 2, 70))
            writers = self._writers(ws, col.kind)
            for r, (how, value) in enumerate(zip(col.how.tolist(), col.values.tolist()), row + 1):
                if how:
                    write, fmt = writers[how]
                    write(r, c, value, fmt)
        ws.freeze_panes(row + 1, 0)
        ws.autofilter(row, 0, row + max(table.rows, 1), max(len(table.keys) - 1, 0))
        return ws

    def _writers(self, ws: Worksheet, kind: str | None) -> dict[int, tuple[Callable[..., Any], Format | None]]:
        """The worksheet's writer and the format of each way a cell of a column of ``kind`` is written."""
        fmt = self.fmt.get(kind or "")
        return {TEXT: (ws.write_string, None), NUMBER: (ws.write_number, fmt), DATE: (ws.write_datetime, fmt)}

    def close(self) -> None:
        self.wb.close()
