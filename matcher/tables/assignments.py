"""The assignments table: one row per student and host, in the contract's columns (DESIGN.md §5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.candidates.lookup import pair_rows
from matcher.load.instance import Instance

__all__ = ["assignment_table"]


def assignment_table(instance: Instance, placements: pd.DataFrame, pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per student and host from ``student, site, week`` placements: one site both weeks is a ``both`` row."""
    students, sites, period = instance.students, instance.sites, instance.period
    at = pair_rows(pairs, placements["student"].to_numpy(), placements["site"].to_numpy())
    found = np.maximum(at, 0)
    rows = placements.assign(
        km=np.where(at >= 0, pairs["km"].to_numpy(float)[found], np.nan),
        rank=np.where(at >= 0, pairs["rank"].to_numpy(float)[found], np.nan),
    )
    rows = rows.groupby(["student", "site"], as_index=False).agg(
        n=("week", "size"), week=("week", "first"), km=("km", "first"), rank=("rank", "first")
    )
    names = np.array(["both", "week_1", "week_2"])
    code = np.where(rows["n"].to_numpy() == 2, 0, np.where(rows["week"].to_numpy() == 1, 1, 2))
    order = np.lexsort((names[code], rows["student"].to_numpy()))
    code, s, j = code[order], rows["student"].to_numpy()[order], rows["site"].to_numpy()[order]
    start, end = (np.array([period.dates(w)[i].isoformat() for w in names], dtype=object)[code] for i in (0, 1))
    return pd.DataFrame(
        {
            "student_id": students["student_id"].to_numpy(object)[s],
            "site_id": sites["site_id"].to_numpy(object)[j],
            "company": sites["company"].to_numpy(object)[j],
            "weeks": names[code],
            "start_date": start,
            "end_date": end,
            "distance_km": np.round(rows["km"].to_numpy(float)[order], 3),
            "preference_rank": rows["rank"].to_numpy(np.int64)[order],
            "group_id": students["group_id"].to_numpy(object)[s],
            "student_academie": students["academie"].to_numpy(object)[s],
            "site_academie": sites["academie"].to_numpy(object)[j],
        }
    )
