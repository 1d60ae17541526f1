"""The memory estimate before a large allocation: pairs counted like the candidate stage, refusal with advice above
``memory_limit_mb``, a warning above half of it, nothing written when refused.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from matcher.candidates.budget import (
    BASE_MB,
    BYTES_PER_PAIR,
    BYTES_PER_STUDENT,
    SAMPLE,
    Estimate,
    at_most_pairs,
    check_memory,
    check_run,
    clearly_above,
    estimate_mb,
    estimate_pairs,
    fitted_k,
)
from matcher.cli.main import main
from matcher.config import Config
from matcher.errors import MatcherWarning, ResourceLimit
from matcher.generate.scenario import embedded_scenario
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate

from conftest import write_csv


@pytest.fixture
def lyon(tmp_path):
    """Two students and three sites on a line of latitude 45.75 near Lyon (1° of longitude ≈ 77.6 km there)."""
    students = write_csv(
        tmp_path / "students.csv",
        [
            {"student_id": "A", "lat": 45.75, "lon": 4.85, "max_km": 10},  # sites 1 (0 km) and 2 (7.8 km)
            {"student_id": "B", "lat": 45.75, "lon": 5.05, "max_km": "", "site_choices": "S3"},
        ],
    )  # 2 (7.8), 3 by choice
    sites = write_csv(
        tmp_path / "sites.csv",
        [
            {"site_id": "S1", "company": "A", "lat": 45.75, "lon": 4.85, "capacity": 1},
            {"site_id": "S2", "company": "B", "lat": 45.75, "lon": 4.95, "capacity": 1},
            {"site_id": "S3", "company": "C", "lat": 45.75, "lon": 5.85, "capacity": 1},
        ],
    )  # 77.6 km from B
    return students, sites


def test_pairs_in_range_plus_choices(lyon):
    config = Config(default_max_km=30)
    students, sites = load_inputs(*lyon, config)
    # A: S1, S2 in 10 km; B: S1 is 15.5 km, S2 7.8 km (30 km default) and S3 named = 2 + 2 + 1
    assert estimate_pairs(students, sites, config) == 5
    assert allocate(students, sites, config).summary["solver"]["candidate_pairs"] <= 5


def test_the_estimate_bounds_the_candidate_pairs_of_the_demo():
    config = Config()
    students, sites = load_inputs(*embedded_scenario(), config)
    estimate = estimate_pairs(students, sites, config)
    actual = allocate(students, sites, config).summary["solver"]["candidate_pairs"]
    assert actual <= estimate


def test_estimate_mb_is_linear_in_pairs_and_rows():
    assert estimate_mb(0, 0, 0) == BASE_MB
    assert estimate_mb(1000, 0, 2**20) == pytest.approx(BASE_MB + BYTES_PER_PAIR + BYTES_PER_STUDENT * 1000 / 2**20)


def test_refused_above_the_limit_with_advice_and_warned_above_half():
    with pytest.raises(ResourceLimit) as refused:
        check_memory(70_000, 9_000, 50_000_000, Config())
    problem = refused.value.problems[0]
    assert "need more memory than memory_limit_mb (8,000 MB)" in problem.message
    assert "split the students by académie" in problem.fix and "max_km, now 30 km" in problem.fix
    with pytest.warns(MatcherWarning, match="need about"):
        check_memory(70_000, 9_000, 15_000_000, Config())
    assert check_memory(3000, 900, 100_000, Config()).megabytes < 8000 / 2


def test_the_cli_refuses_before_allocating_and_writes_nothing(lyon, tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("memory_limit_mb = 100\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["allocate", "--students", str(lyon[0]), "--sites", str(lyon[1]), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--config", str(policy)])
    assert result.exit_code == 2 and not out.exists()
    assert result.output.splitlines()[1].startswith(
        "memory: 2 students, 3 sites and about 5 candidate pairs need more memory than memory_limit_mb (100 MB) "
        f"(value '{estimate_mb(2, 3, 5):,.0f} MB'). Fix: split the students by académie"
    )
    policy.write_text(f"memory_limit_mb = {BASE_MB * 1.5}\n", encoding="utf-8")
    warned = CliRunner().invoke(main, [*args, "--config", str(policy)])
    assert warned.exit_code == 0, warned.output
    assert "matcher: warning: 2 students, 3 sites and about 5 candidate pairs need about" in warned.output


def test_by_academie_the_largest_part_is_checked():
    config = Config()
    students, sites = load_inputs(*embedded_scenario(), config)

    def counted(part):
        return len(part), estimate_pairs(part.reset_index(drop=True), sites, config)

    whole = counted(students)
    part = max((counted(p) for _, p in students.groupby("academie")), key=lambda s: estimate_mb(s[0], len(sites), s[1]))
    whole_mb, part_mb = estimate_mb(whole[0], len(sites), whole[1]), estimate_mb(part[0], len(sites), part[1])
    assert part[0] < whole[0] and part_mb < whole_mb
    tight = Config(memory_limit_mb=(whole_mb + part_mb) / 2)  # the bound without counting is far above half of it
    with pytest.raises(ResourceLimit):
        check_run(students, sites, tight)
    with pytest.warns(MatcherWarning):
        assert check_run(students, sites, tight, by_academie=True) == Estimate(
            part[0], len(sites), part[1], round(part_mb), tight.memory_limit_mb
        )


def test_pairs_are_not_counted_when_their_bound_fits_in_half_of_the_limit(recwarn):
    config = Config()
    students, sites = load_inputs(*embedded_scenario(), config)
    bound = at_most_pairs(students, sites, config)
    assert bound == config.max_pairs + int(students["site_choices"].map(len).sum())  # lists capped at 40 per pool
    assert bound >= estimate_pairs(students, sites, config)
    assert check_run(students, sites, config).pairs == bound  # 2,000,000 pairs need less than 4,000 MB
    assert not [w for w in recwarn if issubclass(w.category, MatcherWarning)]
    never_capped = Config(candidate_k=0)
    assert at_most_pairs(students, sites, never_capped) is None
    assert check_run(students, sites, never_capped).pairs == estimate_pairs(students, sites, never_capped)


def test_a_count_far_above_its_limit_is_decided_on_a_sample():
    seen = []

    def ten_per_row(rows):
        seen.append(len(rows))
        return 10 * len(rows)

    n = 5 * SAMPLE  # 10 per row: 1,000,000 in all
    assert clearly_above(ten_per_row, n, 200_000) == 10 * n and seen == [SAMPLE]  # > 4 x 200,000
    assert clearly_above(ten_per_row, n, 300_000) is None  # not 4 x above: the caller counts every row
    assert clearly_above(ten_per_row, 2 * SAMPLE, 1) is None and len(seen) == 2  # few rows: never sampled


def test_the_cap_per_pool_shrinks_to_fit_half_the_memory_limit(lyon):
    # A: S1, S2 in range; B: S1, S2 (30 km default), S3 by choice; no trade asked: one pool each.
    # Kept pairs with k per pool: min(2, k) + min(2, k) + 1 choice = 3 at k = 1, 5 at k >= 2.
    at_one, at_two = estimate_mb(2, 3, 3), estimate_mb(2, 3, 5)  # 250.0107 MB and 250.0114 MB
    tight = Config(default_max_km=30, memory_limit_mb=at_one + at_two, max_pairs=1)  # half of it in between
    students, sites = load_inputs(*lyon, tight)
    assert fitted_k(students, sites, tight) == 1
    assert fitted_k(students, sites, tight.with_options(memory_limit_mb=2 * at_two)) == 40  # 5 pairs fit at 40
    assert fitted_k(students, sites, tight.with_options(candidate_k=0)) == 0  # no cap stays no cap
    assert estimate_pairs(students, sites, tight) == 3  # the estimate keeps what the candidate stage keeps
    solver = allocate(students, sites, tight).summary["solver"]
    assert solver["candidates_per_pool"] == 1 and solver["candidate_pairs"] == 3
    roomy = allocate(students, sites, tight.with_options(memory_limit_mb=8000)).summary["solver"]
    assert roomy["candidates_per_pool"] == 40 and roomy["candidate_pairs"] == 5
