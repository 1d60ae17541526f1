"""Week rules of the independent checker: one host per student-week, complete splits, site capacities.

Rows are the joined assignment rows of ``matcher.check.checker`` (positions ``s``/``t``, fields ``s_``/``t_``);
``week_layout`` gives per student the rows and the site of each ``weeks`` value, for these rules and the group ones.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.check.pairs import Violation, emit

__all__ = ["WEEKS", "week_layout", "check_weeks", "check_capacity"]

#: The values of an assignment's ``weeks``.
WEEKS = ("both", "week_1", "week_2")


def week_layout(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per student position: ``n_<weeks>`` rows and the site position (-1: none) of a row, per weeks value."""
    columns: dict[str, npt.NDArray[np.intp]] = {}
    row_weeks = rows["weeks"].to_numpy(object)
    for weeks in WEEKS:
        mask = row_weeks == weeks
        s, t = rows["s"].to_numpy()[mask], rows["t"].to_numpy()[mask]
        columns[f"n_{weeks}"] = np.bincount(s, minlength=n)
        columns[weeks] = np.full(n, -1)
        columns[weeks][s] = t
    return pd.DataFrame(columns)


def check_weeks(
    rows: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, layout: pd.DataFrame, out: list[Violation]
) -> None:
    """One host per student-week: allowed row weeks, full-time-only sites, complete splits, no overlap."""
    weeks = rows["weeks"].to_numpy(object)  # text
    one = np.flatnonzero((rows["s_weeks"] != "both").to_numpy())  # one-week requests: their rows' weeks too
    wrong = ~np.isin(weeks, WEEKS)
    wrong[one] |= (rows["weeks"].iloc[one] != rows["s_weeks"].iloc[one]).to_numpy()
    bad = rows.loc[wrong]
    emit(out, "weeks", bad, "a row for weeks '" + bad["weeks"] + "', the student asks for " + bad["s_weeks"])
    ft = rows.loc[rows["t_full_time_only"].astype(bool).to_numpy() & (weeks != "both")]
    emit(out, "full_time_only", ft, "a " + ft["weeks"] + " row at a full_time_only site")
    per = layout.assign(student_id=students["student_id"], asks=students["weeks"], split_ok=students["split_ok"])
    emit(
        out,
        "duplicate_student",
        per.loc[(per[["n_both", "n_week_1", "n_week_2"]] > 1).any(axis=1)],
        "more than one row for the same weeks",
    )
    emit(
        out,
        "overlap",
        per.loc[(per["n_both"] > 0) & (per["n_week_1"] + per["n_week_2"] > 0)],
        "a full-time row and a one-week row overlap",
    )
    need = per.loc[(per["asks"] == "both") & (per["n_both"] == 0)]
    emit(
        out,
        "weeks",
        need.loc[(need["n_week_1"] > 0) != (need["n_week_2"] > 0)],
        "a full-time student placed for one week only",
    )
    split = need.loc[(need["n_week_1"] > 0) & (need["n_week_2"] > 0)]
    emit(out, "split_not_ok", split.loc[~split["split_ok"].astype(bool)], "split although split_ok is false")
    same = split.loc[split["week_1"] == split["week_2"]]
    emit(
        out,
        "split_same_site",
        same.assign(site_id=sites["site_id"].to_numpy()[same["week_1"].to_numpy()]),
        "both split weeks at the same site",
    )


def check_capacity(rows: pd.DataFrame, sites: pd.DataFrame, out: list[Violation]) -> None:
    """Per site and week, rows using the week (``both`` uses both) within ``capacity_week_<w>``."""
    for week in WEEKS[1:]:
        mask = np.isin(rows["weeks"].to_numpy(object), ("both", week))
        used = np.bincount(rows["t"].to_numpy()[mask], minlength=len(sites))
        over = sites.assign(used=used)
        over = over[over["used"] > over[f"capacity_{week}"]]
        emit(
            out,
            "capacity",
            over,
            f"{week}: " + over["used"].astype(str) + " rows > capacity " + over[f"capacity_{week}"].astype(str),
        )
