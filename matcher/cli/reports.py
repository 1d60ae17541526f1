"""``matcher report`` and ``matcher coverage``: the commands that describe a run or a set of sites.

They are attached to the ``matcher`` group in :mod:`matcher.cli.main`; the report builders are imported only when a
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.display import render_coverage
from matcher.cli.helptext import Command
from matcher.cli.language import CSV_STYLE, LANG
from matcher.cli.options import DEFAULT_CAPACITY, FILE, GEOCODE, SITES, geocoder
from matcher.cli.params import Argument, IntRange, PathType
from matcher.config import check_config, load_config
from matcher.export.guard import guard_folder
from matcher.util.i18n import Lang, mark, resolve, tr
from matcher.util.progress import Progress

__all__ = ["report_cmd", "coverage_cmd"]

#: The files of an allocation folder a report reads.
READ = ("assignments.csv", "unassigned.csv", "summary.json")


@click.command(name="report", cls=Command)
@click.argument(
    "folder", cls=Argument, metavar=mark("FOLDER"), type=PathType(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    help=mark("Folder for report.html, report.xlsx and committee.csv (default: FOLDER)."),
)
@click.option(
    "--students",
    "students_path",
    type=FILE,
    help=mark("The run's students file (needed unless it is the embedded scenario)."),
)
@click.option(
    "--sites", "sites_path", type=FILE, help=mark("The run's sites file (needed unless it is the embedded scenario).")
)
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML) the run used."))
@DEFAULT_CAPACITY
@click.option("--no-workbook", is_flag=True, help=mark("Skip report.xlsx (the slowest part)."))
@click.option("--pdf", is_flag=True, help=mark("Also write committee.pdf, the steering committee's A4 document."))
@LANG
@CSV_STYLE
def report_cmd(
    folder: Path,
    out_dir: Path | None,
    students_path: Path | None,
    sites_path: Path | None,
    config_path: Path | None,
    default_capacity: int | None,
    no_workbook: bool,
    pdf: bool,
    lang: str | None,
    csv_style: str,
) -> None:
    """Write an allocation folder's offline HTML report, its workbook and the steering committee's figures."""
    from matcher.report import build_report

    guard_folder(out_dir or folder, "report", [*(folder / n for n in READ), students_path, sites_path, config_path])
    config = check_config(load_config(config_path).with_options(default_capacity=default_capacity), "command line")
    paths = build_report(
        folder,
        out_dir,
        students=students_path,
        sites=sites_path,
        config=config,
        workbook=not no_workbook,
        progress=Progress(),
        lang=lang,
        pdf=pdf,
        csv_style=csv_style,
    )
    click.echo(tr("wrote {files}").format(files=", ".join(str(p) for p in paths.values())))


@click.command(name="coverage", cls=Command)
@SITES
@click.option("--target", type=IntRange(1), help=mark("National target of places (default 1,000, or the policy's)."))
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML); see datasets/policy.toml."))
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    help=mark("Also write coverage_academies.csv, coverage_departements.csv, white_zones.csv, coverage.html."),
)
@GEOCODE
@DEFAULT_CAPACITY
@LANG
def coverage_cmd(
    sites_path: Path,
    target: int | None,
    config_path: Path | None,
    out_dir: Path | None,
    geocode_cache: Path | None,
    default_capacity: int | None,
    lang: str | None,
) -> None:
    """Places against the national target, share of seconde students within 15/30/60 km, white zones."""
    from matcher.report.coverage import coverage, load_sites

    if out_dir:
        guard_folder(out_dir, "coverage", [sites_path, config_path])
    config = check_config(
        load_config(config_path).with_options(coverage_target=target, default_capacity=default_capacity), "command line"
    )
    progress = Progress()
    with progress.stage(mark("Loading and locating the sites")):
        sites = load_sites(sites_path, config, geocoder=geocoder(geocode_cache))
    with progress.stage(mark("Measuring coverage")):
        cov = coverage(sites, config)
    click.echo(render_coverage(cov))
    if out_dir:
        from matcher.report import write_coverage

        with progress.stage(mark("Writing the coverage files")):
            title = tr("Coverage of {file}").format(file=sites_path.name)
            paths = write_coverage(cov, sites, out_dir, title=title, tr=Lang(resolve(lang, config.lang)))
        click.echo("\n" + tr("wrote {files}").format(files=", ".join(str(p) for p in paths.values())))
