"""Writing the report files of an allocation folder, and the coverage files of a sites file."""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from matcher.config import Config
from matcher.domain import reference
from matcher.export.csvstyle import csv_bytes as styled_csv
from matcher.export.outputs import write_atomic, write_through
from matcher.report.charts import choropleth
from matcher.report.committee import committee_figures
from matcher.report.coverage import Coverage, coverage, white_zone_counts
from matcher.report.data import read_allocation
from matcher.report.page import CSS, html_table, report_html
from matcher.report.pdf import write_pdf
from matcher.report.recipients import write_recipient_books
from matcher.report.secrecy import suppress
from matcher.report.secure import with_csp
from matcher.report.sheets import place_weeks
from matcher.report.webmap import map_iframe, site_map
from matcher.report.workbook import write_workbook
from matcher.util import parallel
from matcher.util.i18n import Lang, mark, resolve
from matcher.util.progress import Progress

__all__ = ["build_report", "write_coverage"]


def csv_bytes(table: pd.DataFrame, style: str = "plain") -> bytes:
    """A table as CSV (``plain``: UTF-8 with ``\\n`` line ends; or ``excel-fr``), text cells neutralised."""
    return styled_csv(table, style)


def build_report(
    folder: str | Path,
    out_dir: str | Path | None = None,
    *,
    students: str | Path | None = None,
    sites: str | Path | None = None,
    config: Config | None = None,
    workbook: bool = True,
    progress: Progress | None = None,
    lang: str | None = None,
    pdf: bool = False,
    csv_style: str = "plain",
) -> dict[str, Path]:
    """Write ``report.html``, ``committee.csv`` (published figures) and ``report.xlsx`` for an allocation folder.

    Parameters
    ----------
    folder : path
        Output folder of ``matcher allocate`` / ``matcher demo``.
    out_dir : path, optional
        Where to write (default: ``folder``).
    students, sites : path, optional
        The run's input files (checked against the hashes in ``summary.json``); found automatically for the
        embedded scenario. Without them the report leaves out girls'/priority shares, lycées and the map.
    workbook : bool
        Also write the workbook (the slowest part).
    lang : {"fr", "en"}, optional
        Language of the page, workbook and PDF (default: ``$MATCHER_LANG``, the policy's ``lang``, then French).
    pdf : bool
        Also write ``committee.pdf``, the steering committee's A4 document.
    csv_style : {"plain", "excel-fr"}
        How ``committee.csv`` is written (:mod:`matcher.export.csvstyle`).
    """
    progress = progress or Progress(False)
    config = config or Config()
    with progress.stage(mark("Reading the allocation")):
        alloc = read_allocation(folder, students, sites, config)
    out = Path(out_dir) if out_dir else Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    with progress.stage(mark("Drawing the report")):
        cov = coverage(alloc.sites, config) if alloc.sites is not None else None
        tr = Lang(resolve(lang, config.lang))
        page, published = report_html(alloc, cov, tr)
    paths = {"report.html": out / "report.html", "committee.csv": out / "committee.csv"}
    write_atomic(paths["report.html"], page.encode("utf-8"))
    write_atomic(paths["committee.csv"], csv_bytes(published, csv_style))
    if workbook:
        with progress.stage(mark("Writing the workbook")):
            paths["report.xlsx"] = out / "report.xlsx"
            write_through(paths["report.xlsx"], lambda p: write_workbook(alloc, published, p, tr))
        with progress.stage(mark("Writing a workbook per lycée and per company")):
            paths |= write_recipient_books(alloc, out, tr, parallel.processes_of(config))
    if pdf:
        with progress.stage(mark("Writing the committee's PDF")):
            paths["committee.pdf"] = out / "committee.pdf"
            secret = suppress(committee_figures(alloc))
            write_through(paths["committee.pdf"], lambda p: write_pdf(alloc, secret, cov, p, tr))
    return paths


def _coverage_head(cov: Coverage, tr: Lang) -> str:
    """The coverage page's key sentence: place-weeks against the target, shares within reach, white zones."""
    n = cov.national

    def figure(key: str) -> float:
        return float(n[key] or 0)

    said = tr(
        "{weeks} place-weeks on {sites} sites for a target of {target} places ({share}: {met}). Seconde students "
        "with a place within 15 / 30 / 60 km: {within}. White zones: {zones}."
    ).format(
        weeks=tr.num(round(2 * figure("places_offered"))),
        sites=tr.num(figure("sites")),
        target=tr.num(figure("target_places")),
        share=tr.pct(figure("target_attainment")),
        met=tr("met") if n["target_met"] else tr("NOT met"),
        within=" / ".join(tr.pct(figure(f"share_within_{r}km")) for r in (15, 30, 60)),
        zones=white_zone_counts(n, tr),
    )
    return f"<p>{html.escape(said)}</p>"


def _coverage_page(cov: Coverage, sites: pd.DataFrame, title: str, tr: Lang) -> str:
    svg = choropleth(
        cov.departements.set_index("departement")["share_within_30km"],
        percent=True,
        title=tr("Seconde students with a place within 30 km, per département (red: white-zone lycées)"),
        label=tr("share within 30 km"),
        gid="choropleth-coverage",
        points=cov.white_zones,
        cmap="RdYlGn",
        fmt=lambda v: tr.pct(v, 0),
    )
    pct = tuple(c for c in cov.academies.columns if c.startswith("share_"))
    body = [
        f"<h1>{html.escape(title)}</h1>",
        _coverage_head(cov, tr),
        f"<figure>{svg}</figure>",
        f"<h2>{html.escape(tr('Per académie'))}</h2>",
        html_table(place_weeks(cov.academies), "coverage-academies", pct, tr),
        f"<h2>{html.escape(tr('White zones'))}</h2>",
        html_table(cov.white_zones.drop(columns=["lat", "lon"]), "white-zones", (), tr),
        f"<h2>{html.escape(tr('Map'))}</h2>",
        map_iframe(site_map(sites, white_zones=cov.white_zones, tr=tr)),
        f"<h2>{html.escape(tr('Per département'))}</h2>",
        html_table(place_weeks(cov.departements), "coverage-departements", pct, tr),
        f'<p class="note">{html.escape(reference.ATTRIBUTION)}</p>',
    ]
    return with_csp(
        f'<!DOCTYPE html><html lang="{tr.code}"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>"
        f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def write_coverage(
    cov: Coverage, sites: pd.DataFrame, out_dir: str | Path, title: str | None = None, tr: Lang | None = None
) -> dict[str, Path]:
    """Write ``coverage_academies.csv``, ``coverage_departements.csv``, ``white_zones.csv`` (contract columns) and
    ``coverage.html`` (in ``tr``'s language: by default the ambient one, French unless set; place-weeks, never
    half places)."""
    tr = tr or Lang()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {
        "coverage_academies.csv": csv_bytes(cov.academies),
        "coverage_departements.csv": csv_bytes(cov.departements),
        "white_zones.csv": csv_bytes(cov.white_zones),
        "coverage.html": _coverage_page(cov, sites, title or tr("Coverage"), tr).encode("utf-8"),
    }
    for name, data in files.items():
        write_atomic(out / name, data)
    return {name: out / name for name in files}
