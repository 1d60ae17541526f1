"""Values as people write them: lists with ``|``, ``;`` or ``,``, trades by label, ``2 places``, weeks as dates.

- Lists: items separated by ``|``, ``;`` or ``,``; trades by code or label through the crosswalk
  (:mod:`matcher.domain.crosswalk`), a known label holding a comma kept whole.
- Whole numbers followed by a unit (``2 places``, ``3 élèves``) read as the number.
- Weeks written as dates (``2026-06-22``, ``22/06/2026``, ``du 15/06/2026 au 26/06/2026``): a range decides
  (``both``, ``week_1``, ``week_2``), so does a single date in week 2; a single date in week 1 cannot (the first
  Monday starts both weeks as well as week 1): those cells make one problem for the column, not one per row.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.crosswalk import canonical, codes, split_items
from matcher.domain.period import Period
from matcher.util.i18n import mark

__all__ = ["split_list", "strip_unit", "weeks_from_dates", "DATE_ERRORS"]

_LIST_SEPARATORS = re.compile(r"[|;,]")
_UNIT = re.compile(r"(?i)^\s*(\d+)\s*(places?|pl\.?|[ée]l[èe]ves?|stagiaires?|personnes?)\s*$")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})|(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})")
_HAS_DATE = r"\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"

#: Error key → (message, fix) of the weeks written as dates.
DATE_ERRORS: dict[str, tuple[str, str]] = {
    "weeks_ambiguous": (
        mark("a date in week 1 cannot say whether the student comes for week 1 or for both weeks"),
        mark("write both, week_1 or week_2, or the first and last day (e.g. du 15/06/2026 au 26/06/2026)"),
    ),
    "weeks_outside": (
        mark("a date outside the placement period"),
        mark(
            "write both, week_1 or week_2, or dates within the two weeks of the period "
            "(policy options year, week_1_start)"
        ),
    ),
}


def split_list(text: pd.Series, name: str) -> pd.Series:
    """Each stripped cell as a tuple of items (empty and repeated items dropped); see the module docstring."""
    if name == "sectors":
        known = codes()  # most cells list codes with "|": read as they are
        items = [
            parts if known.issuperset(parts := cell.split("|")) else [canonical(i) for i in split_items(cell)]
            for cell in text.tolist()
        ]
    else:
        upper = name == "reserved_lycees"
        cells = [c.upper() if upper else c for c in text.tolist()]
        items = [
            [i.strip() for i in (_LIST_SEPARATORS.split(c) if "," in c or ";" in c else c.split("|"))] for c in cells
        ]
    return pd.Series([tuple(dict.fromkeys(i for i in cell if i)) for cell in items], index=text.index, dtype=object)


def strip_unit(text: pd.Series) -> pd.Series:
    """``2 places`` → ``2``; other cells unchanged."""
    return text.str.replace(_UNIT, r"\1", regex=True)


def _dates(cell: str) -> list[date]:
    found = []
    for m in _DATE.finditer(cell):
        try:
            if m.group(1):
                found.append(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
            else:
                year = int(m.group(6)) + (2000 if len(m.group(6)) == 2 else 0)
                found.append(date(year, int(m.group(5)), int(m.group(4))))
        except ValueError:
            continue
    return found


def _week_of(dates: list[date], period: Period) -> str:
    def week(d: date) -> int:
        if period.week_1_start <= d < period.week_2_start:
            return 1
        return 2 if period.week_2_start <= d <= period.week_2_end + (period.week_2_start - period.week_1_end) else 0

    weeks = [week(d) for d in dates]
    if 0 in weeks:
        return "weeks_outside"
    if len(dates) == 1:
        return "week_2" if weeks[0] == 2 else "weeks_ambiguous"
    first, last = min(weeks), max(weeks)
    return {(1, 1): "week_1", (2, 2): "week_2"}.get((first, last), "both")


def weeks_from_dates(
    text: pd.Series, values: pd.Series, errors: pd.Series, period: Period
) -> tuple[pd.Series, pd.Series]:
    """Weeks of the cells that hold dates (the others keep their value and error)."""
    holding = errors.eq("weeks").to_numpy() & text.str.contains(_HAS_DATE).to_numpy()
    if not holding.any():
        return values, errors
    decided = pd.Series([_week_of(_dates(c), period) for c in text[holding]], index=text.index[holding], dtype=str)
    bad: npt.NDArray[np.bool_] = decided.str.startswith("weeks_").to_numpy()
    values, errors = values.copy(), errors.copy()
    values[decided.index[~bad]] = decided[~bad]
    errors[decided.index[~bad]] = ""
    errors[decided.index[bad]] = decided[bad]
    return values, errors
