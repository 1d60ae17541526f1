"""``changes.csv``: every student whose situation changed between two allocations, and why.

Columns: ``student_id, change, outcome, previous, current, reason``.

- ``change`` — why: ``WITHDRAWN``, ``SITE_CANCELLED``, ``CAPACITY_CUT``, ``REQUEST_CHANGED``,
  ``NO_LONGER_ELIGIBLE`` (a previous placement not kept), ``NEW_REQUEST`` (not in the previous run),
  ``NEWLY_PLACED`` (not placed before, placed now in places freed or added).
- ``outcome`` — ``withdrawn``, ``placed_again`` (same placement found again), ``placed_elsewhere``, ``placed``,
  ``not_placed``.
- ``previous`` / ``current`` — the placement as ``site_id:weeks`` (two joined by ``|`` for a split), or empty.
- ``reason`` — a sentence: what happened, and for a student not placed, why (as in ``unassigned.csv``).

Students kept as they were, and students not placed before nor now, are not listed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["changes_table"]

_WHY = {
    "WITHDRAWN": "the student no longer asks for a placement",
    "SITE_CANCELLED": "a site of the previous placement was cancelled",
    "CAPACITY_CUT": "the site's capacity was cut below its placements and the host ranks others first",
    "REQUEST_CHANGED": "the student now asks for other weeks or no longer accepts a split",
    "NO_LONGER_ELIGIBLE": "the site is no longer eligible (distance, trade, reservation, accessibility or "
    "full-time rule)",
    "NEW_REQUEST": "a new request",
    "NEWLY_PLACED": "not placed before; placed in places freed or added",
}


def _layout(assignments: pd.DataFrame) -> pd.Series:
    """``site_id:weeks`` per student (a split's two rows joined by ``|``, week 1 first)."""
    if len(assignments) == 0:
        return pd.Series(dtype=object)
    a = assignments.sort_values(["student_id", "weeks"])
    return (a["site_id"].astype(str) + ":" + a["weeks"].astype(str)).groupby(a["student_id"]).agg("|".join)


def changes_table(
    previous: pd.DataFrame,
    previous_unassigned: pd.DataFrame | None,
    cause: pd.Series,
    assignments: pd.DataFrame,
    unassigned: pd.DataFrame,
    students: pd.DataFrame,
) -> pd.DataFrame:
    """The changed students, sorted by id.

    Parameters
    ----------
    previous, previous_unassigned : DataFrame
        The previous run's tables (``previous_unassigned`` may be None: then every student not placed before
        counts as a new request).
    cause : Series
        Per previously placed student id, why the placement was not kept ('' when kept).
    assignments, unassigned : DataFrame
        The new run's tables.
    students : DataFrame
        The updated students.
    """
    before, now = _layout(previous), _layout(assignments)
    known = set(before.index) | (set(previous_unassigned["student_id"]) if previous_unassigned is not None else set())
    ids = pd.Index(sorted(known | set(students["student_id"])), dtype=object)
    present = ids.isin(students["student_id"])
    prev = before.reindex(ids).fillna("").to_numpy(object)
    cur = now.reindex(ids).fillna("").to_numpy(object)
    why = cause.reindex(ids).fillna("").to_numpy(object)
    was_placed, is_placed, was_known = prev != "", cur != "", ids.isin(list(known))
    change = np.select(
        [~present, was_placed & (why != ""), ~was_known, ~was_placed & is_placed],
        ["WITHDRAWN", why, "NEW_REQUEST", "NEWLY_PLACED"],
        "",
    ).astype(object)
    outcome = np.select(
        [~present, is_placed & (cur == prev), is_placed & was_placed, is_placed],
        ["withdrawn", "placed_again", "placed_elsewhere", "placed"],
        "not_placed",
    ).astype(object)
    text = pd.Series(unassigned["reason"].to_numpy(object), index=unassigned["student_id"].to_numpy(object))
    not_placed = text.reindex(ids).fillna("").to_numpy(object)
    reason = np.array([_WHY.get(c, "") for c in change], dtype=object)
    reason = np.where(outcome == "not_placed", reason + "; not placed: " + not_placed, reason)
    out = pd.DataFrame(
        {
            "student_id": ids.to_numpy(object),
            "change": change,
            "outcome": outcome,
            "previous": prev,
            "current": cur,
            "reason": reason,
        }
    )
    return out[out["change"] != ""].reset_index(drop=True)
