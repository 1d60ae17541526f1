"""Regional flows (``matcher.solve.regions``): site places shared between académies by one maximum flow.

A named case with shares derived by hand across a real académie border (Lyon / Grenoble), then properties on
random instances whose students are spread over académies: the shares add up to every site's places, the regions'
flows together place as many students as the whole network's maximum flow, and ``allocate`` with regional flows
passes the checker with the same ``placed`` bound as without them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.pipeline.allocate import allocate
from matcher.solve.flow import max_flow, solve_lexicographic
from matcher.solve.network import build_network
from matcher.solve.regions import best_pairs, by_region, maximum, split

from cases import N1, VIENNE, O, placements, site, student
from conftest import assert_valid, levels, run_files
from strategies import SETTINGS, instances, tables

X = (45.64, 4.86)  # between them: 12.2 km from O, 12.8 km from Vienne
REGIONAL = Config(regional_pairs=1, processes=1)  # every flow proving only `placed` is regional


def _flow_of(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, region):
    """One region's flow as the engine solves it: placed first, then priority, preference, distance."""
    net = build_network(
        pairs,
        students["weeks"].to_numpy(object),
        sites["capacity_week_1"].to_numpy(np.int64),
        sites["capacity_week_2"].to_numpy(np.int64),
    )
    outcome = solve_lexicographic(
        net, pairs, students["priority"].to_numpy(bool), ("placed", "priority", "preference", "distance"), prove=False
    )
    return net.read(outcome.flows, pairs), outcome


def test_a_border_site_goes_to_the_academie_whose_student_needs_it(tmp_path):
    # a (Lyon, at O) reaches Z (1.1 km, 1 place) and X (12.2 km, 1 place); b (Grenoble, at Vienne, max 15 km)
    # reaches X only (12.8 km; Z is 26 km away). Every maximum flow places both: b at X, a at Z. So Grenoble's
    # share is X's place (both weeks), Lyon's is Z's; X is also a site of Lyon's region, with no place.
    people = [student("a", O), student("b", VIENNE, max_km=15)]
    st_, si, result = run_files(tmp_path, people, [site("X", X), site("Z", N1)], REGIONAL)
    assert list(st_["academie"]) == ["Lyon", "Grenoble"]
    pairs = candidates(st_, si, REGIONAL).pairs
    value, regions = split(pairs, st_, si, st_["academie"].to_numpy(object))
    assert value == 2
    shares = {
        st_["academie"].iloc[r.students[0]]: dict(zip(si["site_id"].iloc[r.sites], zip(r.cap1, r.cap2)))
        for r in regions
    }
    assert shares == {"Lyon": {"X": (0, 0), "Z": (1, 1)}, "Grenoble": {"X": (1, 1)}}
    placed, outcome = by_region(pairs, st_, si, st_["academie"].to_numpy(object), _flow_of)
    assert sorted(zip(placed["student"], placed["site"], placed["week"])) == [
        (0, 1, 1),
        (0, 1, 2),
        (1, 0, 1),
        (1, 0, 2),
    ]
    assert outcome.levels[0].value == outcome.levels[0].bound == 2
    assert placements(result) == {"a": [("Z", "both")], "b": [("X", "both")]}
    assert (levels(result)["placed"]["value"], levels(result)["placed"]["bound"]) == (2, 2)


def test_one_academie_is_solved_whole(tmp_path):
    st_, si, _ = run_files(tmp_path, [student("a", O)], [site("Z", N1)], REGIONAL)
    pairs = candidates(st_, si, REGIONAL).pairs
    seen = []

    def solve(p, s, t, region):
        seen.append(region)
        return _flow_of(p, s, t, region)

    by_region(pairs, st_, si, st_["academie"].to_numpy(object), solve)
    assert seen == [None]


def _spread(instance, academies: list[int]) -> tuple[pd.DataFrame, pd.DataFrame, Config]:
    """The drawn instance's tables with its students spread over académies (drawn codes, cycled)."""
    students, sites, config = tables(instance)
    names = np.array(["Lyon", "Grenoble", "Clermont-Ferrand"])[np.resize(academies, len(students))]
    return students.assign(academie=names), sites, config


def _spread_pairs(instance, academies: list[int]):
    """``_spread``'s tables, their candidate pairs and the students' académies."""
    students, sites, config = _spread(instance, academies)
    return students, sites, candidates(students, sites, config).pairs, students["academie"].to_numpy(object)


@settings(max_examples=60, **SETTINGS)
@given(instances(), st.lists(st.integers(0, 2), min_size=1, max_size=4))
def test_regions_share_every_place_and_reach_the_maximum_flow(instance, academies):
    students, sites, pairs, key = _spread_pairs(instance, academies)
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    whole = max_flow(build_network(pairs, weeks, cap1, cap2))
    value, regions = split(pairs, students, sites, key)
    assert value == whole
    for week, cap in ((1, cap1), (2, cap2)):
        shared = np.zeros(len(sites), np.int64)
        for r in regions:
            np.add.at(shared, r.sites, r.cap1 if week == 1 else r.cap2)
            assert (np.unique(key[r.students]).size == 1) and set(pairs.iloc[r.rows]["student"]) <= set(r.students)
        reached = np.unique(pairs["site"].to_numpy())
        assert (shared[reached] <= cap[reached]).all()
    placed, outcome = by_region(pairs, students, sites, key, _flow_of)
    assert placed["student"].nunique() == whole == outcome.levels[0].bound
    assert not placed.duplicated(["student", "week"]).any()
    assert set(zip(placed["student"], placed["site"])) <= set(zip(pairs["student"], pairs["site"]))
    for week, cap in ((1, cap1), (2, cap2)):
        assert (np.bincount(placed.loc[placed["week"] == week, "site"], minlength=len(cap)) <= cap).all()


@settings(max_examples=30, **SETTINGS)
@given(instances(), st.lists(st.integers(0, 2), min_size=1, max_size=4))
def test_a_known_maximum_flow_gives_the_same_shares(instance, academies):
    # what widening passes on: the regions are those of the maximum flow split solves itself
    students, sites, pairs, key = _spread_pairs(instance, academies)
    known = maximum(pairs, students, sites)
    (value, given), (again, solved) = split(pairs, students, sites, key, known), split(pairs, students, sites, key)
    assert value == again and len(given) == len(solved)
    for a, b in zip(given, solved):
        assert all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("students", "sites", "rows", "cap1", "cap2"))
    placed, outcome = by_region(pairs, students, sites, key, _flow_of, known=known)
    assert placed["student"].nunique() == known.value == outcome.levels[0].bound


@settings(max_examples=40, **SETTINGS)
@given(instances(), st.lists(st.integers(0, 2), min_size=1, max_size=4))
def test_regional_allocation_passes_the_checker_with_the_same_bound(instance, academies):
    students, sites, config = _spread(instance, academies)
    regional = allocate(students, sites, config.with_options(regional_pairs=1, processes=1))
    whole = allocate(students, sites, config.with_options(regional_pairs=0))
    assert_valid(students, sites, regional, config)
    assert levels(regional)["placed"]["bound"] == levels(whole)["placed"]["bound"]


@settings(max_examples=10, **SETTINGS)
@given(instances(), st.lists(st.integers(0, 2), min_size=2, max_size=4))
def test_regions_in_two_processes_give_the_same_result(instance, academies):
    students, sites, pairs, key = _spread_pairs(instance, academies)
    here = by_region(pairs, students, sites, key, _flow_of)
    forked = by_region(pairs, students, sites, key, _flow_of, processes=2)
    pd.testing.assert_frame_equal(here[0], forked[0])
    assert here[1].levels == forked[1].levels


@settings(max_examples=40, **SETTINGS)
@given(instances(), st.lists(st.integers(0, 2), min_size=1, max_size=4), st.integers(1, 3))
def test_the_best_pairs_still_carry_the_maximum_flow(instance, academies, k):
    # what the engine's first regional flows keep: each student's k first pairs and the maximum flow's, on which
    # the regions' flows still reach the whole network's maximum (by_region raises otherwise)
    students, sites, pairs, key = _spread_pairs(instance, academies)
    known = maximum(pairs, students, sites)
    kept = best_pairs(pairs, known, k)
    rows = set(zip(kept["student"], kept["site"]))
    assert rows <= set(zip(pairs["student"], pairs["site"])) and len(rows) == len(kept)
    assert set(zip(known.placements["student"], known.placements["site"])) <= rows
    for _student, theirs in pairs.groupby("student", sort=False):
        assert set(zip(theirs["student"][:k], theirs["site"][:k])) <= rows
    assert kept.groupby("student").size().to_numpy().max(initial=0) <= k + 2  # two more at most: the flow's two weeks
    placed, outcome = by_region(kept, students, sites, key, _flow_of, known=known)
    assert placed["student"].nunique() == known.value == outcome.levels[0].bound
