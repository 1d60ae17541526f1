"""Maximum flows made from a flow already there (``matcher.solve.mincut``): ``Network.flows_of`` is the inverse of
``Network.read``, and a flow made maximum on its residual network (``maximum_from``, ``lowered``) reaches the value
of a max flow solved from nothing, with a minimum cut of that value."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from matcher.candidates.search import candidates
from matcher.errors import SolverError
from matcher.solve.flow import max_flow
from matcher.solve.mincut import CutFlow, lowered, maximum_from
from matcher.solve.network import build_network
from matcher.solve.regions import maximum

from strategies import SETTINGS, instances, tables


def _tiny() -> tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame]:
    # Site 0: 1 place each week; site 1: 1 place in week 2 only. Student 0 (both weeks) has pairs at 0 and 1;
    # student 1 (week 1 only) and student 2 (week 2 only) have a pair at 0.
    weeks = np.array(["both", "week_1", "week_2"], object)
    pairs = pd.DataFrame({"student": [0, 0, 1, 2], "site": [0, 1, 0, 0]})
    return weeks, np.array([1, 0]), np.array([1, 1]), pairs


def test_the_flow_of_placements_reads_back_as_them():
    weeks, cap1, cap2, pairs = _tiny()
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    # student 0 splits: week 1 at site 0 (pair row 0), week 2 at site 1 (pair row 1); student 2 week 2 at site 0
    flows = net.flows_of(np.array([0, 1, 3]), np.array([1, 2, 2]))
    read = net.read(flows, pairs)
    assert read.sort_values(["student", "week"]).to_numpy().tolist() == [[0, 0, 1], [0, 1, 2], [2, 0, 2]]
    assert int(flows[: len(cap1)].sum()) == 1 and int(flows[len(cap1) : 2 * len(cap1)].sum()) == 2
    assert int(flows[net.student_arc].sum()) == 2  # two students placed


@pytest.mark.parametrize(
    "rows, week, why",
    [
        ([0], [1], "student 0 needs both weeks: a week-1 row alone is no flow"),
        ([0, 1, 2], [1, 2, 1], "students 0 and 1 both in site 0's single week-1 place"),
        ([2], [2], "student 1 comes in week 1 only: no week-2 arc"),
    ],
)
def test_placements_that_are_no_flow_are_refused(rows, week, why):
    weeks, cap1, cap2, pairs = _tiny()
    net = build_network(pairs, weeks, cap1, cap2, np.int32)
    with pytest.raises(SolverError):
        net.flows_of(np.array(rows), np.array(week))


def test_a_flow_made_maximum_from_one_student_reaches_the_maximum():
    # From student 2 alone (week 2 at site 0): students 0 and 1 compete for site 0's one week-1 place (student 0
    # would then go to site 1 in week 2), so the residual network's max flow adds one of them: 2 placed.
    weeks, cap1, cap2, pairs = _tiny()
    start = pd.DataFrame({"student": [2], "site": [0], "week": [2]})
    flow = maximum_from(pairs, weeks, cap1, cap2, start)
    assert flow.value == 2 == max_flow(build_network(pairs, weeks, cap1, cap2))
    placed = flow.placements()
    assert 2 in set(placed["student"]) and placed["student"].nunique() == 2


def _cut_capacity(flow: CutFlow) -> int:
    side, net = flow.side, flow.net
    crossing = side[net.tails] & ~side[net.heads]
    return int(net.capacities[crossing].sum())


@settings(max_examples=40, **SETTINGS)
@given(instances(), st.data())
def test_made_maximum_from_any_flow_or_with_fewer_places_it_matches_a_max_flow_from_nothing(instance, data):
    students, sites, config = tables(instance)
    pairs = candidates(students, sites, config).pairs
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    whole = maximum(pairs, students, sites).placements
    kept = data.draw(st.lists(st.booleans(), min_size=len(students), max_size=len(students)))
    start = whole[np.asarray(kept, bool)[whole["student"].to_numpy()]] if len(students) else whole
    flow = maximum_from(pairs, weeks, cap1, cap2, start)
    assert flow.value == max_flow(build_network(pairs, weeks, cap1, cap2)) == _cut_capacity(flow)
    assert flow.placements()["student"].nunique() == flow.value
    low1 = np.array([data.draw(st.integers(0, int(c))) for c in cap1], np.int64)
    low2 = np.array([data.draw(st.integers(0, int(c))) for c in cap2], np.int64)
    less = lowered(flow.net.with_places(low1, low2), pairs, flow.placements(), weeks)
    event(f"fewer places cost placements: {less.value < flow.value}")
    event(f"the start was short of the maximum: {start['student'].nunique() < flow.value}")
    assert less.value == max_flow(build_network(pairs, weeks, low1, low2)) == _cut_capacity(less)
    rows = less.placements()
    assert rows["student"].nunique() == less.value and not rows.duplicated(["student", "week"]).any()
    for week, places in ((1, low1), (2, low2)):
        assert (np.bincount(rows.loc[rows["week"] == week, "site"], minlength=len(places)) <= places).all()
