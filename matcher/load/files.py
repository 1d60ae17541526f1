"""Reading a user's file into a grid of strings: CSV (sniffed) or XLSX, never typed by the reader.

Every cell is read as ``str`` and typed later by :mod:`matcher.load.cells`, so that codes keep their leading zeros
and no reader guesses a type. Anything that is not a readable table (missing file, binary data, an old ``.xls``,
an empty file, a file above :data:`MAX_FILE_BYTES`) becomes a file-level :class:`~matcher.errors.Problem`, never an
exception. Damage inside a CSV file is reported on its row: a byte that is neither UTF-8 nor Windows-1252, a row
using another separator than the header, a quote never closed, a last line cut short (a file saved half-way); CSV
text is decoded and parsed by :mod:`matcher.load.csvtext`.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.errors import Problem
from matcher.limits import regular_problem
from matcher.load.csvtext import UTF16_BOMS, decode, no_header, parse_csv
from matcher.load.limits import archive_problems, grid_problems, text_problems
from matcher.load.text import clean_grid

__all__ = ["RawTable", "read_raw", "MAX_FILE_BYTES"]

#: Largest input file read (100 MB). A students file of the whole national cohort (560,000 rows) is about 50 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIX_FORMAT = "save the table as CSV (UTF-8, comma or semicolon) or as .xlsx"


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
    rows: npt.NDArray[np.intp]
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

    irregular = regular_problem(path, "the file")  # no pipe, device or folder (docs/security.md)
    if irregular is not None:
        return None, [irregular]
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            return fail(
                f"the file is {size / 2**20:,.0f} MB, above the {MAX_FILE_BYTES // 2**20} MB limit",
                "split the file (e.g. one file per académie) and run each part separately",
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        return fail(f"cannot read the file ({exc.strerror or exc})", "check the path and the file's permissions")
    if data.startswith(_OLE):
        return fail("old Excel format (.xls) is not supported")
    if data.startswith(_ZIP):
        if bounds := archive_problems(data, file):
            return None, bounds
        grid, problems = _read_xlsx(data, file)
    else:
        if not data.startswith(UTF16_BOMS) and _CONTROL_BYTES.search(data[:65536]):
            return fail("not a text table: the file looks binary or uses an unknown encoding")
        text, problems = decode(data, file)
        if text is None:
            return None, problems
        if _CONTROL.search(text[:65536]):
            return fail("not a text table: the file looks binary or uses an unknown encoding")
        if bounds := text_problems(text, file):
            return None, bounds
        grid, problems = parse_csv(text, file)
    if grid is None:
        return None, problems
    if bounds := grid_problems(grid, file):
        return None, bounds
    grid, refused = clean_grid(grid, file)
    problems = problems + refused
    return _to_raw(grid, data.startswith(_ZIP), file, problems)


def _read_xlsx(data: bytes, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        grid = pd.read_excel(
            io.BytesIO(data),
            sheet_name=0,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="openpyxl",
        )
    except Exception as exc:  # noqa: BLE001 - any failure of the third-party parser means an unreadable file
        return None, [Problem(file, None, None, "", f"cannot read this Excel file ({type(exc).__name__})", _FIX_FORMAT)]
    return grid.fillna("").astype(str), []


def _to_raw(
    grid: pd.DataFrame, excel: bool, file: str, problems: list[Problem]
) -> tuple[RawTable | None, list[Problem]]:
    """Split the header from the data, drop blank rows, number rows as a spreadsheet does."""
    grid = grid.astype(str)
    grid.columns = pd.RangeIndex(grid.shape[1])
    if grid.empty or not any(str(h).strip() for h in grid.iloc[0]):
        return None, problems + [no_header(file)]
    headers = [str(h).strip() for h in grid.iloc[0]]
    body = grid.iloc[1:]
    blank = np.ones(len(body), dtype=bool)
    for _, cells in body.items():  # each column tests only the rows still blank (few after the first)
        open_rows = np.flatnonzero(blank)
        blank[open_rows] = cells.iloc[open_rows].str.strip().to_numpy() == ""
    body = body[~blank].reset_index(drop=True)
    rows = np.flatnonzero(~blank) + 2
    if body.empty:
        problems = problems + [
            Problem(
                file,
                None,
                None,
                "",
                "the file has a header but no data rows",
                "add one row per record under the header",
            )
        ]
    return RawTable(headers, body, rows, excel), problems
