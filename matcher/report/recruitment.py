"""The report's recruitment section and map layer, from the files ``matcher recruit --out`` wrote into the
allocation folder (``recruitment.csv``, ``recruitment_academies.csv``, ``recruitment.json``); nothing when they
are absent."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import folium
import pandas as pd

from matcher.report.data import Allocation
from matcher.util.i18n import Lang

__all__ = ["recruitment_section", "add_recruitment_layer", "read_recruitment", "read_communes"]

_TOP = 20


def read_recruitment(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]] | None:
    """Per-site and per-académie tables and the headline figures, or None when ``matcher recruit`` has not written
    them into ``folder``."""
    names = ("recruitment.csv", "recruitment_academies.csv", "recruitment.json")
    if not all((folder / n).is_file() for n in names):
        return None
    sites = pd.read_csv(folder / names[0], dtype={"site_id": str, "commune_insee": str}, keep_default_na=False)
    academies = pd.read_csv(folder / names[1], keep_default_na=False)
    return sites, academies, json.loads((folder / names[2]).read_text(encoding="utf-8"))


def read_communes(folder: Path) -> pd.DataFrame | None:
    """The per commune and trade table ``matcher recruit`` wrote into ``folder`` (published counts: ``<5`` and
    suppressed cells as text), or None."""
    path = folder / "recruitment_communes.csv"
    if not path.is_file():
        return None
    return pd.read_csv(path, dtype={"commune_insee": str, "trade": str}, keep_default_na=False)


def recruitment_section(alloc: Allocation, tr: Lang) -> str:
    """ "Where one more place counts": the plan's headline, the académies short of their floor and the plan's
    sites (HTML in ``tr``'s language; empty without the files). Suppressed counts (``<5``) are shown as they are."""
    found = read_recruitment(alloc.folder)
    if found is None:
        return ""
    sites, academies, f = found
    head = tr(
        "With the sites as they are, at most {bound} students can be placed (the proven bound). One more place "
        "counts at {sites} sites; the plan's first {places} places together place {students} more students "
        "(proven on the maximum flow, each place computed with the earlier ones added). {no_offer} students have "
        "no offer of their trades in range at all: there a new company is needed, not a bigger one. The guidance "
        "is for the optimal mode."
    ).format(
        bound=_count(f["placed_bound"], tr),
        sites=_count(f["sites_listed"], tr),
        places=_count(f["plan_places"], tr),
        students=_count(f["plan_students"], tr),
        no_offer=_count(f["no_offer_in_range"], tr),
    )
    hidden = academies["shortfall"].astype(str) == "<5"
    short = academies[(pd.to_numeric(academies["shortfall"], errors="coerce").fillna(0) > 0) | hidden]
    plan = sites[sites["rank"] > 0].head(_TOP)
    titles = [
        html.escape(tr("Where one more place counts (recruitment guidance)")),
        html.escape(tr("Académies below their floor")),
        html.escape(tr("The plan's sites")),
    ]
    body = [f"<h2>{titles[0]}</h2>", f"<p>{html.escape(head)}</p>"]
    if len(short):
        body += [f"<h3>{titles[1]}</h3>", _table(short, "recruitment-academies")]
    body += [f"<h3>{titles[2]}</h3>", _table(plan, "recruitment-sites")]
    return "\n".join(body)


def _count(value: object, tr: Lang) -> str:
    """A published count: a number in the reader's way, or a suppressed ``<5`` as it is."""
    return tr.num(value) if isinstance(value, int | float) else str(value)


def _table(frame: pd.DataFrame, table_id: str) -> str:
    return frame.to_html(index=False, table_id=table_id, classes="data", na_rep="", escape=True)


def add_recruitment_layer(fmap: folium.Map, alloc: Allocation, tr: Lang) -> None:
    """A layer of the plan's sites (size: places suggested) on ``fmap``, when the files and the sites are known."""
    found = read_recruitment(alloc.folder)
    if found is None or alloc.sites is None:
        return
    plan = found[0][found[0]["rank"] > 0]
    where = alloc.sites.drop_duplicates("site_id").set_index("site_id")[["lat", "lon"]]
    plan = plan.join(where, on="site_id").dropna(subset=["lat", "lon"])
    layer = folium.FeatureGroup(name=tr("Recruitment: where one more place counts"), show=True).add_to(fmap)
    rows = zip(
        plan["rank"],
        plan["site_id"],
        plan["company"],
        plan["plan_places"],
        plan["plan_students"],
        plan["lat"].to_numpy(float),
        plan["lon"].to_numpy(float),
    )
    for rank, site_id, company, places, students, lat, lon in rows:
        tip = tr("#{rank} {site} – {company}: {places} place(s) → {students} student(s)").format(
            rank=rank, site=site_id, company=company, places=places, students=students
        )
        folium.CircleMarker(
            location=(round(float(lat), 5), round(float(lon), 5)),
            radius=4 + 2 * float(places) ** 0.5,
            color="#00838f",
            fill=True,
            fill_opacity=0.8,
            tooltip=html.escape(tip),
        ).add_to(layer)
