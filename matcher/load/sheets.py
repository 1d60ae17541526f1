"""Spreadsheets as people make them: what a file is, which sheet and which row hold the table, total rows.

- :func:`sniff` names a file that is not a table (PDF, image, Word document, zip archive...) in one line.
- :func:`read_workbook` reads every sheet of an ``.xlsx``, ``.xlsm``, ``.xls`` or ``.ods`` file as strings with one
  reader (pandas' ``calamine`` engine); formulas give their last computed value (none when never computed).
- :func:`pick_table` finds the data sheet and its header row: the row (among a sheet's first rows) whose cells
  match the most contract columns; an instructions tab before it and title lines above it are skipped.
- :func:`total_rows` finds the rows that add up the others (empty id and "Total", or a sum formula).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.errors import Problem
from matcher.util.i18n import mark, tr

__all__ = ["sniff", "not_a_table", "read_workbook", "pick_table", "total_rows", "HEADER_SCAN_ROWS", "SPREADSHEET"]

#: How many rows of a sheet are searched for the header row.
HEADER_SCAN_ROWS = 30

#: What :func:`sniff` calls a spreadsheet it can read.
SPREADSHEET = "spreadsheet"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", mark("a PDF document")),
    (b"\x89PNG", mark("a PNG image")),
    (b"\xff\xd8\xff", mark("a JPEG image")),
    (b"GIF8", mark("a GIF image")),
    (b"II*\x00", mark("a TIFF image")),
    (b"MM\x00*", mark("a TIFF image")),
    (b"{\\rtf", mark("an RTF document")),
    (b"Rar!", mark("a RAR archive")),
    (b"7z\xbc\xaf", mark("a 7-Zip archive")),
    (b"\x1f\x8b", mark("a gzip archive")),
)
_FIX = mark("open it and save the table as .xlsx, .ods or CSV (UTF-8, comma or semicolon)")
_TOTAL = re.compile(r"(?i)^\s*(sous[- ]?)?total\b")
_SUM = re.compile(r"(?i)^\s*=\s*(sum|somme|subtotal|sous\.total)\s*\(")


def sniff(data: bytes) -> tuple[str, str]:
    """What the bytes are: ``("spreadsheet", "")``, ``("text", "")``, or ``("other", what it is)``."""
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return "other", what
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return SPREADSHEET, ""  # legacy .xls (an OLE container; a Word .doc is refused by the reader)
    if not data.startswith(b"PK\x03\x04"):
        return "text", ""
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return "other", mark("a damaged zip archive")
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
        return SPREADSHEET, ""
    if "content.xml" in names and b"opendocument.spreadsheet" in data[:200]:
        return SPREADSHEET, ""
    if any(n.startswith("word/") for n in names) or b"opendocument.text" in data[:200]:
        return "other", mark("a text document (Word or Writer), not a table")
    return "other", mark("a zip archive")


def not_a_table(file: str, what: str) -> Problem:
    """The one problem for a file that is not a table."""
    return Problem(file, None, None, "", tr("this file is {what}, not a table").format(what=tr(what)), tr(_FIX))


def read_workbook(data: bytes, file: str) -> tuple[dict[str, pd.DataFrame] | None, list[Problem]]:
    """Every sheet of a spreadsheet as a grid of ``str`` ("" when empty), in the workbook's order."""
    try:
        sheets = pd.read_excel(
            io.BytesIO(data),
            sheet_name=None,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="calamine",
        )
    except Exception as exc:  # noqa: BLE001 - any failure of the third-party parser means an unreadable file
        message = tr("cannot read this spreadsheet ({error})").format(error=type(exc).__name__)
        return None, [Problem(file, None, None, "", message, tr(_FIX))]
    return {str(name): grid.fillna("").astype(str) for name, grid in sheets.items()}, []


def pick_table(sheets: dict[str, pd.DataFrame], score: Callable[[list[str]], int]) -> tuple[str, pd.DataFrame, int]:
    """The data sheet, its grid from the header row down, and the header's 0-based row in the sheet.

    ``score`` counts the contract columns a row of cells names; the best row of the first ``HEADER_SCAN_ROWS`` rows
    of each sheet wins (ties: the first sheet, the upper row). With no row naming anything: the first sheet, row 0.
    """
    best = (0, "", 0)
    for name, grid in sheets.items():
        top = grid.iloc[:HEADER_SCAN_ROWS]
        for position, cells in enumerate(top.itertuples(index=False)):
            found = score([str(c).strip() for c in cells])
            if found > best[0]:
                best = (found, name, position)
    if best[0] == 0:
        name = next(iter(sheets))
        return name, sheets[name], 0
    _, name, position = best
    return name, sheets[name].iloc[position:].reset_index(drop=True), position


def total_rows(cells: pd.DataFrame, id_position: int | None) -> npt.NDArray[np.bool_]:
    """True for each row that adds up the others: its id cell is empty and a cell says "Total" or holds a sum
    formula (``=SUM(...)``); without an id column, a row whose first cell says "Total"."""
    if cells.empty:
        return np.zeros(len(cells), dtype=bool)
    if id_position is None:
        first = cells.iloc[:, 0].astype(str)
        return first.str.match(_TOTAL).to_numpy(dtype=bool)
    empty_id: npt.NDArray[np.bool_] = cells[id_position].to_numpy(dtype=object) == ""  # blank rows are gone
    if not empty_id.any():
        return empty_id
    found = np.zeros(len(cells), dtype=bool)
    candidates = np.flatnonzero(empty_id)
    for _, column in cells.iloc[candidates].items():
        text = column.astype(str)
        found[candidates] |= (text.str.match(_TOTAL) | text.str.match(_SUM)).to_numpy()
    last = len(cells) - 1
    if empty_id[last] and not found[last] and _sums_above(cells):
        found[last] = True
    return found


def _sums_above(cells: pd.DataFrame) -> bool:
    """True when the last row holds only numbers and one of them is the sum of its column above (a total without
    its label)."""
    last = cells.iloc[-1].astype(str).str.strip()
    filled = last[last != ""]
    numbers = pd.to_numeric(filled, errors="coerce")
    if filled.empty or numbers.isna().any():
        return False
    above = cells.iloc[:-1][filled.index].apply(pd.to_numeric, errors="coerce").sum()
    return bool(((above == numbers) & (numbers > 0)).any())
