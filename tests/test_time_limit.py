"""A time limit stops the repair early: the result stays valid and says what it cost."""
from matcher import Config, allocate, embedded_scenario, load_inputs, verify
from matcher.solve.status import Status


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
