"""The steering committee's figures: per académie of the host sites and nationally — places offered, students
hosted, girls' share, priority students' share, fill rate — with small counts suppressed for publication.

Suppression (statistical secrecy): a count of 1 to 4 students is shown as ``<5``; a share is shown as ``s``
when its numerator or its complement (e.g. boys for the girls' share) is 1 to 4, or when the students hosted
are suppressed; the fill rate too when the students hosted are. When a single académie would be suppressed for
a count, the next smallest is too, so that it cannot be recovered from the national total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.report.data import Allocation, by_id
from matcher.report.secrecy import NATIONAL, suppress

__all__ = ["committee_figures", "publish", "NATIONAL"]


def _hosted(alloc: Allocation) -> pd.DataFrame:
    """One row per (site académie, hosted student) with gender and priority when the students are known."""
    rows = alloc.assignments[["student_id", "site_academie"]].drop_duplicates()
    if alloc.students is not None:
        info = by_id(alloc.students, "student_id", ["gender", "priority"])
        rows = rows.join(info, on="student_id")
    return rows


def _counts(rows: pd.DataFrame, known: bool) -> dict[str, int]:
    out = {"students_hosted": rows["student_id"].nunique()}
    if known:
        gender = rows.drop_duplicates("student_id")
        out["girls"] = int((gender["gender"] == "F").sum())
        out["boys"] = int((gender["gender"] == "M").sum())
        out["priority"] = int(gender["priority"].fillna(False).astype(bool).sum())
    return out


def committee_figures(alloc: Allocation) -> pd.DataFrame:
    """Raw figures (no suppression): one row per host académie and a last ``France`` row.

    Columns: ``academie, places_offered, places_used, students_hosted, girls, boys, priority, girls_share,
    priority_share, fill_rate``. Without the students file, girls/boys/priority and the shares are empty.
    """
    known = alloc.students is not None
    offered = {a["academie"]: (a["places_offered"], a["places_used"]) for a in alloc.summary.get("academies", [])}
    rows = _hosted(alloc)
    names = sorted(k for k in offered if offered[k][0] > 0) if offered else sorted(rows["site_academie"].unique())
    records = []
    for name in names:
        sub = rows[rows["site_academie"] == (name if name != "(none)" else "")]
        records.append(
            {
                "academie": name,
                "places_offered": offered.get(name, (np.nan,))[0],
                "places_used": offered.get(name, (np.nan, np.nan))[1],
                **_counts(sub, known),
            }
        )
    counts = alloc.summary.get("counts", {})
    records.append(
        {
            "academie": NATIONAL,
            "places_offered": counts.get("places_offered", np.nan),
            "places_used": counts.get("places_used", np.nan),
            **_counts(rows, known),
        }
    )
    table = pd.DataFrame(records)
    for col in ("girls", "boys", "priority"):
        if col not in table:
            table[col] = pd.NA
    table[["girls", "boys", "priority"]] = table[["girls", "boys", "priority"]].astype("Int64")
    sexed = (table["girls"] + table["boys"]).astype("Float64")
    table["girls_share"] = (table["girls"] / sexed.where(sexed > 0)).round(4)
    table["priority_share"] = (table["priority"] / table["students_hosted"].where(table["students_hosted"] > 0)).round(
        4
    )
    table["fill_rate"] = (table["places_used"] / table["places_offered"].where(table["places_offered"] > 0)).round(4)
    return table


def publish(figures: pd.DataFrame) -> pd.DataFrame:
    """The published table (CSV form) of :func:`matcher.report.secrecy.suppress`: ``<5`` and ``s`` where suppressed."""
    return suppress(figures).table()
