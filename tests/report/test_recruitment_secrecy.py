"""Secondary suppression of the published recruitment files (``tables.suppression.hide_nested``, through
``tables.recruitment.published``): communes add up to their académie, académies to the national figure, and from
everything shown no hidden count can be recovered. The attacker is the linear algebra of ``test_secrecy``: a hidden
cell is recovered when its unit vector lies in the row space of the relations once the shown cells are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st
from linear import determined

from matcher.tables.recruitment import HIDDEN, published
from matcher.tables.suppression import hide_nested


def _recoverable(cells, group, totals, hide_c, hide_t, hide_g) -> list[int]:
    """Hidden unknowns (cells, then totals, then the grand total) that the sums determine."""
    n, k = len(cells), len(totals)
    hidden = np.concatenate([hide_c, hide_t, [hide_g]])
    unknown = np.flatnonzero(hidden)
    rows = []
    for g in range(k):  # cells of group g − total g = 0
        rows.append({i: 1.0 for i in np.flatnonzero(group == g)} | {n + g: -1.0})
    rows.append({n + g: 1.0 for g in range(k)} | {n + k: -1.0})  # totals − grand = 0
    return [int(u) for u in determined(rows, list(unknown))]


@st.composite
def nested(draw):
    k = draw(st.integers(1, 5))
    sizes = draw(st.lists(st.integers(1, 4), min_size=k, max_size=k))
    group = np.repeat(np.arange(k), sizes)
    small = st.one_of(st.integers(0, 4), st.integers(5, 30))
    cells = np.array(draw(st.lists(small, min_size=len(group), max_size=len(group))), float)
    return cells, group, np.bincount(group, weights=cells, minlength=k)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(nested())
def test_no_hidden_count_is_recovered_from_the_totals(table):
    cells, group, totals = table
    grand = float(totals.sum())
    hide_c, hide_t, hide_g = hide_nested(cells, group, totals, grand)
    assert (hide_c >= ((cells > 0) & (cells < 5))).all() and (hide_t >= ((totals > 0) & (totals < 5))).all()
    assert _recoverable(cells, group, totals, hide_c, hide_t, hide_g) == []


def test_a_lone_small_commune_hides_its_smallest_neighbour():
    # Académie A: communes of 3 and 7 and 12 unplaced (22); B: 9 (and the national 31). 3 is hidden (primary);
    # alone, it would be 22 − 7 − 12: the smallest other commune of A, 7, is hidden with it. A's total stays shown
    # (3 + 7 = 22 − 12 is known, not each), B's and the national too.
    communes = pd.DataFrame(
        {"academie": ["A", "A", "A", "B"], "unplaced": [3, 7, 12, 9], "no_offer_in_range": [0, 0, 0, 0]}
    )
    academies = pd.DataFrame({"academie": ["A", "B"], "unplaced": [22, 9], "no_offer_in_range": [0, 0]})
    com, aca, nat = published(communes, academies, {"unplaced": 31, "no_offer_in_range": 0})
    assert list(com["unplaced"]) == [HIDDEN, HIDDEN, "12", "9"]
    assert list(aca["unplaced"]) == ["22", "9"] and nat == {"unplaced": 31, "no_offer_in_range": 0}


def test_a_small_academie_with_one_commune_hides_the_commune_and_a_second_academie():
    # A has one commune of 2 (hidden, and so is A's 2); B: communes 6 and 8 (14), national 16. A alone hidden on
    # the national line would be 16 − 14: B is hidden too, and then B's total, the sum of its shown communes,
    # needs its smallest commune (6) hidden with it; 8 alone is then B's total minus 6, both unknown.
    communes = pd.DataFrame({"academie": ["A", "B", "B"], "unplaced": [2, 6, 8], "no_offer_in_range": [0, 0, 0]})
    academies = pd.DataFrame({"academie": ["A", "B"], "unplaced": [2, 14], "no_offer_in_range": [0, 0]})
    com, aca, nat = published(communes, academies, {"unplaced": 16, "no_offer_in_range": 0})
    assert list(aca["unplaced"]) == [HIDDEN, HIDDEN] and nat["unplaced"] == 16
    assert list(com["unplaced"])[:2] == [HIDDEN, HIDDEN]


def test_a_small_bound_hides_a_second_academie_and_the_shortfalls_that_give_them_away():
    # Bounds 3, 10 and 20 (national 33): 3 is hidden (primary); alone it would be 33 − 10 − 20, so the smallest
    # other, 10, is hidden too. Their shortfalls (a public floor minus the bound) are hidden where positive; a
    # shortfall of 0 says only that the bound reaches the floor.
    communes = pd.DataFrame({"academie": ["A", "B", "C"], "unplaced": [9, 9, 9], "no_offer_in_range": [0, 0, 0]})
    academies = pd.DataFrame(
        {
            "academie": ["A", "B", "C"],
            "floor": [6, 8, 25],
            "placed_bound": [3, 10, 20],
            "shortfall": [3, 0, 5],
            "unplaced": [9, 9, 9],
            "no_offer_in_range": [0, 0, 0],
        }
    )
    national = {"unplaced": 27, "no_offer_in_range": 0, "placed_bound": 33}
    _, aca, nat = published(communes, academies, national)
    assert list(aca["placed_bound"]) == [HIDDEN, HIDDEN, "20"] and nat["placed_bound"] == 33
    assert list(aca["shortfall"]) == [HIDDEN, "0", "5"]
