"""Typing the string cells of one column, vectorised, with an error key per bad cell.

Each converter takes a column of stripped strings and returns the typed values and a column of error keys
(``""`` where the cell is fine). :data:`ERRORS` turns a key into a message and a fix. Accepted spellings:

- booleans: ``true/false``, ``1/0``, ``yes/no``, ``oui/non``, ``vrai/faux``, ``x`` (true); empty → the column's
  default. Case and accents are ignored.
- ``weeks``: see :data:`WEEK_WORDS`.
- ``gender``: ``F``/``M`` in any case, ``fille``/``femme``/``feminin`` → ``F``, ``garcon``/``homme``/``masculin``/
  ``H`` → ``M`` (accents ignored); empty stays empty.
- numbers: ``12.5``; in float columns also ``12,5`` (decimal comma) and spaces as thousands separators.
- codes: postal and INSEE codes that lost their leading zero in a spreadsheet (``1000``, ``1000.0``) get it back
  (``01000``); INSEE codes and UAIs are upper-cased (``2a004`` → ``2A004``).
- lists: ``|``, ``;`` or ``,``-separated, items stripped, empty items and repeats dropped; trades by code or label
  (:mod:`matcher.load.values`), UAIs upper-cased.
- capacities may carry their unit (``2 places``); weeks may be dates (:mod:`matcher.load.values`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.crosswalk import expand
from matcher.domain.period import Period
from matcher.load.headers import normalize
from matcher.load.schema import Column
from matcher.load.values import DATE_ERRORS, split_list, strip_unit, weeks_from_dates
from matcher.util.i18n import mark

__all__ = ["Distinct", "convert", "formulas", "ERRORS"]

#: Largest value of an integer column (capacities, group sizes): beyond it a cell is a typing error.
MAX_INTEGER = 100_000

#: A cell a spreadsheet would run as a formula: ``=``, ``@``, or ``+``/``-`` not starting a number, and at least
#: one character after it.
_FORMULA = r"(?is)(?:[=@]|[+-](?![\d.,]|inf|nan))."
_FORMULA_STARTS = np.array(list("=@+-"))

#: Normalised ``weeks`` cell → contract value. Bare ``1``/``2`` are refused as ambiguous ("2" could mean
#: "2 semaines" or "semaine 2").
WEEK_WORDS: dict[str, str] = {
    "": "both",
    "both": "both",
    "les_deux": "both",
    "deux": "both",
    "2_semaines": "both",
    "deux_semaines": "both",
    "s1_s2": "both",
    "week_1_week_2": "both",
    "semaine_1_semaine_2": "both",
    "toutes": "both",
    "week_1": "week_1",
    "week1": "week_1",
    "w1": "week_1",
    "semaine_1": "week_1",
    "semaine1": "week_1",
    "s1": "week_1",
    "sem_1": "week_1",
    "sem1": "week_1",
    "premiere_semaine": "week_1",
    "week_2": "week_2",
    "week2": "week_2",
    "w2": "week_2",
    "semaine_2": "week_2",
    "semaine2": "week_2",
    "s2": "week_2",
    "sem_2": "week_2",
    "sem2": "week_2",
    "deuxieme_semaine": "week_2",
    "seconde_semaine": "week_2",
}

#: Normalised boolean cell → value.
BOOL_WORDS: dict[str, bool] = {
    "true": True,
    "1": True,
    "1_0": True,
    "yes": True,
    "oui": True,
    "vrai": True,
    "x": True,
    "o": True,
    "y": True,
    "false": False,
    "n": False,
    "0": False,
    "0_0": False,
    "no": False,
    "non": False,
    "faux": False,
}

#: Normalised gender cell → ``F``/``M``/``""``.
GENDER_WORDS: dict[str, str] = {
    "": "",
    "f": "F",
    "fille": "F",
    "femme": "F",
    "feminin": "F",
    "female": "F",
    "m": "M",
    "h": "M",
    "garcon": "M",
    "homme": "M",
    "masculin": "M",
    "male": "M",
}

#: Error key → (message, fix).
ERRORS: dict[str, tuple[str, str]] = {
    "number": (mark("not a number"), mark("write a number such as 12.5 (a decimal comma is accepted)")),
    "finite": (mark("not a finite number"), mark("write an ordinary number (no nan/inf)")),
    "integer": (mark("not a whole number"), mark("write a whole number such as 3")),
    "whole": (mark("not a whole number"), mark("write a whole number such as 3 (no fraction, sum or question mark)")),
    "negative": (mark("negative value"), mark("write a number that is zero or more")),
    "large": (mark("implausibly large number (above 100,000)"), mark("write the real number (places, group size)")),
    "bool": (mark("not a yes/no value"), mark("write oui/non, o/n, vrai/faux, true/false, 1/0, x, or leave empty")),
    **DATE_ERRORS,
    "weeks": (mark("unknown weeks value"), mark("write both, week_1 or week_2 (or les_deux, semaine_1, semaine_2)")),
    "gender": (mark("unknown gender value"), mark("write F, M or leave empty")),
}

_SPACES = r"[\s\u00a0\u202f]"


@dataclass(frozen=True)
class Distinct:
    """A column's cells, each distinct cell stored once (files repeat most values: this keeps big files fast).

    Attributes
    ----------
    text : pandas.Series
        The distinct cells, stripped (``str``, RangeIndex).
    codes : numpy.ndarray
        Position in ``text`` of each row's cell.
    """

    text: pd.Series[str]
    codes: npt.NDArray[np.intp]

    @classmethod
    def of(cls, cells: pd.Series) -> Distinct:
        """The distinct cells of a column read as ``str``."""
        codes, uniques = pd.factorize(cells.to_numpy(dtype=object))
        return cls(pd.Series(uniques, dtype=str).str.strip(), codes)

    def blanked(self, mask: npt.NDArray[np.bool_]) -> Distinct:
        """The same column with the cells where ``mask`` is True emptied."""
        text = pd.concat([self.text, pd.Series([""], dtype=str)], ignore_index=True)
        return Distinct(text, np.where(mask, len(self.text), self.codes))

    def per_row(self, values: pd.Series) -> pd.Series:
        """Spread one value per distinct cell to the rows (RangeIndex)."""
        return values.take(self.codes).reset_index(drop=True)


def convert(
    cells: Distinct, column: Column, excel: bool, period: Period | None = None, expand_sectors: bool = False
) -> tuple[pd.Series, npt.NDArray[np.object_]]:
    """Type one column of a file.

    Parameters
    ----------
    cells : Distinct
        The column's cells as read.
    column : Column
        The contract column (its ``kind``, ``name`` and ``default`` decide the conversion).
    excel : bool
        True when the file is a spreadsheet: ids typed as numbers (``123.0``) lose their ``.0``.
    period : Period, optional
        The placement period: ``weeks`` cells written as dates are read against it.
    expand_sectors : bool
        Sites: ``sectors`` gain the trades the crosswalk puts under each platform sector among them.

    Returns
    -------
    values : pandas.Series
        Typed values (see :mod:`matcher.load.schema`), RangeIndex; integer columns come back as float64 with NaN when
        empty, the caller applies defaults.
    errors : numpy.ndarray
        Error key per row (a key of :data:`ERRORS`), ``""`` when the cell is fine.
    """
    values, errors = _convert_distinct(cells.text, column, excel)
    if column.name == "weeks" and period is not None:
        values, errors = weeks_from_dates(cells.text, values, errors, period)
    if column.name == "sectors" and expand_sectors:
        values = values.map(expand)  # each distinct cell once
    return cells.per_row(values), errors.to_numpy(dtype=object)[cells.codes]


def formulas(cells: Distinct) -> npt.NDArray[np.bool_]:
    """True for each row whose cell looks like a spreadsheet formula (``=SUM(A1)``, ``@cmd``, ``+cmd|...``).

    matcher never evaluates formulas; such a cell in an input is refused (CSV formula injection), whatever its
    column. Signed numbers (``-3``, ``+1.5``, ``-inf``) and single characters are not formulas.
    """
    first = np.asarray(cells.text.to_numpy(dtype=object), dtype="U1")  # a formula starts with one of these
    maybe = np.isin(first, _FORMULA_STARTS)
    looks = np.zeros(len(first), dtype=bool)
    if maybe.any():
        looks[maybe] = cells.text[maybe].str.match(_FORMULA).to_numpy(dtype=bool)
    return looks[cells.codes]


def _convert_distinct(text: pd.Series, column: Column, excel: bool) -> tuple[pd.Series, pd.Series]:
    """:func:`convert` on distinct stripped cells."""
    ok = pd.Series("", index=text.index, dtype=str)
    kind = column.kind
    if kind in ("id", "code", "text"):
        return _code(text, column.name, kind == "code" or (kind == "id" and excel)), ok
    if kind == "list":
        return split_list(text, column.name), ok
    if kind == "float":
        return _number(text, decimal_comma=True)
    if kind == "int":
        return _integer(text)
    if kind == "bool":
        key = _normalized(text)
        values = key.map(BOOL_WORDS)
        errors = ok.mask(values.isna() & (key != ""), "bool")
        return values.where(values.notna(), bool(column.default)).astype(bool), errors  # bool columns: bool default
    words, error = (WEEK_WORDS, "weeks") if column.name == "weeks" else (GENDER_WORDS, "gender")
    values = _normalized(text).map(words)
    return values.fillna(str(column.default)).astype(str), ok.mask(values.isna(), error)  # enums: str default


def _normalized(text: pd.Series) -> pd.Series:
    """:func:`normalize` each cell, computed once per distinct value."""
    return text.map({value: normalize(value) for value in text.unique()}).astype(str)


def _code(text: pd.Series, name: str, repair_numbers: bool) -> pd.Series:
    if repair_numbers:  # only cells such as 1000.0 are rewritten
        number = text.str.fullmatch(r"\d+\.0+")
        text = text.mask(number, text[number].str.replace(r"\.0+$", "", regex=True))
    if name == "postal_code":
        text = text.str.replace(_SPACES, "", regex=True)
    if name in ("postal_code", "commune_insee"):
        text = text.where(~text.str.fullmatch(r"\d{4}"), "0" + text)
    if name in ("commune_insee", "lycee_uai"):
        text = text.str.upper()
    return text.astype(str)


def _number(text: pd.Series, decimal_comma: bool) -> tuple[pd.Series, pd.Series]:
    values = pd.to_numeric(text, errors="coerce").astype("float64")
    retry = (values.isna() & (text != "")).to_numpy()
    if retry.any():  # spaces as thousands separators, decimal comma: only cells that did not parse as they are
        cleaned = text[retry].str.replace(_SPACES, "", regex=True)
        if decimal_comma:
            cleaned = cleaned.str.replace(r"^([+-]?\d*),(\d+)$", r"\1.\2", regex=True)
        values[retry] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    errors = pd.Series("", index=text.index, dtype=str)
    errors = errors.mask(values.isna() & (text != ""), "number")
    errors = errors.mask(np.isinf(values) | (values.isna() & text.str.fullmatch(r"[+-]?nan", case=False)), "finite")
    return values.where(errors == "", np.nan), errors


def _integer(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    values, errors = _number(text, decimal_comma=False)
    unit = (errors == "number").to_numpy()
    if unit.any():  # "2 places": only cells that did not parse as they are
        values[unit], errors[unit] = _number(strip_unit(text[unit]), decimal_comma=False)
    errors = errors.mask(errors == "number", "whole")  # the fix fits a whole-number column
    errors = errors.mask((errors == "") & values.notna() & (values != np.round(values)), "whole")
    errors = errors.mask((errors == "") & (values < 0), "negative")
    errors = errors.mask((errors == "") & (values > MAX_INTEGER), "large")
    return values.where(errors == "", np.nan), errors
