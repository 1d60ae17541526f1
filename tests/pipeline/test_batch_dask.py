"""The Dask engine, for real: a distributed LocalCluster of 2 worker processes started by the tests, used through
the command line with ``--engine dask --scheduler`` (the existing-cluster path); one test lets ``--engine dask``
start its own LocalCluster.

- ``allocate --by academie`` writes the same bytes on the dask engine as on the local engine;
- a sweep of 12 runs on the embedded scenario completes on the dask engine, and its table and summaries match
  the same runs done one by one here (figures recomputed from each run's own tables);
- without Dask, ``--engine dask`` says how to install it (exit 2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from distributed import LocalCluster
from test_batch import border_files

from matcher.cli.main import main
from matcher.config import Config
from matcher.generate.scenario import embedded_scenario
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate
from matcher.pipeline.sweep import plan, read_grid

from conftest import write_csv

DEMO = tuple(Path(str(p)) for p in embedded_scenario())
GRID = DEMO[0].parent / "sweep_example.toml"
FILES = ("assignments.csv", "unassigned.csv", "summary.json")


@pytest.fixture(scope="module")
def scheduler():
    """A LocalCluster of 2 single-threaded worker processes; its scheduler's address."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def demo_subset(tmp_path_factory) -> tuple[Path, Path]:
    """The embedded scenario's rows of six académies, as input files."""
    keep = {"Lille", "Nice", "Reims", "La Réunion", "Limoges", "Corse"}
    students, sites = load_inputs(*DEMO, Config())
    folder = tmp_path_factory.mktemp("subset")
    out = []
    for path, table, key in ((DEMO[0], students, "student_id"), (DEMO[1], sites, "site_id")):
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        ids = set(table.loc[table["academie"].isin(keep), key])
        out.append(folder / path.name)
        raw[raw[key].isin(ids)].to_csv(out[-1], index=False)
    return out[0], out[1]


def _allocate(files: tuple[Path, Path], out: Path, *extra: str) -> None:
    args = ["allocate", "--students", str(files[0]), "--sites", str(files[1]), "--out", str(out), *extra]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output


def test_by_academie_dask_writes_the_local_engine_bytes(scheduler, demo_subset, tmp_path):
    """Must show 1: six académie parts as tasks on the 2-worker cluster, the same three files byte for byte."""
    _allocate(demo_subset, tmp_path / "local", "--by", "academie", "--stay-in-academie", "--engine", "local")
    _allocate(
        demo_subset,
        tmp_path / "dask",
        "--by",
        "academie",
        "--stay-in-academie",
        "--engine",
        "dask",
        "--scheduler",
        scheduler,
    )
    for name in FILES:
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    summary = json.loads((tmp_path / "dask" / "summary.json").read_text())
    assert summary["solver"]["parts"] == 6 and summary["counts"]["placed"] > 0
    assert summary["parameters"]["stay_in_academie"] is True


def test_sweep_on_dask_matches_runs_one_by_one(scheduler, tmp_path):
    """Must show 2: the example grid's 12 runs on the embedded scenario, on the cluster; every row and summary is
    what the same policy gives when allocated alone, its figures recomputed here from that run's tables."""
    out = tmp_path / "sweep"
    res = CliRunner().invoke(
        main,
        [
            "sweep",
            "--students",
            str(DEMO[0]),
            "--sites",
            str(DEMO[1]),
            "--grid",
            str(GRID),
            "--out",
            str(out),
            "--engine",
            "dask",
            "--scheduler",
            scheduler,
        ],
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "sweep.csv", keep_default_na=False)
    assert len(table) == 12 and list(table["run"]) == [f"run-{i:02d}" for i in range(1, 13)]
    students, sites = load_inputs(*DEMO, Config())
    for row, run in zip(table.itertuples(), plan(read_grid(GRID), Config())):
        assert (row.default_max_km, row.mode, row.seed) == (run.config.default_max_km, run.config.mode, run.config.seed)
        result = allocate(students, sites, run.config)
        summary = json.loads((out / row.run / "summary.json").read_text())
        assert summary.pop("inputs")["students"]["file"] == "demo_students.csv"
        assert summary == json.loads(json.dumps({k: v for k, v in result.summary.items() if k != "inputs"}))
        a = result.assignments
        placed = students[students["student_id"].isin(a["student_id"])]
        known = placed[placed["gender"].isin(["F", "M"])]
        weeks = np.where(a["weeks"] == "both", 2, 1)
        assert (row.status, row.placed, row.priority_placed) == (
            result.summary["solver"]["status"],
            len(placed),
            int(placed["priority"].sum()),
        )
        assert row.girls_share_placed == pytest.approx((known["gender"] == "F").mean(), abs=5e-5)
        assert row.mean_distance_km == pytest.approx((a["distance_km"] * weeks).sum() / weeks.sum(), abs=5e-4)
        assert row.floors_met == "" and row.runtime_s > 0
    assert table["placed"].nunique() > 1  # the options do change the outcome


def test_engine_dask_starts_its_own_cluster(tmp_path):
    """``--engine dask`` without a scheduler starts a LocalCluster (here of one worker): the same files again, on
    three parts (Lille, Amiens, Aix-Marseille; see ``test_batch.test_border_case_stays_in_academie``)."""
    students, sites = border_files(tmp_path)
    files = (write_csv(tmp_path / "students.csv", students), write_csv(tmp_path / "sites.csv", sites))
    _allocate(files, tmp_path / "local", "--by", "academie", "--stay-in-academie", "--max-km", "40")
    _allocate(
        files,
        tmp_path / "own",
        "--by",
        "academie",
        "--stay-in-academie",
        "--max-km",
        "40",
        "--engine",
        "dask",
        "--workers",
        "1",
    )
    for name in FILES:
        assert (tmp_path / "own" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert json.loads((tmp_path / "own" / "summary.json").read_text())["solver"]["parts"] == 3


def test_without_dask_the_message_says_how_to_install(demo_subset, tmp_path):
    """Dask made unimportable in a real ``matcher`` process: one line naming the extra, exit 2, nothing written."""
    code = "import sys; sys.modules['distributed'] = None; from matcher.cli import main; sys.exit(main())"
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "allocate",
            "--students",
            str(demo_subset[0]),
            "--sites",
            str(demo_subset[1]),
            "--out",
            str(out),
            "--by",
            "academie",
            "--stay-in-academie",
            "--engine",
            "dask",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == 'matcher: the dask engine needs Dask: pip install "matcher[dask]"'
    assert not out.exists()
