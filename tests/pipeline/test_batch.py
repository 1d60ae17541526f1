"""Académie batches and sweeps on the local engine: named cases computed by hand, properties of the split, the
merge against the parts solved one by one, grid files, and the command line's usage errors.

The Dask engine is tested in ``test_batch_dask.py``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.cli.main import main
from matcher.config import Config, Objective
from matcher.errors import InputError
from matcher.generate.scenario import embedded_scenario
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate
from matcher.pipeline.batch import split_by_academie
from matcher.pipeline.merge import merge_info, merge_levels
from matcher.pipeline.sweep import plan, read_grid

from conftest import assert_each_student_once, gc_km, levels, run_files, status, write_csv

CAMBRAI = (50.176, 3.235)  # Nord: académie de Lille
CAMBRAI_N = (50.186, 3.235)  # 1.112 km north of CAMBRAI, still Lille
SAINT_QUENTIN = (49.848, 3.287)  # Aisne: académie d'Amiens, 36.6 km from CAMBRAI
MARSEILLE = (43.30, 5.37)  # académie d'Aix-Marseille, no site there
BORDER = Config(default_max_km=40.0, stay_in_academie=True)


def border_files(folder: Path) -> tuple[list[dict], list[dict]]:
    students = [
        {"student_id": "s1", "lat": CAMBRAI[0], "lon": CAMBRAI[1], "priority": True},
        {"student_id": "s2", "lat": CAMBRAI_N[0], "lon": CAMBRAI_N[1]},
        {"student_id": "m1", "lat": MARSEILLE[0], "lon": MARSEILLE[1]},
    ]
    sites = [
        {"site_id": "L1", "company": "Lille Co", "lat": CAMBRAI[0], "lon": CAMBRAI[1], "capacity": 1},
        {"site_id": "A1", "company": "Amiens Co", "lat": SAINT_QUENTIN[0], "lon": SAINT_QUENTIN[1], "capacity": 1},
    ]
    return students, sites


def test_border_case_stays_in_academie(tmp_path):
    """s1 (priority) and s2 (Lille) both reach L1 (Lille) and A1 (Amiens, 36.6 / 37.7 km away); m1 reaches nothing.

    Without the rule both are placed. With it, A1 is not theirs: the priority student s1 takes L1 for both weeks
    (0 km, rank 1), s2 loses to capacity, m1 has no site in range, and A1's place stays unused. Three académie
    parts, each solved exactly: placed 1 (bound 1), priority 1, preference 2 (rank 1 × 2 weeks), distance 0.
    """
    students, sites = border_files(tmp_path)
    assert gc_km(CAMBRAI_N, SAINT_QUENTIN) < 40
    (tmp_path / "free").mkdir()
    (tmp_path / "stay").mkdir()
    _, _, free = run_files(tmp_path / "free", students, sites, Config(default_max_km=40.0))
    assert free.summary["counts"]["placed"] == 2
    st_, si, result = run_files(tmp_path / "stay", students, sites, BORDER)
    assert list(st_["academie"]) == ["Lille", "Lille", "Aix-Marseille"]
    assert list(si["academie"]) == ["Lille", "Amiens"]
    a = result.assignments
    assert a[["student_id", "site_id", "weeks", "distance_km"]].values.tolist() == [["s1", "L1", "both", 0.0]]
    assert dict(zip(result.unassigned["student_id"], result.unassigned["reason_code"])) == {
        "s2": "CAPACITY_TAKEN",
        "m1": "NO_SITE_IN_RANGE",
    }
    lv = levels(result)
    assert [(lv[k]["value"], lv[k]["bound"]) for k in ("placed", "priority", "preference", "distance", "splits")] == [
        (1.0, 1.0),
        (1.0, 1.0),
        (2.0, 2.0),
        (0.0, 0.0),
        (0.0, 0.0),
    ]
    assert status(result) == "optimal" and result.summary["solver"]["gap"] == 0.0
    assert result.summary["solver"]["parts"] == 3
    assert result.summary["unused_places"] == {"no_eligible_request_in_range": 1.0}
    by = {r["academie"]: r for r in result.summary["academies"]}
    assert [
        (by[k]["students"], by[k]["placed"], by[k]["places_offered"], by[k]["places_used"])
        for k in ("Aix-Marseille", "Amiens", "Lille")
    ] == [(1, 0, 0.0, 0.0), (0, 0, 1.0, 0.0), (2, 1, 1.0, 1.0)]


def test_group_across_academies_stays_in_one_part(tmp_path):
    """Group G = s2 (Lille) and b1 (Amiens, at A1): no site is eligible for both under the rule, so, as in one
    run, neither is placed (one part holds the whole group); s1 still takes L1. The merged check passes."""
    students, sites = border_files(tmp_path)
    students[1]["group_id"] = "G"
    students.append({"student_id": "b1", "lat": SAINT_QUENTIN[0], "lon": SAINT_QUENTIN[1], "group_id": "G"})
    st_, si, result = run_files(tmp_path, students, sites, BORDER)
    assert [(p.academie, list(p.students["student_id"])) for p in split_by_academie(st_, si)] == [
        ("Lille", ["s1", "s2", "b1"]),
        ("Aix-Marseille", ["m1"]),
        ("Amiens", []),
    ]
    assert result.assignments[["student_id", "site_id"]].values.tolist() == [["s1", "L1"]]
    reasons = dict(zip(result.unassigned["student_id"], result.unassigned["reason_code"]))
    assert reasons["m1"] == "NO_SITE_IN_RANGE" and reasons["s2"] == reasons["b1"] and reasons["b1"].startswith("GROUP")


def test_border_case_with_a_pairs_table(tmp_path):
    """A pairs table's rows are split with their académie; cross-border rows are never candidates.

    Lille's pairs: s1–L1 5 km, s2–L1 1 km (and s1–A1, s2–A1 across the border, dropped). L1 goes to s1 (priority)
    at 5 km for both weeks: distance 2 × 5,000 m.
    """
    students, sites = border_files(tmp_path)
    st_, si = load_inputs(write_csv(tmp_path / "st.csv", students), write_csv(tmp_path / "si.csv", sites), BORDER)
    pairs = pd.DataFrame(
        {"student_id": ["s1", "s2", "s1", "s2"], "site_id": ["L1", "L1", "A1", "A1"], "km": [5.0, 1.0, 3.0, 2.0]}
    )
    result = allocate(st_, si, BORDER, pairs=pairs)
    assert result.assignments[["student_id", "site_id", "distance_km"]].values.tolist() == [["s1", "L1", 5.0]]
    assert levels(result)["distance"]["value"] == 10_000.0


def test_merge_levels_by_hand():
    """Values add up; a bound only when every part has one; gaps recomputed from the sums."""
    a = [
        {"level": "placed", "sense": "max", "value": 10.0, "bound": 12.0},
        {"level": "distance", "sense": "min", "value": 500.0, "bound": None},
    ]
    b = [
        {"level": "placed", "sense": "max", "value": 5.0, "bound": 5.0},
        {"level": "distance", "sense": "min", "value": 300.0, "bound": 300.0},
    ]
    placed, distance = merge_levels([a, b])
    assert (placed.value, placed.bound, placed.gap) == (15.0, 17.0, pytest.approx(2 / 17))
    assert (distance.value, distance.bound, distance.gap) == (800.0, None, None)


def test_merge_info_by_hand():
    """Optimal only if every part is; counts summed, rounds the largest, differing facts per académie."""
    x = {
        "status": "optimal",
        "method": "flow",
        "flow_solves": 2,
        "restriction_rounds": 1,
        "gap": 0.0,
        "bounds_over": "all eligible pairs",
        "note": "a",
    }
    y = {
        "status": "feasible",
        "method": "flow",
        "flow_solves": 3,
        "restriction_rounds": 4,
        "gap": 0.1,
        "bounds_over": "kept candidate pairs",
        "note": "b",
    }
    assert merge_info([("Lille", x), ("Amiens", y)]) == {
        "status": "feasible",
        "method": "flow",
        "flow_solves": 5,
        "restriction_rounds": 4,
        "bounds_over": "kept candidate pairs",
        "note": {"Amiens": "b", "Lille": "a"},
    }
    assert merge_info([("Lille", x), ("Nice", x)])["status"] == "optimal"


_ACADEMIES = st.sampled_from(["Lille", "Amiens", "Nice", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(_ACADEMIES, max_size=25), st.lists(_ACADEMIES, max_size=15), st.data())
def test_split_is_a_partition_in_order(s_acad, t_acad, data):
    """Every row is in exactly one part, the part of its académie, in its input order; pairs stay only with
    their académie (both ends in it); parts come largest first."""
    students = pd.DataFrame({"student_id": [f"s{i}" for i in range(len(s_acad))], "academie": s_acad})
    sites = pd.DataFrame({"site_id": [f"t{j}" for j in range(len(t_acad))], "academie": t_acad})
    pairs = None
    if len(s_acad) and len(t_acad):
        cells = data.draw(st.sets(st.tuples(st.integers(0, len(s_acad) - 1), st.integers(0, len(t_acad) - 1))))
        pairs = pd.DataFrame(
            {
                "student_id": [f"s{i}" for i, _ in sorted(cells)],
                "site_id": [f"t{j}" for _, j in sorted(cells)],
                "km": 1.0,
            }
        )
    parts = list(split_by_academie(students, sites, pairs))
    assert sorted(p.academie for p in parts) == sorted(set(s_acad) | set(t_acad))
    assert [len(p.students) for p in parts] == sorted((len(p.students) for p in parts), reverse=True)
    for table, key, attr in ((students, "student_id", "students"), (sites, "site_id", "sites")):
        got = pd.concat([getattr(p, attr).assign(part=p.academie) for p in parts] or [table.assign(part="")])
        assert sorted(got[key]) == sorted(table[key]) and (got["part"] == got["academie"]).all()
        for p in parts:
            ids = list(getattr(p, attr)[key])
            assert ids == [i for i in table[key] if i in set(ids)]
    if pairs is not None:
        kept = pd.concat([p.pairs for p in parts])
        acad_s = dict(zip(students["student_id"], s_acad))
        acad_t = dict(zip(sites["site_id"], t_acad))
        expected = [(s, t) for s, t in zip(pairs["student_id"], pairs["site_id"]) if acad_s[s] == acad_t[t]]
        assert sorted(zip(kept["student_id"], kept["site_id"])) == sorted(expected)


def test_embedded_subset_merge_equals_parts_solved_one_by_one():
    """On five académies of the embedded scenario, ``allocate`` with stay_in_academie (split and merged) gives
    the union of each académie allocated on its own, with summed level values, each student once."""
    config = Config(stay_in_academie=True, default_max_km=20.0)
    students, sites = load_inputs(*(Path(str(p)) for p in embedded_scenario()), config)
    keep = ["Corse", "Limoges", "Mayotte", "Nice", "Reims"]
    students = students[students["academie"].isin(keep)].reset_index(drop=True)
    sites = sites[sites["academie"].isin(keep)].reset_index(drop=True)
    merged = allocate(students, sites, config)
    assert_each_student_once(students, merged.assignments, merged.unassigned)
    alone = [
        allocate(
            students[students["academie"] == a].reset_index(drop=True),
            sites[sites["academie"] == a].reset_index(drop=True),
            config,
        )
        for a in keep
    ]
    assert sorted(map(tuple, merged.assignments.astype(str).values)) == sorted(
        tuple(r) for one in alone for r in one.assignments.astype(str).values
    )
    assert sorted(map(tuple, merged.unassigned.values)) == sorted(
        tuple(r) for one in alone for r in one.unassigned.values
    )
    for name, lv in levels(merged).items():
        assert lv["value"] == sum(levels(one)[name]["value"] for one in alone)
    assert merged.summary["blocking_pairs"] == sum(one.summary["blocking_pairs"] for one in alone)
    order = students["student_id"].tolist()
    pos = merged.assignments["student_id"].map(order.index)
    assert pos.is_monotonic_increasing and merged.unassigned["student_id"].map(order.index).is_monotonic_increasing


def test_grid_file_runs_every_combination(tmp_path):
    """3 × 2 × 2 values: 12 runs, the last option varying fastest, over the base policy."""
    grid = read_grid(Path(str(embedded_scenario()[0])).parent / "sweep_example.toml")
    runs = plan(grid, Config(time_limit=30.0))
    assert len(runs) == 12 and runs[0].name == "run-01" and runs[-1].name == "run-12"
    assert [(r.config.default_max_km, r.config.mode, r.config.seed) for r in runs[:3]] == [
        (10.0, "optimal", 0),
        (10.0, "optimal", 1),
        (10.0, "stable", 0),
    ]
    assert all(r.config.time_limit == 30.0 and r.config.price_of_stability is False for r in runs)
    path = tmp_path / "g.toml"
    path.write_text(
        'host_priority = [["lottery"], ["priority", "lottery"]]\n[objective]\norder = [["placed", "distance"]]\n'
    )
    runs = plan(read_grid(path), Config())
    assert [r.config.host_priority for r in runs] == [("lottery",), ("priority", "lottery")]
    assert runs[0].config.objective == Objective(order=("placed", "distance"))


def test_bad_grid_lists_every_problem(tmp_path):
    path = tmp_path / "grid.toml"
    path.write_text('default_max_km = 30\nmode = ["optimal", "fast"]\ncolour = [1]\nsectors = [["a"]]\nseed = []\n')
    with pytest.raises(InputError) as info:
        read_grid(path)
    assert [(p.column, p.message) for p in info.value.problems] == [
        ("colour", "unknown option"),
        ("default_max_km", "expected a non-empty list of values"),
        ("mode", "expected 'optimal' or 'stable'"),
        ("sectors", "cannot vary in a sweep"),
        ("seed", "expected a non-empty list of values"),
    ]


def _demo_args() -> list[str]:
    s, t = (str(p) for p in embedded_scenario())
    return ["--students", s, "--sites", t]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--by", "academie"], "--by academie needs students kept in their académie"),
        (["--engine", "dask"], "--engine dask runs académie parts as tasks: add --by academie"),
        (["--scheduler", "tcp://127.0.0.1:8786", "--by", "academie", "--stay-in-academie"], "needs the dask engine"),
        (
            [
                "--engine",
                "dask",
                "--scheduler",
                "tcp://127.0.0.1:8786",
                "--workers",
                "2",
                "--by",
                "academie",
                "--stay-in-academie",
            ],
            "give a scheduler or workers, not both",
        ),
    ],
)
def test_allocate_usage_errors_are_one_line(tmp_path, extra, message):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["allocate", *_demo_args(), "--out", str(out), *extra])
    assert res.exit_code == 2, res.output
    assert message in res.output and len(res.output.strip().splitlines()) == 1
    assert not out.exists()


def test_sweep_bad_grid_exits_2_and_writes_nothing(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text("default_max_km = 30\n")
    out = tmp_path / "sweep"
    res = CliRunner().invoke(main, ["sweep", *_demo_args(), "--grid", str(grid), "--out", str(out)])
    assert res.exit_code == 2 and "expected a non-empty list of values" in res.output
    assert not out.exists()


def test_floors_met_counts_academies_at_their_floor():
    """From summary.json's floors section: académies placed up to their floor, of those with one."""
    from matcher.pipeline.sweep import _floors_met

    floors = {
        "academies": [
            {"academie": "Lille", "floor": 10, "placed": 12},
            {"academie": "Nice", "floor": 5, "placed": 4},
            {"academie": "Reims", "floor": 3, "placed": 3},
        ]
    }
    assert _floors_met({"floors": floors}) == "2/3"
    assert _floors_met({"floors": None}) is None and _floors_met({}) is None


def test_gender_target_shortfalls_add_up_over_academie_parts(tmp_path):
    """Two boys in Lille (L2, 2 places) and two in Amiens (A2, 2 places), no girl: with at least 40 % girls at
    sites of 2 places, each site has one boy over its one free boys' place each week. The parts' lists merge: 4
    boy-weeks at 4 site-weeks, all 'no girl in range'."""
    boys = [
        {"student_id": f"{a}{i}", "lat": p[0], "lon": p[1], "gender": "M"}
        for a, p in (("l", CAMBRAI), ("a", SAINT_QUENTIN))
        for i in (1, 2)
    ]
    sites = [
        {"site_id": s, "company": s, "lat": p[0], "lon": p[1], "capacity": 2}
        for s, p in (("L2", CAMBRAI), ("A2", SAINT_QUENTIN))
    ]
    config = BORDER.with_options(gender_target=0.4, gender_site_min=2)
    _, _, result = run_files(tmp_path, boys, sites, config)
    assert result.summary["solver"]["parts"] == 2
    target = result.summary["gender_target"]
    assert (target["boy_weeks_over"], target["site_weeks_short"], target["why"]["no girl in range"]) == (4, 4, 4)
    assert [(x["site_id"], x["week"]) for x in target["sites"]] == [("A2", 1), ("A2", 2), ("L2", 1), ("L2", 2)]
