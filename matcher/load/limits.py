"""Bounds on what a table file may hold, checked before and after parsing (figures in :mod:`matcher.limits`).

- :func:`archive_problems`: an ``.xlsx``/``.ods`` archive's declared uncompressed size and member count, read from
  its directory before anything is decompressed (a small file expanding to gigabytes is refused unread), and its
  members' compression ratios.
- :func:`text_problems`: a CSV text's NUL characters (anywhere, with their row), its number of lines, and lines
  holding more separators than any table matcher reads.
- :func:`grid_problems`: the parsed grid's rows, columns and cell lengths; a long cell is named by row and column
  and its value cut in the message.

Importing this module raises the ``csv`` module's field limit to the file limit, so that a long cell is parsed and
then reported here, never a parser failure.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.errors import Problem
from matcher.limits import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_MEMBERS, MAX_ROWS, MAX_UNZIPPED_BYTES, cut
from matcher.util.i18n import mark, num, tr

__all__ = ["archive_problems", "text_problems", "TextScan", "grid_problems"]

csv.field_size_limit(max(csv.field_size_limit(), MAX_FILE_BYTES))

_SPLIT = mark("split the file (e.g. one file per académie) and keep only the columns of the contract")


def _file_problem(file: str, message: str, fix: str = _SPLIT) -> list[Problem]:
    return [Problem(file, None, None, "", message, tr(fix))]


def archive_problems(data: bytes, file: str) -> list[Problem]:
    """Problems of a zip archive (``.xlsx``, ``.ods``) found in its directory, before decompressing anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError, OSError):
        return []  # nothing to expand: the reader names a damaged archive for what it is
    if len(members) > MAX_MEMBERS:
        said = tr("the spreadsheet archive holds {n} parts (at most {limit})")
        return _file_problem(file, said.format(n=num(len(members)), limit=num(MAX_MEMBERS)))
    total = sum(m.file_size for m in members)
    if total > MAX_UNZIPPED_BYTES:
        return _file_problem(
            file,
            tr("the spreadsheet expands to {mb} MB, above the {limit} MB limit").format(
                mb=f"{total / 2**20:,.0f}", limit=MAX_UNZIPPED_BYTES // 2**20
            ),
        )
    return []


@dataclass(frozen=True)
class TextScan:
    """What one pass over a CSV text's UTF-8 bytes tells (:func:`text_problems`).

    Attributes
    ----------
    problems : list of Problem
        NUL characters (each row holding one), too many lines, a line with far too many separators.
    codes : numpy.ndarray
        The text's UTF-8 bytes (``uint8``), for the character checks of :mod:`matcher.load.text`.
    longest_cell : int
        No cell of the text holds more characters than this: its longest record (a quoted cell may span lines).
    """

    problems: list[Problem]
    codes: npt.NDArray[np.uint8]
    longest_cell: int


def text_problems(text: str, file: str) -> TextScan:
    """Scan a CSV text once: its bounds' problems and what the later checks need (see :class:`TextScan`)."""
    codes = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)  # ASCII bytes are never inside
    # a multi-byte character in UTF-8: line ends, separators, quotes and NUL are found on the bytes
    ends = np.flatnonzero(codes == ord("\n"))
    if len(ends) > MAX_ROWS + 1:
        return TextScan(
            _file_problem(file, tr("more than {limit} lines").format(limit=num(MAX_ROWS))), codes, len(codes)
        )
    problems = _nul_rows(codes, ends, file) if "\x00" in text else []
    records = _record_ends(codes, ends) if '"' in text else ends
    bounds = np.concatenate(([-1], records, [len(codes)]))
    longest = int(np.diff(bounds).max()) if len(bounds) > 1 else 0
    if longest > MAX_COLUMNS + MAX_CELL_CHARS:  # only then can a line hold that many separators
        starts = np.append(0, ends + 1)
        separators = (codes == ord(",")) | (codes == ord(";")) | (codes == ord("\t"))
        counts = np.add.reduceat(separators.astype(np.int64), starts[starts < codes.size])
        wide = np.flatnonzero(counts > MAX_COLUMNS + MAX_CELL_CHARS)
        if wide.size:
            said = tr("row {row} holds {n} separators").format(row=int(wide[0]) + 1, n=num(int(counts[wide[0]])))
            problems += _file_problem(file, said)
    return TextScan(problems, codes, longest)


def _nul_rows(codes: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp], file: str) -> list[Problem]:
    rows = np.unique(np.searchsorted(ends, np.flatnonzero(codes == 0)) + 1)
    return [
        Problem(file, int(r), None, "", tr("a NUL character (byte 0) in this row"), tr("save the table again as CSV"))
        for r in rows[:20].tolist()
    ]


def _record_ends(codes: npt.NDArray[np.uint8], ends: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
    """The line ends outside quotes: where a record may end (an escaped quote ``""`` keeps the parity)."""
    quotes = np.cumsum(codes == ord('"'), dtype=np.int64)
    inside: npt.NDArray[np.intp] = ends[quotes[ends] % 2 == 0]
    return inside


def grid_problems(grid: pd.DataFrame, file: str, longest_cell: int | None = None) -> list[Problem]:
    """Rows, columns and cells beyond the limits, each named by row and column, long values cut.

    ``longest_cell``: for a table parsed from text, its longest record (:class:`TextScan`); no cell is longer, so
    when it is within the limit the cells are not measured one by one."""
    if grid.shape[1] > MAX_COLUMNS:
        said = tr("{n} columns (at most {limit})")
        return _file_problem(file, said.format(n=num(grid.shape[1]), limit=num(MAX_COLUMNS)))
    if len(grid) > MAX_ROWS + 1:
        said = tr("{n} rows (at most {limit})")
        return _file_problem(file, said.format(n=num(len(grid) - 1), limit=num(MAX_ROWS)))
    problems: list[Problem] = []
    if longest_cell is not None and longest_cell <= MAX_CELL_CHARS:
        return problems
    header = [str(h).strip() for h in grid.iloc[0]] if len(grid) else []
    for position in range(grid.shape[1]):
        lengths = grid.iloc[:, position].astype(str).str.len().to_numpy()
        for i in np.flatnonzero(lengths > MAX_CELL_CHARS)[:20].tolist():
            value = str(grid.iat[i, position])
            problems.append(
                Problem(
                    file,
                    i + 1,
                    cut(header[position], 40) if i else None,
                    cut(value),
                    tr("a cell of {n} characters (at most {limit})").format(
                        n=num(len(value)), limit=num(MAX_CELL_CHARS)
                    ),
                    tr("shorten the cell: it holds something else than a value of the contract"),
                )
            )
    return problems
