"""Widening capped candidate lists (``matcher.solve.widen``): the cap costs no placement, and says so.

Named cases with results derived by hand (geometry of ``test_engine_cases``: around O, Lyon), then a property: on
random instances, with lists capped to the single nearest site per pool and widened, the ``placed`` bound equals
the one of the same instance with every pair kept, and the result passes the checker (``allocate`` runs it).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

from matcher.candidates.search import candidates
from matcher.cli.display import render_summary
from matcher.cli.main import main
from matcher.config import Config
from matcher.domain.groups import find_groups
from matcher.generate.scenario import generate, write_scenario
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate
from matcher.result import BOUNDS_OVER
from matcher.solve.widen import _augmented, _max_flow, _Search, widen
from matcher.util.i18n import use

from cases import E2, N1, N3, O, placements, site, student
from conftest import levels, run_files, status, write_csv
from strategies import SETTINGS, instances, tables

#: The nearest site per student and pool only, always (more than one pair in range caps the lists).
CAPPED = Config(candidate_k=1, max_pairs=1)


def test_the_cap_would_leave_a_student_out_widening_places_both(tmp_path):
    # a and b live at O; S1 (1 place) is 1.1 km away, S2 (1 place) 3.3 km. With the nearest site only, both keep
    # S1: 1 placed. Every pair: 2 placed (one at S1, one at S2). Widening lists b's and a's pairs, the maximum
    # flow over all of them uses S2 for one student: that pair is added, and 2 are placed, the bound proven over
    # all eligible pairs (the later levels only over the kept pairs: the status stays "feasible").
    people = [student("a", O), student("b", O)]
    sites = [site("S1", N1), site("S2", N3)]
    (tmp_path / "off").mkdir()
    (tmp_path / "on").mkdir()
    _, _, off = run_files(tmp_path / "off", people, sites, replace(CAPPED, max_widen_pairs=0))
    assert len(placements(off)) == 1 and levels(off)["placed"]["bound"] == 1
    assert off.summary["solver"]["bounds_over"] == "kept candidate pairs"
    assert off.summary["solver"]["widening"]["skipped"] == "max_widen_pairs is 0"
    _, _, on = run_files(tmp_path / "on", people, sites, CAPPED)
    assert sorted(site for rows in placements(on).values() for site, _ in rows) == ["S1", "S2"]
    assert (levels(on)["placed"]["value"], levels(on)["placed"]["bound"]) == (2, 2)
    assert on.summary["solver"]["widening"] == {
        "placed_bound_all_pairs": 2,
        "placed_bound_kept_pairs": 1,
        "pairs_added": 1,
        "pairs_listed": 2,
        "skipped": "",
        "skipped_reason": "",
        "eligible_pairs_estimate": None,
    }
    assert on.summary["solver"]["bounds_over"] == BOUNDS_OVER[1]
    assert status(on) == "feasible"


def test_more_eligible_pairs_than_max_widen_pairs_widens_nothing(tmp_path):
    # the same two students, 2 eligible pairs each beyond none kept: 4 estimated, above a limit of 3
    people = [student("a", O), student("b", O)]
    sites = [site("S1", N1), site("S2", N3)]
    _, _, r = run_files(tmp_path, people, sites, replace(CAPPED, max_widen_pairs=3))
    widening = r.summary["solver"]["widening"]
    assert widening["skipped"] == "about 4 eligible pairs, more than max_widen_pairs (3)"
    assert (widening["skipped_reason"], widening["eligible_pairs_estimate"]) == ("estimate_above_limit", 4)
    assert len(placements(r)) == 1 and r.summary["solver"]["bounds_over"] == "kept candidate pairs"
    said = "Capped candidate lists not widened: about 4 eligible pairs, more than max_widen_pairs (3)"
    assert said in render_summary(r.summary).splitlines()
    with use("fr"):  # the reason in the reader's language, not summary.json's English
        dit = "Listes de candidats plafonnées non élargies : environ 4 paires éligibles, plus que max_widen_pairs (3)"
        assert dit in render_summary(r.summary).splitlines()


def test_a_group_only_widening_can_place(tmp_path):
    # a (at O) and b (1.6 km east) form a group of 2. Their nearest sites, S1 and S2, host individuals only; G,
    # 3.3 km north of O, hosts groups of 2 and has 2 places. Capped to the nearest site, neither member keeps a
    # site able to host the group: nobody placed. Widened, both keep G and go there together.
    people = [student("a", O, group_id="g"), student("b", E2, group_id="g")]
    sites = [site("S1", O), site("S2", E2), site("G", N3, capacity=2, max_group_size=2)]
    _, _, r = run_files(tmp_path, people, sites, CAPPED)
    assert placements(r) == {"a": [("G", "both")], "b": [("G", "both")]}
    assert levels(r)["placed"]["bound"] == 2


def test_nothing_capped_nothing_widened(tmp_path):
    _, _, r = run_files(tmp_path, [student("a", O)], [site("S1", N1), site("S2", N3)])
    assert r.summary["solver"]["bounds_over"] == BOUNDS_OVER[0] and "widening" not in r.summary["solver"]


@settings(max_examples=40, **SETTINGS)
@given(instances())
def test_widened_lists_reach_the_placed_bound_of_all_pairs(instance):
    students, sites, config = tables(instance)
    every = allocate(students, sites, config)
    capped = allocate(students, sites, config.replace(candidate_k=1, max_pairs=1))
    bound = levels(capped)["placed"]["bound"]
    assert bound == levels(every)["placed"]["bound"]
    widening = capped.summary["solver"].get("widening")
    if widening is not None:
        assert widening["placed_bound_all_pairs"] == bound >= widening["placed_bound_kept_pairs"]


@settings(max_examples=40, **SETTINGS)
@given(instances())
def test_the_last_maximum_flow_is_one_of_the_widened_pairs(instance):
    # the engine shares places out with it instead of solving it again: it must be a flow of the widened network
    # (each student once, both weeks at most, on widened pairs, within each week's places) carrying the bound
    students, sites, config = tables(instance)
    config = config.replace(candidate_k=1, max_pairs=1)
    widening = widen(candidates(students, sites, config), students, sites, config)
    if widening.maximum is None:
        assert widening.placed_bound is None
        return
    rows = widening.maximum.placements
    assert widening.maximum.value == widening.placed_bound == rows["student"].nunique()
    assert not rows.duplicated(["student", "week"]).any()
    pairs = widening.candidates.pairs
    assert set(zip(rows["student"], rows["site"])) <= set(zip(pairs["student"], pairs["site"]))
    for week in (1, 2):
        used = np.bincount(rows.loc[rows["week"] == week, "site"], minlength=len(sites))
        assert (used <= sites[f"capacity_week_{week}"].to_numpy()).all()


def test_the_screen_says_what_widening_did(tmp_path):
    students = write_csv(tmp_path / "students.csv", [student("a", O), student("b", O)])
    sites = write_csv(tmp_path / "sites.csv", [site("S1", N1), site("S2", N3)])
    policy = tmp_path / "policy.toml"
    policy.write_text("candidate_k = 1\nmax_pairs = 1\n", encoding="utf-8")
    out = CliRunner().invoke(
        main,
        [
            "allocate",
            "--students",
            str(students),
            "--sites",
            str(sites),
            "--config",
            str(policy),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert f"Bounds proven over: {BOUNDS_OVER[1]}" in out.output
    assert (
        "Capped candidate lists widened: 1 pairs added; most placed over all eligible pairs 2 (over the kept "
        "pairs 1)" in out.output
    )


def _rounds(students, sites, config, cands):
    """Widening's rounds done by hand, checking on each that searching only the ends that changed sides finds
    the same crossing pairs as searching everything again; the last flow and the number of augmentations."""
    groups = find_groups(students)
    truncated = groups.with_mates(np.flatnonzero(cands.truncated))
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    flow, seen, rounds = _max_flow(cands.pairs[["student", "site"]].astype(np.int64), weeks, cap1, cap2), None, 0
    while len(truncated):
        found = _Search(students, sites, config, truncated, groups).crossing(flow, seen)
        again = _Search(students, sites, config, truncated, groups).crossing(flow)
        assert set(zip(found["student"], found["site"])) == set(zip(again["student"], again["site"]))
        if found.empty:
            break
        flow, seen, rounds = _augmented(flow, found, weeks, cap1, cap2, look=rounds > 0), flow.side, rounds + 1
    return flow, rounds


@settings(max_examples=40, **SETTINGS)
@given(instances())
def test_searching_only_the_ends_that_changed_sides_finds_every_crossing_pair(instance):
    # after the first round, widening searches only the students and sites whose side of the cut changed: on
    # each round that finds the same crossing pairs as searching everything again, and the flow ends on the bound
    # of every pair kept
    students, sites, config = tables(instance)
    every = levels(allocate(students, sites, config))["placed"]["bound"]
    config = config.replace(candidate_k=1, max_pairs=1)
    cands = candidates(students, sites, config)
    flow, _ = _rounds(students, sites, config, cands)
    assert not cands.truncated.any() or flow.value == every


@pytest.mark.parametrize("seed, k", [(2, 2), (7, 1), (8, 3)])
def test_several_rounds_on_the_real_map_reach_the_maximum_over_every_pair(tmp_path, seed, k):
    # generated scenarios on the real map (1,500 students, 400 sites) whose capped lists take two or three
    # rounds, some of which the breadth-first search shows cannot augment: each round's search of the changed
    # ends finds every crossing pair, and the last flow carries the maximum flow over every eligible pair
    paths = write_scenario(*generate(1500, 400, seed=seed, places=1400), tmp_path)
    config = Config(candidate_k=k, max_pairs=1)
    students, sites = load_inputs(*paths, config)
    flow, rounds = _rounds(students, sites, config, candidates(students, sites, config))
    everything = candidates(students, sites, config.replace(candidate_k=0)).pairs[["student", "site"]]
    weeks = students["weeks"].to_numpy(object)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    assert rounds >= 2 and flow.value == _max_flow(everything.astype(np.int64), weeks, cap1, cap2).value
    assert widen(candidates(students, sites, config), students, sites, config).placed_bound == flow.value
