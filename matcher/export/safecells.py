"""Formula neutralisation for every table we export (CSV and XLSX).

A spreadsheet opening a CSV or XLSX cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some spreadsheets skip before reading a formula) evaluates it as a formula: an id such as
``=HYPERLINK("http://evil","click")`` would become a live link (CSV/Excel formula injection). Such text cells
get a leading apostrophe, which spreadsheets show as text. Numbers are left alone (a negative number is data).
"""

from __future__ import annotations

from typing import TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["FORMULA_STARTS", "neutralize", "neutralize_frame"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

_T = TypeVar("_T")


@overload
def neutralize(value: str) -> str: ...
@overload
def neutralize(value: _T) -> _T: ...
def neutralize(value: object) -> object:
    """``value`` with a leading apostrophe when it is text starting like a formula; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralize_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells are neutralised (column names too); the input is not modified."""
    out = table.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.to_numpy(object)
            starts = _formula_cells(values, isinstance(column.dtype, pd.StringDtype))
            if starts.any():
                values = values.copy()
                values[starts] = ["'" + v for v in values[starts]]
                out[name] = pd.Series(values, index=out.index, dtype=column.dtype)
    out.columns = [neutralize(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _formula_cells(values: npt.NDArray[np.object_], text_dtype: bool) -> npt.NDArray[np.bool_]:
    """Whether each value of an object array is text starting like a formula.

    The first characters are compared at once (``astype("U1")`` keeps the first character) when every value is
    text or missing: always in a ``text_dtype`` column, whose missing value (``nan``, ``<NA>``) starts like no
    formula; else when ``infer_dtype`` says so. Any other mix is tested value by value.
    """
    if text_dtype:
        return np.isin(values.astype("U1"), FORMULA_STARTS)
    if pd.api.types.infer_dtype(values, skipna=True) != "string":
        return np.fromiter((isinstance(v, str) and v.startswith(FORMULA_STARTS) for v in values), bool, len(values))
    text = ~pd.isna(values)
    starts = np.zeros(len(values), bool)
    starts[text] = np.isin(values[text].astype("U1"), FORMULA_STARTS)
    return starts
