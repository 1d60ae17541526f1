"""``matcher serve --engine dask``: a run executed as a task on a Dask LocalCluster of one worker process, its files
byte-identical to ``matcher allocate``'s; a bad engine choice is a one-line usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher import embedded_scenario
from matcher.cli import main

from serving import serving

pytest.importorskip("fastapi")
pytest.importorskip("distributed")


def test_a_run_on_a_local_dask_cluster(tmp_path):
    students, sites = (Path(str(p)) for p in embedded_scenario())
    files = {"students": (students.name, students.read_bytes()), "sites": (sites.name, sites.read_bytes())}
    data = tmp_path / "data"
    with serving(data, "--engine", "dask", "--dask-workers", "1") as served, served.api() as client:
        rid = client.post("/api/runs", files=files).json()["id"]
        assert served.wait(rid)["status"] == "done"
        got = {n: client.get(f"/api/runs/{rid}/files/{n}").content for n in ("assignments.csv", "summary.json")}
    state = json.loads(next(data.glob(f"campaigns/*/runs/{rid}/state.json")).read_text(encoding="utf-8"))
    assert state["engine"] == "dask" and state["worker"].startswith(("tcp://127.0.0.1:", "inproc://"))
    assert state["stages"][-1] == "report"
    out = tmp_path / "cli"
    done = CliRunner().invoke(main, ["allocate", "--students", str(students), "--sites", str(sites), "--out", str(out)])
    assert done.exit_code == 0, done.output
    for name, content in got.items():
        assert content == (out / name).read_bytes(), name


def test_dask_options_without_the_dask_engine_are_refused(tmp_path):
    done = CliRunner().invoke(main, ["serve", "--data", str(tmp_path), "--dask-workers", "2"])  # French by default
    assert done.exit_code == 2 and "demande le moteur dask" in done.output
    done = CliRunner().invoke(
        main, ["serve", "--data", str(tmp_path), "--dask-workers", "2"], env={"MATCHER_LANG": "en"}
    )
    assert done.exit_code == 2 and "needs the dask engine" in done.output
