"""Properties of the vectorised deferred acceptance (``matcher.solve.stable.deferred_acceptance``), with hypothesis.

On abstract instances (random preference lists, host orders and capacities), the simultaneous-rounds numpy
version must give exactly the matching of a plain one-proposal-at-a-time Gale–Shapley written here (the
students-optimal stable matching is unique), respect capacities, and leave no blocking pair.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.solve.stable import deferred_acceptance


@st.composite
def instances(draw):
    n = draw(st.integers(0, 25))
    m = draw(st.integers(1, 8))
    prefs = [draw(st.lists(st.integers(0, m - 1), unique=True, max_size=m)) for _ in range(n)]
    order = draw(st.permutations(range(max(n, 1))))  # one host order shared by all hosts, then per-host twists
    twist = draw(st.lists(st.integers(0, 1000), min_size=n * m, max_size=n * m))
    capacity = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    host = {(s, j): (twist[s * m + j], order[s]) for s in range(n) for j in range(m)}
    return n, m, prefs, host, capacity


def _gale_shapley(n, prefs, host, capacity) -> dict[int, int]:
    """Students propose one at a time; a host holds its best proposals up to capacity."""
    held: dict[int, list[int]] = {j: [] for j in range(len(capacity))}
    nxt, free = [0] * n, list(range(n))[::-1]
    while free:
        s = free.pop()
        if nxt[s] >= len(prefs[s]):
            continue
        j = prefs[s][nxt[s]]
        nxt[s] += 1
        held[j].append(s)
        held[j].sort(key=lambda t: host[(t, j)])
        if len(held[j]) > capacity[j]:
            free.append(held[j].pop())
    return {s: j for j, ss in held.items() for s in ss}


def _ours(n, prefs, host, capacity) -> dict[int, int]:
    student = np.array([s for s in range(n) for _ in prefs[s]], np.int64)
    site = np.array([j for s in range(n) for j in prefs[s]], np.int64)
    rank = {}
    for j in range(len(capacity)):  # host keys as positions in each host's order
        for k, s in enumerate(sorted(range(n), key=lambda t: host[(t, j)])):
            rank[(s, j)] = k
    key = np.array([rank[(s, j)] for s, j in zip(student, site)], np.int64)
    match = deferred_acceptance(student, site, key, np.array(capacity, np.int64), n)
    return {s: int(site[p]) for s, p in enumerate(match) if p >= 0}


@settings(max_examples=200, deadline=None)
@given(instances())
def test_vectorised_rounds_equal_one_at_a_time_gale_shapley(instance):
    n, m, prefs, host, capacity = instance
    ours = _ours(n, prefs, host, capacity)
    assert ours == _gale_shapley(n, prefs, host, capacity)
    load = np.bincount(np.array(list(ours.values()), np.int64), minlength=m)
    assert (load <= np.array(capacity)).all()
    for s in range(n):  # no blocking pair
        for j in prefs[s]:
            if s in ours and prefs[s].index(j) >= prefs[s].index(ours[s]):
                break
            there = [t for t, k in ours.items() if k == j]
            assert len(there) >= capacity[j] and all(host[(t, j)] < host[(s, j)] for t in there)
