"""Reading a user's file into a grid of strings: CSV (sniffed) or XLSX, never typed by the reader.

Every cell is read as ``str`` and typed later by :mod:`matcher.load.cells`, so that codes keep their leading zeros
and no reader guesses a type. Anything that is not a readable table (missing file, binary data, an old ``.xls``,
an empty file, a file above :data:`MAX_FILE_BYTES`) becomes a file-level :class:`~matcher.errors.Problem`, never an
exception. Damage inside a CSV file is reported on its row: a byte that is neither UTF-8 nor Windows-1252, a row
using another separator than the header, a quote never closed, a last line cut short (a file saved half-way).
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.errors import Problem

__all__ = ["RawTable", "read_raw", "MAX_FILE_BYTES"]

#: Largest input file read (100 MB). A students file of the whole national cohort (560,000 rows) is about 50 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0"  # legacy .xls
_UTF16 = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
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
        grid, problems = _read_xlsx(data, file)
    else:
        if not data.startswith(_UTF16) and _CONTROL_BYTES.search(data[:65536]):
            return fail("not a text table: the file looks binary or uses an unknown encoding")
        text, problems = _decode(data, file)
        if text is None:
            return None, problems
        if _CONTROL.search(text[:65536]):
            return fail("not a text table: the file looks binary or uses an unknown encoding")
        grid, problems = _read_csv(text, file)
    if grid is None:
        return None, problems
    return _to_raw(grid, data.startswith(_ZIP), file, problems)


def _decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-16 with a BOM, UTF-8 (with or without BOM), else Windows-1252; else a problem naming the bad byte's row."""
    if data.startswith(_UTF16):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        first = exc
    try:
        return data.decode("cp1252"), []
    except UnicodeDecodeError:
        pass
    start = first.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
    row = data[:start].count(b"\n") + 1
    header = data.split(b"\n", 1)[0].decode("utf-8-sig", "replace").rstrip("\r")
    sep = _delimiter(header)
    position = data[data.rfind(b"\n", 0, start) + 1 : start].count(sep.encode())
    headers = header.split(sep)
    column = headers[position].strip() if position < len(headers) and row > 1 else None
    byte = data[start : start + 1].hex()
    return None, [
        Problem(
            file,
            row,
            column,
            f"0x{byte}",
            "this byte is neither UTF-8 nor Windows-1252 text: the file is damaged, binary, or in another encoding",
            "save the table again as CSV UTF-8 (or as .xlsx) from the spreadsheet",
        )
    ]


def _delimiter(text: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (comma on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _read_csv(text: str, file: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    sep = _delimiter(text)
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            dtype=str,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
            low_memory=False,
        )  # no NaN: missing cells read as ""
        problems: list[Problem] = []
    except pd.errors.EmptyDataError:
        if text.strip():
            return None, [_no_header(file)]
        return None, [Problem(file, None, None, "", "the file is empty", "give a header row and one row per record")]
    except pd.errors.ParserError:
        grid, problems = _read_csv_leniently(text, sep, file)
    damaged = _damaged_lines(text, sep, grid, file)
    if damaged:  # a damaged row gives this one problem, not one per cell it garbles
        rows = [p.row - 1 for p in damaged]
        grid.iloc[rows] = ""
        problems = [p for p in problems if p.row not in {d.row for d in damaged}] + damaged
    return grid, problems


def _damaged_lines(text: str, sep: str, grid: pd.DataFrame, file: str) -> list[Problem]:
    """Rows using another separator than the header; a last line cut short (no end of line, cells missing)."""
    codes = np.frombuffer((text + "\n").encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    ends = np.flatnonzero(codes == ord("\n"))  # the "\n" ending each line (the last one added above)
    if len(grid) < 2 or len(ends) not in (len(grid), len(grid) + 1):  # quoted line breaks: rows ≠ lines
        return []
    starts = np.append(0, ends[:-1] + 1)  # an empty line starts on its own "\n"

    def line(k: int) -> str:
        return text[starts[k] : ends[k]].rstrip("\r")

    width = grid.shape[1]
    others = [other for other in (",", ";", "\t") if other != sep]
    out = []
    if width > 1:
        holding = np.logical_or.reduceat(codes == ord(sep), starts)
        for k in 1 + np.flatnonzero(~holding[1 : len(grid)]):
            found = [o for o in others if o in line(k)]
            if found and line(k).strip():
                shown = "tab" if found[0] == "\t" else repr(found[0])
                out.append(
                    Problem(
                        file,
                        k + 1,
                        None,
                        line(k)[:60],
                        f"this row is separated by {shown}, the header by {'tab' if sep == chr(9) else repr(sep)}",
                        "use one separator in the whole file (save it again from the spreadsheet)",
                    )
                )
    last = line(len(grid) - 1)
    cells = len(next(csv.reader([last], delimiter=sep), []))
    if (
        not text.endswith(("\n", "\r"))
        and last.strip()
        and cells < width
        and len(grid) - 1 not in [p.row - 2 for p in out]
    ):
        column = str(grid.iat[0, max(cells - 1, 0)]).strip() or None
        out.append(
            Problem(
                file,
                len(grid),
                column,
                last[:60],
                f"the last row is cut short ({cells} of {width} cells, "
                "no end of line): the file may have been saved or copied half-way",
                "save the complete file again, or finish or delete this row",
            )
        )
    return out


def _read_csv_leniently(text: str, sep: str, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Slow path for ragged files: report rows with more non-empty cells than the header has columns."""
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    width = len(records[0]) if records else 0
    problems = _unclosed_quote(text, sep, file)
    for number, record in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in record[width:]):
            problems.append(
                Problem(
                    file,
                    number,
                    None,
                    sep.join(record[width:]),
                    f"{len(record)} cells in this row but {width} columns in the header",
                    "quote cells that contain the separator (e.g. \"12,5\") or use ';' as the separator",
                )
            )
    padded = [(record + [""] * width)[:width] for record in records]
    return pd.DataFrame(padded, dtype=str), problems


def _unclosed_quote(text: str, sep: str, file: str) -> list[Problem]:
    """The row where a quoted cell opens and never closes (the rest of the file would be read into it)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, strict=True)
    read = 0
    try:
        for read, _row in enumerate(reader, start=1):  # noqa: B007 (the count is read after the loop)
            pass
    except csv.Error:
        return [
            Problem(
                file,
                read + 1,
                None,
                '"',
                'a quote (") opened in this row is never closed',
                "close the quote, or remove it (quotes are needed only around cells containing the separator)",
            )
        ]
    return []


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
    grid.columns = range(grid.shape[1])
    if grid.empty or not any(str(h).strip() for h in grid.iloc[0]):
        return None, problems + [_no_header(file)]
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
