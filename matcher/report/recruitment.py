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


def recruitment_section(alloc: Allocation) -> str:
    """ "Where one more place counts": the plan's headline, the académies short of their floor and the plan's
    sites (HTML; empty without the files)."""
    found = read_recruitment(alloc.folder)
    if found is None:
        return ""
    sites, academies, f = found
    no_offer = f["no_offer_in_range"]  # "<5" when suppressed: shown as it is
    no_offer = f"{no_offer:,}" if isinstance(no_offer, int) else html.escape(str(no_offer))
    head = (
        f"<p>With the sites as they are, at most {f['placed_bound']:,} students can be placed (the proven bound). "
        f"One more place counts at {f['sites_listed']:,} sites; the plan's first {f['plan_places']:,} places "
        f"together place {f['plan_students']:,} more students (proven on the maximum flow, each place computed "
        f"with the earlier ones added). {no_offer} students have no offer of their trades in range "
        "at all: there a new company is needed, not a bigger one. The guidance is for the optimal mode.</p>"
    )
    short = academies[academies["shortfall"] > 0]
    plan = sites[sites["rank"] > 0].head(_TOP)
    body = ["<h2>Where one more place counts (recruitment guidance)</h2>", head]
    if len(short):
        body += ["<h3>Académies below their floor</h3>", _table(short, "recruitment-academies")]
    body += ["<h3>The plan's sites</h3>", _table(plan, "recruitment-sites")]
    return "\n".join(body)


def _table(frame: pd.DataFrame, table_id: str) -> str:
    return frame.to_html(index=False, table_id=table_id, classes="data", na_rep="", escape=True)


def add_recruitment_layer(fmap: folium.Map, alloc: Allocation) -> None:
    """A layer of the plan's sites (size: places suggested) on ``fmap``, when the files and the sites are known."""
    found = read_recruitment(alloc.folder)
    if found is None or alloc.sites is None:
        return
    plan = found[0][found[0]["rank"] > 0]
    where = alloc.sites.drop_duplicates("site_id").set_index("site_id")[["lat", "lon"]]
    plan = plan.join(where, on="site_id").dropna(subset=["lat", "lon"])
    layer = folium.FeatureGroup(name="Recruitment: where one more place counts", show=True).add_to(fmap)
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
        tip = f"#{rank} {site_id} – {company}: {places} place(s) → {students} student(s)"
        folium.CircleMarker(
            location=(round(float(lat), 5), round(float(lon), 5)),
            radius=4 + 2 * float(places) ** 0.5,
            color="#00838f",
            fill=True,
            fill_opacity=0.8,
            tooltip=html.escape(tip),
        ).add_to(layer)
