"""The assignments table: one row per student and host, in the contract's columns (DESIGN.md §5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.candidates.lookup import pair_rows
from matcher.config import Config
from matcher.domain.period import period_for

__all__ = ["ASSIGNMENT_COLUMNS", "UNASSIGNED_COLUMNS", "assignment_table"]

ASSIGNMENT_COLUMNS = (
    "student_id",
    "site_id",
    "company",
    "weeks",
    "start_date",
    "end_date",
    "distance_km",
    "preference_rank",
    "group_id",
    "student_academie",
    "site_academie",
)
UNASSIGNED_COLUMNS = ("student_id", "reason_code", "reason")


def assignment_table(
    placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, config: Config
) -> pd.DataFrame:
    """One row per student and host from ``student, site, week`` placements: one site both weeks is a ``both`` row."""
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
    period = period_for(config.year, config.week_1_start)
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
