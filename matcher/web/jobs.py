"""Runs as background jobs, ``--jobs`` at a time (one by default), their state in ``state.json``: queued, running
with the current stage, done, failed with the problems, cancelled, interrupted. What a job does is
:func:`matcher.web.work.run_job` (the same functions as ``matcher allocate``: its files are byte-identical to the
command's on the same files and policy).

Where a job runs is the server's engine (:class:`matcher.pipeline.compute.Engine`):

- ``local`` (the default): a process forked from the server (matcher already imported), which dies with it
  (Linux ``PR_SET_PDEATHSIG``): a server killed mid-run leaves the run ``running`` on disk, and the next start
  marks it ``interrupted``; a cancel terminates the process.
- ``dask``: a task on a Dask cluster (a LocalCluster the server starts, or ``--scheduler ADDR``, whose workers
  must see the data folder at the same path); a cancel marks the run ``cancelled`` and its task's end is ignored.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from contextlib import ExitStack
from multiprocessing.process import BaseProcess
from typing import Any

from matcher.pipeline.compute import Engine, open_engine
from matcher.web.store import Store, read_json, write_json
from matcher.web.work import execute, finish, on_dask

__all__ = ["Jobs"]


class Jobs:
    """A queue of runs and ``workers`` threads, each running one job at a time on ``engine``."""

    def __init__(self, store: Store, workers: int = 1, engine: Engine | None = None):
        self.store, self.engine = store, engine or Engine()
        self.queue: queue.Queue[tuple[str, str]] = queue.Queue()
        self.processes: dict[str, BaseProcess] = {}
        self.tasks: dict[str, Any] = {}  # Dask futures by run
        self.context = multiprocessing.get_context("fork")  # the job's parent is the server: it dies with it
        self._stack = ExitStack()
        self.client = self._stack.enter_context(open_engine(self.engine)).client  # None on the local engine
        for _ in range(max(1, workers)):
            threading.Thread(target=self._work, daemon=True).start()

    def close(self) -> None:
        """Close the Dask cluster or client (nothing on the local engine)."""
        self._stack.close()

    def submit(self, cid: str, rid: str) -> None:
        """Queue run ``rid`` of campaign ``cid``."""
        self.queue.put((cid, rid))

    def cancel(self, cid: str, rid: str) -> None:
        """Stop run ``rid`` (queued or running); its state becomes ``cancelled``."""
        state = self.store.run_dir(cid, rid) / "state.json"
        if read_json(state)["status"] not in ("queued", "running"):
            return
        process, task = self.processes.get(rid), self.tasks.get(rid)
        if process is not None:
            process.terminate()
            process.join()
        if task is not None:
            task.cancel()
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
        state = read_json(folder / "state.json")
        if state["status"] != "queued":
            return
        students, sites = (self.store.run_input(cid, rid, role) for role in ("students", "sites"))
        previous = str(self.store.run_dir(cid, state["previous"]) / "out") if state.get("previous") else None
        write_json(folder / "state.json", {**state, "status": "running", "engine": self.engine.kind})
        args = (str(folder), str(students), str(sites))
        ended = self._on_dask(rid, args, previous) if self.client is not None else self._forked(rid, args, previous)
        if folder.is_dir() and read_json(folder / "state.json")["status"] == "running":  # died without a word
            finish(folder, "failed", error=ended)

    def _forked(self, rid: str, args: tuple[str, str, str], previous: str | None) -> str:
        """Run the job in a forked process; how it ended, in one line."""
        process = self.context.Process(target=execute, args=(*args, os.getpid(), previous))
        self.processes[rid] = process
        process.start()
        process.join()
        self.processes.pop(rid, None)
        return f"the job process stopped (exit code {process.exitcode})"

    def _on_dask(self, rid: str, args: tuple[str, str, str], previous: str | None) -> str:
        """Run the job as a Dask task; how it ended, in one line."""
        task = self.client.submit(on_dask, *args, previous, pure=False, key=f"matcher-run-{rid}")
        self.tasks[rid] = task
        try:
            task.result()
        except Exception as exc:  # noqa: BLE001 - a lost worker or a cancel: the run's state says which
            return f"the Dask task stopped ({type(exc).__name__})"
        finally:
            self.tasks.pop(rid, None)
        return "the Dask task ended without a state"
