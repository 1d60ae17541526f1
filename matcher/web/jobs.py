"""Runs as background jobs: each in its own process (forked from the server, matcher already imported; ``--jobs``
at a time, one by default), its state in ``state.json``: queued, running with the current stage, done, failed with
the problems, cancelled, interrupted.

A job calls the same functions as ``matcher allocate`` (load, overrides, allocate, atomic publishing), so its files
are byte-identical to the command's on the same files and policy; then those of ``matcher report --pdf`` (the HTML
report, workbooks, committee files) into the run's ``report`` folder. A job process dies with the server (Linux
``PR_SET_PDEATHSIG``): a server killed mid-run leaves the run ``running`` on disk, and the next start marks it
``interrupted``.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
from dataclasses import asdict
from multiprocessing.process import BaseProcess
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
from matcher.result import Result
from matcher.web.store import Store, read_json, write_json

__all__ = ["Jobs", "execute"]


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
    """Run one job: the allocation of ``students`` and ``sites`` into ``run``/out, its state kept in ``state.json``
    (``parent``: the server's process id); with ``previous`` (a run's output folder), the re-allocation keeping
    that run's still-valid placements."""
    _die_with_parent(parent)
    folder, observer = Path(run), _Observer(Path(run) / "state.json")
    observer.begin("load")
    try:
        if previous is None:
            summary, mean_km = _allocate(folder, Path(students), Path(sites), observer)
        else:
            summary, mean_km = _reallocate(folder, Path(students), Path(sites), Path(previous), observer)
    except (InputError, ResourceLimit) as exc:
        _finish(folder, "failed", problems=[asdict(p) for p in exc.problems])
    except Exception as exc:  # noqa: BLE001 - a job's failure is its state, in one line without the traceback
        _finish(folder, "failed", error=f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    else:
        _finish(folder, "done", summary=summary, mean_km=mean_km)


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
    build_report(folder / "out", folder / "report", students=inputs[0], sites=inputs[1], config=config, pdf=True)
    km = result.assignments["distance_km"]
    return result.summary, (round(float(km.mean()), 2) if len(km) else None)


def _finish(folder: Path, status: str, **fields: Any) -> None:
    state = folder / "state.json"
    write_json(state, {**read_json(state), "status": status, "stage": "", **fields})


class Jobs:
    """A queue of runs and ``workers`` threads, each running one job process at a time."""

    def __init__(self, store: Store, workers: int = 1):
        self.store = store
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self.processes: dict[str, BaseProcess] = {}
        self.context = multiprocessing.get_context("fork")  # the job's parent is the server: it dies with it
        for _ in range(max(1, workers)):
            threading.Thread(target=self._work, daemon=True).start()

    def submit(self, cid: str, rid: str) -> None:
        """Queue run ``rid`` of campaign ``cid``."""
        self.queue.put((cid, rid))

    def cancel(self, cid: str, rid: str) -> None:
        """Stop run ``rid`` (queued or running); its state becomes ``cancelled``."""
        state = self.store.run_dir(cid, rid) / "state.json"
        if read_json(state)["status"] not in ("queued", "running"):
            return
        process = self.processes.get(rid)
        if process is not None:
            process.terminate()
            process.join()
        write_json(state, {**read_json(state), "status": "cancelled", "stage": ""})

    def _work(self) -> None:
        while True:
            cid, rid = self.queue.get()
            try:
                self._one(cid, rid)
            except KeyError:  # the campaign was deleted while queued
                pass

    def _one(self, cid: str, rid: str) -> None:
        folder = self.store.run_dir(cid, rid)
        if read_json(folder / "state.json")["status"] != "queued":
            return
        students, sites = (self.store.run_input(cid, rid, role) for role in ("students", "sites"))
        state = read_json(folder / "state.json")
        previous = str(self.store.run_dir(cid, state["previous"]) / "out") if state.get("previous") else None
        write_json(folder / "state.json", {**state, "status": "running"})
        args = (str(folder), str(students), str(sites), os.getpid(), previous)
        process = self.context.Process(target=execute, args=args)
        self.processes[rid] = process
        process.start()
        process.join()
        self.processes.pop(rid, None)
        if folder.is_dir() and read_json(folder / "state.json")["status"] == "running":  # died without a word
            _finish(folder, "failed", error=f"the job process stopped (exit code {process.exitcode})")
