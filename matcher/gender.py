"""Girls' share among placements, per trade and per site, when the students file gives ``gender``.

A placement's trade is the student's best-ranked trade that the site offers; for a student who lists no trade (or
went to a site of their own choice offering none of theirs), the site's first trade. Shares count the students
whose gender is known (``F`` or ``M``); sites are listed from ``SITE_MIN`` placed students up (smaller counts say
little and could single a student out).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["gender_figures", "SITE_MIN"]

#: Smallest number of placed students for a site to be listed.
SITE_MIN = 5


def gender_figures(students: pd.DataFrame, sites: pd.DataFrame, assignments: pd.DataFrame) -> dict | None:
    """``girls_share`` overall, ``per_trade`` and ``per_site`` (lists of dicts); None when no gender is given."""
    if "gender" not in students.columns or not students["gender"].isin(["F", "M"]).any():
        return None
    rows = assignments.drop_duplicates("student_id")[["student_id", "site_id"]]
    who = rows.merge(students[["student_id", "gender", "sectors"]], on="student_id", how="left")
    who = who.merge(sites[["site_id", "sectors"]].rename(columns={"sectors": "offers"}), on="site_id", how="left")
    who["trade"] = [_trade(wants, offers) for wants, offers in zip(who["sectors"], who["offers"])]
    known = who[who["gender"].isin(["F", "M"])]
    return {"placed_with_gender": len(known), "girls": int((known["gender"] == "F").sum()),
            "girls_share": _share(known), "per_trade": _per(known, "trade", 1),
            "per_site": _per(known, "site_id", SITE_MIN)}


def _trade(wants, offers) -> str:
    offered = set(offers) if isinstance(offers, (tuple, list)) else set()
    chosen = next((t for t in (wants if isinstance(wants, (tuple, list)) else ()) if t in offered), None)
    if chosen is None and isinstance(offers, (tuple, list)) and offers:
        chosen = offers[0]
    return chosen or "(none)"


def _share(frame: pd.DataFrame) -> float | None:
    return None if frame.empty else round(float((frame["gender"] == "F").mean()), 4)


def _per(known: pd.DataFrame, key: str, at_least: int) -> list[dict]:
    counts = known.groupby([key, "gender"]).size().unstack(fill_value=0).reindex(columns=["F", "M"], fill_value=0)
    counts = counts[counts.sum(axis=1) >= at_least].sort_index()
    total = counts["F"] + counts["M"]
    return [{key if key == "trade" else "site_id": str(k), "placed": int(t), "girls": int(f), "boys": int(m),
             "girls_share": round(float(f / t), 4)}
            for k, f, m, t in zip(counts.index, counts["F"], counts["M"], total)]
