"""Who takes one more place under every rule (``matcher.solve.takers``): named cases with hand-counted answers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.solve.takers import Takers, waiting_at

# Sites: A offers both weeks, B week 1 only. Students: E0 both weeks (pairs at A and B), E1 week 1 (A, B),
# E2 week 2 (A), E3 both weeks at A but placed, E4 both weeks at A but one of a group.
PAIRS = pd.DataFrame({"student": [0, 0, 1, 1, 2, 3, 4], "site": [0, 1, 0, 1, 0, 0, 0]})
WEEKS = np.array(["both", "week_1", "week_2", "both", "both"], dtype=object)
HAS1, HAS2 = np.array([True, True]), np.array([True, False])
FREE = np.array([True, True, True, False, False])


def test_one_place_is_taken_by_a_full_time_student_or_two_one_week_students():
    # A: E0 alone (both weeks, full time) or E1 (week 1) and E2 (week 2) together: 2. B: E0 cannot take a week-1
    # place for her two weeks; E1 can: 1.
    takers = Takers(PAIRS, WEEKS, HAS1, HAS2, FREE)
    assert takers.realisable().tolist() == [2, 1]


def test_taken_students_take_no_other_place():
    takers = Takers(PAIRS, WEEKS, HAS1, HAS2, FREE)
    takers.take(0, 2)  # E1 and E2 at A: E0 is left at A, nobody at B (E1 was its only taker)
    assert takers.realisable().tolist() == [1, 0]
    takers.take(0, 1)  # E0 at A
    assert takers.realisable().tolist() == [0, 0]


def test_a_site_with_only_placed_or_grouped_students_has_no_taker():
    free = np.array([False, False, False, False, False])
    assert Takers(PAIRS, WEEKS, HAS1, HAS2, free).realisable().tolist() == [0, 0]


def test_waiting_counts_each_unplaced_student_once_per_site():
    pairs = pd.concat([PAIRS, PAIRS.iloc[:1]], ignore_index=True)  # E0 listed twice at A
    placed = np.array([0, 1, 0, 1, 0], np.int64)
    assert waiting_at(pairs, placed, 2).tolist() == [3, 1]  # A: E0, E2, E4; B: E0


def test_the_places_given_are_student_week_rows():
    takers = Takers(PAIRS, WEEKS, HAS1, HAS2, FREE)
    takers.take(0, 2)  # E1 week 1 and E2 week 2 at A
    takers.take(0, 1)  # E0 both weeks at A: one row per week
    rows = takers.placements().sort_values(["student", "week"])
    assert rows.values.tolist() == [[0, 0, 1], [0, 0, 2], [1, 0, 1], [2, 0, 2]]
