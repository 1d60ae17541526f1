"""The committee's figures as people see them: the table and its chart, both read from one :class:`Secret`.

The chart draws a bar only where the table shows a value; a suppressed cell is drawn as the letter ``s`` at the
axis, never as a bar. Each bar is the SVG group ``<gid>-b-<series>-<row>`` and its value label
``<gid>-v-<series>-<row>`` (a test reads them).
"""

from __future__ import annotations

import html

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from matcher.report.charts import svg
from matcher.report.secrecy import COUNTS, SHARES, Secret
from matcher.util.i18n import Lang

__all__ = ["committee_chart", "committee_cells", "committee_headers", "committee_html", "committee_svg", "CHART_SERIES"]

#: The shares drawn in the committee chart, in order.
CHART_SERIES = ("fill_rate", "girls_share")
_STYLE = {"svg.fonttype": "none", "svg.hashsalt": "matcher", "font.size": 9}


def committee_headers(tr: Lang) -> list[str]:
    """The committee table's column titles in the reader's language (the CSV keeps its contract names)."""
    return [
        tr("Académie"),
        tr("Place-weeks offered"),
        tr("Students hosted"),
        tr("Girls' share"),
        tr("Priority students' share"),
        tr("Fill rate"),
    ]


def committee_cells(secret: Secret, tr: Lang) -> list[list[str]]:
    """The committee table as text cells: numbers the reader's way, ``<5`` and ``s`` where suppressed."""
    rows: list[list[str]] = []
    for i in range(len(secret.values)):
        v, h = secret.values.iloc[i], secret.hidden.iloc[i]
        offered = v["places_offered"]  # half a place for a place of one week: shown as whole place-weeks
        row = [str(v["academie"]), "" if pd.isna(offered) else tr.num(round(2 * float(offered)))]
        for col in (*COUNTS, *SHARES):
            if h[col]:
                row.append("<5" if col in COUNTS else "s")
            elif pd.isna(v[col]):
                row.append("")
            else:
                row.append(tr.num(float(v[col])) if col in COUNTS else tr.pct(float(v[col])))
        rows.append(row)
    return rows


def committee_chart(secret: Secret, tr: Lang, gid: str = "chart-committee") -> Figure:
    """Fill rate and girls' share per académie of the sites: bars and value labels only where the table shows
    a value; ``s`` where it is suppressed. The legend sits above the plot, never over a bar."""
    local = secret.local
    labels = secret.values["academie"][local].tolist()
    names = {"fill_rate": tr("Fill rate"), "girls_share": tr("Girls' share")}
    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]  # rc keys are plain strings
        fig = Figure(figsize=(7.5, 0.3 * max(len(labels), 4) + 1.4))
        fig.set_gid(gid)
        ax = fig.subplots()
        height = 0.4
        y = np.arange(len(labels))
        for k, col in enumerate(CHART_SERIES):
            shown = [s for s, keep in zip(secret.shown(col), local) if keep]
            bars = np.array([np.nan if s is None else s for s in shown], float)
            drawn = ax.barh(y + k * height, np.nan_to_num(bars), height=height, label=names[col], color=f"C{k}")
            for i, patch in enumerate(drawn):
                patch.set_gid(f"{gid}-b-{k}-{i}")
            for i, s in enumerate(shown):
                hidden = bool(secret.hidden[col][local].iloc[i])
                text = "s" if hidden else ("" if s is None else tr.pct(s, 0))
                ax.text((s or 0) + 0.01, y[i] + k * height, text, va="center", fontsize=7, gid=f"{gid}-v-{k}-{i}")
        ax.set_yticks(y + height / 2, labels)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.15)
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: tr.pct(v, 0)))
        ax.set_xlabel(tr("share (s: suppressed, statistical secrecy)"))
        ax.set_title(tr("Fill rate and girls' share of the students hosted, per académie of the sites"), pad=22)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        ax.grid(axis="x", alpha=0.3)
        fig.tight_layout()
        return fig


def committee_svg(secret: Secret, tr: Lang) -> str:
    """The committee chart as inline SVG, its texts as ``<text>`` elements (readable, searchable)."""
    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]  # rc keys are plain strings
        return svg(committee_chart(secret, tr))


def committee_html(secret: Secret, tr: Lang) -> str:
    """The committee table as an HTML table with id ``committee``."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in committee_headers(tr))
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in committee_cells(secret, tr)
    )
    return f'<table id="committee" class="data"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
