"""The ``matcher`` command line: a thin click layer over the Python API.

Exit status: 0 success, 2 bad input or usage (every problem listed, nothing written), 1 internal failure
(one line; the traceback only with ``--debug``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import click

from matcher.candidates.budget import check_run
from matcher.cli.batch import batch_runner, engine_from, engine_options, sweep_cmd
from matcher.cli.display import render_inputs, render_summary
from matcher.cli.privacy import pseudonymize_cmd, reidentify_cmd
from matcher.config import Config, load_config
from matcher.errors import CheckError, InputError, MatcherWarning
from matcher.export.atomic import check_out_dir
from matcher.export.outputs import file_digest, write_outputs
from matcher.generate.scenario import embedded_scenario, generate, write_scenario
from matcher.load import load_inputs
from matcher.load.geocode import AddressGeocoder
from matcher.load.pairs import read_pairs
from matcher.pipeline.allocate import allocate
from matcher.pipeline.batch import allocate_by_academie
from matcher.pipeline.reallocate import read_previous, reallocate
from matcher.util.progress import Progress

__all__ = ["main"]

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_GEOCODE = click.option(
    "--geocode",
    "geocode_cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Geocode free-text `address` cells online (French address base, BAN) with a cache in this folder. "
    "Off by default: nothing leaves the machine without it.",
)


def _geocoder(cache: Path | None) -> AddressGeocoder | None:
    return AddressGeocoder(cache) if cache else None


_SHOW_WARNING = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    if issubclass(category, MatcherWarning):
        click.echo(f"matcher: warning: {message}", err=True)
    else:
        _SHOW_WARNING(message, category, filename, lineno, file, line)


class _Group(click.Group):
    """Maps our exceptions to exit codes: InputError → 2 with every problem, Ctrl-C → 130 with a message, anything
    else → 1 in one line."""

    def invoke(self, ctx: click.Context):
        with warnings.catch_warnings():  # our warnings in one line each, as "matcher: warning: ..."
            warnings.simplefilter("always", MatcherWarning)
            warnings.showwarning = _show_warning
            return self._invoke_mapped(ctx)

    def _invoke_mapped(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except InputError as exc:
            click.echo(f"matcher: {len(exc.problems)} problem(s) in the input; nothing was written.", err=True)
            click.echo(exc.report(), err=True)
            ctx.exit(2)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo(
                "\nmatcher: interrupted; --out holds its previous files or this run's complete set, never a mix.",
                err=True,
            )
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the one place that turns failures into exit status 1
            if ctx.params.get("debug"):
                raise
            message = str(exc).splitlines()[0] if isinstance(exc, CheckError) else str(exc)  # the rest names students
            click.echo(
                f"matcher: internal error: {type(exc).__name__}: {message} (rerun with --debug for details)", err=True
            )
            ctx.exit(1)


@click.group(cls=_Group)
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
@click.version_option(package_name="matcher")
def main(debug: bool) -> None:
    """Allocate the seconde observation placements: load, locate, allocate, check, export."""


@main.command()
@click.option("--students", "students_path", type=_FILE, required=True, help="Students file (CSV or XLSX).")
@click.option("--sites", "sites_path", type=_FILE, required=True, help="Sites file (CSV or XLSX).")
@click.option("--config", "config_path", type=_FILE, help="Policy file (TOML); see datasets/policy.toml.")
@_GEOCODE
def validate(students_path: Path, sites_path: Path, config_path: Path | None, geocode_cache: Path | None) -> None:
    """Check and locate both files; exit 0 when valid, 2 with every problem listed."""
    students, sites = load_inputs(
        students_path, sites_path, load_config(config_path), geocoder=_geocoder(geocode_cache)
    )
    click.echo(f"valid: {len(students):,} students, {len(sites):,} sites located")
    click.echo(render_inputs(students, sites))


@main.command(name="generate")
@click.option("--students", "n_students", type=click.IntRange(0), required=True, help="Number of students.")
@click.option("--sites", "n_sites", type=click.IntRange(0), required=True, help="Number of sites.")
@click.option("--places", type=click.IntRange(0), help="Total places (default 1.15 per site).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; same seed, same files.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for students.csv and sites.csv.",
)
def generate_cmd(n_students: int, n_sites: int, places: int | None, seed: int, out_dir: Path) -> None:
    """Write a synthetic scenario on the real map (students.csv, sites.csv)."""
    try:
        students, sites = generate(n_students, n_sites, seed, places=places)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    paths = write_scenario(students, sites, out_dir)
    click.echo(f"wrote {paths[0]} ({len(students):,} students) and {paths[1]} ({len(sites):,} sites)")


def _run(
    students_path: Path,
    sites_path: Path,
    config: Config,
    out_dir: Path,
    pairs_path: Path | None,
    geocode_cache: Path | None = None,
    runner=None,
) -> None:
    check_out_dir(out_dir)
    progress = Progress()
    with progress.stage("Loading and locating the inputs"):
        students, sites = load_inputs(students_path, sites_path, config, geocoder=_geocoder(geocode_cache))
        pairs = read_pairs(pairs_path, students, sites) if pairs_path else None
    check_run(students, sites, config, pairs=pairs, by_academie=runner is not None)
    inputs = {"students": file_digest(students_path), "sites": file_digest(sites_path)}
    if pairs_path:
        inputs["pairs"] = file_digest(pairs_path)
    with progress.stage("Allocating and checking"):
        if runner is None:
            result = allocate(students, sites, config, pairs=pairs, inputs=inputs)
        else:  # --by academie: the parts as tasks of the runner's engine
            result = allocate_by_academie(students, sites, config, pairs=pairs, inputs=inputs, runner=runner)
    with progress.stage("Writing the files"):
        paths = write_outputs(result, out_dir)
    click.echo(render_summary(result.summary))
    click.echo(f"\nwrote {', '.join(str(p) for p in paths.values())}")


@main.command(name="allocate")
@click.option("--students", "students_path", type=_FILE, required=True, help="Students file (CSV or XLSX).")
@click.option("--sites", "sites_path", type=_FILE, required=True, help="Sites file (CSV or XLSX).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for assignments.csv, unassigned.csv, summary.json.",
)
@click.option("--config", "config_path", type=_FILE, help="Policy file (TOML); see datasets/policy.toml.")
@click.option("--mode", type=click.Choice(["optimal", "stable"]), help="Allocation mode (default optimal).")
@click.option("--max-km", type=click.FloatRange(0, min_open=True), help="Default distance limit in km.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0, min_open=True),
    help="Seconds after which the full-time repair stops solving again.",
)
@click.option("--seed", type=int, help="Seed for anything random.")
@click.option("--pairs", "pairs_path", type=_FILE, help="CSV student_id,site_id,km|minutes replacing distances.")
@_GEOCODE
@click.option(
    "--stay-in-academie",
    is_flag=True,
    default=None,
    help="Students only go to sites of their own académie (policy option stay_in_academie).",
)
@click.option(
    "--by",
    type=click.Choice(["academie"]),
    help="Solve each académie as a separate task on --engine and merge the files (same files as one run); "
    "needs stay_in_academie.",
)
@engine_options
def allocate_cmd(
    students_path,
    sites_path,
    out_dir,
    config_path,
    mode,
    max_km,
    time_limit,
    seed,
    pairs_path,
    geocode_cache,
    stay_in_academie,
    by,
    engine,
    scheduler,
    workers,
):
    """Allocate the two weeks and write the officer's files."""
    engine = engine_from(engine, scheduler, workers)
    config = load_config(config_path).with_options(
        mode=mode, default_max_km=max_km, time_limit=time_limit, seed=seed, stay_in_academie=stay_in_academie
    )
    with batch_runner(by, engine, config) as runner:
        _run(students_path, sites_path, config, out_dir, pairs_path, geocode_cache, runner=runner)


@main.command(name="reallocate")
@click.option(
    "--previous",
    "previous_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    required=True,
    help="Output folder of the previous run (its assignments.csv and unassigned.csv).",
)
@click.option("--students", "students_path", type=_FILE, required=True, help="Updated students file (CSV or XLSX).")
@click.option("--sites", "sites_path", type=_FILE, required=True, help="Updated sites file (CSV or XLSX).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for assignments.csv, unassigned.csv, summary.json and changes.csv.",
)
@click.option("--config", "config_path", type=_FILE, help="Policy file (TOML); see datasets/policy.toml.")
@click.option("--max-km", type=click.FloatRange(0, min_open=True), help="Default distance limit in km.")
@click.option(
    "--time-limit",
    type=click.FloatRange(0, min_open=True),
    help="Seconds after which the full-time repair stops solving again.",
)
@click.option("--seed", type=int, help="Seed for anything random (the hosts' lottery when a capacity is cut).")
@click.option("--pairs", "pairs_path", type=_FILE, help="CSV student_id,site_id,km|minutes replacing distances.")
@_GEOCODE
def reallocate_cmd(
    previous_dir, students_path, sites_path, out_dir, config_path, max_km, time_limit, seed, pairs_path, geocode_cache
):
    """Keep every still-valid placement of a previous run, place as many others as possible, list the changes."""
    config = load_config(config_path).with_options(default_max_km=max_km, time_limit=time_limit, seed=seed)
    check_out_dir(out_dir)
    previous, previous_unassigned = read_previous(previous_dir)
    students, sites = load_inputs(students_path, sites_path, config, geocoder=_geocoder(geocode_cache))
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
    counts = ", ".join(f"{k} {v}" for k, v in done.result.summary["reallocation"]["changes"].items()) or "none"
    click.echo(f"\nkept {done.result.summary['reallocation']['kept']:,} placements; changes: {counts}")
    click.echo(f"wrote {', '.join(str(p) for p in paths.values())}")


@main.command()
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("matcher-demo"),
    show_default=True,
    help="Folder for the demo's output files.",
)
def demo(out_dir: Path) -> None:
    """Run the embedded national scenario end to end (a partner's ~900 sites and 3,000 requests), with the
    partner's 1,000-place target shared among académies as floors (academie_floors = "proportional")."""
    students_path, sites_path = (Path(str(p)) for p in embedded_scenario())
    _run(students_path, sites_path, Config(academie_floors="proportional"), out_dir, None)


@main.command(name="report")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for report.html, report.xlsx and committee.csv (default: FOLDER).",
)
@click.option(
    "--students",
    "students_path",
    type=_FILE,
    help="The run's students file (needed unless it is the embedded scenario).",
)
@click.option(
    "--sites", "sites_path", type=_FILE, help="The run's sites file (needed unless it is the embedded scenario)."
)
@click.option("--config", "config_path", type=_FILE, help="Policy file (TOML) the run used.")
@click.option("--no-workbook", is_flag=True, help="Skip report.xlsx (the slowest part).")
def report_cmd(folder, out_dir, students_path, sites_path, config_path, no_workbook):
    """Write an allocation folder's offline HTML report, its workbook and the steering committee's figures."""
    from matcher.report import build_report

    paths = build_report(
        folder,
        out_dir,
        students=students_path,
        sites=sites_path,
        config=load_config(config_path),
        workbook=not no_workbook,
        progress=Progress(),
    )
    click.echo(f"wrote {', '.join(str(p) for p in paths.values())}")


@main.command(name="coverage")
@click.option("--sites", "sites_path", type=_FILE, required=True, help="Sites file (CSV or XLSX).")
@click.option("--target", type=click.IntRange(1), help="National target of places (default 1,000, or the policy's).")
@click.option("--config", "config_path", type=_FILE, help="Policy file (TOML); see datasets/policy.toml.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write coverage_academies.csv, coverage_departements.csv, white_zones.csv, coverage.html.",
)
@_GEOCODE
def coverage_cmd(sites_path, target, config_path, out_dir, geocode_cache):
    """Places against the national target, share of seconde students within 15/30/60 km, white zones."""
    from matcher.cli.display import render_coverage
    from matcher.report.coverage import coverage, load_sites

    config = load_config(config_path).with_options(coverage_target=target)
    progress = Progress()
    with progress.stage("Loading and locating the sites"):
        sites = load_sites(sites_path, config, geocoder=_geocoder(geocode_cache))
    with progress.stage("Measuring coverage"):
        cov = coverage(sites, config)
    click.echo(render_coverage(cov))
    if out_dir:
        from matcher.report import write_coverage

        with progress.stage("Writing the coverage files"):
            paths = write_coverage(cov, sites, out_dir, title=f"Coverage of {sites_path.name}")
        click.echo(f"\nwrote {', '.join(str(p) for p in paths.values())}")


main.add_command(pseudonymize_cmd)
main.add_command(reidentify_cmd)
main.add_command(sweep_cmd)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
