"""Command-line parts for académie batches and sweeps: the engine options and ``matcher sweep``.

:mod:`matcher.cli.main` adds :data:`sweep_cmd` to its group; :mod:`matcher.cli.allocate` uses :func:`engine_options`
and :func:`batch_runner` in ``allocate``. Misused options give a one-line message and exit status 2, before anything
is loaded or written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from matcher.cli.helptext import Command
from matcher.cli.language import LANG, follow_policy
from matcher.cli.options import DEFAULT_CAPACITY, FILE
from matcher.cli.params import IntRange, PathType
from matcher.config import Config, check_config, load_config
from matcher.export.guard import guard_folder
from matcher.export.outputs import file_digest
from matcher.load import load_inputs
from matcher.pipeline.compute import ENGINES, Engine, EngineError, Runner, open_engine
from matcher.pipeline.sweep import plan, read_grid, sweep, write_sweep
from matcher.util.i18n import mark, num, tr
from matcher.util.progress import Progress

__all__ = ["engine_options", "engine_from", "batch_runner", "opened", "sweep_cmd"]

_Command = TypeVar("_Command", bound=Callable[..., Any])


def _fail(message: str) -> NoReturn:
    """One line on stderr, exit status 2."""
    click.echo(tr("matcher: {message}").format(message=message), err=True)
    raise click.exceptions.Exit(2)


def engine_options(command: _Command) -> _Command:
    """``--engine``, ``--scheduler`` and ``--workers``."""
    command = click.option(
        "--workers",
        type=IntRange(1),
        help=mark(
            "Dask engine without --scheduler: worker processes of the LocalCluster it starts "
            "(default: one per CPU core)."
        ),
    )(command)
    command = click.option(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help=mark(
            "Dask engine: address of an existing Dask scheduler (its workers need matcher "
            "installed) instead of starting a LocalCluster."
        ),
    )(command)
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="local",
        show_default=True,
        help=mark(
            "Where the independent tasks run: this process, one after the other (local), or a "
            'Dask cluster (dask; needs pip install "matcher[dask]").'
        ),
    )(command)


def engine_from(engine: str, scheduler: str | None, workers: int | None) -> Engine:
    """The Engine of the options; a one-line error (exit 2) when they do not fit together."""
    try:
        return Engine(engine, scheduler or None, workers)
    except ValueError as exc:
        _fail(f"{exc} (--engine dask)" if engine == "local" else str(exc))  # the engine's own words


@contextmanager
def opened(engine: Engine) -> Iterator[Runner]:
    """The engine's runner; Dask missing or a scheduler out of reach is a one-line error, exit status 2."""
    with ExitStack() as stack:
        try:
            runner = stack.enter_context(open_engine(engine))
        except EngineError as exc:
            _fail(str(exc))
        yield runner


@contextmanager
def batch_runner(by: str | None, engine: Engine, config: Config) -> Iterator[Runner | None]:
    """For ``allocate --by``: the runner of the académie parts (None without ``--by``)."""
    if by is None:
        if engine.kind != "local":
            _fail(tr("--engine dask runs académie parts as tasks: add --by academie"))
        yield None
        return
    if not config.stay_in_academie:
        _fail(
            tr(
                "--by academie needs students kept in their académie: add --stay-in-academie, or set "
                "stay_in_academie = true in the policy file (--config)"
            )
        )
    with opened(engine) as runner:
        yield runner


@click.command(name="sweep", cls=Command)
@click.option("--students", "students_path", type=FILE, required=True, help=mark("Students file (CSV or XLSX)."))
@click.option("--sites", "sites_path", type=FILE, required=True, help=mark("Sites file (CSV or XLSX)."))
@click.option(
    "--grid",
    "grid_path",
    type=FILE,
    required=True,
    help=mark("Grid (TOML): policy options with lists of values; see datasets/sweep_example.toml."),
)
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    required=True,
    help=mark("Folder for sweep.csv and one sub-folder per run with its summary.json."),
)
@click.option(
    "--config",
    "config_path",
    type=FILE,
    help=mark("Base policy file (TOML) for the options the grid does not vary; see datasets/policy.toml."),
)
@DEFAULT_CAPACITY
@engine_options
@LANG
def sweep_cmd(
    students_path: Path,
    sites_path: Path,
    grid_path: Path,
    out_dir: Path,
    config_path: Path | None,
    default_capacity: int | None,
    engine: str,
    scheduler: str | None,
    workers: int | None,
    lang: str | None,
) -> None:
    """Allocate every combination of the grid's options and seeds; write one comparison table."""
    chosen = engine_from(engine, scheduler, workers)
    guard_folder(out_dir, "sweep", [students_path, sites_path, grid_path, config_path])
    base = load_config(config_path).with_options(default_capacity=default_capacity)
    follow_policy(base.lang)
    runs = plan(read_grid(grid_path), base)
    for run in runs:  # every combination in range before anything is loaded
        check_config(run.config, grid_path.name)
    progress = Progress()
    with progress.stage(mark("Loading and locating the inputs")):
        students, sites = load_inputs(students_path, sites_path, base)
    inputs = {"students": file_digest(students_path), "sites": file_digest(sites_path)}
    with opened(chosen) as runner, progress.stage(tr("Running {n} allocations").format(n=len(runs))):
        table, summaries = sweep(students, sites, runs, inputs=inputs, runner=runner)
    paths = write_sweep(table, summaries, out_dir)
    click.echo(table.astype(object).where(table.notna(), "").to_string(index=False))
    line = tr("{n} runs on the {engine} engine; wrote {table} and {n} summary.json files in {folder}/run-*/")
    click.echo("\n" + line.format(n=num(len(runs)), engine=chosen.kind, table=paths["sweep.csv"], folder=out_dir))
