"""``matcher.util.parallel``: pieces run in forked processes come back in order, equal to running them here; the
candidate search shared between processes finds the same pairs."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.generate.scenario import generate, write_scenario
from matcher.load import load_inputs
from matcher.util import parallel


def test_pieces_come_back_in_order_and_equal_to_running_here():
    data = np.arange(100_000, dtype=np.int64)  # read by the forked processes from the parent's memory

    def piece(i: int) -> tuple[int, int]:
        return os.getpid(), int(data[i::7].sum())

    here = parallel.run(piece, 7, 1)
    forked = parallel.run(piece, 7, 2, first=[6, 5, 4, 3, 2, 1, 0])
    assert [s for _, s in forked] == [s for _, s in here] == [int(data[i::7].sum()) for i in range(7)]
    assert {p for p, _ in here} == {os.getpid()}
    if parallel.can_fork():
        assert os.getpid() not in {p for p, _ in forked}


def test_a_single_piece_runs_beside_the_block_when_started():
    # ``run`` does one piece here (nothing to share), ``started`` in a forked process while its block runs here
    assert parallel.run(lambda i: os.getpid(), 1, 2) == [os.getpid()]
    with parallel.started(lambda i: (os.getpid(), i * 10), 1, 2) as results:
        here = os.getpid()
        (pid, value), *rest = results()
    assert value == 0 and rest == []
    assert (pid != here) == parallel.can_fork()
    with parallel.started(lambda i: os.getpid(), 1, 1) as results:
        assert results() == [os.getpid()]


def test_a_failing_piece_raises_here():
    def piece(i: int) -> int:
        if i == 2:
            raise ValueError("piece 2 failed")
        return i

    with pytest.raises(ValueError, match="piece 2 failed"):
        parallel.run(piece, 4, 2)


def test_processes_default_to_the_cores():
    assert parallel.processes_of(Config()) == parallel.cores() >= 1
    assert parallel.processes_of(Config(processes=3)) == 3


def test_candidates_shared_between_processes_are_the_same(tmp_path):
    # more than two pieces of students: the search is shared out between two processes, the same pairs
    students, sites = load_inputs(*write_scenario(*generate(21_000, 4_000, seed=3), tmp_path), Config())
    here = candidates(students, sites, Config(processes=1))
    shared = candidates(students, sites, Config(processes=2))
    pd.testing.assert_frame_equal(here.pairs, shared.pairs)
    assert np.array_equal(here.truncated, shared.truncated) and np.array_equal(here.alone, shared.alone)
    assert here.k == shared.k == Config().candidate_k and here.truncated.any()


def test_candidates_searched_in_pieces_by_point_are_the_same(tmp_path):
    # the shared search itself on fewer students than where it is used: pieces made of the students of a share of
    # the points, merged back by student
    from matcher.candidates.search import _shared, site_index
    from matcher.domain.groups import find_groups

    students, sites = load_inputs(*write_scenario(*generate(6_000, 1_500, seed=5), tmp_path), Config())
    for ranked, k in ((True, 3), (False, 3), (True, 0)):
        here = candidates(students, sites, Config(processes=1), k=k, ranked=ranked)
        everyone, index = np.arange(len(students)), site_index(sites)
        shared = _shared(students, sites, Config(processes=2), k, everyone, ranked, index, find_groups(students))
        pd.testing.assert_frame_equal(here.pairs, shared.pairs)
        assert np.array_equal(here.truncated, shared.truncated) and np.array_equal(here.alone, shared.alone)
