"""The single-file HTML report: key figures, committee table, charts, choropleths, tables, interactive map.

Everything is inline (SVG charts, CSS, the map's Leaflet), so the file can be mailed and opened offline.
The page is deterministic for the same allocation folder.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from matcher.domain import reference
from matcher.report import sheets
from matcher.report.charts import bar_chart, choropleth
from matcher.report.committee import committee_figures
from matcher.report.committeeview import committee_html, committee_svg
from matcher.report.coverage import Coverage, white_zone_counts
from matcher.report.data import Allocation, by_id
from matcher.report.recruitment import add_recruitment_layer, recruitment_section
from matcher.report.secrecy import SECRECY_NOTE, suppress
from matcher.report.secure import with_csp
from matcher.report.sheets import labels, place_weeks
from matcher.report.tables import academy_table, distance_counts, lycee_table, trade_table
from matcher.report.webmap import map_iframe, site_map
from matcher.tables.reasons import REASON_LABELS
from matcher.util.i18n import Lang, mark

__all__ = ["report_html", "html_table", "CSS", "STATUS"]

_WARN = mark("Working document: small counts shown outside the committee figures; publish only the committee files.")

CSS = """body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em}h2{border-bottom:2px solid #1d4e89;padding-bottom:.2em;margin-top:2em;color:#1d4e89}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px}
th{background:#eef2f7;text-align:right}th:first-child{text-align:left}td{text-align:right}td:first-child{text-align:left}.cards{display:flex;flex-wrap:wrap;gap:.6em}
.card{border:1px solid #ccc;border-radius:6px;padding:.5em .8em;min-width:9em}.card b{display:block;font-size:1.4em}
figure{margin:1em 0}svg{max-width:100%;height:auto}.note{color:#555;font-size:12px}details summary{cursor:pointer}"""


#: The solver's status as the reader says it (the page's card, the workbook's summary).
STATUS = {"optimal": mark("optimal"), "feasible": mark("feasible")}


def html_table(frame: pd.DataFrame, table_id: str, percent: tuple[str, ...] = (), tr: Lang | None = None) -> str:
    """A table as HTML; with ``tr``, column names and numbers in the reader's language."""
    shown = frame.copy()
    pct: Callable[[float], str] = tr.pct if tr else "{:.1%}".format
    for col in percent:
        if col in shown:
            shown[col] = shown[col].map(
                lambda v: (
                    pct(float(v))
                    if isinstance(v, (float, np.floating)) and np.isfinite(v)
                    else ("" if v is None or (isinstance(v, float) and np.isnan(v)) else v)
                )
            )
    if tr:
        shown = shown.rename(columns=labels(tr))
    number: Callable[[float], str] = (lambda v: tr.num(v, 1, fixed=True)) if tr else "{:,.1f}".format
    return shown.to_html(index=False, table_id=table_id, classes="data", na_rep="", float_format=number)


def _cards(alloc: Allocation, tr: Lang) -> str:
    c, cov, s = alloc.summary.get("counts", {}), alloc.summary.get("coverage", {}), alloc.summary.get("solver", {})
    offered = c.get("places_offered", 0)
    items = [
        (tr("Students"), tr.num(c.get("students", 0))),
        (tr("Placed"), tr.num(c.get("placed", 0))),
        (tr("Not placed"), tr.num(c.get("not_placed", 0))),
        (
            tr("Place-weeks offered"),
            f"{tr.num(round(2 * offered))} / {tr('target')} {tr.num(2 * cov.get('target_places', 0))}",
        ),
        (tr("Place-weeks used"), tr.num(round(2 * c.get("places_used", 0)))),
        (tr("Fill rate"), tr.pct(c.get("places_used", 0) / offered) if offered else "–"),
        (tr("Solver"), _solver(s, tr)),
    ]
    return (
        '<div class="cards" id="key-figures">'
        + "".join(f'<div class="card">{html.escape(k)}<b>{html.escape(v)}</b></div>' for k, v in items)
        + "</div>"
    )


def _solver(s: dict[str, Any], tr: Lang) -> str:
    """The solver's status for a reader: "optimal", or how far from the optimum the allocation is at most (the
    relative gap to the proven bound also bounds the gap to the optimum, which lies between them)."""
    status = tr(STATUS.get(s.get("status", "?"), "?"))
    gap = s.get("gap") or 0
    if not gap:
        return status
    return tr("{status}, at most {gap} from the optimum").format(status=status, gap=tr.pct(gap, 2))


def _by_departement(per_academie: pd.Series) -> pd.Series:
    """A per-académie figure spread onto the académie's départements (for the choropleth)."""
    deps = reference.academies()["academie"]
    return deps.map(per_academie).astype(float)


def _committee(alloc: Allocation, tr: Lang) -> tuple[pd.DataFrame, str]:
    secret = suppress(committee_figures(alloc))
    chart = committee_svg(secret, tr)
    text = committee_html(secret, tr) + '<p class="note">' + html.escape(tr(SECRECY_NOTE)) + "</p>"
    return secret.table(), text + f"<figure>{chart}</figure>"


def _placement_charts(alloc: Allocation, aca: pd.DataFrame, tr: Lang) -> str:
    local = aca[aca["students"] > 0]
    placed = bar_chart(
        local["academie"],
        {tr("placed"): local["placed"].to_numpy(), tr("not placed"): local["not_placed"].to_numpy()},
        title=tr("Requests per académie of the students"),
        ylabel=tr("students"),
        gid="chart-placed",
    )
    dist = distance_counts(alloc)
    km = bar_chart(
        dist.index,
        {tr("placements"): dist.to_numpy()},
        title=tr("Distance from home to host"),
        ylabel=tr("placements (student × host)"),
        gid="chart-distance",
    )
    reasons = pd.Series(alloc.summary.get("unassigned_reasons", {}), dtype=float)
    why = (
        bar_chart(
            [tr(REASON_LABELS.get(code, code)) for code in reasons.index],
            {tr("students"): reasons.to_numpy()},
            title=tr("Why students were not placed"),
            ylabel=tr("students"),
            gid="chart-reasons",
        )
        if len(reasons)
        else ""
    )
    return "".join(f"<figure>{c}</figure>" for c in (placed, km, why) if c)


def _maps(alloc: Allocation, aca: pd.DataFrame, cov: Coverage | None, tr: Lang) -> str:
    pct0: Callable[[float], str] = lambda v: tr.pct(v, 0)  # noqa: E731
    fill = _by_departement(aca.set_index("academie")["fill_rate"])
    share = _by_departement(aca.set_index("academie")["placed_share"])
    parts = [
        choropleth(
            fill,
            title=tr("Fill rate of the places, per académie of the sites"),
            label=tr("Fill rate"),
            fmt=pct0,
            gid="choropleth-fill",
            percent=True,
        ),
        choropleth(
            share,
            title=tr("Share of requests placed, per académie of the students"),
            label=tr("Share placed"),
            fmt=pct0,
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
                title=tr("Seconde students with a place within 30 km, per département (red: white-zone lycées)"),
                label=tr("share within 30 km"),
                fmt=pct0,
                gid="choropleth-coverage",
                percent=True,
                points=cov.white_zones,
                cmap="RdYlGn",
            )
        )
    return "".join(f"<figure>{p}</figure>" for p in parts)


def _web_map(alloc: Allocation, cov: Coverage | None, tr: Lang) -> str:
    if alloc.sites is None or alloc.students is None:  # known together (``read_allocation``)
        return (
            f'<p class="note">{html.escape(tr("The map of sites needs the input files (--students and --sites)."))}</p>'
        )
    used = (
        alloc.assignments.assign(p=np.where(alloc.assignments["weeks"] == "both", 1.0, 0.5))
        .groupby("site_id")["p"]
        .sum()
    )
    unplaced = alloc.students[alloc.students["student_id"].isin(alloc.unassigned["student_id"])]
    sites = alloc.sites
    home = by_id(alloc.students, "student_id", ["lat", "lon"]).reindex(alloc.assignments["student_id"])
    host = sites.set_index("site_id")[["lat", "lon"]].reindex(alloc.assignments["site_id"])
    links = np.column_stack([home.to_numpy(float), host.to_numpy(float)])
    fmap = site_map(
        sites,
        used=used,
        students=unplaced,
        white_zones=None if cov is None else cov.white_zones,
        links=links[np.isfinite(links).all(axis=1)],
        tr=tr,
    )
    add_recruitment_layer(fmap, alloc, tr)
    return (
        map_iframe(fmap)
        + '<p class="note">'
        + html.escape(tr("Works offline; tick the tiles layer for a street map when the network is available."))
        + "</p>"
    )


def _white_zones(cov: Coverage | None, tr: Lang) -> str:
    if cov is None:
        return ""
    n = cov.national
    shares = " / ".join(tr.pct(float(n[f"share_within_{k}km"] or 0)) for k in (15, 30, 60))
    head = (
        f"<p>{tr('White zones (no place within 30 km)')}{tr.colon}{white_zone_counts(n, tr)}. "
        f"{tr('Seconde students with a place within 15 / 30 / 60 km')}{tr.colon}{shares}.</p>"
    )
    zones = cov.white_zones.drop(columns=["lat", "lon"])
    table = html_table(zones, "white-zones", tr=tr)  # folded: the full list is long (and in the workbook)
    many = tr.counted(len(zones), "{n} lycée", "{n} lycées")
    fold = f"<details><summary>{many}</summary>{table}</details>"
    return f"<h2>{tr('White zones')}</h2>" + head + fold


def _intro(alloc: Allocation, tr: Lang) -> str:
    heading = sheets.heading(alloc, tr, "")[1:]
    warn = tr(_WARN)
    return f'<p class="note">{html.escape(heading[0])} · {html.escape(tr(alloc.inputs_note))}. {html.escape(warn)}</p>'


def report_html(alloc: Allocation, cov: Coverage | None = None, tr: Lang | None = None) -> tuple[str, pd.DataFrame]:
    """The report page (in ``tr``'s language, French by default) and the published committee table it shows."""
    tr = tr or Lang()
    aca = academy_table(alloc)
    published, committee = _committee(alloc, tr)
    trades, lycees = trade_table(alloc, tr), lycee_table(alloc)
    body = [
        f"<h1>{html.escape(tr('Placement report'))} — {html.escape(alloc.folder.name)}</h1>",
        _intro(alloc, tr),
        _cards(alloc, tr),
        f"<h2>{tr('Steering committee figures')}</h2>",
        committee,
        f"<h2>{tr('Maps')}</h2>",
        _maps(alloc, aca, cov, tr),
        f"<h2>{tr('Placements')}</h2>",
        _placement_charts(alloc, aca, tr),
        f"<h2>{tr('Per académie')}</h2>",
        html_table(place_weeks(aca), "academies", ("placed_share", "fill_rate"), tr),
    ]
    if trades is not None:
        body += [f"<h2>{tr('Per trade (first asked for)')}</h2>", html_table(trades, "trades", ("placed_share",), tr)]
    if lycees is not None:
        body += [
            f"<h2>{tr('Per lycée')}</h2>",
            "<details><summary>" + tr.counted(len(lycees), "{n} lycée", "{n} lycées") + "</summary>",
            html_table(lycees, "lycees", tr=tr),
            "</details>",
        ]
    body += [
        recruitment_section(alloc, tr),
        _white_zones(cov, tr),
        f"<h2>{tr('Interactive map')}</h2>",
        _web_map(alloc, cov, tr),
        f'<p class="note">{html.escape(reference.ATTRIBUTION)} Contours : IGN – Admin Express COG 2018, via '
        f"france-geojson, Licence Ouverte. {tr('Map library')}{tr.colon}Leaflet (BSD-2-Clause).</p>",
    ]
    page = (
        f'<!DOCTYPE html><html lang="{tr.code}"><head><meta charset="utf-8">'
        f"<title>{html.escape(tr('Placement report'))}</title>"
        f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )
    return with_csp(page), published
