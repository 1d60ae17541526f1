"""``matcher recruit`` proven by re-running ``matcher allocate``: the plan's places added to the sites file raise the
proven ``placed`` bound by exactly the plan's total, and the number placed by at least 95 % of it on the embedded
demo, 90 % on a 10k generated scenario (see its test); an allocation placing all of it is checked on both."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.candidates.search import candidates
from matcher.check import check
from matcher.cli.main import main
from matcher.config import Config
from matcher.generate.scenario import embedded_scenario
from matcher.load.inputs import load_inputs
from matcher.load.instance import build_instance
from matcher.pipeline.allocate import allocate
from matcher.pipeline.recruit import recruit
from matcher.solve.widen import widen
from matcher.tables.assignments import assignment_table


def _ok(*args: str) -> None:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output


def _with_plan(sites_path: Path, plan: pd.DataFrame, out: Path) -> Path:
    """The sites file with the plan's places added (``capacity``, else each week that has places)."""
    sites = pd.read_csv(sites_path, dtype=str, keep_default_na=False)
    for sid, k in zip(plan["site_id"], plan["plan_places"].astype(int)):
        i = sites.index[sites["site_id"] == sid][0]
        for col in ("capacity", "capacity_week_1", "capacity_week_2"):
            if col in sites and sites.at[i, col] not in ("", "0"):
                sites.at[i, col] = str(int(sites.at[i, col]) + k)
                if col == "capacity":
                    break
    sites.to_csv(out, index=False)
    return out


def _proof(students: Path, sites: Path, tmp: Path) -> tuple[int, float, float, int, int]:
    _ok("recruit", "--students", str(students), "--sites", str(sites), "--top", "20", "--out", str(tmp / "rec"))
    figures = json.loads((tmp / "rec" / "recruitment.json").read_text())
    table = pd.read_csv(tmp / "rec" / "recruitment.csv", dtype={"site_id": str})
    assert "student_id" not in table and table["plan_places"].sum() == figures["plan_places"] == 20
    more = _with_plan(sites, table[table["plan_places"] > 0], tmp / "sites_plus.csv")
    summaries = []
    for name, path in (("a0", sites), ("a1", more)):
        _ok("allocate", "--students", str(students), "--sites", str(path), "--out", str(tmp / name))
        summaries.append(json.loads((tmp / name / "summary.json").read_text()))
    (b0, b1), (p0, p1) = ([s["objective"][0]["bound"] for s in summaries], [s["counts"]["placed"] for s in summaries])
    assert b0 == figures["placed_bound"]
    return figures["plan_students"], b0, b1, p0, p1


def test_demo_plan_raises_the_bound_exactly(tmp_path):
    predicted, b0, b1, p0, p1 = _proof(*(Path(str(p)) for p in embedded_scenario()), tmp_path)
    assert predicted >= 20 and b1 - b0 == predicted
    assert p1 - p0 >= 0.95 * predicted


@pytest.fixture(scope="module")
def scenario_10k(tmp_path_factory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("s10k")
    _ok("generate", "--students", "10000", "--sites", "3000", "--seed", "1", "--out", str(out))
    return out / "students.csv", out / "sites.csv"


def test_10k_plan_raises_the_bound_exactly(scenario_10k, tmp_path):
    # The bound grows by exactly the plan; an allocation placing p0 + the plan exists and keeps every rule
    # (``test_10k_plan_is_realised_by_an_allocation_keeping_every_rule``). The engine, run again from scratch on
    # the sites with the plan, is a heuristic and finds most of it: when measured, 3,653 → 3,672 (19 of 20) before
    # the pools' flow, 3,660 → 3,678 (18 of 20) with it — both runs place more, the baseline more so.
    predicted, b0, b1, p0, p1 = _proof(*scenario_10k, tmp_path)
    assert predicted >= 20 and b1 - b0 == predicted
    assert p1 - p0 >= 0.9 * predicted


def _realised(students_path: Path, sites_path: Path) -> tuple[int, int, int]:
    """The allocation ``recruit`` says realises its plan, checked by the independent checker on the sites with the
    plan's places added: (its students placed, ``allocate``'s with the sites as they are, the plan's total)."""
    config = Config()
    students, sites = load_inputs(students_path, sites_path, config)
    rec = recruit(students, sites, config, 20)
    assert rec.guidance is not None and rec.realised is not None
    more = np.bincount(rec.guidance.plan["site"], minlength=len(sites))
    plus = sites.assign(**{c: sites[c] + more * (sites[c] > 0) for c in ("capacity_week_1", "capacity_week_2")})
    instance = build_instance(students, plus, config)
    cands = widen(candidates(students, plus, config, groups=instance.groups), students, plus, config).candidates
    assignments = assignment_table(instance, rec.realised, cands.pairs)
    placed = np.unique(rec.realised["student"].to_numpy())
    left = students["student_id"].drop(placed)
    unassigned = pd.DataFrame({"student_id": left, "reason_code": "CAPACITY_TAKEN", "reason": "places taken"})
    assert check(students, plus, assignments, unassigned, config, groups=True) == []
    before = allocate(students, sites, config).summary["counts"]["placed"]
    return len(placed), before, int(rec.guidance.plan["students"].sum())


def test_demo_plan_is_realised_by_an_allocation_keeping_every_rule():
    realised, before, predicted = _realised(*(Path(str(p)) for p in embedded_scenario()))
    assert predicted == 20 and realised == before + predicted


def test_10k_plan_is_realised_by_an_allocation_keeping_every_rule(scenario_10k):
    realised, before, predicted = _realised(*scenario_10k)
    assert predicted == 20 and realised == before + predicted
