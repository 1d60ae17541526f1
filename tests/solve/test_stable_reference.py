"""The stable mode against an established implementation, and the blocking-pair count against a brute force.

- 120 random instances (real files, the real pipeline, four instances per pair of files around distant cities): the
  stable mode's matching is identical to the ``matching`` library's students-optimal hospital–resident solution built
  from the same preferences, and has zero blocking pairs both by our independent counter and by the library's own
  stability check.
- Random instances with one-week requests, unequal weekly capacities and reserved sites: the stable mode has no
  blocking pair; the optimal mode's count equals a pair-by-pair brute force written here.

Preferences for the reference are derived here: students rank their candidate pairs (``matcher.candidates``) by
preference rank, then distance, then site; hosts rank the students who ask for them by priority, then metres,
then the seeded lottery, then position — in plain Python sorting.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matching.games import HospitalResident

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.load import load_inputs
from matcher.load.instance import build_instance
from matcher.pipeline.allocate import allocate
from matcher.solve.stable import lottery
from matcher.tables.blocking import blocking_pairs

from conftest import assert_valid, write_csv

SECTORS = ("electricite", "numerique", "genie_climatique")
#: Lyon, Lille, Bordeaux, Strasbourg: over 200 km apart, so instances placed around them never share a pair.
CENTRES = ((45.75, 4.85), (50.63, 3.06), (44.84, -0.58), (48.58, 7.75))
PER_RUN = len(CENTRES)


def _instance(
    seed: int, one_week: bool = False, O: tuple[float, float] = CENTRES[0], tag: str = ""
) -> tuple[list[dict], list[dict]]:
    """Random students and sites around ``O`` (a few km apart), in the files' columns, ids prefixed ``tag``."""
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(3, 40)), int(rng.integers(1, 9))
    sites = []
    for j in range(m):
        c1 = int(rng.integers(0, 4))
        c2 = c1 if not one_week or rng.random() < 0.5 else int(rng.integers(0, 4))
        sites.append(
            {
                "site_id": f"{tag}S{j}",
                "company": f"C{j}",
                "lat": O[0] + rng.normal(0, 0.05),
                "lon": O[1] + rng.normal(0, 0.05),
                "capacity_week_1": c1,
                "capacity_week_2": c2,
                "sectors": tuple(rng.choice(SECTORS, size=int(rng.integers(1, 3)), replace=False)),
                "reserved_priority": bool(one_week and rng.random() < 0.15),
            }
        )
    students = []
    for i in range(n):
        choices = tuple(
            rng.choice([s["site_id"] for s in sites], size=int(rng.integers(0, min(3, m) + 1)), replace=False)
        )
        students.append(
            {
                "student_id": f"{tag}E{i:03d}",
                "lat": O[0] + rng.normal(0, 0.05),
                "lon": O[1] + rng.normal(0, 0.05),
                "max_km": float(rng.choice([4, 8, 15])),
                "sectors": tuple(rng.choice(SECTORS, size=int(rng.integers(0, 3)), replace=False)),
                "site_choices": choices,
                "priority": bool(rng.random() < 0.25),
                "weeks": str(rng.choice(["both", "week_1", "week_2"])) if one_week else "both",
                "split_ok": bool(rng.random() < 0.5),
            }
        )
    return students, sites


def _run(folder: Path, seed: int, config: Config, one_week: bool = False):
    """``PER_RUN`` random instances (seeds ``seed*PER_RUN + k``) around distant centres, in one pair of files."""
    s_rows, t_rows = [], []
    for k, centre in enumerate(CENTRES):
        s, t = _instance(seed * PER_RUN + k, one_week, centre, f"I{k}-")
        s_rows, t_rows = s_rows + s, t_rows + t
    st, si = load_inputs(write_csv(folder / "students.csv", s_rows), write_csv(folder / "sites.csv", t_rows), config)
    result = allocate(st, si, config)
    assert_valid(st, si, result, config)
    return st, si, result


def _part(table, tag: str):
    """The rows of one instance."""
    ids = table["student_id"] if "student_id" in table else table["site_id"]
    return table[ids.str.startswith(tag).to_numpy()].reset_index(drop=True)


def _reference(st, si, config: Config) -> dict[str, str]:
    """``student_id -> site_id`` of the library's students-optimal stable matching of one instance."""
    pairs = candidates(st, si, config).pairs
    cap = np.minimum(si["capacity_week_1"].to_numpy(), si["capacity_week_2"].to_numpy())
    sid, tid = st["student_id"].tolist(), si["site_id"].tolist()
    draw = lottery(st["student_id"], config.seed)
    prio = st["priority"].tolist()
    student_prefs: dict[str, list] = {}
    askers: dict[str, list] = {}
    for s, j, km, _rank in sorted(
        pairs[["student", "site", "km", "rank"]].itertuples(index=False, name=None),
        key=lambda p: (p[0], p[3], p[2], p[1]),
    ):
        if cap[j] > 0:
            student_prefs.setdefault(sid[s], []).append(tid[j])
            askers.setdefault(tid[j], []).append((not prio[s], round(km * 1000), int(draw[s]), s))
    host_prefs = {t: [sid[k[3]] for k in sorted(v)] for t, v in askers.items()}
    caps = {t: int(cap[tid.index(t)]) for t in host_prefs}
    game = HospitalResident.create_from_dictionaries(student_prefs, host_prefs, caps)
    matching = game.solve(optimal="resident")
    assert game.check_validity() and game.check_stability()
    return {r.name: h.name for h, rs in matching.items() for r in rs}


@pytest.mark.parametrize("seed", range(30))
def test_stable_equals_reference_library(tmp_path, seed):
    """30 runs × 4 instances = 120 instances, each compared with the library solved on that instance alone."""
    config = Config(mode="stable", price_of_stability=seed % 5 == 0)
    st, si, result = _run(tmp_path, seed, config)
    assert set(result.assignments["weeks"]) <= {"both"}
    for k in range(PER_RUN):
        tag = f"I{k}-"
        mine = _part(result.assignments, tag)
        reference = _reference(_part(st, tag), _part(si, tag), config)
        assert dict(zip(mine["student_id"], mine["site_id"])) == reference
    assert result.summary["blocking_pairs"] == 0
    instance = build_instance(st, si, config)
    assert len(blocking_pairs(instance, result.assignments, candidates(st, si, config).pairs)) == 0


def _brute_force_blocking(st, si, assignments, config: Config) -> int:
    """Blocking pairs counted pair by pair (docs/rules.md), with plain Python objects."""
    pairs = candidates(st, si, config).pairs
    sid, tid = st["student_id"].tolist(), si["site_id"].tolist()
    km = {(s, j): k for s, j, k in zip(pairs["student"], pairs["site"], pairs["km"])}
    pref = {(s, j): (r, km[(s, j)], j) for s, j, r in zip(pairs["student"], pairs["site"], pairs["rank"])}
    draw, prio, weeks = lottery(st["student_id"], config.seed), st["priority"].tolist(), st["weeks"].tolist()

    def key(s, j):
        value = {"priority": not prio[s], "distance": round(km[(s, j)] * 1000), "lottery": int(draw[s])}
        return (weeks[s] != "both", *(value[c] for c in config.host_priority), int(draw[s]), s)

    where = {}
    for a in assignments.itertuples():
        where.setdefault(sid.index(a.student_id), []).append((tid.index(a.site_id), a.weeks))
    occupants = {}
    for s, rows in where.items():
        for j, w in rows:
            for week in (1, 2):
                if w in ("both", f"week_{week}"):
                    occupants.setdefault((j, week), []).append(s)
    count = 0
    for s, j in pref:
        if s in where and pref[(s, j)] >= max(pref[(s, t)] for t, _ in where[s]):
            continue
        need = (1, 2) if weeks[s] == "both" else (int(weeks[s][-1]),)
        room = True
        for week in need:
            occ = occupants.get((j, week), [])
            cap = int(si[f"capacity_week_{week}"].iloc[j])
            room &= len(occ) < cap or any(key(o, j) > key(s, j) for o in occ)
        count += room
    return count


@pytest.mark.parametrize("seed", range(5))
def test_blocking_pairs_one_week_requests(tmp_path, seed):
    stable = Config(mode="stable", price_of_stability=False, host_priority=("distance", "priority", "lottery"))
    st, si, result = _run(tmp_path, 500 + seed, stable, one_week=True)
    assert result.summary["blocking_pairs"] == 0 == _brute_force_blocking(st, si, result.assignments, stable)
    optimal = Config()
    st, si, result = _run(tmp_path, 500 + seed, optimal, one_week=True)
    assert result.summary["blocking_pairs"] == _brute_force_blocking(st, si, result.assignments, optimal)
