"""The two ways matcher writes a CSV file: ``plain`` (the default: ``,``, UTF-8, decimal point — what scripts
read) and ``excel-fr`` (``;``, UTF-8 with a byte-order mark, decimal comma, CRLF — what a French Excel opens
correctly by double-click). Column names are the same in both; text cells are neutralised in both.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.export.safecells import neutralize_frame
from matcher.limits import read_regular

__all__ = ["CSV_STYLES", "csv_bytes", "read_csv_any"]

CSV_STYLES = ("plain", "excel-fr")
_BOM = b"\xef\xbb\xbf"


def _comma(v: object) -> object:
    """A float cell of a mixed (text and numbers) column with a decimal comma."""
    if isinstance(v, (float, np.floating)) and np.isfinite(v):
        return repr(float(v)).replace(".", ",")
    return v


def csv_bytes(table: pd.DataFrame, style: str = "plain") -> bytes:
    """``table`` as CSV in the given style (see the module's text); raises ValueError for an unknown style."""
    safe = neutralize_frame(table)
    if style == "plain":
        return safe.to_csv(index=False, lineterminator="\n").encode("utf-8")
    if style != "excel-fr":
        raise ValueError(f"unknown CSV style {style!r}: one of {', '.join(CSV_STYLES)}")
    mixed = [c for c in safe.columns if safe[c].dtype == object]
    safe[mixed] = safe[mixed].map(_comma)
    text = safe.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
    return _BOM + text.encode("utf-8")


def read_csv_any(path: str | Path) -> pd.DataFrame:
    """Read a CSV file matcher wrote in either style, every cell as text (empty cells as ``""``); an ``excel-fr``
    file is known by its byte-order mark."""
    data = read_regular(path, Path(path).name)  # a regular file, bounded
    if data.startswith(_BOM):
        return pd.read_csv(io.BytesIO(data[3:]), sep=";", dtype=str, keep_default_na=False)
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
