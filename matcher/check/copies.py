"""Copied columns of the independent checker: each row's dates from its weeks, and the columns copied from the
input tables (company, académies, group id)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.check.pairs import Violation, emit, text
from matcher.check.weeks import WEEKS
from matcher.config import Config
from matcher.domain.period import period_for

__all__ = ["check_copies"]


def check_copies(rows: pd.DataFrame, config: Config, out: list[Violation]) -> None:
    """Dates of the row's weeks, and the columns copied from the input tables."""
    period = period_for(config.year, config.week_1_start)
    which = pd.Index(WEEKS).get_indexer(pd.Index(rows["weeks"]))  # -1: weeks without dates
    for i, column in enumerate(("start_date", "end_date")):
        expected = pd.Series(
            np.array([period.dates(w)[i].isoformat() for w in WEEKS] + [np.nan], object)[which],
            index=rows.index,
            dtype="str",
        )
        got = _iso(rows[column])
        bad = rows.loc[(which >= 0) & (got.to_numpy(object) != expected.to_numpy(object))]
        emit(out, "dates", bad, f"{column} " + got[bad.index] + ", expected " + expected[bad.index].astype(str))
    for column, source in (
        ("company", "t_company"),
        ("student_academie", "s_academie"),
        ("site_academie", "t_academie"),
        ("group_id", "s_group_id"),
    ):
        got, expected = text(rows[column]), text(rows[source])
        bad = rows.loc[got.to_numpy(object) != expected.to_numpy(object)]  # text: no missing values
        emit(out, column, bad, f"{column} " + got[bad.index] + ", expected " + expected[bad.index])


def _iso(series: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` strings: strings are kept as written (the contract), ``date`` objects are
    rendered by ``str``, datetimes are formatted."""
    if pd.api.types.is_datetime64_any_dtype(series):
        dates: pd.Series = series.dt.strftime("%Y-%m-%d").fillna("")
        return dates
    return text(series)
