"""Benchmark the stable mode against the ``matching`` library's hospital–resident solver (run on demand).

From the repository root, with the test extra installed (``pip install -e ".[test]"``)::

    python benchmarks/stable.py                       # 10,000 students, 3,000 sites (the 10k scenario)
    python benchmarks/stable.py --students 2000 --sites 600

Both solvers get the same preferences: the candidate pairs of the generated scenario (students by preference
rank, then distance; hosts by ``Config.host_priority``, by default priority, then distance, then the seeded
lottery), full-time places ``min(capacity_week_1, capacity_week_2)``, students asking for both weeks. Timed:

- ``matcher``: ``stable_placements`` (host ranking, sorting, vectorised deferred acceptance), from the pairs;
- ``matching``: ``HospitalResident.create_from_dictionaries`` + ``solve(optimal="resident")``, from ready-made
  preference dictionaries (building those dictionaries is not counted against it).

The library copies its players recursively, so it runs in a thread with a 512 MB stack and a raised recursion
limit. Both matchings are compared; the script prints the times and their ratio, and exits 1 when they differ.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import numpy as np
import pandas as pd

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.generate.scenario import generate, write_scenario
from matcher.load import load_inputs
from matcher.solve.stable import host_keys, stable_placements


def _scenario(n_students: int, n_sites: int, folder: str):
    students, sites = generate(n_students, n_sites, seed=1, places=int(n_students * 1.05))
    students = students.assign(weeks="both")  # the library's model: every student asks for full time
    s_path, t_path = write_scenario(students, sites, folder)
    config = Config(mode="stable")
    st, si = load_inputs(s_path, t_path, config)
    return st, si, config, candidates(st, si, config).pairs


def _dictionaries(st, si, pairs: pd.DataFrame, config: Config):
    cap = np.minimum(si["capacity_week_1"].to_numpy(), si["capacity_week_2"].to_numpy())
    p = pairs[cap[pairs["site"].to_numpy()] > 0].assign(
        host=lambda d: host_keys(st, d, config.host_priority, config.seed)
    )
    sid, tid = st["student_id"].to_numpy(object), si["site_id"].to_numpy(object)
    by_student = p.sort_values(["student", "rank", "km", "site"])
    by_host = p.sort_values(["site", "host"])
    students = {sid[s]: list(tid[g]) for s, g in by_student.groupby("student")["site"]}
    hosts = {tid[j]: list(sid[g]) for j, g in by_host.groupby("site")["student"]}
    return students, hosts, {t: int(cap[j]) for j, t in enumerate(tid) if t in hosts}


def _library(students: dict, hosts: dict, caps: dict) -> tuple[dict, float]:
    from matching.games import HospitalResident

    out: dict = {}

    def run():
        start = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(students, hosts, caps)
        matching = game.solve(optimal="resident")
        out["seconds"] = time.perf_counter() - start
        out["match"] = {r.name: h.name for h, rs in matching.items() for r in rs}

    sys.setrecursionlimit(1_000_000)
    threading.stack_size(512 * 1024 * 1024)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    return out["match"], out["seconds"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--students", type=int, default=10_000, help="Number of students (default 10,000).")
    ap.add_argument("--sites", type=int, default=3_000, help="Number of sites (default 3,000).")
    ap.add_argument("--repeat", type=int, default=5, help="Runs of matcher's solver; the best is kept.")
    args = ap.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        st, si, config, pairs = _scenario(args.students, args.sites, folder)
    ours = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        placements = stable_placements(st, si, pairs, config.host_priority, config.seed)
        ours.append(time.perf_counter() - start)
    mine = dict(
        zip(
            st["student_id"].to_numpy(object)[placements["student"]], si["site_id"].to_numpy(object)[placements["site"]]
        )
    )
    theirs, lib_seconds = _library(*_dictionaries(st, si, pairs, config))
    same = mine == theirs
    print(f"students {len(st):,}  sites {len(si):,}  candidate pairs {len(pairs):,}  placed {len(mine):,}")
    print("| solver | seconds |\n|---|---|")
    print(f"| matcher stable_placements (best of {args.repeat}) | {min(ours):.4f} |")
    print(f"| matching HospitalResident | {lib_seconds:.4f} |")
    print(f"speed-up: {lib_seconds / min(ours):.0f}x   identical matchings: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
