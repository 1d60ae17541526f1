"""One file → one clean typed table (schema.py) and every problem found in it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.config import Config
from matcher.domain.period import period_for
from matcher.errors import MatcherWarning, Problem
from matcher.load import validate
from matcher.load.cells import ERRORS, Distinct, convert, formulas
from matcher.load.files import read_raw
from matcher.load.headers import PERSONAL, normalize
from matcher.load.prepare import header_score, prepare
from matcher.load.schema import SITES, STUDENTS, Column
from matcher.load.values import DATE_ERRORS
from matcher.util.i18n import tr

__all__ = ["ReadResult", "read_table", "read_file", "SCHEMAS", "LOCATION_COLUMNS", "clean_columns"]

SCHEMAS: dict[str, tuple[Column, ...]] = {"students": STUDENTS, "sites": SITES}

#: Columns that can locate a row, per kind (``address`` only with online geocoding).
LOCATION_COLUMNS: dict[str, tuple[str, ...]] = {
    "students": ("lat", "lon", "commune_insee", "postal_code", "lycee_uai", "address"),
    "sites": ("lat", "lon", "commune_insee", "postal_code", "address"),
}

_DTYPES: dict[str, type[object] | np.dtype[Any]] = {
    "id": str,
    "code": str,
    "text": str,
    "enum": str,
    "list": object,
    "bool": bool,
    "int": np.dtype("int64"),
    "float": np.dtype("float64"),
}


@dataclass(frozen=True)
class ReadResult:
    """What reading one file gives.

    Attributes
    ----------
    file : str
        The file's label in problems (its name).
    table : pandas.DataFrame
        Clean table: the columns of :func:`clean_columns`, RangeIndex in file order (blank rows skipped).
    problems : list of Problem
        Every problem found in the file.
    rows : numpy.ndarray
        Spreadsheet row number of each table row (the header is row 1).
    given : frozenset of str
        Contract columns present in the file.
    headers : tuple of str
        The header cells as written.
    left_out : tuple of Problem
        Offers of a national extract left out because nothing locates them (row, values, why).
    shape : str
        The platform's export shape recognised ("" for an officer's own table).
    excluded : int
        Offers of a platform extract left out because they are not open to seconde students.
    """

    file: str
    table: pd.DataFrame
    problems: list[Problem]
    rows: npt.NDArray[np.intp]
    given: frozenset[str]
    headers: tuple[str, ...] = ()
    left_out: tuple[Problem, ...] = ()
    shape: str = ""
    excluded: int = 0


def clean_columns(kind: str) -> list[Column]:
    """Columns of a clean table of this kind: the schema's, minus ``capacity`` for sites (it fills both weeks)."""
    return [c for c in SCHEMAS[kind] if c.name != "capacity"]


def read_table(path: str | Path, kind: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Parse one students or sites file into a clean typed table.

    Parameters
    ----------
    path : str or Path
        CSV (comma, semicolon or tab; UTF-8 with or without BOM, or Windows-1252) or XLSX (first sheet).
    kind : {"students", "sites"}
        Which contract the file follows.

    Returns
    -------
    pandas.DataFrame
        One row per non-blank data row, in file order, RangeIndex; the contract columns typed as in
        :mod:`matcher.load.schema`. For sites, ``capacity`` is resolved into ``capacity_week_1``/``capacity_week_2``
        (int64) and dropped. A cell with a problem holds the column's default.
    list of Problem
        Every problem found; codes (UAI, INSEE, postal) are checked by :func:`matcher.load.locate.locate`.

    Raises
    ------
    ValueError
        If ``kind`` is not ``students`` or ``sites`` (a programming error, not an input problem).
    """
    result = read_file(path, kind)
    return result.table, result.problems


def read_file(path: str | Path, kind: str, config: Config | None = None) -> ReadResult:
    """Like :func:`read_table`, keeping the spreadsheet row numbers and the columns given (see ReadResult).

    ``config`` gives the placement period (weeks written as dates) and ``default_capacity`` (a sites file without
    a capacity column, such as the platform's extracts).
    """
    config = config or Config()
    if kind not in SCHEMAS:
        raise ValueError(f"kind must be 'students' or 'sites', not {kind!r}")
    file = Path(path).name
    raw, problems = read_raw(path, file, header_score(kind))
    if raw is None:
        return ReadResult(file, _empty(kind), problems, np.zeros(0, dtype=np.int64), frozenset())
    file = raw.label or file
    headers = tuple(raw.headers)
    period = period_for(config.year, config.week_1_start)
    prepared = prepare(raw, kind, file, config.default_capacity, period)
    for note in [*raw.notes, *prepared.notes]:  # said in the language where they were written
        warnings.warn(MatcherWarning(note), stacklevel=2)
    raw, positions, header_problems = prepared.raw, prepared.positions, prepared.problems
    personal = [h for h in raw.headers if normalize(h) in PERSONAL]
    if personal:
        warnings.warn(
            MatcherWarning(
                tr(
                    "{file}: column(s) {columns} hold personal data and were dropped unread; matcher needs "
                    "pseudonymous ids only"
                ).format(file=file, columns=", ".join(repr(h) for h in personal))
            ),
            stacklevel=2,
        )
    problems += header_problems
    given = frozenset(positions.values())
    cells = {name: raw.cells[pos] for pos, name in positions.items()}
    distinct = {name: Distinct.of(column) for name, column in cells.items()}
    cells, distinct, refused = _refuse_formulas(file, raw.rows, cells, distinct)
    columns: dict[str, pd.Series] = {}
    for column in SCHEMAS[kind]:
        if column.name in cells:
            values, errors = convert(distinct[column.name], column, raw.excel, period, kind == "sites")
            problems += _cell_problems(file, raw.rows, column.name, cells[column.name], errors)
        else:
            values = _default(column, len(raw.cells))
        columns[column.name] = values
    problems += validate.file_rules(file, kind, given, LOCATION_COLUMNS[kind])
    problems += validate.row_rules(file, kind, columns, cells, raw.rows)
    if kind == "sites":
        problems += validate.resolve_capacity(file, columns, cells, raw.rows)
    if refused:  # a formula cell gives that one problem, not also "empty required cell" once blanked
        problems = [p for p in problems if (p.row, p.column) not in {(r.row, r.column) for r in refused}] + refused
    table = pd.DataFrame({c.name: columns[c.name] for c in clean_columns(kind)}, index=pd.RangeIndex(len(raw.cells)))
    extra = (headers, tuple(prepared.left_out), prepared.shape, prepared.excluded)
    return ReadResult(file, _typed(table, kind), problems, raw.rows, given, *extra)


def _refuse_formulas(
    file: str, rows: npt.NDArray[np.intp], cells: dict[str, pd.Series], distinct: dict[str, Distinct]
) -> tuple[dict[str, pd.Series], dict[str, Distinct], list[Problem]]:
    """Blank the cells that look like spreadsheet formulas, with one problem each (they are never evaluated)."""
    problems: list[Problem] = []
    out, out_distinct = dict(cells), dict(distinct)
    for name, column in cells.items():
        mask = formulas(distinct[name])
        if not mask.any():
            continue
        out[name], out_distinct[name] = column.mask(mask, ""), distinct[name].blanked(mask)
        problems += [
            Problem(
                file,
                int(rows[i]),
                name,
                str(column.iat[i]).strip(),
                tr("looks like a spreadsheet formula"),
                tr("type the value itself (in the spreadsheet: copy, then paste values only)"),
            )
            for i in np.flatnonzero(mask).tolist()
        ]
    return out, out_distinct, problems


def _default(column: Column, n: int) -> pd.Series:
    if column.kind == "list":
        return pd.Series([()] * n, dtype=object)
    if column.default is None and column.kind in ("id", "code", "text", "enum"):
        return pd.Series([""] * n, dtype=str)  # a missing required text column (reported) reads as empty cells
    if column.default is None:
        return pd.Series(np.full(n, np.nan), dtype="float64")
    cells: list[Any] = [column.default] * n  # the default's type follows the column's kind
    return pd.Series(cells, dtype=_DTYPES[column.kind])


def _typed(table: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Cast every column to its clean dtype (defaults fill integer columns)."""
    out = {}
    for column in clean_columns(kind):
        values = table[column.name]
        if column.kind == "int":
            values = values.fillna(column.default if isinstance(column.default, int) else 0)  # int or None
        out[column.name] = values.astype(_DTYPES[column.kind]) if column.kind != "list" else values
    return pd.DataFrame(out, index=table.index)


def _empty(kind: str) -> pd.DataFrame:
    return _typed(pd.DataFrame({c.name: _default(c, 0) for c in clean_columns(kind)}), kind)


def _cell_problems(
    file: str, rows: npt.NDArray[np.intp], name: str, cells: pd.Series, errors: npt.NDArray[np.object_]
) -> list[Problem]:
    out = []
    for key in DATE_ERRORS if name == "weeks" else ():  # a date that cannot decide: one problem for the column
        at = np.flatnonzero(errors == key)
        if at.size:
            shown = ", ".join(str(r) for r in rows[at[:5]]) + (", ..." if at.size > 5 else "")
            message = tr("{problem} ({n} row(s): {rows})").format(
                problem=tr(DATE_ERRORS[key][0]), n=at.size, rows=shown
            )
            value = str(cells.iat[at[0]]).strip()
            out.append(Problem(file, int(rows[at[0]]), name, value, message, tr(DATE_ERRORS[key][1])))
            errors = np.where(errors == key, "", errors)
    for i in np.flatnonzero(errors != "").tolist():
        message, fix = ERRORS[errors[i]]
        out.append(Problem(file, int(rows[i]), name, str(cells.iat[i]).strip(), tr(message), tr(fix)))
    return out
