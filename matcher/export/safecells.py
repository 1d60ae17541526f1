"""Formula neutralisation for every table we export (CSV and XLSX).

A spreadsheet opening a CSV or XLSX cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets skip before reading a formula) evaluates it as a formula: an id such as
``=HYPERLINK("http://evil","click")`` would become a live link (CSV/Excel formula injection). Such text cells
get a leading apostrophe, which spreadsheets show as text. Numbers are left alone (a negative number is data).

The apostrophe is recognised on the way back in (:func:`restore`, used wherever matcher reads its own files): so
that every text round-trips exactly, a text that itself starts with an apostrophe gets one more (``'=A1`` is
written ``''=A1`` and read back ``'=A1``).
"""

from __future__ import annotations

from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "FORMULA_STARTS",
    "QUOTED_STARTS",
    "neutralize",
    "neutralize_frame",
    "neutralize_texts",
    "restore",
    "restore_frame",
]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: First characters of the texts that get a leading apostrophe: formulas, and texts starting with one.
QUOTED_STARTS: tuple[str, ...] = (*FORMULA_STARTS, "'")

_T = TypeVar("_T")


@overload
def neutralize(value: str) -> str: ...
@overload
def neutralize(value: _T) -> _T: ...
def neutralize(value: object) -> object:
    """``value`` with a leading apostrophe when it is text starting like a formula (or with an apostrophe);
    anything else unchanged."""
    if isinstance(value, str) and value.startswith(QUOTED_STARTS):
        return "'" + value
    return value


#: A plain decimal number written as text (``-1.55``, ``+3``, ``2e5``): a spreadsheet reads it as that number.
_PLAIN_NUMBER = r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?"


def neutralize_frame(table: pd.DataFrame, keep_numbers: bool = False) -> pd.DataFrame:
    """A copy of ``table`` whose text cells are neutralised (column names too); the input is not modified.

    With ``keep_numbers``, text cells that are plain decimal numbers (``-1.55``) are left as they are: a table read
    as text (``pseudonymize``) keeps its coordinates readable as numbers.
    """
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.to_numpy(object)
            starts = _formula_cells(values, isinstance(column.dtype, pd.StringDtype))
            if keep_numbers and starts.any():
                starts &= ~column.astype(str).str.fullmatch(_PLAIN_NUMBER).to_numpy(bool)
            if starts.any():
                values = values.copy()
                values[starts] = ["'" + v for v in values[starts]]
                out[name] = pd.Series(values, index=out.index, dtype=column.dtype)
    out.columns = [neutralize(c) if isinstance(c, str) else c for c in out.columns]
    return out


def neutralize_texts(texts: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """:func:`neutralize` over an object array holding only text: a copy where any text changes, else ``texts``."""
    starts = _formula_cells(texts, True)
    if not starts.any():
        return texts
    out = texts.copy()
    out[starts] = ["'" + v for v in texts[starts]]
    return out


def _formula_cells(values: npt.NDArray[np.object_], text_dtype: bool) -> npt.NDArray[np.bool_]:
    """Whether each value of an object array is text starting like a formula.

    The first characters are compared at once (``astype("U1")`` keeps the first character) when every value is
    text or missing: always in a ``text_dtype`` column, whose missing value (``nan``, ``<NA>``) starts like no
    formula; else when ``infer_dtype`` says so. Any other mix is tested value by value.
    """
    if text_dtype:
        return np.isin(values.astype("U1"), QUOTED_STARTS)
    if pd.api.types.infer_dtype(values, skipna=True) != "string":
        return np.fromiter((isinstance(v, str) and v.startswith(QUOTED_STARTS) for v in values), bool, len(values))
    text = ~pd.isna(values)
    starts = np.zeros(len(values), bool)
    starts[text] = np.isin(values[text].astype("U1"), QUOTED_STARTS)
    return starts


def restore(value: str) -> str:
    """The text :func:`neutralize` was given: its added apostrophe taken off (``restore(neutralize(v)) == v``)."""
    return value[1:] if value.startswith("'") and value[1:].startswith(QUOTED_STARTS) else value


def restore_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of a table of text read from a file matcher wrote, every cell and column name :func:`restore`-d."""
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            text = column.astype(str)
            quoted = (text.str.startswith("'") & text.str[1:].str.startswith(QUOTED_STARTS)).to_numpy()
            if quoted.any():
                out[name] = column.where(~quoted, text.str[1:])
    out.columns = [restore(c) if isinstance(c, str) else c for c in out.columns]
    return out
