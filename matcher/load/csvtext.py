"""A CSV file's bytes → its text → a grid of strings, with the damage found on the way reported on its row.

The encoding is sniffed (UTF-16 with a BOM, UTF-8 with or without BOM, else Windows-1252) and the separator is the
most frequent of ``,``, ``;`` and tab in the header line. Every cell is read as ``str``. A byte that is neither
UTF-8 nor Windows-1252, a row using another separator than the header, a quote never closed, a row with more cells
than the header and a last line cut short each become one :class:`~matcher.errors.Problem` on their row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.errors import Problem
from matcher.load.sheets import HEADER_SCAN_ROWS
from matcher.util.i18n import tr

__all__ = ["UTF16_BOMS", "decode", "parse_csv", "no_header"]

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")  # Excel's "Unicode text" export


def no_header(file: str) -> Problem:
    """The problem of a file whose first row is empty."""
    return Problem(
        file, None, None, "", tr("no header row: the first row is empty"), tr("put the column names in row 1")
    )


def decode(data: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-16 with a BOM, UTF-8 (with or without BOM), else Windows-1252; else a problem naming the bad byte's row."""
    if data.startswith(UTF16_BOMS):
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
            tr("this byte is neither UTF-8 nor Windows-1252 text: the file is damaged, binary, or in another encoding"),
            tr("save the table again as CSV UTF-8 (or as .xlsx) from the spreadsheet"),
        )
    ]


def _delimiter(text: str) -> str:
    """The most frequent of ``;``, ``,`` and tab in the header line (comma on a tie)."""
    header = text.split("\n", 1)[0]
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def title_lines(text: str, score: Callable[[list[str]], int]) -> tuple[int, str]:
    """Lines above the header (a title, a date, blank lines), as spreadsheets saved as CSV often have: how many,
    and the text from the header down. ``score`` counts the contract columns a row of cells names; the best of the
    first ``HEADER_SCAN_ROWS`` lines, split by any separator, is the header (ties: the upper line)."""
    lines = text[: 1 << 16].split("\n", HEADER_SCAN_ROWS)[:HEADER_SCAN_ROWS]

    def cells(line: str, sep: str) -> list[str]:
        return [cell.strip().strip('"').strip() for cell in line.split(sep)]

    first = max((cells(lines[0], sep) for sep in (",", ";", "\t")), key=len) if lines else []
    if first and score(first) >= len({c for c in first if c}):
        return 0, text  # every cell of the first line names a column: it is the header
    scores = [max(score(cells(line, sep)) for sep in (",", ";", "\t")) for line in lines]
    best = max(range(len(scores)), key=lambda k: (scores[k], -k), default=0)
    if best == 0 or scores[best] == 0:
        return 0, text
    return best, text.split("\n", best)[best]


def parse_csv(
    text: str, file: str, codes: npt.NDArray[np.uint8] | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The text as a grid of strings (header in row 0), and its damaged rows; ``codes``: the text's UTF-8 bytes
    when already at hand (:class:`matcher.load.limits.TextScan`)."""
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
            return None, [no_header(file)]
        return None, [
            Problem(file, None, None, "", tr("the file is empty"), tr("give a header row and one row per record"))
        ]
    except pd.errors.ParserError:
        grid, problems = _read_csv_leniently(text, sep, file)
    if codes is None:
        codes = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    damaged = _damaged_lines(text, codes, sep, grid, file)
    if damaged:  # a damaged row gives this one problem, not one per cell it garbles
        rows = [p.row - 1 for p in damaged if p.row is not None]  # every damaged line has its row
        grid.iloc[rows] = ""
        problems = [p for p in problems if p.row not in {d.row for d in damaged}] + damaged
    return grid, problems


def _damaged_lines(text: str, utf8: npt.NDArray[np.uint8], sep: str, grid: pd.DataFrame, file: str) -> list[Problem]:
    """Rows using another separator than the header; a last line cut short (no end of line, cells missing).

    Separators and line ends are ASCII, so they are found on the text's UTF-8 bytes ``utf8``."""
    codes = np.append(utf8, np.uint8(ord("\n")))  # one more line end, as if the text ended with one more line
    ends = np.flatnonzero(codes == ord("\n"))
    if len(grid) < 2 or len(ends) not in (len(grid), len(grid) + 1):  # quoted line breaks: rows ≠ lines
        return []
    starts = np.append(0, ends[:-1] + 1)  # an empty line starts on its own "\n"

    def line(k: int) -> str:
        return codes[starts[k] : ends[k]].tobytes().decode("utf-8", "surrogatepass").rstrip("\r")

    width = grid.shape[1]
    others = [other for other in (",", ";", "\t") if other != sep]
    out: list[Problem] = []
    if width > 1:
        holding = np.logical_or.reduceat(codes == ord(sep), starts)
        for k in (1 + np.flatnonzero(~holding[1 : len(grid)])).tolist():
            found = [o for o in others if o in line(k)]
            if found and line(k).strip():
                shown = tr("tab") if found[0] == "\t" else repr(found[0])
                out.append(
                    Problem(
                        file,
                        k + 1,
                        None,
                        line(k)[:60],
                        tr("this row is separated by {row}, the header by {header}").format(
                            row=shown, header=tr("tab") if sep == chr(9) else repr(sep)
                        ),
                        tr("use one separator in the whole file (save it again from the spreadsheet)"),
                    )
                )
    last = line(len(grid) - 1)
    cells = len(next(csv.reader([last], delimiter=sep), []))
    if (
        not text.endswith(("\n", "\r"))
        and last.strip()
        and cells < width
        and len(grid) - 1 not in [p.row - 2 for p in out if p.row is not None]
    ):
        column = str(grid.iat[0, max(cells - 1, 0)]).strip() or None
        out.append(
            Problem(
                file,
                len(grid),
                column,
                last[:60],
                tr(
                    "the last row is cut short ({cells} of {width} cells, no end of line): the file may have been "
                    "saved or copied half-way"
                ).format(cells=cells, width=width),
                tr("save the complete file again, or finish or delete this row"),
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
                    tr("{cells} cells in this row but {width} columns in the header").format(
                        cells=len(record), width=width
                    ),
                    tr("quote cells that contain the separator (e.g. \"12,5\") or use ';' as the separator"),
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
                tr('a quote (") opened in this row is never closed'),
                tr("close the quote, or remove it (quotes are needed only around cells containing the separator)"),
            )
        ]
    return []
