"""Recruitment guidance as tables: per site, per commune and trade, per académie (counts only, never student ids).

Built from :class:`matcher.solve.recruit.Guidance`. ``publishable`` turns a count of 1 to 4 existing students
(waiting, unplaced, with no offer in range) into ``<5`` for the published files; the places and the students they
would place are the plan's figures, kept. ``published`` adds secondary suppression where counts add up: communes
to their académie, académies to the national figure (``tables.suppression.hide_nested``, the committee table's
rule), so no hidden count is a total minus the others; the académies' ``placed_bound`` (their students the
maximum flow places) to the national bound, its ``shortfall`` (when positive) hidden with it. A site's
``waiting_in_range`` adds up to nothing (a student waits in range of several sites): 1 to 4 only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.solve.recruit import Guidance
from matcher.tables.suppression import SMALL, hide_nested

__all__ = [
    "site_table",
    "commune_table",
    "academie_table",
    "publishable",
    "published",
    "STUDENT_COUNTS",
    "NESTED",
    "BOUND",
]

#: Columns counting existing students (suppressed from 1 to 4 in published files).
STUDENT_COUNTS = ("waiting_in_range", "unplaced", "no_offer_in_range")
#: Columns whose commune rows add up to their académie's, and the académies' to the national figure.
NESTED = ("unplaced", "no_offer_in_range")
#: Per académie only, adding up to the national figure: the students of the académie the maximum flow places (a
#: count of existing students); its ``shortfall`` (the public floor minus it) is hidden with it.
BOUND = "placed_bound"
HIDDEN = "<5"


def _trade(cells: pd.Series) -> pd.Series:
    """The first trade of each ``sectors`` cell (a tuple), "" when none."""
    return cells.map(lambda t: t[0] if len(t) else "")


def site_table(guidance: Guidance, sites: pd.DataFrame) -> pd.DataFrame:
    """One row per site where one more place places one more student, the plan's sites first, in its order.

    Columns: ``rank`` (0 outside the plan), ``site_id, company, commune_insee, academie, sectors``, ``weeks`` (the
    weeks the extra places are used in), ``first_place`` (students one more place there places, alone),
    ``plan_places``, ``plan_students`` (with the earlier rows' places added), ``cumulative_places``,
    ``cumulative_students``, ``waiting_in_range`` (students the maximum flow leaves unplaced with this site in
    range)."""
    plan = guidance.plan.assign(order=np.arange(len(guidance.plan)))
    per = plan.groupby("site", sort=False).agg(
        order=("order", "min"),
        plan_places=("students", "size"),
        plan_students=("students", "sum"),
        plan_weeks=("weeks", lambda w: "both" if len(set(w)) > 1 else w.iloc[0]),
    )
    first = guidance.first.set_index("site")
    rows = per.join(first.rename(columns={"students": "first_place"}), how="outer").reset_index()
    rows["weeks"] = rows["plan_weeks"].fillna(rows["weeks"])
    rows = rows.fillna({"plan_places": 0, "plan_students": 0, "first_place": 0, "order": np.inf})
    waiting = guidance.waiting[rows["site"].to_numpy(np.int64)]
    rows = rows.assign(waiting_in_range=waiting).sort_values(
        ["order", "first_place", "waiting_in_range", "site"], ascending=[True, False, False, True]
    )
    in_plan = np.isfinite(rows["order"].to_numpy(float))
    at = sites.iloc[rows["site"].to_numpy(np.int64)]
    out = pd.DataFrame(
        {
            "rank": np.where(in_plan, np.cumsum(in_plan), 0),
            "site_id": at["site_id"].to_numpy(object),
            "company": at["company"].to_numpy(object),
            "commune_insee": at["commune_insee"].to_numpy(object),
            "academie": at["academie"].to_numpy(object),
            "sectors": at["sectors"].map("|".join).to_numpy(object),
            "weeks": rows["weeks"].to_numpy(object),
            "first_place": rows["first_place"].to_numpy(np.int64),
            "plan_places": rows["plan_places"].to_numpy(np.int64),
            "plan_students": rows["plan_students"].to_numpy(np.int64),
        }
    )
    out["cumulative_places"] = np.where(in_plan, out["plan_places"].cumsum(), 0)
    out["cumulative_students"] = np.where(in_plan, out["plan_students"].cumsum(), 0)
    out["waiting_in_range"] = rows["waiting_in_range"].to_numpy(np.int64)
    return out.reset_index(drop=True)


def _students(guidance: Guidance, students: pd.DataFrame, placed: np.ndarray, has_pair: np.ndarray) -> pd.DataFrame:
    """Per student: commune, académie, first trade wanted, unplaced by the maximum flow, no offer in range at all,
    and whether the plan's flow places it (+1) or not any more (-1)."""
    return pd.DataFrame(
        {
            "commune_insee": students["commune_insee"].to_numpy(object),
            "academie": students["academie"].to_numpy(object),
            "trade": _trade(students["sectors"]).to_numpy(object),
            "unplaced": ~placed,
            "no_offer_in_range": ~placed & ~has_pair,
            "gained": guidance.gained,
        }
    )


def commune_table(
    guidance: Guidance, by_site: pd.DataFrame, students: pd.DataFrame, placed: np.ndarray, has_pair: np.ndarray
) -> pd.DataFrame:
    """Per commune and trade (a site's first trade; a student's first trade wanted): ``sites_listed``,
    ``plan_places``, ``plan_students``, ``unplaced`` and ``no_offer_in_range`` (students of the commune wanting the
    trade first whom no site of their trades takes within their distance limit: a new company is needed)."""
    sites = by_site.assign(trade=by_site["sectors"].str.split("|").str[0].fillna(""), listed=1)
    keys = ["commune_insee", "academie", "trade"]
    places = sites.groupby(keys).agg(
        sites_listed=("listed", "sum"), plan_places=("plan_places", "sum"), plan_students=("plan_students", "sum")
    )
    who = _students(guidance, students, placed, has_pair)
    need = who.groupby(keys).agg(unplaced=("unplaced", "sum"), no_offer_in_range=("no_offer_in_range", "sum"))
    out = places.join(need, how="outer").fillna(0).astype(np.int64).reset_index()
    out = out[(out["sites_listed"] > 0) | (out["unplaced"] > 0)]
    return out.sort_values(
        ["plan_students", "unplaced", "commune_insee", "trade"], ascending=[False, False, True, True]
    ).reset_index(drop=True)


def academie_table(
    guidance: Guidance,
    by_site: pd.DataFrame,
    students: pd.DataFrame,
    placed: np.ndarray,
    has_pair: np.ndarray,
    floors: pd.Series,
) -> pd.DataFrame:
    """Per académie (of the students; the sites' for places): ``floor`` (0 without), ``placed_bound`` (its
    students the maximum flow places), ``shortfall`` (floor minus that, when positive), ``plan_places`` (at its
    sites), ``plan_students`` (its students the plan's flow places beyond the first one), ``sites_listed``,
    ``unplaced``, ``no_offer_in_range``."""
    who = _students(guidance, students, placed, has_pair).assign(placed=placed)
    need = who.groupby("academie").agg(
        placed_bound=("placed", "sum"),
        plan_students=("gained", "sum"),
        unplaced=("unplaced", "sum"),
        no_offer_in_range=("no_offer_in_range", "sum"),
    )
    places = (
        by_site.assign(listed=1)
        .groupby("academie")
        .agg(sites_listed=("listed", "sum"), plan_places=("plan_places", "sum"))
    )
    out = need.join(places, how="outer").fillna(0).astype(np.int64)
    out.insert(0, "floor", floors.reindex(out.index).fillna(0).astype(np.int64))
    out.insert(2, "shortfall", (out["floor"] - out["placed_bound"]).clip(lower=0))
    cols = ["floor", "placed_bound", "shortfall", "plan_places", "plan_students", "sites_listed", "unplaced"]
    out = out[cols + ["no_offer_in_range"]].rename_axis("academie").reset_index()
    return out.sort_values(["shortfall", "academie"], ascending=[False, True]).reset_index(drop=True)


def publishable(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with each count of existing students from 1 to 4 shown as ``<5`` (a copy)."""
    out = table.copy()
    for col in STUDENT_COUNTS:
        if col in out:
            values = out[col].to_numpy(np.int64)
            out[col] = np.where((values > 0) & (values < SMALL), HIDDEN, values.astype(str)).astype(object)
    return out


def published(
    communes: pd.DataFrame, academies: pd.DataFrame, national: dict[str, int]
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int | str]]:
    """The commune and académie tables and the national figures as published: every ``NESTED`` count hidden as
    ``<5`` where ``hide_nested`` says (counts of 1 to 4 and what would give them away), the other student counts
    as ``publishable`` (copies)."""
    com, aca, nat = publishable(communes), publishable(academies), dict[str, int | str](national)
    group = pd.Index(academies["academie"]).get_indexer(communes["academie"]).astype(np.int64)
    for col in NESTED:
        cells, totals = communes[col].to_numpy(np.int64), academies[col].to_numpy(np.int64)
        hide_c, hide_t, hide_g = hide_nested(cells, group, totals, national[col])
        com[col] = np.where(hide_c, HIDDEN, cells.astype(str)).astype(object)
        aca[col] = np.where(hide_t, HIDDEN, totals.astype(str)).astype(object)
        nat[col] = HIDDEN if hide_g else national[col]
    if BOUND in academies and BOUND in national:
        bounds = academies[BOUND].to_numpy(np.int64)
        none = np.zeros(0, np.int64)
        _, hide_t, hide_g = hide_nested(none, none, bounds, national[BOUND])
        aca[BOUND] = np.where(hide_t, HIDDEN, bounds.astype(str)).astype(object)
        short = academies["shortfall"].to_numpy(np.int64)  # the public floor minus the bound: hidden with it
        aca["shortfall"] = np.where(hide_t & (short > 0), HIDDEN, short.astype(str)).astype(object)
        nat[BOUND] = HIDDEN if hide_g else national[BOUND]
    return com, aca, nat
