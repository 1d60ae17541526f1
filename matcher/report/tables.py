"""The report's tables (shared by the HTML page and the workbook): per académie, per trade, per lycée, and the
officers' lists per lycée and per company."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from matcher.domain import reference
from matcher.domain.crosswalk import label
from matcher.report.data import Allocation, by_id
from matcher.tables.reasons import reason_texts
from matcher.util.i18n import Lang, mark

__all__ = [
    "WEEKS",
    "weeks_said",
    "dates_said",
    "academy_table",
    "trade_table",
    "lycee_table",
    "student_rows",
    "company_rows",
]


#: The ``weeks`` codes of ``assignments.csv`` as a reader says them (the CSV files keep the codes).
WEEKS = {"both": mark("both weeks"), "week_1": mark("week 1"), "week_2": mark("week 2")}


def weeks_said(rows: pd.DataFrame, tr: Lang) -> pd.DataFrame:
    """``rows`` with its ``weeks`` codes in ``tr``'s words."""
    said = {code: tr(text) for code, text in WEEKS.items()}
    return rows.assign(weeks=rows["weeks"].map(lambda w: said.get(w, w)))


def dates_said(rows: pd.DataFrame, tr: Lang) -> pd.DataFrame:
    """``rows`` with the ISO dates of its ``start_date`` and ``end_date`` columns (text, as the CSV files keep them)
    in ``tr``'s words: ``15 juin 2026`` / ``15 June 2026``; other cells as they are."""
    out = rows
    for column in ("start_date", "end_date"):
        if column in rows.columns:
            said = {}
            for value in rows[column].unique():  # a handful of dates, whatever the number of rows
                try:
                    said[value] = tr.date(value)
                except (TypeError, ValueError):
                    continue
            out = out.assign(**{column: rows[column].map(lambda v, said=said: said.get(v, v))})
    return out


def academy_table(alloc: Allocation) -> pd.DataFrame:
    """Per académie of the students (requests, placed) and of the sites (places), from ``summary.json``."""
    table = pd.DataFrame(
        alloc.summary.get("academies", []),
        columns=["academie", "students", "placed", "not_placed", "places_offered", "places_used"],
    )
    table["placed_share"] = (table["placed"] / table["students"].where(table["students"] > 0)).round(4)
    table["fill_rate"] = (table["places_used"] / table["places_offered"].where(table["places_offered"] > 0)).round(4)
    return table


def _placed_ids(alloc: Allocation) -> pd.Series:
    return alloc.assignments.groupby("student_id")["distance_km"].mean()


def trade_table(alloc: Allocation, tr: Lang | None = None) -> pd.DataFrame | None:
    """Per trade first asked for (its label, e.g. ``Bureau d'études et conception``, not its code): requests,
    placed, share placed, mean distance; None without the students."""
    if alloc.students is None:
        return None
    tr = tr or Lang()
    first = alloc.students["sectors"].map(lambda s: label(s[0]) if len(s) else tr("(any trade)"))
    km = _placed_ids(alloc)
    ids = alloc.students["student_id"]
    frame = pd.DataFrame({"trade": first.to_numpy(), "km": ids.map(km).to_numpy()})
    out = frame.groupby("trade").agg(requests=("trade", "size"), placed=("km", "count"), mean_km=("km", "mean"))
    out["placed_share"] = (out["placed"] / out["requests"]).round(4)
    out["mean_km"] = out["mean_km"].round(1)
    return out.reset_index().sort_values(["requests", "trade"], ascending=[False, True]).reset_index(drop=True)


def lycee_table(alloc: Allocation) -> pd.DataFrame | None:
    """Per lycée: requests, placed, not placed, mean distance; None without the students."""
    if alloc.students is None:
        return None
    km = _placed_ids(alloc)
    st = alloc.students
    frame = pd.DataFrame(
        {"uai": st["lycee_uai"].replace("", "(no lycée)").to_numpy(), "km": st["student_id"].map(km).to_numpy()}
    )
    out = frame.groupby("uai").agg(requests=("uai", "size"), placed=("km", "count"), mean_km=("km", "mean"))
    out["not_placed"] = out["requests"] - out["placed"]
    out["mean_km"] = out["mean_km"].round(1)
    ref = reference.lycees()[["name", "academie"]]
    out = out.join(ref, how="left").fillna({"name": "", "academie": ""})
    cols = ["academie", "name", "requests", "placed", "not_placed", "mean_km"]
    return out[cols].reset_index().sort_values(["academie", "uai"]).reset_index(drop=True)


def student_rows(alloc: Allocation, tr: Lang | None = None) -> pd.DataFrame:
    """Every student with the host(s) or the reason not placed: the officer's list, one row per student and host.

    Columns: ``lycee_uai`` (when the students are known), the assignment columns, ``reason_code, reason`` (the
    reason's sentence in ``tr``'s language; the code as in ``unassigned.csv``).
    """
    placed = weeks_said(alloc.assignments, tr or Lang())
    unplaced = alloc.unassigned.copy()
    if len(unplaced):
        unplaced["reason"] = reason_texts(unplaced["reason_code"], unplaced["reason"], tr or Lang())
    rows = pd.concat([placed, unplaced], ignore_index=True)
    if alloc.students is not None:
        info = by_id(alloc.students, "student_id", ["lycee_uai", "academie"])
        rows = rows.join(info, on="student_id")
        rows["student_academie"] = rows["student_academie"].fillna(rows.pop("academie"))
        rows.insert(0, "lycee_uai", rows.pop("lycee_uai").fillna(""))
    text = [c for c in rows.columns if rows[c].dtype == object]
    rows[text] = rows[text].fillna("")
    keys = [c for c in ("lycee_uai", "student_id", "start_date") if c in rows]
    return rows.sort_values(keys, kind="stable").reset_index(drop=True)


def company_rows(alloc: Allocation, tr: Lang | None = None) -> pd.DataFrame:
    """Placements by company and site: who comes, when (one row per student and host; the weeks in ``tr``'s
    words)."""
    rows = weeks_said(alloc.assignments, tr or Lang())
    if alloc.students is not None:
        info = by_id(alloc.students, "student_id", ["lycee_uai"])
        rows = rows.join(info, on="student_id")
    cols = (
        ["company", "site_id", "student_id"]
        + [c for c in ("lycee_uai",) if c in rows]
        + ["weeks", "start_date", "end_date", "distance_km", "group_id", "student_academie"]
    )
    return rows[cols].sort_values(["company", "site_id", "start_date", "student_id"]).reset_index(drop=True)


def distance_counts(alloc: Allocation, edges: Sequence[float] = (0, 5, 10, 15, 20, 30, 45, 60)) -> pd.Series:
    """Placements per distance band (km)."""
    km = alloc.assignments["distance_km"].to_numpy(float)
    bins = list(edges) + [np.inf]
    labels = [f"{a}–{b} km" if np.isfinite(b) else f"{a}+ km" for a, b in zip(bins[:-1], bins[1:])]
    return pd.cut(pd.Series(km), bins, labels=labels, right=False).value_counts().reindex(labels, fill_value=0)
