"""Statistical secrecy as a property of the data: one suppressed table that every published view reads.

:func:`suppress` turns the committee's raw figures into a :class:`Secret`: the values that may be shown and a mask
of the suppressed cells. ``committee.csv``, the committee section of the page and its chart, and the PDF all read
that one object, so none of them can show what another hides.

Rules, per line (a column across the académies, with the national row as its total):

- primary: a count of 1 to 4 students is suppressed; a share is suppressed when its numerator or its complement
  (boys for the girls' share, non-priority students for the priority share) is 1 to 4, or when the students
  hosted are suppressed; the fill rate when the students hosted are;
- secondary (``tables.suppression.secondary``, shared with the recruitment files): when exactly one académie of
  a line is suppressed, it could be recovered as the national total minus the others, so the smallest other
  académie of the line is suppressed with it (a non-zero one first); when there is none, the national cell is
  suppressed instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from matcher.tables.suppression import SMALL, secondary
from matcher.util.i18n import mark

__all__ = ["Secret", "suppress", "SMALL", "NATIONAL", "COUNTS", "SHARES", "SECRECY_NOTE"]

NATIONAL = "France"
COUNTS = ("students_hosted",)
SHARES = ("girls_share", "priority_share", "fill_rate")
SECRECY_NOTE = mark(
    "Secrecy: counts of 1–4 shown as <5, shares that would reveal them as s; a lone one hides the next smallest."
)
_COLUMNS = ("academie", "places_offered", *COUNTS, *SHARES)


@dataclass(frozen=True)
class Secret:
    """The published committee table.

    Attributes
    ----------
    values : DataFrame
        ``academie, places_offered, students_hosted, girls_share, priority_share, fill_rate``; a suppressed cell is
        NaN (never the raw value), an unknown one NaN too.
    hidden : DataFrame
        Same index, one boolean column per count and share: True where the cell is suppressed.
    """

    values: pd.DataFrame
    hidden: pd.DataFrame

    def shown(self, column: str) -> list[float | None]:
        """A column as a view may draw it: the value, or None where it is suppressed or unknown."""
        vals = self.values[column].astype("Float64").to_numpy(float, na_value=np.nan)
        return [None if h or not np.isfinite(v) else float(v) for v, h in zip(vals, self.hidden[column])]

    def table(self) -> pd.DataFrame:
        """The CSV form: ``place_weeks_offered`` in whole place-weeks (a place for one week is one, never half a
        place), suppressed counts as ``<5``, suppressed shares as ``s``, unknown shares empty."""
        weeks = (self.values["places_offered"].astype("Float64") * 2).round().astype("Int64")
        out = pd.DataFrame({"academie": self.values["academie"], "place_weeks_offered": weeks})
        for col in (*COUNTS, *SHARES):
            v = self.values[col].astype(object).where(self.values[col].notna(), "")
            out[col] = v.where(~self.hidden[col], "<5" if col in COUNTS else "s")
        return out

    @property
    def local(self) -> np.ndarray:
        """True for the académie rows, False for the national one."""
        return (self.values["academie"] != NATIONAL).to_numpy()


def _num(values: pd.Series) -> np.ndarray:
    return values.astype("Float64").fillna(0).to_numpy(float)


def _small(v: np.ndarray) -> np.ndarray:
    return (v > 0) & (v < SMALL)


def suppress(figures: pd.DataFrame) -> Secret:
    """The one suppressed table from :func:`~matcher.report.committee.committee_figures`' raw figures."""
    local = (figures["academie"] != NATIONAL).to_numpy()
    hosted = _num(figures["students_hosted"])
    girls, boys, prio = (_num(figures[c]) for c in ("girls", "boys", "priority"))
    h = secondary(_small(hosted), hosted, local)
    g = secondary(_small(girls) | _small(boys) | h, np.minimum(girls, boys), local)
    p = secondary(_small(prio) | _small(hosted - prio) | h, np.minimum(prio, hosted - prio), local)
    hidden = pd.DataFrame(
        {"students_hosted": h, "girls_share": g, "priority_share": p, "fill_rate": h}, index=figures.index
    )
    values = figures[list(_COLUMNS)].copy()
    for col in (*COUNTS, *SHARES):
        values[col] = values[col].astype("Float64").mask(hidden[col])
    values["students_hosted"] = values["students_hosted"].astype("Int64")
    return Secret(values, hidden)
