"""Reading back a CSV file that matcher wrote (a previous run's folder, a report's allocation), damage included.

The file is read as any input is (:func:`matcher.limits.read_regular`: a regular file, bounded), every cell as
text; the apostrophe the export layer put before formula-like text is taken off
(:func:`matcher.export.safecells.restore`), so ids come back exactly as they went out. A missing, damaged or
hand-edited file is an :class:`~matcher.errors.InputError` naming the file and the fix, never a failure.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from matcher.errors import InputError, Problem
from matcher.export.safecells import restore_frame
from matcher.limits import read_regular
from matcher.util.i18n import mark, tr

__all__ = ["read_written"]


def read_written(path: str | Path, required: tuple[str, ...], fix: str) -> pd.DataFrame:
    """The CSV file matcher wrote at ``path``, as text, with its ``required`` columns.

    Parameters
    ----------
    path : str or Path
        The file.
    required : tuple of str
        Columns that must be present (each once).
    fix : str
        What the user should do when the file is missing or damaged (marked English, translated when said).

    Raises
    ------
    InputError
        The file is missing, not a regular file, too large, not UTF-8 CSV, holds NUL characters, or lacks a
        required column (or has it twice).
    """
    name = Path(path).name
    what = mark("the previous run's file")
    data = read_regular(path, what)

    def damaged(message: str) -> InputError:
        return InputError([Problem(name, None, None, "", message, tr(fix))])

    if b"\x00" in data:
        raise damaged(tr("{what} holds NUL characters: it is damaged").format(what=tr(what)))
    try:
        table = pd.read_csv(io.StringIO(data.decode("utf-8-sig")), dtype=str, keep_default_na=False, engine="c")
    except (UnicodeDecodeError, ValueError, csv.Error, pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise damaged(tr("cannot read {what} ({error})").format(what=tr(what), error=type(exc).__name__)) from None
    headers = [str(c) for c in table.columns]
    problems = [
        Problem(name, 1, c, "", tr("missing column") if c not in headers else tr("column given twice"), tr(fix))
        for c in required
        if c not in headers or any(h.startswith(f"{c}.") and h[len(c) + 1 :].isdigit() for h in headers)
    ]
    if problems:
        raise InputError(problems)
    return restore_frame(table)
