"""Groups (``group_id``): hosted whole, at one site, for the same weeks, within ``max_group_size`` — or not at all.

Named cases with results derived by hand in the comments; every result also passes the independent checker with
its group rules (``conftest.assert_valid``). Geometry as in ``test_engine_cases``: around O = (45.75, 4.85).
"""

from __future__ import annotations

from click.testing import CliRunner

from matcher.cli.main import main

from cases import N1, N3, N5, O, placements, reasons, site, student
from conftest import levels, run_files, write_csv


def test_a_group_that_fits_only_at_one_site_goes_there(tmp_path):
    # Group G (g1, g2, g3) at O. B (N1, 3 places) is nearest but takes individuals only (max_group_size 1);
    # C (N3, max_group_size 3) has 2 places: too few; A (N5, 3 places, max_group_size 3) is the one site for G.
    # Lone student x at O goes to the nearest site left, B. Placed 4 of 4.
    grp = [student(f"g{i}", O, group_id="G") for i in (1, 2, 3)]
    sites = [site("B", N1, 3), site("C", N3, 2, max_group_size=3), site("A", N5, 3, max_group_size=3)]
    _, _, r = run_files(tmp_path, grp + [student("x", O)], sites)
    assert placements(r) == {"g1": [("A", "both")], "g2": [("A", "both")], "g3": [("A", "both")], "x": [("B", "both")]}
    assert levels(r)["placed"]["value"] == 4


def test_a_group_too_large_for_every_site_is_not_placed_and_says_why(tmp_path):
    # Group G of 3; the only site takes groups of at most 2: no member is placed (GROUP_TOO_LARGE), and the
    # site's 3 places go to the lone students y and z instead of standing empty.
    grp = [student(f"g{i}", O, group_id="G") for i in (1, 2, 3)]
    _, _, r = run_files(tmp_path, grp + [student("y", O), student("z", O)], [site("S", N1, 3, max_group_size=2)])
    assert placements(r) == {"y": [("S", "both")], "z": [("S", "both")]}
    assert reasons(r) == {"g1": "GROUP_TOO_LARGE", "g2": "GROUP_TOO_LARGE", "g3": "GROUP_TOO_LARGE"}


def test_two_groups_one_site_the_larger_group_is_placed_whole(tmp_path):
    # G1 (3 members) and G2 (2 members) both fit only at A (3 places, max_group_size 3). A lone student f goes to
    # B (2 places, individuals only). Most students placed: G1 whole (3) + f = 4 > G2 (2) + f = 3; G2 has no
    # room left: GROUP_NO_ROOM. Nobody is placed partly.
    g1 = [student(f"a{i}", O, group_id="G1") for i in (1, 2, 3)]
    g2 = [student(f"b{i}", O, group_id="G2") for i in (1, 2)]
    sites = [site("A", N1, 3, max_group_size=3), site("B", N3, 2)]
    _, _, r = run_files(tmp_path, g2 + g1 + [student("f", O)], sites)
    assert placements(r) == {"a1": [("A", "both")], "a2": [("A", "both")], "a3": [("A", "both")], "f": [("B", "both")]}
    assert reasons(r) == {"b1": "GROUP_NO_ROOM", "b2": "GROUP_NO_ROOM"}


def test_a_group_goes_where_every_member_may_go(tmp_path):
    # m1 asks for trade numerique, m2 for electricite. X (nearer, max_group_size 2) offers only numerique; Y
    # offers both: the group goes to Y, even though X is nearer for m1.
    grp = [student("m1", O, group_id="G", sectors="numerique"), student("m2", O, group_id="G", sectors="electricite")]
    sites = [
        site("X", N1, 2, max_group_size=2, sectors="numerique"),
        site("Y", N5, 2, max_group_size=2, sectors="numerique|electricite"),
    ]
    _, _, r = run_files(tmp_path, grp, sites)
    assert placements(r) == {"m1": [("Y", "both")], "m2": [("Y", "both")]}


def test_group_members_asking_for_different_weeks_are_an_input_error(tmp_path):
    s = write_csv(
        tmp_path / "students.csv", [student("g1", O, group_id="G"), student("g2", O, group_id="G", weeks="week_1")]
    )
    t = write_csv(tmp_path / "sites.csv", [site("A", N1, 2, max_group_size=2)])
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["allocate", "--students", str(s), "--sites", str(t), "--out", str(out)])
    assert res.exit_code == 2
    assert "students.csv, row 3, column weeks: group member's weeks differs" in res.output
    assert not out.exists()


def test_stable_mode_hosts_groups_whole_or_not_at_all(tmp_path):
    # A has 2 places and takes groups of 2. The priority student p and the group G (g1, g2) ask for A; hosts
    # rank priority students first, so deferred acceptance keeps p and one member of G: a group placed in part,
    # which is taken out. p stays at A, G is not placed (GROUP_NO_ROOM) and A's second place stays free: each
    # member then blocks with A, and blocking_pairs says so.
    from matcher.config import Config

    people = [student("g1", O, group_id="G"), student("g2", O, group_id="G"), student("p", N3, priority=True)]
    _, _, r = run_files(tmp_path, people, [site("A", N1, 2, max_group_size=2)], Config(mode="stable"))
    assert placements(r) == {"p": [("A", "both")]}
    assert reasons(r) == {"g1": "GROUP_NO_ROOM", "g2": "GROUP_NO_ROOM"}
    assert r.summary["groups"]["groups_partly_placed"] == 0
    assert r.summary["blocking_pairs"] == 2
