"""The steering committee's PDF: A4 pages drawn with matplotlib (no extra dependency), French by default.

Every page starts with its own heading, so no heading is left at a page bottom; every page has its number. The
figures come from the one suppressed table (:mod:`matcher.report.secrecy`): the committee table, its chart and the
fill-rate map show nothing that table hides. Long lists are summarised (the full lists stay in the workbook).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from matcher.domain import reference
from matcher.report.charts import choropleth_figure
from matcher.report.committeeview import committee_cells, committee_chart, committee_headers
from matcher.report.coverage import Coverage, white_zone_counts
from matcher.report.data import Allocation
from matcher.report.recruitment import read_communes, read_recruitment
from matcher.report.secrecy import SECRECY_NOTE, Secret
from matcher.tables.suppression import SMALL
from matcher.util.i18n import Lang

__all__ = ["write_pdf", "pages", "A4", "STYLE"]

A4 = (8.27, 11.69)  # inches
STYLE = {"pdf.fonttype": 42, "font.size": 9, "svg.hashsalt": "matcher"}  # TrueType: text can be extracted
#: An académie offering less than this share of its fair share of the target is named on the coverage page.
UNDER_SHARE = 0.8
Page = Callable[[], Figure]


class Writer(Protocol):
    """Writes a line of text on a page at a height (0–1) and a font size."""

    def __call__(self, y: float, text: str, size: float = 10) -> None: ...


def _page(tr: Lang, heading: str) -> tuple[Figure, Writer]:
    """An A4 page with its heading at the top, and a function writing a line of text at a height (0–1)."""
    fig = Figure(figsize=A4)
    fig.text(0.08, 0.95, textwrap.fill(heading, 62), fontsize=14, weight="bold", color="#1d4e89", va="top")

    def write(y: float, text: str, size: float = 10) -> None:
        fig.text(0.08, y, textwrap.fill(text, int(880 / size)), fontsize=size, va="top")  # inside the margins

    return fig, write


def _period(alloc: Allocation, tr: Lang) -> str:
    weeks = alloc.summary.get("period", {})
    days = [d for w in weeks.values() for d in w]
    return f"{tr.date(min(days))} – {tr.date(max(days))}" if days else "–"


def _key_figures(alloc: Allocation, cov: Coverage | None, tr: Lang) -> Figure:
    c, goal = alloc.summary.get("counts", {}), alloc.summary.get("coverage", {})
    offered, target = float(c.get("places_offered", 0)), int(goal.get("target_places", 1000))
    fig, write = _page(tr, tr("Seconde observation placements: report to the steering committee"))
    write(0.88, f"{tr('Period')}{tr.colon}{_period(alloc, tr)}   ·   {tr('Run')}{tr.colon}{alloc.folder.name}", 10)
    lines = [
        (tr("Students"), tr.num(c.get("students", 0))),
        (tr("Placed"), tr.num(c.get("placed", 0))),
        (tr("Not placed"), tr.num(c.get("not_placed", 0))),
        (tr("Place-weeks offered"), tr.num(round(2 * offered))),
        (tr("Place-weeks used"), tr.num(round(2 * float(c.get("places_used", 0))))),
        (tr("Fill rate"), tr.pct(c.get("places_used", 0) / offered) if offered else "–"),
    ]
    for i, (label, value) in enumerate(lines):
        write(0.84 - i * 0.035, f"{label}{tr.colon}{value}", 12)
    fig.text(0.08, 0.6, tr("Commitment: 1,000 places"), fontsize=13, weight="bold", color="#1d4e89")
    met = tr("commitment met") if offered >= target else tr("commitment not met")
    write(
        0.57,
        f"{tr('Place-weeks offered')}{tr.colon}{tr.num(round(2 * offered))} / {tr.num(2 * target)} "
        f"({tr.pct(offered / target)}, {met})",
    )
    ax = fig.add_axes((0.08, 0.47, 0.84, 0.05))
    ax.barh([0], [min(offered / target, 1.2)], color="#1d4e89")
    ax.axvline(1.0, color="#d7301f", lw=2)
    ax.set_xlim(0, 1.2)
    ax.set_yticks([])
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: tr.pct(v, 0)))
    if cov is not None:
        n = cov.national
        write(
            0.4,
            tr("Seconde students with a place within 15 / 30 / 60 km")
            + tr.colon
            + " / ".join(tr.pct(float(n[f"share_within_{k}km"] or 0)) for k in (15, 30, 60)),
        )
        write(0.36, f"{tr('White zones (no place within 30 km)')}{tr.colon}{white_zone_counts(n, tr)}")
    write(0.28, tr(SECRECY_NOTE), 9)
    return fig


def _two_lines(title: str, width: int = 14) -> str:
    """``title`` broken at the space nearest its middle when it is longer than ``width`` characters."""
    spaces = [i for i, c in enumerate(title) if c == " "]
    if len(title) <= width or not spaces:
        return title
    cut = min(spaces, key=lambda i: abs(i - len(title) / 2))
    return title[:cut] + "\n" + title[cut + 1 :]


def _table_page(secret: Secret, tr: Lang) -> Figure:
    fig, write = _page(tr, tr("Steering committee figures"))
    ax = fig.add_axes((0.05, 0.12, 0.9, 0.78))
    ax.set_axis_off()
    cells = committee_cells(secret, tr)
    headers = [_two_lines(h) for h in committee_headers(tr)]  # long titles on two lines, never clipped
    table = ax.table(cellText=cells, colLabels=headers, loc="upper center", cellLoc="right")
    table.auto_set_font_size(False)
    table.set_fontsize(7.5)
    table.scale(1, 1.25)
    for (r, col), cell in table.get_celld().items():
        if r == 0:
            cell.set_facecolor("#eef2f7")
            cell.set_height(cell.get_height() * 1.9)
        if col == 0:
            cell.get_text().set_horizontalalignment("left")
    write(0.08, tr(SECRECY_NOTE), 8)
    return fig


def _chart_page(secret: Secret, tr: Lang) -> Figure:
    fig = committee_chart(secret, tr, gid="pdf-committee")
    fig.set_size_inches(*A4)
    fig.subplots_adjust(left=0.2, right=0.95, top=0.86, bottom=0.08)
    fig.text(0.08, 0.95, tr("Fill rate and girls' share"), fontsize=15, weight="bold", color="#1d4e89", va="top")
    return fig


def _map_page(secret: Secret, tr: Lang) -> Figure:
    fill = pd.Series(secret.shown("fill_rate"), index=secret.values["academie"], dtype=float)
    deps = reference.academies()["academie"].map(fill[secret.local]).astype(float)
    fig, titles = choropleth_figure(
        deps,
        title=tr("Fill rate of the places, per académie of the sites (grey: s or no place)"),
        label=tr("Fill rate"),
        gid="pdf-fill",
        fmt=lambda v: tr.pct(v, 0),
        missing="s",
    )
    fig.set_size_inches(*A4)
    fig.text(0.08, 0.97, tr("Map of the fill rate"), fontsize=15, weight="bold", color="#1d4e89", va="top")
    return fig


def _coverage_page(cov: Coverage, tr: Lang) -> Figure:
    fig, write = _page(tr, tr("Coverage against the commitment"))
    aca = cov.academies.sort_values("places_offered", ascending=False)
    ratio = (aca["places_offered"] / aca["fair_share_places"].where(aca["fair_share_places"] > 0)).to_numpy(float)
    ax = fig.add_axes((0.3, 0.38, 0.62, 0.52))
    y = np.arange(len(aca))
    ax.barh(y, aca["places_offered"], height=0.4, label=tr("Places offered"), color="#1d4e89")
    ax.barh(y + 0.4, aca["fair_share_places"], height=0.4, label=tr("Fair share of the 1,000 places"), color="#9ecae1")
    ax.set_yticks(y + 0.2, aca["academie"], fontsize=7)
    ax.invert_yaxis()
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
    under = aca[ratio < UNDER_SHARE]["academie"].tolist()
    said = tr("Académies under {share} of their fair share").format(share=tr.pct(UNDER_SHARE, 0))
    write(0.3, said + tr.colon + (", ".join(under) or "–"), 9)
    zones = cov.white_zones.sort_values("seconde_gt_students", ascending=False).head(10)
    write(0.25, tr("Largest white-zone lycées (the full list is in the workbook)") + tr.colon.rstrip(), 9)
    for i, (_, z) in enumerate(zones.iterrows()):
        write(
            0.225 - i * 0.017, f"{z.get('name', z['uai'])} ({z['uai']}){tr.colon}{tr.num(z['seconde_gt_students'])}", 8
        )
    return fig


def _count(value: object, tr: Lang) -> str:
    """A published count: a number in the reader's way, or its suppression mark (``<5``) as it is."""
    return tr.num(int(str(value))) if str(value).isdigit() else str(value)


def _recruitment_page(alloc: Allocation, tr: Lang) -> Figure | None:
    """The recruitment plan from the files ``matcher recruit --out`` wrote into the run's folder (None without):
    its headline, the académies below their floor and what the plan's places do for them, the top communes and
    trades, and the académies with most places. Only published (suppressed) counts and the plan's own figures."""
    found, communes = read_recruitment(alloc.folder), read_communes(alloc.folder)
    if found is None or communes is None:
        return None
    sites, academies, f = found
    fig, write = _page(tr, tr("Where one more place counts: the recruitment plan"))
    head = tr("With the sites as they are, at most {bound} students can be placed (a proven bound).").format(
        bound=tr.num(f["placed_bound"])
    )
    plan = tr("The plan's first {places} places together place {students} more students.").format(
        places=tr.num(f["plan_places"]), students=tr.num(f["plan_students"])
    )
    where = tr("One more place counts at {sites} sites.").format(sites=tr.num(f["sites_listed"]))
    new = tr("{no_offer} students have no offer of their trades in range: a new company is needed there.").format(
        no_offer=_count(f["no_offer_in_range"], tr)
    )
    write(0.89, f"{head} {plan} {where} {new}")
    y = _floor_lines(academies, write, tr, 0.79)
    trades = communes.groupby("trade")[["plan_places", "plan_students"]].sum()
    blocks = [
        (tr("Communes and trades with most students placed by the plan"), communes, "commune_insee"),
        (tr("Trades"), trades.reset_index(), "trade"),
        (tr("Académies with most places in the plan"), academies, "academie"),
    ]
    for title, table, key in blocks:
        y = _top_lines(title, table, key, write, tr, y)
    write(0.06, tr("The guidance is for the optimal mode.") + " " + tr(SECRECY_NOTE), 8)
    return fig


def _floor_lines(academies: pd.DataFrame, write: Writer, tr: Lang, y: float) -> float:
    """What the plan's places do for each académie below its floor (12 at most); the next line's height."""
    hidden = academies["shortfall"].astype(str) == "<5"  # its bound is a small count: suppressed in the file
    short = academies[(pd.to_numeric(academies["shortfall"], errors="coerce").fillna(0) > 0) | hidden].head(12)
    write(y, tr("Académies below their floor"), 11)
    if short.empty:
        write(y - 0.025, tr("None: every académie's floor is within the bound (or no floor is set)."), 9)
        return y - 0.06
    for i, (_, a) in enumerate(short.iterrows()):
        written = str(a["placed_bound"])
        small = not written.isdigit() or 0 < int(written) < SMALL  # suppressed, or would give away a small bound
        if int(a["plan_places"]) == 0:
            text = tr("{academie}: {shortfall} short of its floor; no place of the plan there")
        elif not small and int(a["plan_students"]) >= int(a["shortfall"]):
            text = tr("{academie}: the plan's {places} places there lift it to its floor")
        else:
            text = tr(
                "{academie}: {shortfall} short of its floor; the plan's {places} places there place {students} more"
            )
        line = text.format(
            academie=a["academie"],
            places=tr.num(int(a["plan_places"])),
            shortfall="s" if small else tr.num(int(a["shortfall"])),
            students=tr.num(int(a["plan_students"])),
        )
        write(y - 0.025 - i * 0.018, line, 8.5)
    return y - 0.045 - len(short) * 0.018


def _top_lines(title: str, table: pd.DataFrame, key: str, write: Writer, tr: Lang, y: float) -> float:
    """The 6 rows of ``table`` whose plan places most students (then places); the next line's height."""
    top = table[table["plan_places"].astype(int) > 0].sort_values(
        ["plan_students", "plan_places", key], ascending=[False, False, True]
    )
    write(y, title, 11)
    names = reference.communes()["name"] if key == "commune_insee" else None
    for i, (_, r) in enumerate(top.head(6).iterrows()):
        label = str(r[key]) if names is None else f"{names.get(r[key], r[key])} ({r[key]}), {r['trade']}"
        line = tr("{label}: {places} places, {students} students").format(
            label=label, places=tr.num(int(r["plan_places"])), students=tr.num(int(r["plan_students"]))
        )
        write(y - 0.025 - i * 0.018, line, 8.5)
    return y - 0.045 - min(len(top), 6) * 0.018


def pages(alloc: Allocation, secret: Secret, cov: Coverage | None, tr: Lang) -> list[Figure]:
    """The PDF's A4 pages as figures, numbered (draw them under :data:`STYLE`)."""
    makers: list[Page] = [
        lambda: _key_figures(alloc, cov, tr),
        lambda: _table_page(secret, tr),
        lambda: _chart_page(secret, tr),
        lambda: _map_page(secret, tr),
    ]
    if cov is not None:
        makers.append(lambda: _coverage_page(cov, tr))
    recruitment = _recruitment_page(alloc, tr)
    if recruitment is not None:
        makers.append(lambda: recruitment)
    figures = []
    for number, make in enumerate(makers, 1):
        fig = make()
        fig.text(0.5, 0.02, f"{number} / {len(makers)}", ha="center", fontsize=8, color="#555")
        figures.append(fig)
    return figures


def write_pdf(
    alloc: Allocation, secret: Secret, cov: Coverage | None, path: str | Path, tr: Lang | None = None
) -> Path:
    """Write the committee's A4 PDF to ``path``: key figures and the commitment, the committee table, its chart,
    the fill-rate map, with the sites known the coverage, and the recruitment plan when ``matcher recruit`` wrote
    it into the run's folder; numbered pages."""
    tr = tr or Lang()
    path = Path(path)
    meta = {"CreationDate": None, "Title": tr("Report to the steering committee")}
    with matplotlib.rc_context(STYLE), PdfPages(path, metadata=meta) as pdf:  # type: ignore[arg-type]
        for fig in pages(alloc, secret, cov, tr):
            pdf.savefig(fig)
    return path
