"""``matcher serve`` started in a subprocess on loopback, for the web tests: address, token, process."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass
class Served:
    base: str
    token: str
    process: subprocess.Popen

    def api(self) -> httpx.Client:
        """A client sending the Bearer token."""
        return httpx.Client(base_url=self.base, headers={"Authorization": f"Bearer {self.token}"}, timeout=60)

    def wait(self, rid: str, until: tuple[str, ...] = ("done", "failed", "cancelled", "interrupted")) -> dict:
        """The run's state once its status is one of ``until`` (60 s at most)."""
        with self.api() as client:
            for _ in range(600):
                state = client.get(f"/api/runs/{rid}").json()
                if state["status"] in until:
                    return state
                time.sleep(0.1)
        raise AssertionError(f"run {rid} still {state['status']}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(data: Path, *args: str) -> Served:
    """Start the server on a free loopback port; returns once it answers."""
    port = free_port()
    command = [sys.executable, "-m", "matcher", "serve", "--data", str(data), "--port", str(port), *args]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline() if process.stdout else ""
    assert "token=" in line, (line, process.stderr.read() if process.stderr else "")
    url = line.split()[-1]  # http(s)://127.0.0.1:PORT/login?token=...
    served = Served(url.split("/login")[0], url.rsplit("token=", 1)[1], process)
    for _ in range(100):
        try:
            httpx.get(served.base + "/login", timeout=1, verify=False)
            return served
        except httpx.TransportError:
            time.sleep(0.05)
    raise AssertionError("the server did not answer")


@contextmanager
def serving(data: Path, *args: str) -> Iterator[Served]:
    """``start`` as a context: the server is stopped after."""
    served = start(data, *args)
    try:
        yield served
    finally:
        served.process.terminate()
        served.process.wait(10)
