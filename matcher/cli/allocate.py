"""``matcher allocate``, ``matcher reallocate`` and ``matcher demo``: the commands that write an allocation folder.

They are attached to the ``matcher`` group in :mod:`matcher.cli.main`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import pandas as pd

from matcher.candidates.budget import check_run
from matcher.cli.batch import batch_runner, engine_from, engine_options
from matcher.cli.display import render_summary
from matcher.cli.helptext import Command
from matcher.cli.language import CSV_STYLE, LANG, closing_lines, follow_policy
from matcher.cli.options import DEFAULT_CAPACITY, FILE, GEOCODE, PROBLEMS, SITES, geocoder
from matcher.cli.params import INT, FloatRange, PathType
from matcher.cli.problems import problems_file
from matcher.config import Config, check_config, load_config
from matcher.export.atomic import check_out_dir
from matcher.export.guard import guard_folder
from matcher.export.outputs import file_digest, write_outputs
from matcher.generate.scenario import embedded_scenario
from matcher.load import load_inputs
from matcher.load.overrides import read_overrides
from matcher.load.pairs import read_pairs
from matcher.pipeline.allocate import allocate
from matcher.pipeline.batch import allocate_by_academie
from matcher.pipeline.compute import Runner
from matcher.pipeline.overrides import Plan, allocate_overridden
from matcher.pipeline.reallocate import read_previous, reallocate
from matcher.util.i18n import mark, num, tr
from matcher.util.progress import Progress

__all__ = ["allocate_cmd", "reallocate_cmd", "demo"]


def _run(
    students_path: Path,
    sites_path: Path,
    config: Config,
    out_dir: Path,
    pairs_path: Path | None,
    geocode_cache: Path | None = None,
    runner: Runner | None = None,
    overrides_path: Path | None = None,
    csv_style: str = "plain",
) -> None:
    check_out_dir(out_dir)
    progress = Progress()
    with progress.stage(mark("Loading and locating the inputs")):
        left_out: dict[str, int] = {}
        students, sites = load_inputs(
            students_path, sites_path, config, geocoder=geocoder(geocode_cache), counts=left_out
        )
        pairs = read_pairs(pairs_path, students, sites) if pairs_path else None
        plan = _plan(overrides_path, students, sites)
    check_run(students, sites, config, pairs=pairs, by_academie=runner is not None)
    inputs: dict[str, Any] = {"students": file_digest(students_path), "sites": file_digest(sites_path)}
    if left_out:  # a platform export: its offers left out are counted in the summary
        inputs["sites_left_out"] = left_out
    if pairs_path:
        inputs["pairs"] = file_digest(pairs_path)
    if overrides_path:
        inputs["overrides"] = file_digest(overrides_path)
    with progress.stage(mark("Allocating and checking")):
        if plan is not None:  # pins and forbidden pairs: one problem, with the unconstrained optimum beside it
            result = allocate_overridden(students, sites, config, plan, pairs=pairs, inputs=inputs)
        elif runner is None:
            result = allocate(students, sites, config, pairs=pairs, inputs=inputs)
        else:  # --by academie: the parts as tasks of the runner's engine
            result = allocate_by_academie(students, sites, config, pairs=pairs, inputs=inputs, runner=runner)
    with progress.stage(mark("Writing the files")):
        paths = write_outputs(result, out_dir, csv_style=csv_style)
    click.echo(render_summary(result.summary))
    click.echo("\n" + tr("wrote {files}").format(files=", ".join(str(p) for p in paths.values())))


def _plan(path: Path | None, students: pd.DataFrame, sites: pd.DataFrame) -> Plan | None:
    """The overrides of ``--overrides``, checked (None without the option)."""
    return None if path is None else Plan.of(read_overrides(path, students, sites), students, sites, path.name)


@click.command(name="allocate", cls=Command)
@click.option(
    "--students",
    "students_path",
    type=FILE,
    required=True,
    help=mark("Students file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods)."),
)
@SITES
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    required=True,
    help=mark("Folder for assignments.csv, unassigned.csv, summary.json."),
)
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML); see datasets/policy.toml."))
@click.option("--mode", type=click.Choice(["optimal", "stable"]), help=mark("Allocation mode (default optimal)."))
@click.option("--max-km", type=FloatRange(0, min_open=True), help=mark("Default distance limit in km."))
@click.option(
    "--time-limit",
    type=FloatRange(0, min_open=True),
    help=mark("Seconds after which the full-time repair stops solving again."),
)
@click.option("--seed", type=INT, help=mark("Seed for anything random."))
@click.option("--pairs", "pairs_path", type=FILE, help=mark("CSV student_id,site_id,km|minutes replacing distances."))
@click.option(
    "--overrides",
    "overrides_path",
    type=FILE,
    help=mark("CSV student_id,site_id,action (pin|forbid): an officer's decisions."),
)
@GEOCODE
@click.option(
    "--stay-in-academie",
    is_flag=True,
    default=None,
    help=mark("Students only go to sites of their own académie (policy option stay_in_academie)."),
)
@click.option(
    "--by",
    type=click.Choice(["academie"]),
    help=mark(
        "Solve each académie as a separate task on --engine and merge the files (same files as one run); "
        "needs stay_in_academie."
    ),
)
@DEFAULT_CAPACITY
@PROBLEMS
@engine_options
@CSV_STYLE
@LANG
def allocate_cmd(
    students_path: Path,
    sites_path: Path,
    out_dir: Path,
    config_path: Path | None,
    mode: str | None,
    max_km: float | None,
    time_limit: float | None,
    seed: int | None,
    pairs_path: Path | None,
    geocode_cache: Path | None,
    stay_in_academie: bool | None,
    by: str | None,
    default_capacity: int | None,
    problems_path: Path | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    overrides_path: Path | None,
    csv_style: str,
    lang: str | None,
) -> None:
    """Allocate the two weeks and write the officer's files."""
    if overrides_path is not None and by is not None:
        raise click.UsageError(tr("--overrides works on one problem: leave out --by"))
    chosen = engine_from(engine, scheduler, workers)
    guard_folder(out_dir, "allocate", [students_path, sites_path, config_path, pairs_path])
    config = load_config(config_path).with_options(
        mode=mode,
        default_max_km=max_km,
        time_limit=time_limit,
        seed=seed,
        stay_in_academie=stay_in_academie,
        default_capacity=default_capacity,
    )
    follow_policy(config.lang)
    check_config(config, "command line")
    with problems_file(problems_path), batch_runner(by, chosen, config) as runner:
        _run(students_path, sites_path, config, out_dir, pairs_path, geocode_cache, runner, overrides_path, csv_style)


@click.command(name="reallocate", cls=Command)
@click.option(
    "--previous",
    "previous_dir",
    type=PathType(exists=True, file_okay=False, path_type=Path),
    required=True,
    help=mark("Output folder of the previous run (its assignments.csv and unassigned.csv)."),
)
@click.option(
    "--students",
    "students_path",
    type=FILE,
    required=True,
    help=mark("Updated students file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods)."),
)
@click.option(
    "--sites",
    "sites_path",
    type=FILE,
    required=True,
    help=mark("Updated sites file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods)."),
)
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    required=True,
    help=mark("Folder for assignments.csv, unassigned.csv, summary.json and changes.csv."),
)
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML); see datasets/policy.toml."))
@click.option("--max-km", type=FloatRange(0, min_open=True), help=mark("Default distance limit in km."))
@click.option(
    "--time-limit",
    type=FloatRange(0, min_open=True),
    help=mark("Seconds after which the full-time repair stops solving again."),
)
@click.option("--seed", type=INT, help=mark("Seed for anything random (the hosts' lottery when a capacity is cut)."))
@click.option("--pairs", "pairs_path", type=FILE, help=mark("CSV student_id,site_id,km|minutes replacing distances."))
@DEFAULT_CAPACITY
@GEOCODE
@LANG
def reallocate_cmd(
    previous_dir: Path,
    students_path: Path,
    sites_path: Path,
    out_dir: Path,
    config_path: Path | None,
    max_km: float | None,
    time_limit: float | None,
    seed: int | None,
    pairs_path: Path | None,
    default_capacity: int | None,
    geocode_cache: Path | None,
    lang: str | None,
) -> None:
    """Keep every still-valid placement of a previous run, place as many others as possible, list the changes."""
    guard_folder(
        out_dir,
        "reallocate",
        [
            previous_dir / "assignments.csv",
            previous_dir / "unassigned.csv",
            students_path,
            sites_path,
            config_path,
            pairs_path,
        ],
    )
    config = load_config(config_path).with_options(
        default_max_km=max_km, time_limit=time_limit, seed=seed, default_capacity=default_capacity
    )
    follow_policy(config.lang)
    check_config(config, "command line")
    check_out_dir(out_dir)
    previous, previous_unassigned = read_previous(previous_dir)
    students, sites = load_inputs(students_path, sites_path, config, geocoder=geocoder(geocode_cache))
    pairs = read_pairs(pairs_path, students, sites) if pairs_path else None
    inputs = {
        "previous": file_digest(previous_dir / "assignments.csv"),
        "students": file_digest(students_path),
        "sites": file_digest(sites_path),
    }
    if pairs_path:
        inputs["pairs"] = file_digest(pairs_path)
    done = reallocate(
        previous, students, sites, config, previous_unassigned=previous_unassigned, pairs=pairs, inputs=inputs
    )
    paths = write_outputs(done.result, out_dir, extra={"changes.csv": done.changes})  # one set, changes included
    click.echo(render_summary(done.result.summary))
    changes = done.result.summary["reallocation"]["changes"]
    counts = ", ".join(f"{k} {num(v)}" for k, v in changes.items()) or tr("none")
    kept = num(done.result.summary["reallocation"]["kept"])
    click.echo("\n" + tr("kept {kept} placements; changes: {changes}").format(kept=kept, changes=counts))
    click.echo(tr("wrote {files}").format(files=", ".join(str(p) for p in paths.values())))


@click.command(name="demo", cls=Command)
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    default=Path("matcher-demo"),
    show_default=True,
    help=mark("Folder for the demo's output files."),
)
@LANG
def demo(out_dir: Path, lang: str | None) -> None:
    """Run the embedded national scenario end to end (a partner's ~900 sites and 3,000 requests), with the
    partner's 1,000-place target shared among académies as floors (academie_floors = "proportional")."""
    students_path, sites_path = (Path(str(p)) for p in embedded_scenario())
    guard_folder(out_dir, "allocate", [students_path, sites_path])
    _run(students_path, sites_path, Config(academie_floors="proportional"), out_dir, None)
    click.echo(closing_lines(out_dir, lang))
