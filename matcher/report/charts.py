"""Charts and choropleths drawn with matplotlib as inline SVG (no network, no image files).

Every département of a choropleth is its own SVG group with id ``dep-<code>`` and its value in the tooltip, so a
reader (or a test) can find it in the page. Overseas départements are drawn in insets; the SVG is deterministic
(no date, fixed id salt).
"""

from __future__ import annotations

import io
import json
import textwrap
from collections.abc import Callable, Iterable
from functools import cache

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.typing import ColorType, RcKeyType

from matcher.domain.reference import dataset_path

__all__ = ["svg", "bar_chart", "choropleth", "choropleth_figure", "departement_shapes", "BOUNDARIES_ATTRIBUTION"]

BOUNDARIES_ATTRIBUTION = "Contours : IGN – Admin Express COG 2018, via france-geojson, Licence Ouverte"
_INSETS = ("971", "972", "973", "974", "976")
_STYLE: dict[RcKeyType, str | int] = {"svg.fonttype": "none", "svg.hashsalt": "matcher", "font.size": 9}


@cache
def departement_shapes() -> dict[str, tuple[str, list[np.ndarray]]]:
    """Département code → (name, outer rings as lon/lat arrays), from ``datasets/departements.geojson``."""
    with dataset_path("departements.geojson").open("rb") as fh:
        data = json.load(fh)
    shapes = {}
    for feature in data["features"]:
        geom = feature["geometry"]
        polygons = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        rings = [np.asarray(ring, float) for poly in polygons for ring in poly[:1]]
        shapes[feature["properties"]["code"]] = (feature["properties"]["nom"], rings)
    return shapes


def svg(fig: Figure, tight: bool = True) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight" if tight else None)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def bar_chart(
    labels: Iterable[str], series: dict[str, np.ndarray], *, title: str, ylabel: str, gid: str, percent: bool = False
) -> str:
    """A grouped horizontal bar chart as an SVG string (one bar group per label)."""
    labels = list(labels)
    with matplotlib.rc_context(_STYLE):
        fig = Figure(figsize=(7.5, 0.22 * max(len(labels), 4) + 1.2))
        ax = fig.subplots()
        fig.set_gid(gid)
        height = 0.8 / max(len(series), 1)
        y = np.arange(len(labels))
        for i, (name, values) in enumerate(series.items()):
            ax.barh(y + i * height, np.asarray(values, float), height=height, label=name)
        ax.set_yticks(y + height * (len(series) - 1) / 2, labels)
        ax.invert_yaxis()
        ax.set_xlabel(ylabel)
        ax.set_title(title)
        if percent:
            ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        if len(series) > 1:  # above the plot: never over a bar
            ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(series), frameon=False)
            ax.set_title(title, pad=20)
        ax.grid(axis="x", alpha=0.3)
        return svg(fig)


def _draw(ax: Axes, code: str, color: ColorType, step: int = 1) -> None:
    """Add one département as a path with id ``dep-<code>``; ``step`` > 1 keeps every step-th point (insets)."""
    rings = [r[::step] if len(r) > 8 * step else r for r in departement_shapes()[code][1]]
    verts = np.concatenate([np.vstack([r, r[:1]]) for r in rings])
    codes = np.concatenate([[MplPath.MOVETO] + [MplPath.LINETO] * (len(r) - 1) + [MplPath.CLOSEPOLY] for r in rings])
    patch = PathPatch(MplPath(verts, codes), facecolor=color, edgecolor="white", linewidth=0.3, transform=ax.transData)
    patch.set_gid(f"dep-{code}")
    ax.add_artist(patch)  # not add_patch: limits are set once by _frame (much faster)


def _frame(ax: Axes, codes: list[str]) -> None:
    rings = [r for c in codes for r in departement_shapes()[c][1]]
    pts = np.concatenate(rings)
    mid = np.radians(pts[:, 1].mean())
    ax.set_xlim(pts[:, 0].min() - 0.1, pts[:, 0].max() + 0.1)
    ax.set_ylim(pts[:, 1].min() - 0.1, pts[:, 1].max() + 0.1)
    ax.set_aspect(1 / np.cos(mid))
    ax.set_axis_off()


def choropleth(
    values: pd.Series,
    *,
    title: str,
    label: str,
    gid: str,
    percent: bool = False,
    points: pd.DataFrame | None = None,
    cmap: str = "YlGnBu",
    fmt: Callable[[float], str] | None = None,
) -> str:
    """Départements coloured by ``values`` (indexed by département code; missing → grey), overseas in insets.

    ``points`` (``lat, lon``), when given, are drawn on top as red dots (e.g. white-zone lycées).
    """
    with matplotlib.rc_context(_STYLE):
        fig, titles = choropleth_figure(
            values, title=title, label=label, gid=gid, percent=percent, points=points, cmap=cmap, fmt=fmt
        )
        return _add_titles(svg(fig, tight=False), titles)  # fixed layout: one drawing pass


def choropleth_figure(
    values: pd.Series,
    *,
    title: str,
    label: str,
    gid: str,
    percent: bool = False,
    points: pd.DataFrame | None = None,
    cmap: str = "YlGnBu",
    fmt: Callable[[float], str] | None = None,
    missing: str = "no data",
) -> tuple[Figure, dict[str, str]]:
    """The choropleth's figure and each département's tooltip text (see :func:`choropleth`); ``fmt`` formats the
    values (default: ``51%`` or ``12.5``), ``missing`` is the text of a département without a value."""
    shapes = departement_shapes()
    metro = sorted(c for c in shapes if c not in _INSETS)
    v = values.astype(float)
    finite = v[np.isfinite(v)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    norm = matplotlib.colors.Normalize(lo, hi if hi > lo else lo + 1)
    cm = matplotlib.colormaps[cmap]
    fmt = fmt or ((lambda x: f"{x:.0%}") if percent else (lambda x: f"{x:,.1f}"))
    fig = Figure(figsize=(7.5, 7.2))
    fig.set_gid(gid)
    ax = fig.add_axes((0.0, 0.2, 0.84, 0.72))  # room for a title on two lines
    insets = {c: fig.add_axes((0.02 + i * 0.17, 0.02, 0.15, 0.16)) for i, c in enumerate(_INSETS)}
    titles = {}
    for code in shapes:
        val = v.get(code, np.nan)
        color = cm(norm(val)) if np.isfinite(val) else "#d9d9d9"
        text = missing if not np.isfinite(val) else fmt(val)
        _draw(insets.get(code, ax), code, color, 1 if code in metro else 8)
        titles[code] = f"{code} {shapes[code][0]}: {text}"
    _frame(ax, metro)
    for code, inset in insets.items():
        _frame(inset, [code])
        inset.set_title(shapes[code][0], fontsize=7)
    if points is not None and len(points):
        for target, codes in [(ax, metro)] + [(insets[c], [c]) for c in _INSETS]:
            target.scatter(
                points["lon"],
                points["lat"],
                s=9,
                c="#d7301f",
                edgecolors="white",
                linewidths=0.3,
                zorder=3,
                gid=f"{gid}-points",
            )
            _frame(target, codes)
    bar = fig.colorbar(matplotlib.cm.ScalarMappable(norm=norm, cmap=cm), cax=fig.add_axes((0.85, 0.3, 0.025, 0.55)))
    bar.set_label(label)
    bar.ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: fmt(x)))
    ax.set_title(textwrap.fill(title, 64))  # a long title wraps instead of being cut at the edges
    fig.text(0.99, 0.005, BOUNDARIES_ATTRIBUTION, ha="right", fontsize=6, color="#555")
    return fig, titles


def _add_titles(svg: str, titles: dict[str, str]) -> str:
    """Give each département group a ``<title>`` (hover tooltip with name and value)."""
    for code, text in titles.items():
        tag = f'<g id="dep-{code}">'
        svg = svg.replace(tag, f"{tag}<title>{_escape(text)}</title>", 1)
    return svg


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
