"""Recruitment guidance on named small cases, answers computed by hand (points in ``cases``: N5 is 5.56 km from O)."""

from __future__ import annotations

import math

from matcher.config import Config
from matcher.pipeline.recruit import recruit

from strategies import frame, site_row, student_row

O, N5 = (45.75, 4.85), (45.80, 4.85)


def _run(students, sites, top=5):
    return recruit(frame("students", students), frame("sites", sites), Config(), top)


def test_full_site_with_a_waiting_student_in_range():
    # A has one place; E0 and E1 both want both weeks there: the flow places one, the other waits. One more
    # (full-time) place at A places her, both weeks at A (a W1[A] -> student -> W2[A] path); a second does nothing.
    rec = _run([student_row("E0", *O), student_row("E1", *O)], [site_row("A", *O, 1, 1)])
    assert rec.figures["placed_bound"] == 1
    row = rec.sites.iloc[0]
    assert len(rec.sites) == 1 and row["site_id"] == "A"
    assert (row["first_place"], row["weeks"], row["waiting_in_range"]) == (1, "both", 1)
    assert (row["plan_places"], row["plan_students"], row["rank"]) == (1, 1, 1)
    assert rec.figures["plan_students"] == 1 and rec.figures["no_offer_in_range"] == 0


def test_full_site_whose_waiting_students_are_placeable_elsewhere():
    # A (O) has one place and both students in range; B (N5) has one place but only E1 reaches it (E0: 2 km).
    # The flow places E0 at A and E1 at B: both placed, A full, nobody waits: no place anywhere adds anyone.
    students = [student_row("E0", *O, max_km=2.0), student_row("E1", *O)]
    rec = _run(students, [site_row("A", *O, 1, 1), site_row("B", *N5, 1, 1)])
    assert rec.figures["placed_bound"] == 2
    assert rec.sites.empty and rec.figures["plan_places"] == 0 and rec.figures["sites_listed"] == 0
    assert rec.figures["unplaced"] == 0


def test_split_weeks():
    # A offers week 1 only, B week 2 only (one place each). E0 (both weeks, may split) takes A then B; E1 needs
    # week 1 only and waits. One more week-1 place at A places E1 (weeks: week_1); a week-2 place at B places
    # nobody (no one else needs week 2). E2 (both weeks, may not split) competes for the same places and changes
    # none of this: the bound (1) is A's single week-1 place.
    students = [
        student_row("E0", *O),
        student_row("E1", *O, weeks="week_1"),
        student_row("E2", *O, split_ok=False, max_km=math.nan),
    ]
    sites = [site_row("A", *O, 1, 0), site_row("B", *O, 0, 1)]
    rec = _run(students, sites)
    assert rec.figures["placed_bound"] == 1
    assert rec.sites["site_id"].tolist() == ["A"]
    row = rec.sites.iloc[0]
    assert (row["first_place"], row["weeks"], row["plan_places"], row["plan_students"]) == (1, "week_1", 1, 1)
