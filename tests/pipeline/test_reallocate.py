"""Re-allocation without reshuffling (issue 5, must-show 3), through the real CLI and the Python API.

On the embedded scenario: allocate, then 5 % of the placed students withdraw and 3 sites with placements are
cancelled; ``matcher reallocate`` must keep every unaffected placement as it was, place as many students as the
optimum of the same problem with those placements fixed (computed here with the exact MIP on a residual problem
built here), and list in ``changes.csv`` every student whose situation changed. Small named cases check each
cause with hand-derived outcomes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.candidates.search import candidates
from matcher.cli.main import main
from matcher.config import Config
from matcher.generate.scenario import embedded_scenario
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate
from matcher.pipeline.reallocate import reallocate
from matcher.solve.mip import solve_mip

from conftest import write_csv


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _layout(assignments: pd.DataFrame) -> dict[str, tuple]:
    """``student_id -> sorted ((site_id, weeks), ...)``."""
    out: dict[str, list] = {}
    for r in assignments.itertuples():
        out.setdefault(r.student_id, []).append((r.site_id, r.weeks))
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _text(rows: tuple) -> str:
    """A placement as ``changes.csv`` writes it: ``site_id:weeks``, week 1 first for a split."""
    return "|".join(f"{t}:{w}" for t, w in sorted(rows, key=lambda r: r[1]))


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    """Previous run, updated files (withdrawals, cancelled sites) and the re-allocation's output folder."""
    root = tmp_path_factory.mktemp("realloc")
    students_path, sites_path = (Path(str(p)) for p in embedded_scenario())
    run = CliRunner().invoke(
        main, ["allocate", "--students", str(students_path), "--sites", str(sites_path), "--out", str(root / "before")]
    )
    assert run.exit_code == 0, run.output
    before = _read(root / "before" / "assignments.csv")
    rng = np.random.default_rng(5)
    placed = np.array(sorted(before["student_id"].unique()), dtype=object)
    withdrawn = set(rng.choice(placed, size=round(0.05 * len(placed)), replace=False))
    cancelled = set(rng.choice(np.array(sorted(before["site_id"].unique()), dtype=object), size=3, replace=False))
    students, sites = _read(students_path), _read(sites_path)
    students = students[~students["student_id"].isin(withdrawn)].copy()
    students["site_choices"] = students["site_choices"].map(  # the updated file no longer lists them
        lambda c: "|".join(x for x in c.split("|") if x and x not in cancelled)
    )
    students.to_csv(root / "students.csv", index=False)
    sites[~sites["site_id"].isin(cancelled)].to_csv(root / "sites.csv", index=False)
    run = CliRunner().invoke(
        main,
        [
            "reallocate",
            "--previous",
            str(root / "before"),
            "--students",
            str(root / "students.csv"),
            "--sites",
            str(root / "sites.csv"),
            "--out",
            str(root / "after"),
        ],
    )
    assert run.exit_code == 0, run.output
    affected = set(before.loc[before["site_id"].isin(cancelled), "student_id"]) | withdrawn
    return {
        "root": root,
        "before": before,
        "after": _read(root / "after" / "assignments.csv"),
        "changes": _read(root / "after" / "changes.csv"),
        "withdrawn": withdrawn,
        "cancelled": cancelled,
        "affected": affected,
        "unassigned_before": _read(root / "before" / "unassigned.csv"),
    }


def test_unaffected_placements_unchanged(scenario):
    before, after = _layout(scenario["before"]), _layout(scenario["after"])
    unaffected = set(before) - scenario["affected"]
    assert len(scenario["withdrawn"]) == round(0.05 * len(before)) and len(unaffected) > 800
    assert all(after.get(s) == before[s] for s in unaffected)
    assert not set(after) & scenario["withdrawn"]
    assert not scenario["after"]["site_id"].isin(scenario["cancelled"]).any()


def test_number_placed_is_the_optimum_with_kept_placements_fixed(scenario):
    root, before = scenario["root"], _layout(scenario["before"])
    students, sites = load_inputs(root / "students.csv", root / "sites.csv", Config())
    kept = {s: rows for s, rows in before.items() if s not in scenario["affected"]}
    # residual problem, built here: kept placements' places taken, everyone else free to place
    left = sites.copy()
    for _s, rows in kept.items():
        for site_id, weeks in rows:
            j = int(np.flatnonzero(sites["site_id"].to_numpy() == site_id)[0])
            for w in (1, 2):
                if weeks in ("both", f"week_{w}"):
                    left.loc[j, f"capacity_week_{w}"] -= 1
    assert (left[["capacity_week_1", "capacity_week_2"]].to_numpy() >= 0).all()
    rest = students[~students["student_id"].isin(list(kept))].reset_index(drop=True)
    optimum = solve_mip(candidates(rest, left, Config()).pairs, rest, left, ("placed",), time_limit=120)
    assert optimum.proven
    assert scenario["after"]["student_id"].nunique() == len(kept) + optimum.values["placed"]


def test_changes_account_for_every_changed_student(scenario):
    before, after, changes = _layout(scenario["before"]), _layout(scenario["after"]), scenario["changes"]
    ids = set(before) | set(after)
    changed = {s for s in ids if before.get(s) != after.get(s)}
    assert set(changes["student_id"]) == changed and not changes["student_id"].duplicated().any()
    by = changes.set_index("student_id")
    assert set(by.index[by["change"] == "WITHDRAWN"]) == scenario["withdrawn"]
    assert (by.loc[list(scenario["withdrawn"]), "outcome"] == "withdrawn").all()
    lost = scenario["affected"] - scenario["withdrawn"]
    assert lost and (by.loc[list(lost), "change"] == "SITE_CANCELLED").all()
    newly = changed - set(before)
    assert newly and (by.loc[list(newly), "change"] == "NEWLY_PLACED").all()
    assert newly <= set(scenario["unassigned_before"]["student_id"])
    for s in changed - scenario["withdrawn"]:
        row = by.loc[s]
        assert row["current"] == _text(after.get(s, ()))
        assert row["previous"] == _text(before.get(s, ()))
        assert (row["outcome"] == "not_placed") == (s not in after)


# Small named cases. Around O in Lyon: N1, N3, N5 are 1.1, 3.3 and 5.6 km north of O.
O, N1, N3, N5 = (45.75, 4.85), (45.76, 4.85), (45.78, 4.85), (45.80, 4.85)


def _site(site_id, p, capacity):
    return {"site_id": site_id, "company": f"C {site_id}", "lat": p[0], "lon": p[1], "capacity": capacity}


def _student(student_id, p, **cells):
    return {"student_id": student_id, "lat": p[0], "lon": p[1], "max_km": 10, **cells}


def _two_runs(folder: Path, first: tuple[list, list], second: tuple[list, list]):
    """Allocate ``first`` (students, sites rows), then re-allocate with ``second``."""
    config = Config()
    (folder / "1").mkdir()
    (folder / "2").mkdir()
    st, si = load_inputs(
        write_csv(folder / "1" / "s.csv", first[0]), write_csv(folder / "1" / "t.csv", first[1]), config
    )
    prev = allocate(st, si, config)
    st, si = load_inputs(
        write_csv(folder / "2" / "s.csv", second[0]), write_csv(folder / "2" / "t.csv", second[1]), config
    )
    done = reallocate(prev.assignments, st, si, config, previous_unassigned=prev.unassigned)
    return prev, done, {r.student_id: (r.change, r.outcome) for r in done.changes.itertuples()}


def test_changes_are_published_with_the_allocation_as_one_set(scenario):
    # changes.csv goes into the same atomic set as assignments.csv (matcher.export.atomic): no separate write that a
    # reader could see half done, and no hidden work folder left behind
    root = scenario["root"]
    assert sorted(p.name for p in (root / "after").iterdir()) == [
        "assignments.csv",
        "changes.csv",
        "run.json",
        "summary.json",
        "unassigned.csv",
    ]
    assert not [p.name for p in root.iterdir() if ".matcher-" in p.name]


def test_capacity_cut_keeps_the_nearer_student(tmp_path):
    # X (2 places at O) hosts a (1.1 km) and b (3.3 km); c (5.6 km) is not placed. X is cut to 1 place: the host
    # keeps a (nearer), b loses the place and no other site exists; c stays unplaced (not a change).
    students = [_student("a", N1), _student("b", N3), _student("c", N5)]
    prev, done, changes = _two_runs(tmp_path, (students, [_site("X", O, 2)]), (students, [_site("X", O, 1)]))
    assert set(prev.assignments["student_id"]) == {"a", "b"}
    assert _layout(done.result.assignments) == {"a": (("X", "both"),)}
    assert changes == {"b": ("CAPACITY_CUT", "not_placed")}
    assert done.result.summary["reallocation"]["kept"] == 1


def test_withdrawal_frees_a_place_for_the_next_student(tmp_path):
    # X (1 place) hosts a; b (3.3 km) was not placed. a withdraws, e (5.6 km) is a new request: the engine
    # places b (shorter distance), e is a new request not placed.
    first = [_student("a", N1), _student("b", N3)]
    second = [_student("b", N3), _student("e", N5)]
    _, done, changes = _two_runs(tmp_path, (first, [_site("X", O, 1)]), (second, [_site("X", O, 1)]))
    assert _layout(done.result.assignments) == {"b": (("X", "both"),)}
    assert changes == {
        "a": ("WITHDRAWN", "withdrawn"),
        "b": ("NEWLY_PLACED", "placed"),
        "e": ("NEW_REQUEST", "not_placed"),
    }


def test_changed_request_is_placed_again(tmp_path):
    # a was full time at X; a now asks for week 1 only: the placement is not kept as it was, a gets X in week 1.
    sites = [_site("X", O, 1)]
    _, done, changes = _two_runs(tmp_path, ([_student("a", N1)], sites), ([_student("a", N1, weeks="week_1")], sites))
    assert _layout(done.result.assignments) == {"a": (("X", "week_1"),)}
    assert changes == {"a": ("REQUEST_CHANGED", "placed_elsewhere")}


def test_reallocate_cli_without_previous_files_exits_2(tmp_path):
    students_path, sites_path = (Path(str(p)) for p in embedded_scenario())
    (tmp_path / "empty").mkdir()
    run = CliRunner().invoke(
        main,
        [
            "reallocate",
            "--previous",
            str(tmp_path / "empty"),
            "--students",
            str(students_path),
            "--sites",
            str(sites_path),
            "--out",
            str(tmp_path / "o"),
        ],
    )
    assert run.exit_code == 2 and "assignments.csv" in run.output
    assert not (tmp_path / "o").exists()


def test_previous_ids_read_as_exported(tmp_path):
    # Exports put an apostrophe before formula-like cells; the previous folder's ids are read back without it.
    from matcher.pipeline.reallocate import read_previous

    write_csv(
        tmp_path / "assignments.csv",
        [
            {"student_id": "'=e1", "site_id": "'-S1", "weeks": "both"},
            {"student_id": "'plain", "site_id": "S2", "weeks": "both"},
        ],
    )
    previous, unassigned = read_previous(tmp_path)
    assert list(previous["student_id"]) == ["=e1", "'plain"] and list(previous["site_id"]) == ["-S1", "S2"]
    assert unassigned is None


def test_previous_with_two_full_time_rows_is_refused(tmp_path):
    from matcher.errors import InputError
    from matcher.pipeline.reallocate import read_previous

    write_csv(
        tmp_path / "assignments.csv",
        [
            {"student_id": "e1", "site_id": "S1", "weeks": "both"},
            {"student_id": "e1", "site_id": "S2", "weeks": "both"},
            {"student_id": "e2", "site_id": "S1", "weeks": "week_9"},
        ],
    )
    with pytest.raises(InputError) as err:
        read_previous(tmp_path)
    assert [p.value for p in err.value.problems] == ["week_9"]
    write_csv(
        tmp_path / "assignments.csv",
        [
            {"student_id": "e1", "site_id": "S1", "weeks": "both"},
            {"student_id": "e1", "site_id": "S2", "weeks": "both"},
        ],
    )
    with pytest.raises(InputError) as err:
        read_previous(tmp_path)
    assert [(p.value, p.message) for p in err.value.problems] == [("e1", "rows for weeks both, both")]


def test_reallocation_reports_its_scope_and_the_levels_it_does_not_optimise(scenario):
    # The same finishing step as allocate: the solver section says over which pairs the bounds hold; a policy
    # with floors and a gender target gets them in the figures but not as levels, and the summary says so.
    summary = json.loads((scenario["root"] / "after" / "summary.json").read_text(encoding="utf-8"))
    solver = summary["solver"]
    assert solver["bounds_over"] == "all eligible pairs" and solver["truncated_students"] == 0
    assert list(solver)[0] == "status" and "levels_not_applied" not in solver
    students, sites = load_inputs(scenario["root"] / "students.csv", scenario["root"] / "sites.csv", Config())
    previous = _read(scenario["root"] / "before" / "assignments.csv")[["student_id", "site_id", "weeks"]]
    config = Config(academie_floors="proportional", gender_target=0.4)
    again = reallocate(previous, students, sites, config)
    assert again.result.summary["solver"]["levels_not_applied"] == ["floors", "gender"]
    levels = [lv["level"] for lv in again.result.summary["objective"]]
    assert levels == ["placed", "priority", "preference", "distance", "splits"]  # no floors, no gender level
    assert again.result.summary["floors"]["total_floor"] == 1000  # the figures are still reported
