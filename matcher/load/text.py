"""Normalised text: what looks the same is the same, what cannot be seen is not kept.

Every cell and header read from a table goes through :func:`clean_grid`:

- byte-order marks and zero-width characters (U+200B–U+200D, U+2060, U+FEFF, the soft hyphen U+00AD) are
  invisible and never part of a value: they are removed, and a warning says how many cells held them (never the
  values);
- text is put in Unicode NFC form, so that ``é`` typed as one character or as ``e`` + accent is one value;
- control characters (C0 and C1, DEL) and bidirectional overrides (U+202A–U+202E, U+2066–U+2069, which can make a
  value read differently from what it is) are refused: one problem per cell, named by row and column.

Ids equal once cleaned are then the same id: the loaders' duplicate checks report them. NUL characters are found
before parsing (:func:`matcher.load.limits.text_problems`).
"""

from __future__ import annotations

import re
import unicodedata
import warnings

import numpy as np
import pandas as pd

from matcher.errors import MatcherWarning, Problem
from matcher.util.i18n import num, tr

__all__ = ["INVISIBLE", "REFUSED", "clean_grid", "needs_cleaning"]

#: Characters removed from every cell (invisible, never part of a value).
INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
#: Characters refused in any cell: C0 controls but tab and line breaks, DEL, C1 controls, bidirectional overrides.
REFUSED = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"

_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_REFUSED = re.compile(f"[{REFUSED}]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _clean_column(column: pd.Series) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """The column with invisible characters removed and NFC applied; which cells changed, which hold refused ones.

    A column of plain ASCII text without control characters (most columns) is seen at once; the others are cleaned
    value by distinct value."""
    text = column.astype(str)
    values = text.to_numpy(object)
    joined = " ".join(values)  # a space adds nothing the checks look for
    if joined.isascii() and _CONTROL.search(joined) is None:
        return column, np.zeros(len(column), bool), np.zeros(len(column), bool)
    codes, uniques = pd.factorize(values)
    distinct = pd.Series(uniques, dtype=text.dtype)
    odd = (distinct.str.contains(_NON_ASCII) | distinct.str.contains(_CONTROL)).to_numpy(bool)
    cleaned = distinct.copy()
    cleaned[odd] = distinct[odd].str.replace(_INVISIBLE, "", regex=True).str.normalize("NFC")
    changed = (cleaned != distinct).to_numpy(bool)[codes]
    refused = np.zeros(len(distinct), bool)
    refused[odd] = cleaned[odd].str.contains(_REFUSED).to_numpy(bool)
    out = text.copy()
    out[:] = cleaned.to_numpy(object)[codes]
    return out, changed, refused[codes]


#: Any character :func:`clean_grid` removes or refuses (tab and line breaks are neither).
_SPECIAL = re.compile(f"[{INVISIBLE}{REFUSED}]")


def needs_cleaning(text: str) -> bool:
    """Whether some cell of a CSV text may hold a character :func:`clean_grid` removes, normalises or refuses.
    False is certain; True sends the grid through :func:`clean_grid`, which decides cell by cell."""
    if _SPECIAL.search(text) is not None:
        return True
    return not text.isascii() and not unicodedata.is_normalized("NFC", text)


def clean_grid(grid: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """``grid`` (header in row 0) with every cell cleaned as the module says; problems for refused characters.

    Returns
    -------
    pandas.DataFrame
        A cleaned copy (the input itself when nothing needed cleaning).
    list of Problem
        One per cell holding a refused character (row number as in the spreadsheet: the header is row 1).
    """
    out: dict[int, pd.Series] = {}
    problems: list[Problem] = []
    changed_cells = 0
    header = [str(h) for h in grid.iloc[0]] if len(grid) else []
    for position in range(grid.shape[1]):
        column, changed, refused = _clean_column(grid.iloc[:, position])
        out[position] = column
        changed_cells += int(changed.sum())
        name = _INVISIBLE.sub("", header[position]).strip() if header else ""
        problems += [
            Problem(
                file,
                i + 1,
                _REFUSED.sub("?", name) or None,
                "",
                tr(
                    "a control or text-direction character in this cell (invisible, or showing the text in another "
                    "order than it is stored)"
                ),
                tr("retype the cell, or save the table again from the spreadsheet"),
            )
            for i in np.flatnonzero(refused)[:50].tolist()
        ]
    if changed_cells:
        warnings.warn(
            MatcherWarning(
                tr(
                    "{file}: {n} cell(s) held invisible characters (byte-order marks, zero-width spaces) or "
                    "non-normalised accents; they were read without them"
                ).format(file=file, n=num(changed_cells))
            ),
            stacklevel=2,
        )
        grid = pd.DataFrame(out, index=grid.index)
        grid.columns = pd.RangeIndex(grid.shape[1])
    return grid, problems
