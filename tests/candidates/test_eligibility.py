"""The reservation, accessibility and weeks rules per pair (``rule_flags``) against the rules of docs/rules.md
written again, one pair at a time, and against the pairs ``eligible`` keeps, on random instances."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.candidates.eligibility import eligible, rule_flags

from strategies import SETTINGS, instances, tables


def _rules(student: pd.Series, site: pd.Series) -> tuple[bool, bool, bool]:
    """Reservation, accessibility and weeks rules of one pair, as docs/rules.md states them."""
    reserved = site["reserved_priority"] or len(site["reserved_lycees"]) > 0
    welcome = (site["reserved_priority"] and student["priority"]) or student["lycee_uai"] in site["reserved_lycees"]
    c1, c2, ft_only = site["capacity_week_1"] > 0, site["capacity_week_2"] > 0, site["full_time_only"]
    if student["weeks"] != "both":
        weeks = (c1 if student["weeks"] == "week_1" else c2) and not ft_only  # a one-week row
    elif not student["split_ok"] or ft_only:
        weeks = c1 and c2  # full time only
    else:
        weeks = c1 or c2
    return bool(not reserved or welcome), bool(site["accessible"] or not student["needs_accessible"]), bool(weeks)


@settings(max_examples=100, **SETTINGS)
@given(instances(), st.data())
def test_each_rule_flag_is_its_rule_and_together_they_are_what_eligible_keeps(drawn, data):
    students, sites, config = tables(drawn)
    pairs = data.draw(
        st.lists(st.tuples(st.integers(0, len(students) - 1), st.integers(0, len(sites) - 1)), max_size=40)
    )
    s = np.array([p[0] for p in pairs], np.int64)
    j = np.array([p[1] for p in pairs], np.int64)
    flags = rule_flags(s, j, students, sites)
    expected = [_rules(students.iloc[a], sites.iloc[b]) for a, b in pairs]
    assert list(zip(flags.reserved_ok, flags.accessible_ok, flags.weeks_ok)) == expected
    raw = {"student": s, "site": j, "km": np.zeros(len(s)), "rank": np.ones(len(s), np.int64)}
    kept = eligible(raw, students, sites, config.other_sectors_rank_penalty, ranked=False)
    allowed = {pair for pair, rules in zip(pairs, expected) if all(rules)}
    assert set(zip(s[flags.allowed], j[flags.allowed])) == allowed
    assert set(zip(kept["student"], kept["site"])) == allowed
