"""The interactive map's legend: what each colour and size means, in the reader's language, in a corner that
leaves the map visible (the layer control is folded into its button)."""

from __future__ import annotations

import html
from typing import Any

import folium

from matcher.util.i18n import Lang

__all__ = ["add_legend", "LEGEND_ID"]

LEGEND_ID = "map-legend"
_STYLE = (
    "position:absolute;bottom:58px;left:10px;z-index:1000;background:rgba(255,255,255,.92);padding:6px 9px;"
    "border:1px solid #bbb;border-radius:4px;font:12px/1.5 system-ui,sans-serif;color:#222"
)


def _dot(color: str) -> str:
    return (
        f'<span style="display:inline-block;width:10px;height:10px;border-radius:50%;background:{color};'
        'margin-right:5px;opacity:.8"></span>'
    )


def add_legend(fmap: folium.Map, tr: Lang, sites: bool, students: bool, white_zones: bool, links: bool) -> None:
    """Add the legend of the layers present to ``fmap`` (an element with id ``map-legend``)."""
    rows = []
    if sites:
        rows += [
            (_dot("#1a9850"), tr("site full")),
            (_dot("#fdae61"), tr("site partly used")),
            (_dot("#d73027"), tr("site unused")),
            ("", tr("size: places offered")),
        ]
    if students:
        rows.append((_dot("#542788"), tr("students not placed (by commune)")))
    if white_zones:
        rows.append((_dot("#111111"), tr("white-zone lycée")))
    if links:
        line = '<span style="display:inline-block;width:14px;border-top:2px solid #2166ac;margin-right:5px"></span>'
        rows.append((line, tr("placement, home to host (layer off by default)")))
    body = "<br>".join(f"{mark}{html.escape(text)}" for mark, text in rows)
    page: Any = fmap.get_root()  # a branca Figure: its ``html`` part holds the page's body
    page.html.add_child(folium.Element(f'<div id="{LEGEND_ID}" style="{_STYLE}">{body}</div>'))
