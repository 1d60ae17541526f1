"""Reading a user's file into a grid of strings: CSV (sniffed) or a spreadsheet, never typed by the reader.

Every cell is read as ``str`` and typed later by :mod:`matcher.load.cells`, so that codes keep their leading zeros
and no reader guesses a type. Spreadsheets (.xlsx, .xlsm, .xls, .ods) are read by :mod:`matcher.load.sheets`, which
also picks the data sheet and the header row. Anything that is not a readable table (missing file, a PDF, an image,
a zip archive, binary data, an empty file, a file above :data:`MAX_FILE_BYTES`) becomes a file-level
:class:`~matcher.errors.Problem`, never an exception. Damage inside a CSV file is reported on its row: a byte that
is neither UTF-8 nor Windows-1252, a row using another separator than the header, a quote never closed, a last line
cut short (a file saved half-way); CSV text is decoded and parsed by :mod:`matcher.load.csvtext`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.errors import Problem
from matcher.limits import regular_problem
from matcher.load.csvtext import UTF16_BOMS, decode, no_header, parse_csv, title_lines
from matcher.load.limits import archive_problems, grid_problems, text_problems
from matcher.load.sheets import SPREADSHEET, not_a_table, pick_table, read_workbook, sniff
from matcher.load.text import clean_grid, needs_cleaning
from matcher.util.i18n import mark, tr

__all__ = ["RawTable", "read_raw", "MAX_FILE_BYTES"]

#: Largest input file read (100 MB). A students file of the whole national cohort (560,000 rows) is about 50 MB.
MAX_FILE_BYTES = 100 * 1024 * 1024

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIX_FORMAT = mark("save the table as CSV (UTF-8, comma or semicolon) or as .xlsx")


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
        True for a spreadsheet (numbers typed in cells may need repairs such as ``1000`` → ``01000``).
    label : str
        The file's label in problems: its name, with the sheet read when the workbook has several ("" for CSV).
    notes : tuple of str
        What the reader chose for the user to know (the sheet read, title rows skipped).
    """

    headers: list[str]
    cells: pd.DataFrame
    rows: npt.NDArray[np.intp]
    excel: bool
    label: str = ""
    notes: tuple[str, ...] = ()


def read_raw(
    path: str | Path, file: str, score: Callable[[list[str]], int] | None = None
) -> tuple[RawTable | None, list[Problem]]:
    """Read a CSV file or a spreadsheet (.xlsx, .xlsm, .xls, .ods) as strings.

    Parameters
    ----------
    path : str or Path
        The file. XLSX is recognised by its content (a zip archive), whatever its extension.
    file : str
        Label used in problems.
    score : callable, optional
        Counts the contract columns a row of cells names: picks a workbook's data sheet and header row.

    Returns
    -------
    RawTable or None
        None when nothing could be read; then the problems say why.
    list of Problem
        File-level problems (unreadable, binary, empty, header only) and rows with too many cells.
    """

    def fail(message: str, fix: str = _FIX_FORMAT) -> tuple[None, list[Problem]]:
        return None, [Problem(file, None, None, "", message, tr(fix))]

    irregular = regular_problem(path, mark("the file"))  # no pipe, device or folder (docs/security.md)
    if irregular is not None:
        return None, [irregular]
    try:
        size = os.stat(path).st_size
        if size > MAX_FILE_BYTES:
            return fail(
                tr("the file is {mb} MB, above the {limit} MB limit").format(
                    mb=f"{size / 2**20:,.0f}", limit=MAX_FILE_BYTES // 2**20
                ),
                mark("split the file (e.g. one file per académie) and run each part separately"),
            )
        data = Path(path).read_bytes()
    except OSError as exc:
        return fail(
            tr("cannot read the file ({error})").format(error=exc.strerror or exc),
            mark("check the path and the file's permissions"),
        )
    if data.startswith(b"PK\x03\x04") and (bounds := archive_problems(data, file)):  # a zip: before expanding it
        return None, bounds
    kind, what = sniff(data)
    if kind == "other":
        return None, [not_a_table(file, what)]
    if kind == SPREADSHEET:
        return _read_spreadsheet(data, file, score)
    if not data.startswith(UTF16_BOMS) and _CONTROL_BYTES.search(data[:65536]):
        return fail(tr("not a text table: the file looks binary or uses an unknown encoding"))
    text, problems = decode(data, file)
    if text is None:
        return None, problems
    if _CONTROL.search(text[:65536]):
        return fail(tr("not a text table: the file looks binary or uses an unknown encoding"))
    scan = text_problems(text, file)
    if scan.problems:
        return None, scan.problems
    skipped, text = title_lines(text, score) if score else (0, text)
    codes = scan.codes if not skipped else np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    grid, problems = parse_csv(text, file, codes)
    if grid is None:
        return None, problems
    if bounds := grid_problems(grid, file, scan.longest_cell):
        return None, bounds
    if needs_cleaning(text):  # most files: plain text, nothing to clean
        grid, refused = clean_grid(grid, file)
        problems = problems + refused
    raw, problems = _to_raw(grid, False, file, problems, skipped)
    if raw is None or not skipped:
        return raw, problems
    return replace(raw, notes=(_header_note(file, skipped),)), problems


def _header_note(file: str, offset: int) -> str:
    """What a reader is told when the header is not on the first row (``offset`` rows above it skipped)."""
    return tr("{file}: the header is on row {row}; the rows above it were skipped").format(file=file, row=offset + 1)


def _read_spreadsheet(
    data: bytes, file: str, score: Callable[[list[str]], int] | None
) -> tuple[RawTable | None, list[Problem]]:
    """The data sheet of a workbook, from its header row (see :func:`matcher.load.sheets.pick_table`)."""
    books, problems = read_workbook(data, file)
    if books is None:
        return None, problems
    books = {name: grid for name, grid in books.items() if not grid.empty} or books
    if not books:
        return None, [
            Problem(file, None, None, "", tr("the file is empty"), tr("give a header row and one row per record"))
        ]
    name, grid, offset = pick_table(books, score or (lambda cells: 0))
    label = f"{file} (sheet {name!r})" if len(books) > 1 else file
    if bounds := grid_problems(grid, label):
        return None, bounds
    grid, refused = clean_grid(grid, label)
    problems = problems + refused
    notes = []
    if len(books) > 1:
        said = tr("{file}: read sheet {sheet} (the other sheets hold no table of this kind)")
        notes.append(said.format(file=file, sheet=repr(name)))
    if offset:
        notes.append(_header_note(label, offset))
    raw, problems = _to_raw(grid, True, label, problems, offset)
    if raw is None:
        return None, problems
    return replace(raw, label=label, notes=tuple(notes)), problems


def _blank(cells: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """Which cells are empty or only spaces: a cell starting with a visible character is seen at once."""
    first = np.asarray(cells, dtype="U1")
    maybe = np.flatnonzero((first == "") | np.char.isspace(first))
    blank = np.zeros(len(cells), dtype=bool)
    blank[maybe] = [not str(c).strip() for c in cells[maybe].tolist()]
    return blank


def _to_raw(
    grid: pd.DataFrame, excel: bool, file: str, problems: list[Problem], offset: int = 0
) -> tuple[RawTable | None, list[Problem]]:
    """Split the header from the data, drop blank rows, number rows as a spreadsheet does; ``problems`` found on
    ``grid`` (numbered from its header) renumbered as in the file, the ``offset`` rows above the header included."""
    problems = [p if p.row is None or not offset else replace(p, row=p.row + offset) for p in problems]
    grid = grid.astype(str)
    grid.columns = pd.RangeIndex(grid.shape[1])
    if grid.empty or not any(str(h).strip() for h in grid.iloc[0]):
        return None, problems + [no_header(file)]
    headers = [str(h).strip() for h in grid.iloc[0]]
    body = grid.iloc[1:]
    blank = np.ones(len(body), dtype=bool)
    for _, cells in body.items():  # each column tests only the rows still blank (few after the first)
        blank[np.flatnonzero(blank)] = _blank(cells.to_numpy(dtype=object)[blank])
    body = body[~blank].reset_index(drop=True)
    rows = np.flatnonzero(~blank) + 2 + offset
    if body.empty:
        problems = problems + [
            Problem(
                file,
                None,
                None,
                "",
                tr("the file has a header but no data rows"),
                tr("add one row per record under the header"),
            )
        ]
    return RawTable(headers, body, rows, excel), problems
