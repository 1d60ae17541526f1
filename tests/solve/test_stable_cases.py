"""The stable mode on small named cases with hand-computed stable matchings, its summary, CLI and options.

Geometry around O in Lyon (as in test_engine_cases): S1 is 1.1 km south of O; N3, N5, N10 are 3.3, 5.6 and
11.1 km north of O. Hosts rank priority students first, then nearer students, then the lottery (defaults).
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from matcher.cli.main import main
from matcher.config import Config, load_config
from matcher.domain.reference import dataset_path

from conftest import run_files, write_csv

O, S1, N3, N5, N10 = (45.75, 4.85), (45.74, 4.85), (45.78, 4.85), (45.80, 4.85), (45.85, 4.85)
STABLE = Config(mode="stable")


def site(site_id, p, capacity=1, **cells):
    return {"site_id": site_id, "company": f"C {site_id}", "lat": p[0], "lon": p[1], "capacity": capacity} | cells


def student(student_id, p, **cells):
    return {"student_id": student_id, "lat": p[0], "lon": p[1], "max_km": 20} | cells


def placed(result) -> dict[str, tuple[str, str]]:
    return {r.student_id: (r.site_id, r.weeks) for r in result.assignments.itertuples()}


def test_host_prefers_priority_then_nearer(tmp_path):
    # X (1 place) is asked by a (3.3 km), b (5.6 km, priority) and c (1.1 km): priority first, so b.
    _, _, r = run_files(
        tmp_path, [student("a", N3), student("b", N5, priority=True), student("c", S1)], [site("X", O)], STABLE
    )
    assert placed(r) == {"b": ("X", "both")}
    assert dict(zip(r.unassigned["student_id"], r.unassigned["reason_code"])) == {
        "a": "CAPACITY_TAKEN",
        "c": "CAPACITY_TAKEN",
    }


def test_rejection_chain(tmp_path):
    # a and b both list X then Y. X (at O) ranks b first (1.1 km vs 3.3 km): a is rejected and goes to Y.
    students = [student("a", N3, site_choices=("X", "Y")), student("b", S1, site_choices=("X", "Y"))]
    _, _, r = run_files(tmp_path, students, [site("X", O), site("Y", N10)], STABLE)
    assert placed(r) == {"a": ("Y", "both"), "b": ("X", "both")}
    assert r.summary["blocking_pairs"] == 0


def test_price_of_stability_and_optimal_blocking_pairs(tmp_path):
    # a (priority, 5.6 km from X and from Y) lists X then Y; b (1.1 km from X) can only reach X (max 5 km).
    # Stable: a proposes to X and is kept (priority), b is rejected: 1 placed. The optimal mode places both
    # (a at Y, b at X), with one blocking pair (a, X): a prefers X and X prefers a to b.
    students = [student("a", N5, site_choices=("X", "Y"), priority=True), student("b", S1, max_km=5)]
    sites = [site("X", O), site("Y", N10)]
    (tmp_path / "s").mkdir()
    (tmp_path / "o").mkdir()
    _, _, stable = run_files(tmp_path / "s", students, sites, STABLE)
    _, _, optimal = run_files(tmp_path / "o", students, sites, Config())
    assert placed(stable) == {"a": ("X", "both")} and stable.summary["blocking_pairs"] == 0
    assert placed(optimal) == {"a": ("Y", "both"), "b": ("X", "both")} and optimal.summary["blocking_pairs"] == 1
    price = stable.summary["price_of_stability"]
    assert (price["stable"]["placed"], price["optimal"]["placed"], price["difference"]["placed"]) == (1, 2, -1)
    assert (price["stable"]["first_choice"], price["optimal"]["first_choice"]) == (1, 1)
    placed_level = stable.summary["objective"][0]
    assert (placed_level["value"], placed_level["bound"], stable.summary["solver"]["status"]) == (1, 2, "feasible")


def test_one_week_requests_use_the_places_left(tmp_path):
    # X has 2 places in week 1 and 1 in week 2: one full-time place (a, asking both weeks); the week-1 place
    # left goes to the nearer of the week-1 requests (c at 1.1 km before b at 3.3 km).
    students = [student("a", N5), student("b", N3, weeks="week_1"), student("c", S1, weeks="week_1")]
    sites = [{"site_id": "X", "company": "C X", "lat": O[0], "lon": O[1], "capacity_week_1": 2, "capacity_week_2": 1}]
    _, _, r = run_files(tmp_path, students, sites, STABLE)
    assert placed(r) == {"a": ("X", "both"), "c": ("X", "week_1")}
    assert r.summary["blocking_pairs"] == 0


def test_lottery_decides_ties_and_follows_the_seed(tmp_path):
    # Two students at the same point: only the seeded lottery separates them; some seed gives each the place.
    students = [student("a", N3), student("b", N3)]
    winners = set()
    for seed in range(8):
        (tmp_path / str(seed)).mkdir()
        _, _, r = run_files(
            tmp_path / str(seed), students, [site("X", O)], Config(mode="stable", seed=seed, price_of_stability=False)
        )
        winners |= set(placed(r))
    assert winners == {"a", "b"}


def test_policy_file_documents_the_defaults_and_host_priority_is_checked(tmp_path):
    assert load_config(dataset_path("policy.toml")) == Config()
    bad = tmp_path / "p.toml"
    bad.write_text('host_priority = ["priority", "age"]\nprice_of_stability = "yes"\n', encoding="utf-8")
    run = CliRunner().invoke(
        main,
        [
            "validate",
            "--students",
            str(write_csv(tmp_path / "s.csv", [student("a", O)])),
            "--sites",
            str(write_csv(tmp_path / "t.csv", [site("X", O)])),
            "--config",
            str(bad),
        ],
    )
    assert run.exit_code == 2 and "host_priority" in run.output and "price_of_stability" in run.output


def test_cli_allocate_mode_stable(tmp_path):
    s = write_csv(tmp_path / "s.csv", [student("a", N3, site_choices=("X", "Y")), student("b", S1)])
    t = write_csv(tmp_path / "t.csv", [site("X", O), site("Y", N10)])
    run = CliRunner().invoke(
        main, ["allocate", "--students", str(s), "--sites", str(t), "--out", str(tmp_path / "out"), "--mode", "stable"]
    )
    assert run.exit_code == 0, run.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["parameters"]["mode"] == "stable" and summary["blocking_pairs"] == 0
    assert summary["solver"]["method"].startswith("students-propose deferred acceptance")
    assert set(summary["price_of_stability"]) == {"stable", "optimal", "optimal_status", "difference"}


def test_same_input_same_seed_same_files(tmp_path):
    rows = [student(f"e{i}", (45.75 + 0.01 * (i % 4), 4.85), priority=i % 3 == 0) for i in range(12)]
    s = write_csv(tmp_path / "s.csv", rows)
    t = write_csv(tmp_path / "t.csv", [site("X", O, 3), site("Y", N5, 2), site("Z", N10, 2)])
    outputs = []
    for name in ("a", "b"):
        run = CliRunner().invoke(
            main,
            [
                "allocate",
                "--students",
                str(s),
                "--sites",
                str(t),
                "--out",
                str(tmp_path / name),
                "--mode",
                "stable",
                "--seed",
                "7",
            ],
        )
        assert run.exit_code == 0, run.output
        outputs.append(
            [(tmp_path / name / f).read_bytes() for f in ("assignments.csv", "unassigned.csv", "summary.json")]
        )
    assert outputs[0] == outputs[1]


def test_pairs_order_does_not_matter(tmp_path):
    from matcher.candidates.search import candidates
    from matcher.solve.stable import stable_placements

    rows = [
        student(f"e{i}", (45.74 + 0.01 * (i % 5), 4.85), site_choices=("Z",) if i % 4 == 0 else ()) for i in range(15)
    ]
    st, si, _ = run_files(tmp_path, rows, [site("X", O, 3), site("Y", N5, 2), site("Z", N10, 2)], STABLE)
    pairs = candidates(st, si, STABLE).pairs
    shuffled = pairs.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert stable_placements(st, si, pairs, STABLE.host_priority, 0).equals(
        stable_placements(st, si, shuffled, STABLE.host_priority, 0)
    )
