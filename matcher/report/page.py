"""The single-file HTML report: key figures, committee table, charts, choropleths, tables, interactive map.

Everything is inline (SVG charts, CSS, the map's Leaflet), so the file can be mailed and opened offline.
The page is deterministic for the same allocation folder.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from matcher.domain import reference
from matcher.export.safecells import neutralize
from matcher.report.charts import bar_chart, choropleth
from matcher.report.committee import NATIONAL, committee_figures, publish
from matcher.report.coverage import Coverage
from matcher.report.data import Allocation, by_id
from matcher.report.recruitment import add_recruitment_layer, recruitment_section
from matcher.report.tables import academy_table, distance_counts, lycee_table, trade_table
from matcher.report.webmap import map_iframe, site_map

__all__ = ["report_html", "html_table", "CSS"]

CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #1d4e89;padding-bottom:.2em;margin-top:2em;color:#1d4e89}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#eef2f7}td{text-align:right}td:first-child{text-align:left}.cards{display:flex;flex-wrap:wrap;gap:.6em}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;min-width:9em}.card b{display:block;font-size:1.4em}
figure{margin:1em 0}svg{max-width:100%;height:auto}.note{color:#555;font-size:12px}details summary{cursor:pointer}"""


def html_table(frame: pd.DataFrame, table_id: str, percent: tuple[str, ...] = ()) -> str:
    shown = frame.copy()
    for col in percent:
        if col in shown:
            shown[col] = shown[col].map(
                lambda v: (
                    f"{v:.1%}"
                    if isinstance(v, (float, np.floating)) and np.isfinite(v)
                    else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
                )
            )
    return shown.to_html(index=False, table_id=table_id, classes="data", na_rep="", float_format=lambda v: f"{v:,.1f}")


def _cards(alloc: Allocation) -> str:
    c, cov, s = alloc.summary.get("counts", {}), alloc.summary.get("coverage", {}), alloc.summary.get("solver", {})
    offered = c.get("places_offered", 0)
    items = [
        ("Students", f"{c.get('students', 0):,}"),
        ("Placed", f"{c.get('placed', 0):,}"),
        ("Not placed", f"{c.get('not_placed', 0):,}"),
        ("Places offered", f"{offered:,.1f} / target {cov.get('target_places', 0):,}"),
        ("Places used", f"{c.get('places_used', 0):,.1f}"),
        ("Fill rate", f"{c.get('places_used', 0) / offered:.1%}" if offered else "–"),
        ("Solver", f"{s.get('status', '?')} (gap {s.get('gap', 0) or 0:.2%})"),
    ]
    return (
        '<div class="cards" id="key-figures">'
        + "".join(f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in items)
        + "</div>"
    )


def _by_departement(per_academie: pd.Series) -> pd.Series:
    """A per-académie figure spread onto the académie's départements (for the choropleth)."""
    deps = reference.academies()["academie"]
    return deps.map(per_academie).astype(float)


def _committee(alloc: Allocation) -> tuple[pd.DataFrame, str]:
    raw = committee_figures(alloc)
    published = publish(raw)
    local = raw[raw["academie"] != NATIONAL]
    chart = bar_chart(
        local["academie"],
        {
            "fill rate": local["fill_rate"].to_numpy(float),
            "girls' share": local["girls_share"].astype(float).to_numpy(),
        },
        title="Fill rate and girls' share of the students hosted, per académie of the sites",
        ylabel="share",
        gid="chart-committee",
        percent=True,
    )
    text = (
        html_table(published, "committee", ("girls_share", "priority_share", "fill_rate"))
        + '<p class="note">Counts of 1–4 students are shown as &lt;5 and shares that would reveal them as s '
        "(statistical secrecy); a lone small académie takes the next smallest with it.</p>"
    )
    return published, text + f"<figure>{chart}</figure>"


def _placement_charts(alloc: Allocation, aca: pd.DataFrame) -> str:
    local = aca[aca["students"] > 0]
    placed = bar_chart(
        local["academie"],
        {"placed": local["placed"].to_numpy(), "not placed": local["not_placed"].to_numpy()},
        title="Requests per académie of the students",
        ylabel="students",
        gid="chart-placed",
    )
    dist = distance_counts(alloc)
    km = bar_chart(
        dist.index,
        {"placements": dist.to_numpy()},
        title="Distance from home to host",
        ylabel="placements (student × host)",
        gid="chart-distance",
    )
    reasons = pd.Series(alloc.summary.get("unassigned_reasons", {}), dtype=float)
    why = (
        bar_chart(
            reasons.index,
            {"students": reasons.to_numpy()},
            title="Why students were not placed",
            ylabel="students",
            gid="chart-reasons",
        )
        if len(reasons)
        else ""
    )
    return "".join(f"<figure>{c}</figure>" for c in (placed, km, why) if c)


def _maps(alloc: Allocation, aca: pd.DataFrame, cov: Coverage | None) -> str:
    fill = _by_departement(aca.set_index("academie")["fill_rate"])
    share = _by_departement(aca.set_index("academie")["placed_share"])
    parts = [
        choropleth(
            fill,
            title="Fill rate of the places, per académie of the sites",
            label="fill rate",
            gid="choropleth-fill",
            percent=True,
        ),
        choropleth(
            share,
            title="Share of requests placed, per académie of the students",
            label="placed",
            gid="choropleth-placed",
            percent=True,
            cmap="RdYlGn",
        ),
    ]
    if cov is not None:
        within = cov.departements.set_index("departement")["share_within_30km"]
        parts.append(
            choropleth(
                within,
                title="Seconde students with a place within 30 km, per département (red: white-zone lycées)",
                label="share within 30 km",
                gid="choropleth-coverage",
                percent=True,
                points=cov.white_zones,
                cmap="RdYlGn",
            )
        )
    return "".join(f"<figure>{p}</figure>" for p in parts)


def _web_map(alloc: Allocation, cov: Coverage | None) -> str:
    if alloc.sites is None or alloc.students is None:  # known together (``read_allocation``)
        return '<p class="note">The map of sites needs the input files (--students and --sites).</p>'
    used = (
        alloc.assignments.assign(p=np.where(alloc.assignments["weeks"] == "both", 1.0, 0.5))
        .groupby("site_id")["p"]
        .sum()
    )
    unplaced = alloc.students[alloc.students["student_id"].map(neutralize).isin(alloc.unassigned["student_id"])]
    sites = alloc.sites.assign(site_id=alloc.sites["site_id"].map(neutralize))
    home = by_id(alloc.students, "student_id", ["lat", "lon"]).reindex(alloc.assignments["student_id"])
    host = sites.set_index("site_id")[["lat", "lon"]].reindex(alloc.assignments["site_id"])
    links = np.column_stack([home.to_numpy(float), host.to_numpy(float)])
    fmap = site_map(
        sites,
        used=used,
        students=unplaced,
        white_zones=None if cov is None else cov.white_zones,
        links=links[np.isfinite(links).all(axis=1)],
    )
    add_recruitment_layer(fmap, alloc)
    return (
        map_iframe(fmap) + '<p class="note">Works offline over the département outlines; tick "OpenStreetMap '
        'tiles" for a street map when the network is available.</p>'
    )


def _white_zones(cov: Coverage | None) -> str:
    if cov is None:
        return ""
    n = cov.national
    head = (
        f"<p>{n['white_zone_lycees']} lycées ({n['white_zone_students']:,} seconde students) have no place within "
        f"{n['white_zone_km']:g} km. Share of seconde students with a place within 15 / 30 / 60 km: "
        f"{n['share_within_15km']:.1%} / {n['share_within_30km']:.1%} / {n['share_within_60km']:.1%}.</p>"
    )
    return "<h2>White zones</h2>" + head + html_table(cov.white_zones.drop(columns=["lat", "lon"]), "white-zones")


def report_html(alloc: Allocation, cov: Coverage | None = None) -> tuple[str, pd.DataFrame]:
    """The report page and the published committee table it shows."""
    aca = academy_table(alloc)
    published, committee = _committee(alloc)
    trades, lycees = trade_table(alloc), lycee_table(alloc)
    body = [
        f"<h1>Placement report — {html.escape(alloc.folder.name)}</h1>",
        f'<p class="note">Period {" / ".join(" to ".join(w) for w in alloc.summary.get("period", {}).values())}; '
        f"inputs: {html.escape(alloc.inputs_note)}. A working document for officers (small counts are not "
        "suppressed outside the committee table); publish only the committee table (committee.csv).</p>",
        _cards(alloc),
        "<h2>Steering committee figures</h2>",
        committee,
        "<h2>Maps</h2>",
        _maps(alloc, aca, cov),
        "<h2>Placements</h2>",
        _placement_charts(alloc, aca),
        "<h2>Per académie</h2>",
        html_table(aca, "academies", ("placed_share", "fill_rate")),
    ]
    if trades is not None:
        body += ["<h2>Per trade (first asked for)</h2>", html_table(trades, "trades", ("placed_share",))]
    if lycees is not None:
        body += [
            "<h2>Per lycée</h2>",
            f"<details><summary>{len(lycees):,} lycées</summary>",
            html_table(lycees, "lycees"),
            "</details>",
        ]
    body += [
        recruitment_section(alloc),
        _white_zones(cov),
        "<h2>Interactive map</h2>",
        _web_map(alloc, cov),
        f'<p class="note">{html.escape(reference.ATTRIBUTION)} Contours : IGN – Admin Express COG 2018, via '
        "france-geojson, Licence Ouverte. Map library: Leaflet (BSD-2-Clause).</p>",
    ]
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>matcher report</title>'
        f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )
    return page, published
