"""Reading a user's file into a grid of strings: CSV (sniffed) or XLSX, never typed by the reader.

Every cell is read as ``str`` and typed later by :mod:`matcher.load.cells`, so that codes keep their leading zeros
and no reader guesses a type. Anything that is not a readable table (missing file, binary data, an old ``.xls``,
an empty file) becomes a file-level :class:`~matcher.errors.Problem`, never an exception.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem

__all__ = ["RawTable", "read_raw"]

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIX_FORMAT = "save the table as CSV (UTF-8, comma or semicolon) or as .xlsx"


def _no_header(file: str) -> Problem:
    return Problem(file, None, None, "", "no header row: the first row is empty", "put the column names in row 1")


@dataclass(frozen=True)
class RawTable:
    """A file as strings.

    Attributes
    ----------
    headers : list of str
        Header cells (row 1), stripped.
    cells : pandas.DataFrame
        Data cells as ``str`` ("" when empty), columns numbered by position; fully blank rows removed.
    rows : numpy.ndarray
        Spreadsheet row number of each row of ``cells`` (the header is row 1).
    excel : bool
        True for an XLSX file (numbers typed in cells may need repairs such as ``1000`` → ``01000``).
    """

    headers: list[str]
    cells: pd.DataFrame
    rows: np.ndarray
    excel: bool


def read_raw(path: str | Path, file: str) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV or XLSX file as strings.

    Parameters
    ----------
    path : str or Path
        The file. XLSX is recognised by its content (a zip archive), whatever its extension.
    file : str
        Label used in problems.

    Returns
    -------
    RawTable or None
        None when nothing could be read; then the problems say why.
    list of Problem
        File-level problems (unreadable, binary, empty, header only) and rows with too many cells.
    """
    def fail(message: str, fix: str = _FIX_FORMAT) -> tuple[None, list[Problem]]:
        return None, [Problem(file, None, None, "", message, fix)]

    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return fail(f"cannot read the file ({exc.strerror or exc})", "check the path and the file's permissions")
    if data.startswith(_OLE):
        return fail("old Excel format (.xls) is not supported")
    if data.startswith(_ZIP):
        grid, problems = _read_xlsx(data, file)
    else:
        text = _decode(data)
        if text is None or _CONTROL.search(text[:65536]):
            return fail("not a text table: the file looks binary or uses an unknown encoding")
        grid, problems = _read_csv(text, file)
    if grid is None:
        return None, problems
    return _to_raw(grid, data.startswith(_ZIP), file, problems)


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM), else Windows-1252; None if neither decodes."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(text: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (comma on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _read_csv(text: str, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    sep = _delimiter(text)
    try:
        grid = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                           skip_blank_lines=False, engine="c")
        return grid.fillna(""), []
    except pd.errors.EmptyDataError:
        if text.strip():
            return None, [_no_header(file)]
        return None, [Problem(file, None, None, "", "the file is empty", "give a header row and one row per record")]
    except pd.errors.ParserError:
        return _read_csv_leniently(text, sep, file)


def _read_csv_leniently(text: str, sep: str, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Slow path for ragged files: report rows with more non-empty cells than the header has columns."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = len(records[0]) if records else 0
    problems = []
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record[width:]):
            problems.append(Problem(
                file, number, None, sep.join(record[width:]),
                f"{len(record)} cells in this row but {width} columns in the header",
                "quote cells that contain the separator (e.g. \"12,5\") or use ';' as the separator"))
    padded = [(record + [""] * width)[:width] for record in records]
    return pd.DataFrame(padded, dtype=str), problems


def _read_xlsx(data: bytes, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        grid = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=str, keep_default_na=False,
                             na_filter=False, engine="openpyxl")
    except Exception as exc:  # noqa: BLE001 - any failure of the third-party parser means an unreadable file
        return None, [Problem(file, None, None, "", f"cannot read this Excel file ({type(exc).__name__})",
                              _FIX_FORMAT)]
    return grid.fillna("").astype(str), []


def _to_raw(grid: pd.DataFrame, excel: bool, file: str,
            problems: list[Problem]) -> tuple[RawTable | None, list[Problem]]:
    """Split the header from the data, drop blank rows, number rows as a spreadsheet does."""
    grid = grid.astype(str)
    grid.columns = range(grid.shape[1])
    if grid.empty or not any(str(h).strip() for h in grid.iloc[0]):
        return None, problems + [_no_header(file)]
    headers = [str(h).strip() for h in grid.iloc[0]]
    body = grid.iloc[1:]
    blank = np.ones(len(body), dtype=bool)
    for _, cells in body.items():
        codes, distinct = pd.factorize(cells.to_numpy(dtype=object))
        blank &= np.array([not str(value).strip() for value in distinct], dtype=bool)[codes]
    body = body[~blank].reset_index(drop=True)
    rows = np.flatnonzero(~blank) + 2
    if body.empty:
        problems = problems + [Problem(file, None, None, "", "the file has a header but no data rows",
                                       "add one row per record under the header")]
    return RawTable(headers, body, rows, excel), problems
