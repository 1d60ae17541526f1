"""The ``matcher`` command line: a thin click layer over the Python API.

Exit status: 0 success, 2 bad input or usage (every problem listed, nothing written), 1 internal failure
(one line; the traceback only with ``--debug``). Problems are grouped by kind (:mod:`~matcher.cli.problems`).

Here: the group (exceptions to exit codes, warnings in one line), ``validate`` and ``generate``. The other commands
live beside it: :mod:`~matcher.cli.allocate` (allocate, reallocate, demo), :mod:`~matcher.cli.reports` (report,
coverage), :mod:`~matcher.cli.batch` (sweep), :mod:`~matcher.cli.privacy` (pseudonymize, reidentify); shared options
in :mod:`~matcher.cli.options`, terminal tables in :mod:`~matcher.cli.display`, the commands' help and usage errors
in the run's language in :mod:`~matcher.cli.helptext`, the values' refusals and the prompts in
:mod:`~matcher.cli.params`.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any, TextIO

import click

from matcher.cli.allocate import allocate_cmd, demo, reallocate_cmd
from matcher.cli.batch import sweep_cmd
from matcher.cli.display import render_inputs
from matcher.cli.helptext import Group
from matcher.cli.language import LANG, follow_policy
from matcher.cli.options import DEFAULT_CAPACITY, FILE, GEOCODE, PROBLEMS, SITES, geocoder
from matcher.cli.params import INT, IntRange, PathType
from matcher.cli.privacy import pseudonymize_cmd, reidentify_cmd
from matcher.cli.problems import grouped, problems_file, write_problems
from matcher.cli.recruit import recruit_cmd
from matcher.cli.reports import coverage_cmd, report_cmd
from matcher.cli.serve import serve_cmd, users_cmd
from matcher.config import check_config, load_config
from matcher.errors import CheckError, InputError, MatcherWarning, Problem, ResourceLimit
from matcher.export.guard import guard_folder
from matcher.generate.scenario import generate, write_scenario
from matcher.load import load_inputs
from matcher.load.instance import build_instance
from matcher.util.i18n import mark, num, tr

__all__ = ["main"]

_SHOW_WARNING = warnings.showwarning


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if issubclass(category, MatcherWarning):
        click.echo(tr("matcher: warning: {message}").format(message=message), err=True)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


class _Group(Group):
    """Maps our exceptions to exit codes: InputError and ResourceLimit → 2 with every problem, Ctrl-C → 130 with a
    message, anything else → 1 in one line."""

    def invoke(self, ctx: click.Context) -> Any:
        with warnings.catch_warnings():  # our warnings in one line each, as "matcher: warning: ..."
            warnings.simplefilter("always", MatcherWarning)
            warnings.showwarning = _show_warning
            return self._invoke_mapped(ctx)

    def _invoke_mapped(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(
                tr("matcher: {n} problem(s) in the input; nothing was written.").format(n=num(len(exc.problems))),
                err=True,
            )
            click.echo(grouped(exc.problems), err=True)
            ctx.exit(2)
        except ResourceLimit as exc:
            click.echo(tr("matcher: the run was refused before it started; nothing was written."), err=True)
            click.echo(exc.report(), err=True)
            ctx.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            said = tr("matcher: interrupted; --out holds its previous files or this run's complete set, never a mix.")
            click.echo("\n" + said, err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that turns failures into exit status 1
            if ctx.params.get("debug"):
                raise
            message = str(exc).splitlines()[0] if isinstance(exc, CheckError) else str(exc)  # the rest names students
            line = tr("matcher: internal error: {kind}: {message} (rerun with --debug for details)")
            click.echo(line.format(kind=type(exc).__name__, message=message), err=True)
            ctx.exit(1)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help=mark("Show the full traceback of an internal error."))
@click.version_option(package_name="matcher")
@LANG
def main(debug: bool, lang: str | None) -> None:
    """Allocate the seconde observation placements: load, locate, allocate, check, export."""


@main.command()
@click.option(
    "--students",
    "students_path",
    type=FILE,
    required=True,
    help=mark("Students file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods)."),
)
@SITES
@click.option("--config", "config_path", type=FILE, help=mark("Policy file (TOML); see datasets/policy.toml."))
@GEOCODE
@DEFAULT_CAPACITY
@PROBLEMS
@LANG
def validate(
    students_path: Path,
    sites_path: Path,
    config_path: Path | None,
    geocode_cache: Path | None,
    default_capacity: int | None,
    problems_path: Path | None,
    lang: str | None,
) -> None:
    """Check and locate both files (and the policy's floors file); exit 0 when valid, 2 with every problem listed."""
    config = load_config(config_path).with_options(default_capacity=default_capacity)
    follow_policy(config.lang)
    left_out: list[Problem] = []
    with problems_file(problems_path):
        check_config(config, "command line")
        students, sites = load_inputs(
            students_path, sites_path, config, geocoder=geocoder(geocode_cache), left_out=left_out
        )
        build_instance(students, sites, config)  # what the run derives once: a bad floors file is reported too
    if problems_path is not None and left_out:
        write_problems(left_out, problems_path)
        click.echo(tr("wrote {path} ({n} offers left out)").format(path=problems_path, n=num(len(left_out))))
    line = tr("valid: {students} students, {sites} sites located")
    click.echo(line.format(students=num(len(students)), sites=num(len(sites))))
    click.echo(render_inputs(students, sites))


@main.command(name="generate")
@click.option("--students", "n_students", type=IntRange(0), required=True, help=mark("Number of students."))
@click.option("--sites", "n_sites", type=IntRange(0), required=True, help=mark("Number of sites."))
@click.option("--places", type=IntRange(0), help=mark("Total places (default 1.15 per site)."))
@click.option("--seed", type=INT, default=0, show_default=True, help=mark("Random seed; same seed, same files."))
@click.option(
    "--out",
    "out_dir",
    type=PathType(file_okay=False, path_type=Path),
    required=True,
    help=mark("Folder for students.csv and sites.csv."),
)
@LANG
def generate_cmd(n_students: int, n_sites: int, places: int | None, seed: int, out_dir: Path, lang: str | None) -> None:
    """Write a synthetic scenario on the real map (students.csv, sites.csv)."""
    guard_folder(out_dir, "generate")
    try:
        students, sites = generate(n_students, n_sites, seed, places=places)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    paths = write_scenario(students, sites, out_dir)
    line = tr("wrote {students_path} ({students} students) and {sites_path} ({sites} sites)")
    click.echo(
        line.format(students_path=paths[0], students=num(len(students)), sites_path=paths[1], sites=num(len(sites)))
    )


main.add_command(allocate_cmd)
main.add_command(reallocate_cmd)
main.add_command(demo)
main.add_command(report_cmd)
main.add_command(coverage_cmd)
main.add_command(pseudonymize_cmd)
main.add_command(reidentify_cmd)
main.add_command(sweep_cmd)
main.add_command(recruit_cmd)
main.add_command(serve_cmd)
main.add_command(users_cmd)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
