"""One run's work, wherever it runs (a process forked by the server, or a Dask worker): what ``matcher allocate``
does (load, overrides, allocate, atomic publishing), or ``matcher reallocate`` from a previous run's files, then
``matcher report --pdf`` into the run's ``report`` folder; each stage written into the run's ``state.json`` as it
begins, the end (done, failed with the problems or a one-line error) when it ends.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.candidates.budget import check_run
from matcher.config import Config, load_config
from matcher.errors import InputError, ResourceLimit
from matcher.export.outputs import file_digest, write_outputs
from matcher.load import load_inputs
from matcher.load.overrides import read_overrides
from matcher.pipeline.allocate import allocate
from matcher.pipeline.overrides import Plan, allocate_overridden
from matcher.pipeline.reallocate import read_previous, reallocate
from matcher.report import build_report
from matcher.report.recipients import safe_name
from matcher.result import Result
from matcher.web.store import read_json, write_json

__all__ = ["execute", "run_job", "on_dask", "finish"]


class _Observer:
    """Writes each stage into the run's state as it begins."""

    def __init__(self, state: Path):
        self.state = state

    def begin(self, stage: str) -> None:
        data = read_json(self.state)
        write_json(self.state, {**data, "stage": stage, "stages": [*data["stages"], stage]})

    def end(self, stage: str, seconds: float, value: object) -> None:
        pass


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the server dies (no orphan job writes after a crash)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the server died before the request was made
        os._exit(1)


def execute(run: str, students: str, sites: str, parent: int, previous: str | None = None) -> None:
    """``run_job`` in a process forked by the server (``parent``: its process id), which dies with it."""
    _die_with_parent(parent)
    run_job(run, students, sites, previous)


def on_dask(run: str, students: str, sites: str, previous: str | None = None) -> None:
    """``run_job`` as a Dask task: the worker's address noted in the run's state first."""
    from distributed import get_worker

    state = Path(run) / "state.json"
    write_json(state, {**read_json(state), "worker": str(get_worker().address)})
    run_job(run, students, sites, previous)


def run_job(run: str, students: str, sites: str, previous: str | None = None) -> None:
    """Run one job: the allocation of ``students`` and ``sites`` into ``run``/out, its state kept in ``state.json``;
    with ``previous`` (a run's output folder), the re-allocation keeping that run's still-valid placements."""
    folder, observer = Path(run), _Observer(Path(run) / "state.json")
    observer.begin("load")
    try:
        if previous is None:
            summary, mean_km = _allocate(folder, Path(students), Path(sites), observer)
        else:
            summary, mean_km = _reallocate(folder, Path(students), Path(sites), Path(previous), observer)
    except (InputError, ResourceLimit) as exc:
        finish(folder, "failed", problems=[asdict(p) for p in exc.problems])
    except Exception as exc:  # noqa: BLE001 - a job's failure is its state, in one line without the traceback
        finish(folder, "failed", error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    else:
        finish(folder, "done", summary=summary, mean_km=mean_km)


def _allocate(
    folder: Path, students_path: Path, sites_path: Path, observer: _Observer
) -> tuple[dict[str, Any], float | None]:
    policy, overrides = folder / "policy.toml", folder / "overrides.csv"
    config = load_config(policy if policy.is_file() else None)
    students, sites = load_inputs(students_path, sites_path, config)
    plan = (
        Plan.of(read_overrides(overrides, students, sites), students, sites, overrides.name)
        if overrides.is_file()
        else None
    )
    check_run(students, sites, config, pairs=None, by_academie=False)
    inputs: dict[str, Any] = {"students": file_digest(students_path), "sites": file_digest(sites_path)}
    if plan is not None:
        inputs["overrides"] = file_digest(overrides)
        result = allocate_overridden(students, sites, config, plan, inputs=inputs, observer=observer)
    else:
        result = allocate(students, sites, config, inputs=inputs, observer=observer)
    return _publish(folder, result, {}, (students_path, sites_path), config, observer)


def _reallocate(
    folder: Path, students_path: Path, sites_path: Path, previous_dir: Path, observer: _Observer
) -> tuple[dict[str, Any], float | None]:
    """What ``matcher reallocate`` does, from the previous run's output folder."""
    policy = folder / "policy.toml"
    config = load_config(policy if policy.is_file() else None)
    previous, previous_unassigned = read_previous(previous_dir)
    students, sites = load_inputs(students_path, sites_path, config)
    inputs = {
        "previous": file_digest(previous_dir / "assignments.csv"),
        "students": file_digest(students_path),
        "sites": file_digest(sites_path),
    }
    done = reallocate(previous, students, sites, config, previous_unassigned=previous_unassigned, inputs=inputs)
    return _publish(folder, done.result, {"changes.csv": done.changes}, (students_path, sites_path), config, observer)


def _publish(
    folder: Path,
    result: Result,
    extra: dict[str, pd.DataFrame],
    inputs: tuple[Path, Path],
    config: Config,
    observer: _Observer,
) -> tuple[dict[str, Any], float | None]:
    """The output files as one set, then the report's (``matcher report --pdf``, with the per-recipient workbooks);
    the summary and the mean distance."""
    observer.begin("write")
    write_outputs(result, folder / "out", extra=extra)
    observer.begin("report")
    with _named(folder) as named:
        build_report(named, folder / "report", students=inputs[0], sites=inputs[1], config=config, pdf=True)
    km = result.assignments["distance_km"]
    return result.summary, (round(float(km.mean()), 2) if len(km) else None)


@contextmanager
def _named(folder: Path) -> Iterator[Path]:
    """The run's output files under a folder named after the campaign and the run's time (the report and its
    workbooks name the run by its folder), copies removed afterwards."""
    state, campaign = read_json(folder / "state.json"), read_json(folder.parents[1] / "campaign.json")
    when = time.strftime("%Y-%m-%d %Hh%M", time.localtime(float(state["created"])))
    named = folder / "named" / safe_name(str(campaign["name"]), when)
    named.mkdir(parents=True, exist_ok=True)
    try:
        for name in ("assignments.csv", "unassigned.csv", "summary.json"):
            shutil.copyfile(folder / "out" / name, named / name)
        yield named
    finally:
        shutil.rmtree(folder / "named", ignore_errors=True)


def finish(folder: Path, status: str, **fields: Any) -> None:
    """The run's end in its state, unless it was cancelled meanwhile (a Dask task is not stopped by a cancel)."""
    state = folder / "state.json"
    now = read_json(state)
    if now["status"] == "cancelled":
        return
    write_json(state, {**now, "status": status, "stage": "", **fields})
