"""A time limit stops the repair early: the result stays valid and says what it cost."""

from matcher import Config, allocate, embedded_scenario, load_inputs, verify
from matcher.result import Status


def test_a_tiny_time_limit_returns_a_valid_allocation_with_its_gap():
    files = [str(p) for p in embedded_scenario()]
    quick, full = Config(time_limit=1e-6), Config()
    students, sites = load_inputs(*files, quick)
    fast = allocate(students, sites, quick)
    slow = allocate(students, sites, full)
    verify(students, sites, fast.assignments, fast.unassigned, quick)
    assert len(fast.assignments.student_id.unique()) + len(fast.unassigned) == len(students)
    assert fast.summary["solver"]["flow_solves"] == 1  # no solve after the first one
    placed = {r["level"]: r for r in fast.summary["objective"]}["placed"]
    assert fast.status == Status.FEASIBLE and placed["value"] < placed["bound"]
    assert fast.summary["solver"]["gap_level"] == "placed" and fast.summary["solver"]["gap"] > 0
    # the bound comes from the same relaxation whatever the limit
    assert placed["bound"] == {r["level"]: r for r in slow.summary["objective"]}["placed"]["bound"]


def test_the_time_limit_option_writes_a_valid_result_with_its_gap(tmp_path):
    import json

    from click.testing import CliRunner

    from matcher.cli.main import main

    students, sites = (str(p) for p in embedded_scenario())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["allocate", "--students", students, "--sites", sites, "--out", str(out), "--time-limit", "0.000001"]
    )
    assert result.exit_code == 0, result.output
    solver = json.loads((out / "summary.json").read_text(encoding="utf-8"))["solver"]
    assert solver["status"] == "feasible" and solver["gap"] > 0 and solver["flow_solves"] == 1
    assert "Solver: feasible (gap" in result.output
