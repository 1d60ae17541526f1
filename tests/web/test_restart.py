"""A server killed by SIGKILL during a run restarts with that run interrupted and the earlier runs intact."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from matcher import generate, write_scenario

from serving import serving, start


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    """The demo (a quick run) and a larger scenario (a run that lasts a few seconds)."""
    root = tmp_path_factory.mktemp("scen")
    write_scenario(*generate(20_000, 4_000, 1), root)
    return root


def _files(folder: Path) -> dict:
    return {role: (f"{role}.csv", (folder / f"{role}.csv").read_bytes()) for role in ("students", "sites")}


def _job_pids(server_pid: int) -> set[int]:
    """Processes whose parent is a child of the server (the job processes under the fork server)."""
    found = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        ppid = int(next(line.split()[1] for line in text.splitlines() if line.startswith("PPid:")))
        found.add((int(status.parent.name), ppid))
    children = {pid for pid, ppid in found if ppid == server_pid}
    return {pid for pid, ppid in found if ppid in children} | children


def _alive(pids: set[int]) -> set[int]:
    def running(pid: int) -> bool:
        try:
            return "zombie" not in Path(f"/proc/{pid}/status").read_text()
        except OSError:
            return False

    return {pid for pid in pids if running(pid)}


def test_killed_server_marks_the_run_interrupted(tmp_path, scenarios):
    data = tmp_path / "data"
    small = tmp_path / "small"
    write_scenario(*generate(300, 100, 2), small)
    served = start(data)
    try:
        with served.api() as api:
            first = api.post("/api/runs", files=_files(small)).json()["id"]
            assert served.wait(first)["status"] == "done"
            kept = {p.name: p.read_bytes() for p in data.rglob(f"{first}/out/*")}
            second = api.post("/api/runs", files=_files(scenarios)).json()["id"]
            served.wait(second, until=("running",))
            time.sleep(1.0)  # into the allocation
            assert api.get(f"/api/runs/{second}").json()["status"] == "running"
        jobs = _job_pids(served.process.pid)
    finally:
        os.kill(served.process.pid, signal.SIGKILL)
        served.process.wait(10)
    assert jobs  # the run's job process was there
    for _ in range(50):  # and dies with the server
        if not _alive(jobs):
            break
        time.sleep(0.1)
    assert not _alive(jobs)
    with serving(data) as again, again.api() as api:
        assert api.get(f"/api/runs/{second}").json()["status"] == "interrupted"
        state = api.get(f"/api/runs/{first}").json()
        assert state["status"] == "done"
        for name, content in kept.items():
            assert api.get(f"/api/runs/{first}/files/{name}").content == content
        time.sleep(1.0)  # no orphan job finishes the interrupted run behind the new server's back
        assert api.get(f"/api/runs/{second}").json()["status"] == "interrupted"
    assert not list(data.rglob(f"{second}/out/assignments.csv"))
