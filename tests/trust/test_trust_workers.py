"""Class 7, workers die with their parent: a real ``matcher allocate`` solving its académies' regional flows in
forked processes is killed (SIGKILL, SIGTERM) while they work; one second later no process of ours is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matcher.generate.scenario import generate, write_scenario

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)")


def children(pid: int) -> list[int]:
    """Live (not zombie) processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """A scenario big enough for regional flows, and a policy solving them in two forked processes."""
    root = tmp_path_factory.mktemp("workers")
    write_scenario(*generate(2500, 500, 3), root)
    policy = root / "policy.toml"
    policy.write_text("processes = 2\nregional_pairs = 1\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_no_worker_outlives_its_parent(national, tmp_path, how):
    command = [sys.executable, "-m", "matcher", "allocate", "--students", national / "students.csv"]
    command += ["--sites", national / "sites.csv", "--config", national / "policy.toml", "--out", tmp_path / "out"]
    run = subprocess.Popen(list(map(str, command)), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while len(workers) < 2 and run.poll() is None and time.monotonic() < deadline:
        workers = [p for p in children(run.pid) if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_text()]
        time.sleep(0.02)
    assert len(workers) >= 2, "the run never forked its workers"
    everyone = sorted({*workers, *children(run.pid), *(g for w in workers for g in children(w))})
    os.kill(run.pid, how)
    run.wait(timeout=30)
    time.sleep(1.0)
    left = [p for p in everyone if alive(p)]
    assert left == [], f"left after {signal.Signals(how).name}: {left}"
