"""Named small allocations with optima computed by hand.

Each case writes real input files in the contract's columns, loads them with ``load_inputs`` and runs
``allocate``; the result is checked again with the independent checker, every student must appear exactly once,
and the expected allocation and objective values are derived in the comments. The lexicographic order is
``placed`` (max) > ``priority`` (max) > ``preference`` (min, sum of ranks over student-weeks: a full-time student
counts its rank twice) > ``distance`` (min, metres rounded per pair, over student-weeks) > ``splits``.

Geometry: everything sits around O = (45.75, 4.85) in Lyon. On the sphere of radius 6,371.0088 km,
0.01° of latitude is 1.11195 km and 0.01° of longitude at this latitude is 0.77591 km. Distances quoted in
comments are rounded; the assertions use geopy's ``great_circle`` (``conftest.gc_km``).
"""

from __future__ import annotations

import pytest

from matcher.config import Config, Objective

from cases import (
    AIN,
    E1,
    E2,
    N1,
    N3,
    N5,
    N10,
    N45,
    PARC,
    SAINT_JUST,
    VIENNE,
    O,
    assert_km,
    assert_optimal,
    placements,
    reasons,
    row,
    site,
    student,
)
from conftest import levels, metres, run_files, status

# --- competition for one place -------------------------------------------------------------------------------


def test_two_students_one_full_time_place_the_nearer_wins(tmp_path):
    # S at O, 1 full-time place. NEAR at N1 (1.112 km), FAR at N5 (5.560 km); both within the default 30 km.
    # placed: 1 either way; priority: 0 either way; preference: both have rank c+1 = 1 (no choices, no trades),
    # counted for two weeks = 2 either way; distance: NEAR 2 x 1,112 m = 2,224 m < FAR 2 x 5,560 m -> NEAR.
    _, _, r = run_files(tmp_path, [student("FAR", N5), student("NEAR", N1)], [site("S", O)])
    assert placements(r) == {"NEAR": [("S", "both")]}
    assert reasons(r) == {"FAR": "CAPACITY_TAKEN"}
    assert_km(r, "NEAR", "both", N1, O)
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N1, O))
    assert 2 * metres(N1, O) == 2224
    c = r.summary["counts"]
    assert (c["students"], c["placed"], c["placed_full_time"], c["not_placed"]) == (2, 1, 1, 1)


def test_a_priority_student_beats_a_nearer_one(tmp_path):
    # Same geometry, FAR is a priority student. placed: 1 either way; priority: FAR placed -> 1 > 0, so FAR
    # wins before preference or distance are looked at. Distance 2 x 5,560 m.
    _, _, r = run_files(tmp_path, [student("NEAR", N1), student("FAR", N5, priority=True)], [site("S", O)])
    assert placements(r) == {"FAR": [("S", "both")]}
    assert reasons(r) == {"NEAR": "CAPACITY_TAKEN"}
    assert_km(r, "FAR", "both", N5, O)
    assert_optimal(r, placed=1, priority=1, preference=2, distance_m=2 * metres(N5, O))
    assert 2 * metres(N5, O) == 11120


def test_placing_one_more_student_costs_distance(tmp_path):
    # S1 at N1, S2 at N10. A at O reaches both (default 30 km): 1.112 km to S1, 11.120 km to S2.
    # B at N3 with max_km 3 reaches S1 (2.224 km) only (S2 is 7.784 km away).
    # A at S1 (2,224 m over two weeks) places 1; A at S2 and B at S1 places 2: placed comes first, so
    # A -> S2, B -> S1, distance 2 x (11,120 + 2,224) = 26,688 m although A alone would travel 1.1 km.
    _, _, r = run_files(tmp_path, [student("A", O), student("B", N3, max_km=3)], [site("S1", N1), site("S2", N10)])
    assert placements(r) == {"A": [("S2", "both")], "B": [("S1", "both")]}
    assert_km(r, "A", "both", O, N10)
    assert_km(r, "B", "both", N3, N1)
    assert_optimal(r, placed=2, priority=0, preference=4, distance_m=2 * (metres(O, N10) + metres(N3, N1)))
    assert 2 * (metres(O, N10) + metres(N3, N1)) == 26688


# --- weeks: split, one-week students, full time only ---------------------------------------------------------


def test_week_specific_sites_make_a_split(tmp_path):
    # A at N1 has a week-1 place only, B at E2 a week-2 place only. X at O (split_ok defaults to true) can only be
    # placed by splitting: week 1 at A (1.112 km), week 2 at B (1.552 km). Preference 1 + 1 = 2,
    # distance 1,112 + 1,552 = 2,664 m; one split (the splits level is a tie-break).
    _, _, r = run_files(
        tmp_path,
        [student("X", O)],
        [
            site("A", N1, None, capacity_week_1=1, capacity_week_2=0),
            site("B", E2, None, capacity_week_1=0, capacity_week_2=1),
        ],
    )
    assert placements(r) == {"X": [("A", "week_1"), ("B", "week_2")]}
    w1, w2 = row(r, "X", "week_1"), row(r, "X", "week_2")
    assert (w1["start_date"], w1["end_date"], w2["start_date"], w2["end_date"]) == (
        "2026-06-15",
        "2026-06-19",
        "2026-06-22",
        "2026-06-26",
    )
    assert (w1["preference_rank"], w2["preference_rank"]) == (1, 1)
    assert_km(r, "X", "week_1", O, N1)
    assert_km(r, "X", "week_2", O, E2)
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=metres(O, N1) + metres(O, E2))
    assert metres(O, N1) + metres(O, E2) == 2664
    splits = levels(r)["splits"]
    assert splits["value"] == 1 and (splits["bound"] is None or splits["bound"] <= 1)
    assert r.summary["counts"]["placed_split"] == 1


def test_split_not_allowed_leaves_the_student_out(tmp_path):
    # Same sites, X may not split: no site offers both weeks, so X cannot be placed at all (optimum: 0 placed).
    # The reason is about places: NO_ELIGIBLE_SITE ("no place in the weeks needed") or CAPACITY_TAKEN (when the
    # engine counts A and B as eligible). Both half-places stay unused.
    _, _, r = run_files(
        tmp_path,
        [student("X", O, split_ok=False)],
        [
            site("A", N1, None, capacity_week_1=1, capacity_week_2=0),
            site("B", E2, None, capacity_week_1=0, capacity_week_2=1),
        ],
    )
    assert r.assignments.empty
    assert reasons(r)["X"] in ("CAPACITY_TAKEN", "NO_ELIGIBLE_SITE")
    placed = levels(r)["placed"]
    assert placed["value"] == 0
    assert placed["bound"] is not None and placed["bound"] >= 0  # a valid bound (the relaxation may say 1)
    assert (status(r) == "optimal") == (placed["bound"] == 0)
    assert sum(r.summary["unused_places"].values()) == 1.0  # half of A + half of B


def test_a_student_who_may_not_split_takes_a_free_full_time_place(tmp_path):
    # As above, plus C at N10 with a full-time place (11.120 km from X). X may not split, so A/B is not an
    # option; C is eligible and free: the only optimum places X full time at C (placed 1, preference 2,
    # distance 2 x 11,120 m). Leaving X out would place 0 although a free eligible place exists.
    _, _, r = run_files(
        tmp_path,
        [student("X", O, split_ok=False)],
        [
            site("A", N1, None, capacity_week_1=1, capacity_week_2=0),
            site("B", E2, None, capacity_week_1=0, capacity_week_2=1),
            site("C", N10, 1),
        ],
    )
    assert placements(r) == {"X": [("C", "both")]}
    assert_km(r, "X", "both", O, N10)
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(O, N10))


def test_no_student_left_out_next_to_a_free_full_time_place(tmp_path):
    # Sites A at N1, C at E2, D at N10: one place each week. Y1 (week 2 only) sits on A and Y2 (week 1 only) on C,
    # both with max_km 0.5: Y1 reaches A only, Y2 reaches C only. X at O may not split and reaches all three
    # (1.112, 1.552, 11.120 km). A and C can each take X full time only by refusing Y1 or Y2; D is free.
    # Optimum: Y1 at A week 2, Y2 at C week 1, X full time at D -> placed 3, preference 1 + 1 + 2 = 4,
    # distance 0 (Y1 sits on A) + 0 (Y2 on C) + 2 x 11,120 m = 22,240 m. Whatever the method, no student may be
    # left out while an eligible site has a free place for every week they need (D is such a place for X).
    _, _, r = run_files(
        tmp_path,
        [
            student("X", O, split_ok=False),
            student("Y1", N1, weeks="week_2", max_km=0.5),
            student("Y2", E2, weeks="week_1", max_km=0.5),
        ],
        [site("A", N1), site("C", E2), site("D", N10)],
    )
    assert placements(r) == {"X": [("D", "both")], "Y1": [("A", "week_2")], "Y2": [("C", "week_1")]}
    assert levels(r)["placed"]["value"] == 3
    assert (levels(r)["preference"]["value"], levels(r)["distance"]["value"]) == (4, 2 * metres(O, N10))
    assert 2 * metres(O, N10) == 22240


def test_a_split_refused_by_a_full_time_only_site_falls_back_on_a_free_site(tmp_path):
    # F at N1 is full time only with 1 place in week 1 and 2 in week 2; B at E2 has 1 full-time place.
    # P (priority, may not split) sits on F with max_km 1.5: F is its only site (B is 1.9 km away).
    # X at O chose F (rank 1 there; B is rank 2). A split B week 1 + F week 2 would cost X rank 2 + 1 = 3 < 4, but
    # a split may not touch F; F full time would take P's week-1 place. Optimum: P at F, X full time at B:
    # placed 2, priority 1, preference 2 x 1 + 2 x 2 = 6, distance 0 + 2 x 1,552 = 3,104 m.
    _, _, r = run_files(
        tmp_path,
        [student("P", N1, priority=True, split_ok=False, max_km=1.5), student("X", O, site_choices=("F",))],
        [site("F", N1, None, capacity_week_1=1, capacity_week_2=2, full_time_only=True), site("B", E2, 1)],
    )
    # (The relaxation's preference bound is 5, from the forbidden split: proving 6 optimal is not required.)
    assert placements(r) == {"P": [("F", "both")], "X": [("B", "both")]}
    lv = levels(r)
    assert [lv[n]["value"] for n in ("placed", "priority", "preference", "distance")] == [2, 1, 6, 3104]
    assert 2 * metres(O, E2) == 3104
    assert lv["placed"]["gap"] == 0.0 and lv["priority"]["gap"] == 0.0


def test_no_student_left_out_while_a_full_time_only_site_has_room(tmp_path):
    # W has 1 place in week 1 only; A and B are full time only with 2 places each week. Distances (km):
    #         W      A      B
    #   P   0.890  3.097  1.032   max_km 1.5: W or B
    #   Q   2.684  5.423  3.379   default 30 km: all; chose W (rank 1; A and B rank 2)
    #   R   2.065  4.845  2.830   max_km 4, may not split: B only (W has no week 2, A is too far)
    # A split may not touch A or B, and W alone cannot host a full-time student, so everyone is full time at A
    # or B. P and R only fit at B (2 places), so Q must go to A: placed 3 (the only way), preference
    # 2 x 1 + 2 x 1 + 2 x 2 = 8, distance 2 x (1,032 + 2,830 + 5,423) = 18,570 m. Leaving Q out would leave
    # A's two places unused although Q may take one.
    w, a, b = (45.720, 4.836), (45.716, 4.800), (45.724, 4.824)
    p, q, r_ = (45.728, 4.836), (45.732, 4.866), (45.728, 4.860)
    _, _, r = run_files(
        tmp_path,
        [student("P", p, max_km=1.5), student("Q", q, site_choices=("W",)), student("R", r_, max_km=4, split_ok=False)],
        [
            site("W", w, None, capacity_week_1=1, capacity_week_2=0),
            site("A", a, 2, full_time_only=True),
            site("B", b, 2, full_time_only=True),
        ],
    )
    assert [metres(x, y) for x, y in ((p, b), (r_, b), (q, a))] == [1032, 2830, 5423]
    assert placements(r) == {"P": [("B", "both")], "Q": [("A", "both")], "R": [("B", "both")]}
    lv = levels(r)
    assert [lv[n]["value"] for n in ("placed", "preference", "distance")] == [3, 8, 18570]
    assert lv["placed"]["gap"] == 0.0


def test_full_time_only_site_refuses_a_one_week_student(tmp_path):
    # F at O is full time only, 1 place. W (week_1 only) at N1 is nearer than Z (both weeks) at N5, but a
    # one-week row may not go to a full-time-only site: W has no eligible site (NO_ELIGIBLE_SITE: a site is in
    # range, no trade asked, nothing reserved -- the place does not fit its weeks). Z takes F full time.
    _, _, r = run_files(
        tmp_path, [student("W", N1, weeks="week_1"), student("Z", N5)], [site("F", O, 1, full_time_only=True)]
    )
    assert placements(r) == {"Z": [("F", "both")]}
    assert reasons(r) == {"W": "NO_ELIGIBLE_SITE"}
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N5, O))


def test_full_time_only_site_refuses_a_split(tmp_path):
    # F at N3 is full time only (1 place); B at E1 has a week-2 place only. X at O may split, but a split may not
    # touch F. The relaxation prefers F week 1 + B week 2 (3,336 + 776 = 4,112 m) to F full time
    # (2 x 3,336 = 6,672 m); the only valid placement is F full time: placed 1, preference 2, distance 6,672 m.
    # Y at N5 with max_km 1 reaches nothing (F is 2.224 km away) -> NO_SITE_IN_RANGE.
    _, _, r = run_files(
        tmp_path,
        [student("X", O), student("Y", N5, max_km=1)],
        [site("F", N3, 1, full_time_only=True), site("B", E1, None, capacity_week_1=0, capacity_week_2=1)],
    )
    assert placements(r) == {"X": [("F", "both")]}
    assert reasons(r) == {"Y": "NO_SITE_IN_RANGE"}
    lv = levels(r)
    assert (lv["placed"]["value"], lv["preference"]["value"], lv["distance"]["value"]) == (1, 2, 6672)
    assert 2 * metres(O, N3) == 6672
    assert lv["placed"]["gap"] == 0.0 and lv["preference"]["gap"] == 0.0
    assert (status(r) == "optimal") == (lv["distance"]["bound"] == 6672)  # optimal only when it is proven


def test_a_one_week_student_takes_the_last_week_1_place(tmp_path):
    # A at O has 1 place each week. X (both weeks) at N1 and Y (week_1 only) at N5 both want A's one week-1 place:
    # placed 1 either way, priority 0; preference counts student-weeks: X full time = 1 + 1 = 2, Y = 1, so Y wins
    # although X is nearer. Y's row: week_1, 15-19 June 2026, 5.560 km, rank 1. A's week-2 place stays free.
    _, _, r = run_files(tmp_path, [student("X", N1), student("Y", N5, weeks="week_1")], [site("A", O)])
    assert placements(r) == {"Y": [("A", "week_1")]}
    assert reasons(r) == {"X": "CAPACITY_TAKEN"}
    y = row(r, "Y", "week_1")
    assert (y["start_date"], y["end_date"], y["preference_rank"]) == ("2026-06-15", "2026-06-19", 1)
    assert_km(r, "Y", "week_1", N5, O)
    assert_optimal(r, placed=1, priority=0, preference=1, distance_m=metres(N5, O))
    assert r.summary["counts"]["placed_one_week"] == 1


def test_two_one_week_students_share_a_full_time_place(tmp_path):
    # A at O has 1 place each week; P wants week 1 only, Q week 2 only: both fit (placed 2), preference 1 + 1,
    # distance 1,112 (P at N1) + 5,560 (Q at N5) metres.
    _, _, r = run_files(tmp_path, [student("P", N1, weeks="week_1"), student("Q", N5, weeks="week_2")], [site("A", O)])
    assert placements(r) == {"P": [("A", "week_1")], "Q": [("A", "week_2")]}
    q = row(r, "Q", "week_2")
    assert (q["start_date"], q["end_date"]) == ("2026-06-22", "2026-06-26")
    assert_optimal(r, placed=2, priority=0, preference=2, distance_m=metres(N1, O) + metres(N5, O))
    assert r.summary["counts"]["places_used"] == 1.0


# --- reservations and accessibility ---------------------------------------------------------------------------


def test_reserved_priority_site_stays_empty_rather_than_take_a_non_priority_student(tmp_path):
    # R at O is reserved to priority students, 2 places. N (not priority) at N1 is refused; P (priority) at N5
    # takes one place; the other stays empty. N had no other site: NO_ELIGIBLE_SITE (in range but reserved).
    _, _, r = run_files(
        tmp_path, [student("N", N1), student("P", N5, priority=True)], [site("R", O, 2, reserved_priority=True)]
    )
    assert placements(r) == {"P": [("R", "both")]}
    assert reasons(r) == {"N": "NO_ELIGIBLE_SITE"}
    assert_optimal(r, placed=1, priority=1, preference=2, distance_m=2 * metres(N5, O))
    assert r.summary["counts"]["places_used"] == 1.0


def test_reserved_priority_site_alone_places_nobody(tmp_path):
    # The only site is reserved to priority students and nobody is one: nobody is placed, nothing is offered.
    _, _, r = run_files(tmp_path, [student("N", N1)], [site("R", O, 1, reserved_priority=True)])
    assert r.assignments.empty and reasons(r) == {"N": "NO_ELIGIBLE_SITE"}
    assert status(r) in ("empty", "optimal")  # nothing to allocate


def test_reserved_lycees(tmp_path):
    # L at O is reserved to the Lycée du Parc (0690026D), 1 place; M at N10 is open to all, 1 place.
    # U1 (Parc) lives at N5; U2 (Saint-Just) and U3 (no lycée given) live at N1 with max_km 3, so they reach L
    # (1.112 km) but not M (10.008 km). Only U1 may take L, and U2/U3 have no other site: placed 1 (U1).
    # U1 is 5,560 m from L and from M alike (N5 is half way) with rank 1 at both: either site is optimal,
    # preference 2, distance 2 x 5,560 m. U2 and U3 are never at L: NO_ELIGIBLE_SITE (in range, reserved).
    # Students are located by lat/lon; lycee_uai only decides the reservation.
    _, _, r = run_files(
        tmp_path,
        [
            student("U1", N5, lycee_uai=PARC),
            student("U2", N1, lycee_uai=SAINT_JUST, max_km=3),
            student("U3", N1, max_km=3),
        ],
        [site("L", O, 1, reserved_lycees=(PARC,)), site("M", N10, 1)],
    )
    assert list(placements(r)) == ["U1"]
    assert reasons(r) == {"U2": "NO_ELIGIBLE_SITE", "U3": "NO_ELIGIBLE_SITE"}
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N5, O))
    assert metres(N5, O) == metres(N5, N10) == 5560


def test_reserved_lycees_or_priority(tmp_path):
    # B at O is reserved to the Lycée du Parc and to priority students, 2 places. P (priority, Saint-Just) at N1
    # and U (Parc, not priority) at N5 both qualify; V (Saint-Just, not priority) at N1 does not.
    _, _, r = run_files(
        tmp_path,
        [
            student("P", N1, lycee_uai=SAINT_JUST, priority=True),
            student("U", N5, lycee_uai=PARC),
            student("V", N1, lycee_uai=SAINT_JUST),
        ],
        [site("B", O, 2, reserved_priority=True, reserved_lycees=(PARC,))],
    )
    assert placements(r) == {"P": [("B", "both")], "U": [("B", "both")]}
    assert reasons(r) == {"V": "NO_ELIGIBLE_SITE"}
    assert_optimal(r, placed=2, priority=1, preference=4, distance_m=2 * (metres(N1, O) + metres(N5, O)))


def test_accessibility(tmp_path):
    # N at O is not accessible, Y at N5 is (1 place each). ACC (needs an accessible site) at N1 must go to Y
    # (4.448 km) although N is nearer; PLAIN at E1 takes N. Both placed: preference 4,
    # distance 2 x (4,448 + 776) m. LONELY at N10 with max_km 2 needs an accessible site: none in range at all
    # (Y is 5.6 km away, N 11 km) -> NO_SITE_IN_RANGE; HERMIT at O with max_km 2 needs one and has N only in
    # range -> NO_ACCESSIBLE_SITE.
    _, _, r = run_files(
        tmp_path,
        [
            student("ACC", N1, needs_accessible=True),
            student("PLAIN", E1),
            student("LONELY", N10, max_km=2, needs_accessible=True),
            student("HERMIT", O, max_km=2, needs_accessible=True),
        ],
        [site("N", O, 1, accessible=False), site("Y", N5, 1, accessible=True)],
    )
    assert placements(r) == {"ACC": [("Y", "both")], "PLAIN": [("N", "both")]}
    assert reasons(r) == {"LONELY": "NO_SITE_IN_RANGE", "HERMIT": "NO_ACCESSIBLE_SITE"}
    assert_km(r, "ACC", "both", N1, N5)
    assert_optimal(r, placed=2, priority=0, preference=4, distance_m=2 * (metres(N1, N5) + metres(E1, O)))
    assert metres(N1, N5) == 4448


# --- trades, choices, distance limits --------------------------------------------------------------------------


def test_no_sector_match(tmp_path):
    # The only site (O) offers electricite; T at N1 asks for numerique only -> NO_SECTOR_MATCH.
    # E at N5 asks for electricite then numerique and takes it (rank 1).
    _, _, r = run_files(
        tmp_path,
        [student("T", N1, sectors=("numerique",)), student("E", N5, sectors=("electricite", "numerique"))],
        [site("S", O, 1, sectors=("electricite",))],
    )
    assert placements(r) == {"E": [("S", "both")]}
    assert reasons(r) == {"T": "NO_SECTOR_MATCH"}
    assert row(r, "E", "both")["preference_rank"] == 1
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N5, O))


def test_first_trade_beats_distance(tmp_path):
    # T at O lists electricite then numerique. NUM at E1 (0.776 km) offers numerique: rank 2; ELEC at N5
    # (5.560 km) offers electricite: rank 1. Preference before distance: ELEC (2 x 1 = 2 < 2 x 2 = 4).
    _, _, r = run_files(
        tmp_path,
        [student("T", O, sectors=("electricite", "numerique"))],
        [site("NUM", E1, 1, sectors=("numerique",)), site("ELEC", N5, 1, sectors=("electricite",))],
    )
    assert placements(r) == {"T": [("ELEC", "both")]}
    assert row(r, "T", "both")["preference_rank"] == 1
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(O, N5))


def test_site_choice_beats_distance_and_the_distance_limit(tmp_path):
    # C at O chose FAR (N45, 50.038 km: beyond the default 30 km, but a named choice is exempt); NEAR at E1
    # (0.776 km). Ranks: FAR is choice 1 -> rank 1; NEAR has no trade rule -> rank c + 1 = 2.
    # Preference 2 x 1 = 2 beats 2 x 2 = 4, so C goes 50 km away.
    _, _, r = run_files(tmp_path, [student("C", O, site_choices=("FAR",))], [site("NEAR", E1), site("FAR", N45)])
    assert placements(r) == {"C": [("FAR", "both")]}
    assert row(r, "C", "both")["preference_rank"] == 1
    assert_km(r, "C", "both", O, N45)
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(O, N45))
    assert 2 * metres(O, N45) == 100076


def test_no_site_in_range(tmp_path):
    # The only site is at N10 (11.120 km); FAR at O has max_km 5 -> NO_SITE_IN_RANGE. OK at N5 (5.560 km,
    # default 30 km) is placed. The reason names the student's limit.
    _, _, r = run_files(tmp_path, [student("FAR", O, max_km=5), student("OK", N5)], [site("S", N10, 3)])
    assert placements(r) == {"OK": [("S", "both")]}
    assert reasons(r) == {"FAR": "NO_SITE_IN_RANGE"}
    assert "5 km" in r.unassigned.iloc[0]["reason"]
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N5, N10))


def test_default_max_km_from_the_configuration(tmp_path):
    # A at O, site at N10 (11.120 km). With default_max_km 10 the site is out of range; with 12 it is in.
    config = Config(default_max_km=10.0)
    _, _, r = run_files(tmp_path, [student("A", O)], [site("S", N10)], config)
    assert r.assignments.empty and reasons(r) == {"A": "NO_SITE_IN_RANGE"}
    _, _, r = run_files(tmp_path, [student("A", O)], [site("S", N10)], Config(default_max_km=12.0))
    assert placements(r) == {"A": [("S", "both")]}


def test_objective_order_distance_before_priority(tmp_path):
    # A policy may order the levels differently: placed, distance, priority, preference. S at O, 1 full-time
    # place; NEAR at N1 (1.112 km), FAR at N5 (5.560 km) is a priority student. placed: 1 either way; distance
    # now comes before priority: NEAR 2 x 1,112 = 2,224 m < FAR 2 x 5,560 = 11,120 m -> NEAR, priority value 0.
    config = Config(objective=Objective(order=("placed", "distance", "priority", "preference")))
    _, _, r = run_files(tmp_path, [student("NEAR", N1), student("FAR", N5, priority=True)], [site("S", O)], config)
    assert [lv["level"] for lv in r.summary["objective"]] == ["placed", "distance", "priority", "preference"]
    assert placements(r) == {"NEAR": [("S", "both")]}
    assert_optimal(r, placed=1, priority=0, preference=2, distance_m=2 * metres(N1, O))


# --- period -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "year, week_1, week_2",
    [
        (2024, ("2024-06-17", "2024-06-21"), ("2024-06-24", "2024-06-28")),
        (2025, ("2025-06-16", "2025-06-20"), ("2025-06-23", "2025-06-27")),
        (2026, ("2026-06-15", "2026-06-19"), ("2026-06-22", "2026-06-26")),
    ],
)
def test_period_dates(tmp_path, year, week_1, week_2):
    # The last two Monday-Friday weeks ending on the last Friday before 1 July (DESIGN.md §2).
    # F (both weeks) at O; P (week_1) and Q (week_2) share D's single place at N1.
    _, _, r = run_files(
        tmp_path,
        [student("F", O), student("P", N1, weeks="week_1"), student("Q", N1, weeks="week_2")],
        [site("S", O), site("D", N1)],
        Config(year=year),
    )
    assert placements(r) == {"F": [("S", "both")], "P": [("D", "week_1")], "Q": [("D", "week_2")]}
    f, p, q = row(r, "F", "both"), row(r, "P", "week_1"), row(r, "Q", "week_2")
    assert (f["start_date"], f["end_date"]) == (week_1[0], week_2[1])
    assert (p["start_date"], p["end_date"]) == week_1
    assert (q["start_date"], q["end_date"]) == week_2
    assert r.summary["period"] == {"week_1": list(week_1), "week_2": list(week_2)}


# --- candidate lists --------------------------------------------------------------------------------------------


def test_more_sites_in_range_than_the_candidate_list_keeps(tmp_path):
    # A at O reaches 41 one-place sites S01..S41 on a line east (S_i at 0.5 i x 0.776 km, S41 at 15.9 km < 30).
    # B01..B40 sit on S01..S40 with max_km 0.1: each reaches its own site only. Everyone can be placed:
    # B_i at S_i, A at S41 -> placed 41. The engine keeps 40 candidate sites per student by default
    # (candidate_k): it must still find the optimum over all eligible pairs (or not claim optimality).
    sites = [site(f"S{i:02d}", (45.75, round(4.85 + 0.005 * i, 5))) for i in range(1, 42)]
    students = [student("A", O)] + [
        student(f"B{i:02d}", (45.75, round(4.85 + 0.005 * i, 5)), max_km=0.1) for i in range(1, 41)
    ]
    _, _, r = run_files(tmp_path, students, sites)
    placed = levels(r)["placed"]
    assert placed["bound"] >= 41  # a bound below the true optimum is not a bound
    assert placements(r)["A"] == [("S41", "both")]
    assert placed["value"] == 41 and status(r) == "optimal"


def test_capped_candidate_lists_do_not_claim_optimality(tmp_path):
    # Config(max_pairs=1, candidate_k=1): the 3 pairs in range (A-S1, A-S2, B-S1) exceed the cap, so only each
    # student's nearest site is kept. A at O (S1 at N1 1.112 km, S2 at N10 11.120 km), B at N3 with max_km 3
    # (S1 only). The true optimum places both (A at S2, B at S1); with A's list cut to S1 the engine may place
    # only one, and then it must not call the result optimal.
    config = Config(max_pairs=1, candidate_k=1)
    _, _, r = run_files(
        tmp_path, [student("A", O), student("B", N3, max_km=3)], [site("S1", N1), site("S2", N10)], config
    )
    placed = levels(r)["placed"]["value"]
    assert placed in (1, 2)
    assert placed == 2 or status(r) != "optimal", r.summary["solver"]


@pytest.mark.parametrize("stay, expected", [(False, "V"), (True, "A")])
def test_stay_in_academie_sends_the_student_to_a_farther_site_of_their_own_academie(tmp_path, stay, expected):
    # s1 lives in Lyon (académie de Lyon) with max_km 40. V (Vienne, académie de Grenoble) is 25 km away, A (Ain,
    # académie de Lyon) 34.5 km. Free choice: the nearer V. With stay_in_academie, V is not a candidate: A.
    config = Config(stay_in_academie=stay)
    _, _, result = run_files(tmp_path, [student("s1", O, max_km=40)], [site("V", VIENNE), site("A", AIN)], config)
    assert placements(result) == {"s1": [(expected, "both")]}
    r = row(result, "s1", "both")
    assert r["student_academie"] == "Lyon" and r["site_academie"] == ("Grenoble" if expected == "V" else "Lyon")
    assert_km(result, "s1", "both", O, VIENNE if expected == "V" else AIN)


def test_stay_in_academie_says_why_a_student_with_only_sites_over_the_border_is_not_placed(tmp_path):
    # s1 in Lyon; the only site in range, V (25 km), is in the académie de Grenoble: with stay_in_academie there
    # is no site within 30 km in the student's académie.
    _, _, r = run_files(tmp_path, [student("s1", O)], [site("V", VIENNE)], Config(stay_in_academie=True))
    assert reasons(r) == {"s1": "NO_SITE_IN_RANGE"}
    assert r.unassigned["reason"].tolist() == ["no site within 30 km in the student's académie"]


def test_priority_gets_a_bound_when_placed_falls_short(tmp_path):
    # P (at N1: 1 place in week 1, 2 in week 2) and Q (at N10: 2 in week 1, 1 in week 2). X (at N5, may not split)
    # has both in range; Y (week 1 only, priority) lives at P and only P is in range (max_km 2), Z (week 2 only)
    # at Q, only Q in range. The relaxation places all three (X week 1 at Q, week 2 at P): bound 3. Full time, X
    # takes week 1 of P (Y out) or week 2 of Q (Z out), or stays out: at most 2 placed, and the engine finds 2.
    # Priority: no allocation places more than Y, the one priority student (the maximum flow of the priority
    # students alone is 1): the bound holds although placed falls short of its own; value 1, gap 0.
    people = [
        student("X", N5, split_ok=False),
        student("Y", N1, weeks="week_1", priority=True, max_km=2),
        student("Z", N10, weeks="week_2", max_km=2),
    ]
    sites = [
        site("P", N1, None, capacity_week_1=1, capacity_week_2=2),
        site("Q", N10, None, capacity_week_1=2, capacity_week_2=1),
    ]
    _, _, r = run_files(tmp_path, people, sites)
    lv = levels(r)
    assert (lv["placed"]["value"], lv["placed"]["bound"]) == (2, 3)
    assert (lv["priority"]["value"], lv["priority"]["bound"], lv["priority"]["gap"]) == (1, 1, 0.0)
    assert "Y" in placements(r)
