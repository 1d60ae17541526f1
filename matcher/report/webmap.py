"""The interactive map (folium), built to work with no network.

Leaflet's script and style are embedded (``static/``), folium's other CDN resources (jQuery, Bootstrap, icon
fonts) are not used, and the base map is the département outlines: no request leaves the page unless the reader
ticks the "OpenStreetMap tiles" layer, which needs the network and is off by default.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any, TypedDict

import folium
import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.report.charts import BOUNDARIES_ATTRIBUTION, departement_shapes
from matcher.report.maplegend import add_legend
from matcher.report.secure import inline_data_scripts, with_csp
from matcher.util.i18n import Lang

__all__ = ["site_map", "map_iframe"]

_IDS = re.compile(r"\b([a-z_]+?)_([0-9a-f]{32})(?![0-9a-f])")
_EXTERNAL = re.compile(r'<(script|link)[^>]*(src|href)="(https?:)?//[^"]*"[^>]*>(\s*</script>)?', re.I)


class _Geometry(TypedDict):
    type: str
    coordinates: list[Any]  # positions nested as deep as the geometry type says (GeoJSON)


class _Feature(TypedDict):
    type: str
    geometry: _Geometry
    properties: dict[str, object]


class _FeatureCollection(TypedDict):
    type: str
    features: list[_Feature]


@cache
def _static(name: str) -> str:
    data = resources.files("matcher.report").joinpath("static", name).read_bytes()
    return base64.b64encode(data).decode("ascii")


def _outlines() -> _FeatureCollection:
    shapes = departement_shapes()
    feats: list[_Feature] = [
        {
            "type": "Feature",
            "properties": {"code": c, "nom": html.escape(f"{c} {name}")},
            "geometry": {"type": "MultiPolygon", "coordinates": [[np.round(r, 4).tolist()] for r in rings]},
        }
        for c, (name, rings) in sorted(shapes.items())
    ]
    return {"type": "FeatureCollection", "features": feats}


def _base(tr: Lang, center: tuple[float, float] = (46.6, 2.4), zoom: int = 6) -> folium.Map:
    fmap = folium.Map(location=center, zoom_start=zoom, tiles=None, prefer_canvas=True, control_scale=True)
    fmap.default_js = [("leaflet", "data:text/javascript;base64," + _static("leaflet.js"))]
    fmap.default_css = [("leaflet_css", "data:text/css;base64," + _static("leaflet.css"))]
    folium.GeoJson(
        _outlines(),
        name="Départements",
        control=False,
        style_function=lambda _: {"color": "#888", "weight": 0.6, "fillColor": "#f4f1ea", "fillOpacity": 1},
        tooltip=folium.GeoJsonTooltip(["nom"], labels=False),
    ).add_to(fmap)
    folium.TileLayer(
        "OpenStreetMap",
        name=tr("OpenStreetMap tiles (needs the network)"),
        overlay=True,
        show=False,
        attr="© OpenStreetMap contributors",
    ).add_to(fmap)
    return fmap


def _points(
    fmap: folium.Map, name: str, frame: pd.DataFrame, tip: pd.Series, radius: npt.ArrayLike, color: npt.ArrayLike
) -> None:
    """One layer of circle markers drawn from a single GeoJSON collection (fast to build and to load).

    The tooltips are HTML (Leaflet sets them as such): every ``tip`` is escaped here, whatever it holds."""
    tip = pd.Series(tip).astype(str).map(html.escape)
    radius, color = np.broadcast_to(radius, len(frame)), np.broadcast_to(np.asarray(color, object), len(frame))
    feats: list[_Feature] = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(lon, 5), round(lat, 5)]},
            "properties": {"tip": t, "style": {"radius": round(float(r), 2), "color": c, "fillColor": c}},
        }
        for lat, lon, t, r, c in zip(frame["lat"].astype(float), frame["lon"].astype(float), tip, radius, color)
    ]
    folium.GeoJson(
        {"type": "FeatureCollection", "features": feats},
        name=name,
        marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.7),
        style_function=lambda f: f["properties"]["style"],
        tooltip=folium.GeoJsonTooltip(["tip"], labels=False),
    ).add_to(fmap)


def _said(values: npt.ArrayLike, say: Callable[[float], str]) -> list[str]:
    """``say`` of each value, computed once per distinct value (a map has tens of thousands of points and few
    distinct counts or shares; Babel takes about 10 µs a number); NaN said as ""."""
    column = pd.Series(values)
    distinct = column.dropna().unique()
    return column.map(dict(zip(distinct, map(say, distinct)))).fillna("").tolist()


def _site_tips(sites: pd.DataFrame, places: np.ndarray, fill: np.ndarray, tr: Lang) -> pd.Series:
    """Each site's tooltip in ``tr``'s language: id, company, places a week (their mean over the two weeks) and
    the fill rate where it is known (``fill``: NaN elsewhere)."""
    plain = tr("{site} – {company} — places: {places}")
    filled = tr("{site} – {company} — places: {places}, filled: {share}")
    said_places, shares = _said(places, lambda v: tr.num(v, 1)), _said(fill, lambda v: tr.pct(v, 0))
    tips = [
        (filled if share else plain).format(site=j, company=c, places=p, share=share)
        for j, c, p, share in zip(sites["site_id"], sites["company"], said_places, shares)
    ]
    return pd.Series(tips, dtype=object)


def site_map(
    sites: pd.DataFrame | None,
    *,
    used: pd.Series | None = None,
    students: pd.DataFrame | None = None,
    white_zones: pd.DataFrame | None = None,
    links: np.ndarray | None = None,
    tr: Lang | None = None,
) -> folium.Map:
    """Sites (size = places, colour = fill rate when ``used`` gives places used by site id), unplaced students'
    communes, white-zone lycées and placements (``links``: rows of home lat, lon, host lat, lon), each a layer of
    an offline map, with a legend; layer names in ``tr``'s language (French by default)."""
    tr = tr or Lang()
    fmap = _base(tr)
    if links is not None and len(links):
        layer = folium.FeatureGroup(name=tr("Placements (home → host)"), show=False).add_to(fmap)
        segments = np.round(np.asarray(links, float), 4).reshape(-1, 2, 2).tolist()
        # folium's PolyLine.__init__ has no annotations
        line = folium.PolyLine(segments, color="#2166ac", weight=1, opacity=0.35)  # type: ignore[no-untyped-call]
        line.add_to(layer)
    if sites is not None and len(sites):
        places = (sites["capacity_week_1"].to_numpy(float) + sites["capacity_week_2"].to_numpy(float)) / 2
        fill = (
            used.reindex(sites["site_id"]).fillna(0).to_numpy(float) / np.maximum(places, 1e-9)
            if used is not None
            else np.full(len(sites), np.nan)
        )
        color = np.select([np.isnan(fill), fill >= 0.999, fill > 0], ["#777777", "#1a9850", "#fdae61"], "#d73027")
        _points(
            fmap,
            tr("Sites (size: places; colour: fill rate)"),
            sites,
            _site_tips(sites, places, fill, tr),
            3 + 1.5 * np.sqrt(places),
            color,
        )
    if students is not None and len(students):
        per = (
            students.groupby("commune_insee")
            .agg(n=("student_id", "size"), lat=("lat", "first"), lon=("lon", "first"))
            .reset_index()
        )
        said = tr("{commune} — students not placed: {n}")
        tip = [said.format(commune=c, n=n) for c, n in zip(per["commune_insee"], _said(per["n"], tr.num))]
        _points(fmap, tr("Students not placed (by commune)"), per, pd.Series(tip), 2 + 2 * np.sqrt(per["n"]), "#542788")
    if white_zones is not None and len(white_zones):
        wz, said = white_zones, tr("{uai} {name} — seconde students: {students}, nearest place: {km} km")
        counts, km = _said(wz["seconde_gt_students"], tr.num), _said(wz["nearest_place_km"], tr.num)
        tip = [said.format(uai=u, name=n, students=k, km=d) for u, n, k, d in zip(wz["uai"], wz["name"], counts, km)]
        _points(fmap, tr("White zones: lycées with no place within 30 km"), wz, pd.Series(tip), 5, "#111111")
    folium.LayerControl(collapsed=True).add_to(fmap)  # folded into its button: it does not hide the map
    present = [x is not None and len(x) > 0 for x in (sites, students, white_zones, links)]
    add_legend(fmap, tr, *present)
    return fmap


def standalone_html(fmap: folium.Map) -> str:
    """The map as a self-contained HTML page; raises if any resource would still come from the network."""
    page = inline_data_scripts(_stable_ids(fmap.get_root().render()))
    left = [m.group(0)[:120] for m in _EXTERNAL.finditer(page)]
    if left:
        raise RuntimeError(f"the map would load external resources: {left}")
    return with_csp(
        page.replace(
            "</body>",
            f'<div style="font:10px sans-serif;color:#555">{html.escape(BOUNDARIES_ATTRIBUTION)}</div></body>',
            1,
        )
    )


def _stable_ids(page: str) -> str:
    """Folium names elements with random hex ids; number them in order of appearance (same map, same page)."""
    ids: dict[str, str] = {}
    return _IDS.sub(lambda m: ids.setdefault(m.group(0), f"{m.group(1)}_{len(ids)}"), page)


def map_iframe(fmap: folium.Map, height: int = 560) -> str:
    """The map embedded in a report page (an ``iframe`` whose document is inline)."""
    doc = html.escape(standalone_html(fmap), quote=True)
    return (
        f'<iframe id="site-map" title="Interactive map" srcdoc="{doc}" '
        f'style="width:100%;height:{height}px;border:1px solid #ccc"></iframe>'
    )
