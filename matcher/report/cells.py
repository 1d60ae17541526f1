"""A table's cells decided once per column, for the workbooks (:mod:`matcher.report.sheets`) to write any rows of.

In a column of kind ``date``, a ``yyyy-mm-dd`` text is a date; in a column of a number kind (``km``, ``int``,
``pct``), a number (not a boolean) is a number; anything else is text, made inert by
:func:`~matcher.export.safecells.neutralize`. A missing value (``None``, ``NA``, ``NaN``, empty text) leaves its
cell blank. Text and number columns are decided at once over the column; any other mix value by value, by the same
rule (:func:`typed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.export.safecells import neutralize, neutralize_texts

__all__ = ["BLANK", "TEXT", "NUMBER", "DATE", "Column", "Table", "column", "typed"]

#: How a cell is written: left blank, as inert text, as a number, as a date.
BLANK, TEXT, NUMBER, DATE = 0, 1, 2, 3
_NUMBER_KINDS = ("km", "int", "pct")


@dataclass(frozen=True)
class Column:
    """One column's cells: per row, how it is written (``how``: BLANK, TEXT, NUMBER or DATE), what is written
    (``values``: inert text, a float or a datetime) and the length of the value as given (``size``, 0 if blank)."""

    kind: str | None
    how: npt.NDArray[np.int8]
    values: npt.NDArray[np.object_]
    size: npt.NDArray[np.int64]

    def take(self, rows: npt.NDArray[np.intp]) -> Column:
        """The cells of ``rows`` (positions), in that order."""
        return Column(self.kind, self.how[rows], self.values[rows], self.size[rows])


@dataclass(frozen=True)
class Table:
    """A table's columns (``keys``: their names in the frame) and its number of rows."""

    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: int

    @classmethod
    def of(cls, frame: pd.DataFrame, kinds: Mapping[str, str]) -> Table:
        """The cells of ``frame``, each column of the kind ``kinds`` gives its name (text if none)."""
        keys = tuple(str(c) for c in frame.columns)
        return cls(keys, tuple(column(frame.iloc[:, i], kinds.get(k)) for i, k in enumerate(keys)), len(frame))

    def take(self, rows: npt.NDArray[np.intp]) -> Table:
        """The table of ``rows`` (positions), in that order."""
        return Table(self.keys, tuple(c.take(rows) for c in self.columns), len(rows))


def typed(v: Any, kind: str | None) -> tuple[int, Any]:
    """How a value is written in a column of ``kind``, and what is written (see the module's rule)."""
    if v is None or v is pd.NA or v == "" or (isinstance(v, float) and np.isnan(v)):
        return BLANK, None
    if kind == "date" and isinstance(v, str) and len(v) == 10:
        return DATE, dt.datetime.fromisoformat(v)
    if kind in _NUMBER_KINDS and isinstance(v, (int, float, np.number)) and not isinstance(v, bool):
        return NUMBER, float(v)
    return TEXT, neutralize(str(v))


def column(series: pd.Series, kind: str | None) -> Column:
    """The cells of ``series`` in a column of ``kind``."""
    raw = series.to_numpy(object)
    is_number = pd.api.types.is_integer_dtype(series.dtype) or pd.api.types.is_float_dtype(series.dtype)
    if kind in _NUMBER_KINDS and is_number and not pd.api.types.is_bool_dtype(series.dtype):
        return _numbers(series, raw, kind)
    if _all_text(raw):
        return _texts(raw, kind)
    return _one_by_one(raw, kind)


def _numbers(series: pd.Series, raw: npt.NDArray[np.object_], kind: str | None) -> Column:
    blank = series.isna().to_numpy(bool)
    how = np.where(blank, BLANK, NUMBER).astype(np.int8)
    values = series.to_numpy(float, na_value=np.nan).astype(object)
    values[blank] = None
    size = np.array([0 if b else len(str(v)) for v, b in zip(raw.tolist(), blank.tolist())], np.int64)
    return Column(kind, how, values, size)


def _all_text(raw: npt.NDArray[np.object_]) -> bool:
    """Whether every value is text or missing (``None``, ``NA`` or a float ``NaN``)."""
    null = pd.isna(raw)
    if pd.api.types.infer_dtype(raw[~null], skipna=False) not in ("string", "empty"):
        return False
    return all(v is None or v is pd.NA or isinstance(v, float) for v in raw[null].tolist())


def _texts(raw: npt.NDArray[np.object_], kind: str | None) -> Column:
    blank = pd.isna(raw)
    blank[~blank] = raw[~blank] == ""  # not ``raw == ""``: an all-missing Int64 column compares to NA
    texts = raw[~blank]
    how = np.where(blank, BLANK, TEXT).astype(np.int8)
    values = np.full(len(raw), None, object)
    values[~blank] = neutralize_texts(texts)
    size = np.zeros(len(raw), np.int64)
    size[~blank] = np.fromiter(map(len, texts), np.int64, len(texts))
    if kind == "date":
        dates = np.flatnonzero(size == 10)
        day = {d: dt.datetime.fromisoformat(d) for d in set(raw[dates].tolist())}
        values[dates] = [day[d] for d in raw[dates].tolist()]
        how[dates] = DATE
    return Column(kind, how, values, size)


def _one_by_one(raw: npt.NDArray[np.object_], kind: str | None) -> Column:
    cells = [typed(v, kind) for v in raw.tolist()]
    how = np.array([h for h, _ in cells], np.int8)
    values = np.full(len(raw), None, object)
    values[:] = [v for _, v in cells]
    size = np.array([len(str(v)) if h else 0 for v, (h, _) in zip(raw.tolist(), cells)], np.int64)
    return Column(kind, how, values, size)
