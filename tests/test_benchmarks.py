"""The benchmark scripts run (on a small size) and print what they promise: the bare OR-Tools flows with their
ratios, greedy and deferred acceptance beside matcher, the scaling table, and the platform scenario from the
platform's extract."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _run(*args: str) -> str:
    run = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=600, cwd=BENCHMARKS.parent)
    assert run.returncode == 0, run.stderr[-2000:]
    return run.stdout


def test_run_prints_the_bare_flows_and_the_peers_beside_matcher(tmp_path):
    out = _run(
        str(BENCHMARKS / "run.py"), "--scenario", "10k", "--sizes", "1500,450", "--no-baseline", "--peers",
        "--drop-groups", "--workdir", str(tmp_path),
    )  # fmt: skip
    assert re.search(r"max flow \*\*[\d.]+ s\*\* \(value [\d,]+\)", out), out
    assert re.search(r"= \*\*[\d.,]+×\*\* the bare max flow, \*\*[\d.,]+×\*\* the bare min-cost flow", out), out
    rows = {
        who: int(placed.replace(",", ""))
        for who, placed in re.findall(r"^\| (matcher|greedy|students-propose)[^|]*\| ([\d,]+) \|", out, re.M)
    }
    assert set(rows) == {"matcher", "greedy", "students-propose"}, out
    # the same pairs and rules (groups dropped): greedy's allocation is one the engine could have chosen
    assert rows["matcher"] >= rows["greedy"], out


def test_scaling_prints_one_row_per_size_with_the_exponent():
    out = _run(str(BENCHMARKS / "scaling.py"), "--sizes", "800,1600")
    lines = [line for line in out.splitlines() if line.startswith("| 800,") or line.startswith("| 1600,")]
    assert len(lines) == 2 and "stopped" not in out, out
    assert re.search(r"\| -?\d+\.\d\d \|$", lines[1]), lines[1]  # the exponent against the previous size


def test_the_platform_scenario_reads_the_platform_extract_and_places_students_in_its_sectors(tmp_path):
    out = _run(
        str(BENCHMARKS / "run.py"), "--scenario", "platform", "--sizes", "2000,600", "--no-baseline", "--no-peers",
        "--workdir", str(tmp_path),
    )  # fmt: skip
    work = tmp_path / "platform"
    assert (work / "sites.csv").read_text(encoding="utf-8").startswith('"id";"SIRET";"secteur";'), out
    students = (work / "students.csv").read_text(encoding="utf-8").splitlines()
    assert all("secteur_" in line for line in students[1:]), students[:3]  # the platform's sectors, not trades
    assert "build_extract(777, seed=1)" in out, out  # 27,206 offers for 70,000 students, scaled to 2,000
    sites = re.search(r"- students 2,000, sites ([\d,]+),", out)
    assert sites and 0.8 * 777 < int(sites.group(1).replace(",", "")) < 777, out  # troisième-only offers left out
    placed = re.search(r"- placed ([\d,]+); status", out)
    assert placed and int(placed.group(1).replace(",", "")) > 0, out
