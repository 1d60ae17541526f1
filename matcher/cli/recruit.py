"""``matcher recruit``: where one more place places one more student (attached to the group in ``cli.main``)."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.helptext import Command
from matcher.cli.language import LANG, follow_policy
from matcher.cli.options import DEFAULT_CAPACITY, FILE, GEOCODE, geocoder
from matcher.cli.params import FloatRange, IntRange, PathType
from matcher.config import check_config, load_config
from matcher.export.atomic import check_out_dir
from matcher.load import load_inputs
from matcher.pipeline.recruit import recruit, write_recruitment
from matcher.util.i18n import mark, num, tr

__all__ = ["recruit_cmd"]


@click.command(name="recruit", cls=Command)
@click.option("--students", "students_path", type=FILE, required=True, help=mark("Students file (CSV or XLSX)."))
@click.option("--sites", "sites_path", type=FILE, required=True, help=mark("Sites file (CSV or XLSX)."))
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML); see datasets/policy.toml."))
@click.option("--top", type=IntRange(0), default=50, show_default=True, help=mark("Places in the plan."))
@click.option("--max-km", type=FloatRange(0, min_open=True), help=mark("Default distance limit in km."))
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    required=True,
    help=mark("Folder for recruitment.csv, recruitment_communes.csv, recruitment_academies.csv, recruitment.json."),
)
@DEFAULT_CAPACITY
@GEOCODE
@LANG
def recruit_cmd(
    students_path: Path,
    sites_path: Path,
    config_path: Path | None,
    top: int,
    max_km: float | None,
    out_dir: Path,
    default_capacity: int | None,
    geocode_cache: Path | None,
    lang: str | None,
) -> None:
    """Where one more place places one more student: a plan of places, proven on the allocation's flow."""
    check_out_dir(out_dir)
    config = load_config(config_path).with_options(default_max_km=max_km, default_capacity=default_capacity)
    follow_policy(config.lang)
    check_config(config, "command line")
    students, sites = load_inputs(students_path, sites_path, config, geocoder=geocoder(geocode_cache))
    if config.mode == "stable":
        click.echo(tr("note: the guidance is for the optimal mode (the stable mode proves no such bound)."))
    rec = recruit(students, sites, config, top)
    paths = write_recruitment(rec, out_dir)
    f = rec.figures
    line = tr(
        "placed bound {bound}; the plan's {places} places add {added} (proven: {proven}); one more place counts at "
        "{sites} sites; {none} students have no offer of their trades in range ({seconds} s)"
    )
    click.echo(
        line.format(
            bound=num(f["placed_bound"]),
            places=num(f["plan_places"]),
            added=num(f["plan_students"]),
            proven=num(f["placed_bound"] + f["plan_students"]),
            sites=num(f["sites_listed"]),
            none=num(f["no_offer_in_range"]),
            seconds=f["seconds"],
        )
    )
    click.echo(tr("wrote {files}").format(files=", ".join(str(p) for p in paths.values())))
