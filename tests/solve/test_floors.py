"""Per-académie floors (the ``floors`` level right after ``placed``) and the girls' share figures.

Named cases with results derived by hand; geometry as in ``test_engine_cases`` (around O = (45.75, 4.85), Lyon).
"""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from matcher.cli.display import render_summary
from matcher.cli.main import main
from matcher.config import Config, Objective
from matcher.domain.reference import lycees
from matcher.load.floors import academie_floors

from cases import AIN, N1, VIENNE, O, placements, reasons, site, student
from conftest import levels, run_files, write_csv


def floors_file(tmp_path, rows: list[tuple[str, str]]):
    path = tmp_path / "floors.csv"
    path.write_text("academie,floor\n" + "".join(f"{a},{f}\n" for a, f in rows), encoding="utf-8")
    return path


def test_a_floor_makes_a_border_site_serve_the_academie_below_its_floor(tmp_path):
    # One place at S, in Lyon (académie de Lyon), near the border. x lives 1.1 km away (Lyon), y in Vienne, 25 km
    # away (académie de Grenoble). Without floors the nearer x wins (placed 1 either way, then distance). With a
    # floor of 1 for Grenoble and none for Lyon, the floors level (right after placed) is 1 with y, 0 with x: y.
    # Its bound: min(1, 1 Grenoble student with an eligible site) + min(0, 1) = 1, reached.
    people = [student("x", N1), student("y", VIENNE)]
    (tmp_path / "free").mkdir()
    (tmp_path / "floors").mkdir()
    _, _, free = run_files(tmp_path / "free", people, [site("S", O)])
    assert placements(free) == {"x": [("S", "both")]}
    config = Config(academie_floors=str(floors_file(tmp_path, [("Grenoble", "1"), ("Lyon", "0")])))
    _, _, r = run_files(tmp_path / "floors", people, [site("S", O)], config)
    assert placements(r) == {"y": [("S", "both")]} and reasons(r) == {"x": "CAPACITY_TAKEN"}
    lv = levels(r)
    assert (lv["placed"]["value"], lv["placed"]["bound"]) == (1, 1)
    assert (lv["floors"]["value"], lv["floors"]["bound"], lv["floors"]["gap"]) == (1, 1, 0.0)
    by = {a["academie"]: a for a in r.summary["floors"]["academies"]}
    assert by["Grenoble"] == {
        "academie": "Grenoble",
        "floor": 1,
        "requests": 1,
        "placed": 1,
        "shortfall": 0,
        "held_back": "",
    }


def test_a_floor_never_leaves_a_student_unplaced(tmp_path):
    # S (1 place, Lyon) is in range of x (Lyon) and y (Grenoble); A (Ain, 1 place) is 34.5 km from O: in range of
    # x at O with max_km 40 only. Most placed: 2 (y at S, x at A) — with or without the Grenoble floor; a floor
    # of 5 for Lyon cannot make x take S and leave y out.
    people = [student("x", O, max_km=40), student("y", VIENNE)]
    config = Config(academie_floors=str(floors_file(tmp_path, [("Lyon", "5"), ("Grenoble", "0")])))
    _, _, r = run_files(tmp_path, people, [site("S", O), site("A", AIN)], config)
    assert placements(r) == {"x": [("A", "both")], "y": [("S", "both")]}
    by = {a["academie"]: a for a in r.summary["floors"]["academies"]}
    assert (by["Lyon"]["shortfall"], by["Lyon"]["held_back"]) == (4, "too few requests")


def test_proportional_floors_share_the_target_by_seconde_enrolment():
    floors = academie_floors(Config(academie_floors="proportional", coverage_target=1000))
    enrolment = lycees().groupby("academie")["seconde_gt_students"].sum()
    assert floors.sum() == 1000 and set(floors.index) == set(enrolment.index)
    exact = 1000 * enrolment / enrolment.sum()
    assert ((floors - exact.reindex(floors.index)).abs() < 1).all()  # largest remainders: within one of the share
    assert floors.idxmax() == enrolment.idxmax()


def test_a_bad_floors_file_is_an_input_error(tmp_path):
    s = write_csv(tmp_path / "students.csv", [student("x", N1)])
    t = write_csv(tmp_path / "sites.csv", [site("S", O)])
    bad = floors_file(tmp_path, [("Lyon", "-2"), ("Atlantis", "3")])
    policy = tmp_path / "policy.toml"
    policy.write_text(f'academie_floors = "{bad}"\n', encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["allocate", "--students", str(s), "--sites", str(t), "--out", str(out), "--config", str(policy)]
    )
    assert res.exit_code == 2, res.output
    assert "floors.csv, row 2, column floor: not a whole number of students, 0 or more (value '-2')" in res.output
    assert "floors.csv, row 3, column academie: unknown académie (value 'Atlantis')" in res.output
    assert not out.exists()


def test_girls_share_per_trade(tmp_path):
    # Three places at S (numerique and electricite). f1 (F, numerique), m1 (M, numerique), f2 (F, electricite|
    # numerique), u (no gender, numerique) are placed. Trade of each placement: the student's first trade the
    # site offers: numerique for f1, m1, u; electricite for f2. Known gender: 3 (u is not counted).
    # numerique: 1 girl of 2 (50 %); electricite: 1 of 1 (100 %); overall 2 of 3.
    people = [
        student("f1", O, gender="F", sectors="numerique"),
        student("m1", O, gender="M", sectors="numerique"),
        student("f2", O, gender="F", sectors="electricite|numerique"),
        student("u", O, sectors="numerique"),
    ]
    _, _, r = run_files(tmp_path, people, [site("S", N1, 4, sectors="numerique|electricite")])
    g = r.summary["gender"]
    assert (g["placed_with_gender"], g["girls"], g["girls_share"]) == (3, 2, round(2 / 3, 4))
    assert g["per_trade"] == [
        {"trade": "electricite", "placed": 1, "girls": 1, "boys": 0, "girls_share": 1.0},
        {"trade": "numerique", "placed": 2, "girls": 1, "boys": 1, "girls_share": 0.5},
    ]
    assert g["per_site"] == []  # fewer than 5 placed: not listed


def test_a_gender_target_changes_who_gets_the_last_place(tmp_path):
    # S has 2 places; boys b1 (1.1 km) and b2 (3.3 km) are nearer than the girl g (5.6 km). Without a target the
    # two nearer students, b1 and b2, are placed. With gender_target 0.4 at sites of 2 places or more, the free
    # boys' places per week are floor(0.6 x 2) = 1: b2 would cost 2 boy-weeks on the gender level (after placed
    # and priority, before distance), so g takes the last place: b1 and g, gender level 0.
    from cases import N3, N5

    people = [student("b1", N1, gender="M"), student("b2", N3, gender="M"), student("g", N5, gender="F")]
    (tmp_path / "free").mkdir()
    (tmp_path / "target").mkdir()
    _, _, free = run_files(tmp_path / "free", people, [site("S", O, 2)])
    assert set(placements(free)) == {"b1", "b2"}
    _, _, r = run_files(tmp_path / "target", people, [site("S", O, 2)], Config(gender_target=0.4))
    assert placements(r) == {"b1": [("S", "both")], "g": [("S", "both")]}
    assert reasons(r) == {"b2": "CAPACITY_TAKEN"}
    lv = levels(r)
    assert (lv["gender"]["value"], lv["gender"]["bound"]) == (0, 0)

    assert r.summary["gender_target"]["site_weeks_short"] == 0
    assert "met everywhere" in render_summary(r.summary)


def test_where_the_gender_target_is_missed_and_why(tmp_path):
    # At least 40 % girls at sites of 2 places or more: 1 free boys' place a week at each 2-place site.
    # - S (O, numerique, 2 places): boys b1, b2 reach only S; girl g (numerique or electricite) also reaches G
    #   (N1, electricite, 1 place). Most placed: b1, b2 at S and g at G; S has one boy over each week, girls in
    #   range placed elsewhere.
    # - T (N10, batiment, 2 places): boys b3, b4, no girl asks for batiment: no girl in range.
    # - U (N5, commerce, 2 places): priority boys p1, p2 and the girl h: priority comes before gender, so p1 and
    #   p2 are placed and h is left unplaced: girls in range left unplaced.
    from cases import N5, N10

    people = [
        student("b1", O, gender="M", sectors="numerique"),
        student("b2", O, gender="M", sectors="numerique"),
        student("g", O, gender="F", sectors="numerique|electricite"),
        student("b3", N10, gender="M", sectors="batiment"),
        student("b4", N10, gender="M", sectors="batiment"),
        student("p1", N5, gender="M", sectors="commerce", priority="yes"),
        student("p2", N5, gender="M", sectors="commerce", priority="yes"),
        student("h", N5, gender="F", sectors="commerce"),
    ]
    sites = [
        site("S", O, 2, sectors="numerique"),
        site("G", N1, 1, sectors="electricite"),
        site("T", N10, 2, sectors="batiment"),
        site("U", N5, 2, sectors="commerce"),
    ]
    _, _, r = run_files(tmp_path, people, sites, Config(gender_target=0.4, gender_site_min=2))
    assert placements(r)["g"] == [("G", "both")] and reasons(r) == {"h": "CAPACITY_TAKEN"}
    target = r.summary["gender_target"]
    assert (target["boy_weeks_over"], target["site_weeks_short"]) == (6, 6) == (levels(r)["gender"]["value"], 6)
    assert target["why"] == {
        "no girl in range": 2,
        "girls in range left unplaced": 2,
        "girls in range placed elsewhere": 2,
    }
    assert [
        (x["site_id"], x["week"], x["boys"], x["girls"], x["free_boys_places"], x["over"], x["why"])
        for x in target["sites"]
    ] == [
        ("S", 1, 2, 0, 1, 1, "girls in range placed elsewhere"),
        ("S", 2, 2, 0, 1, 1, "girls in range placed elsewhere"),
        ("T", 1, 2, 0, 1, 1, "no girl in range"),
        ("T", 2, 2, 0, 1, 1, "no girl in range"),
        ("U", 1, 2, 0, 1, 1, "girls in range left unplaced"),
        ("U", 2, 2, 0, 1, 1, "girls in range left unplaced"),
    ]
    assert (
        "6 boy-weeks over it at 6 site-weeks (2 no girl in range; 2 girls in range left unplaced; 2 girls in "
        "range placed elsewhere)" in render_summary(r.summary)
    )


def test_floors_met_by_the_first_flow_need_no_second_flow(tmp_path):
    # x and z (Lyon) and y (Grenoble) each have a site of their own: the first flow places all three, so the
    # floors level (floor 1 for each académie) is min(2, 1) + min(1, 1) = 2, its bound. No re-weighted flow can
    # count more, so none is solved (Lyon, above its floor, would otherwise be closed and the flow solved again).
    people = [student("x", N1), student("z", O), student("y", VIENNE)]
    sites = [site("S", O), site("T", N1), site("V", VIENNE)]
    config = Config(academie_floors=str(floors_file(tmp_path, [("Grenoble", "1"), ("Lyon", "1")])))
    _, _, r = run_files(tmp_path, people, sites, config)
    lv = levels(r)
    assert (lv["placed"]["value"], lv["floors"]["value"], lv["floors"]["bound"]) == (3, 2, 2)
    assert r.summary["solver"]["flow_solves"] == 1


def test_the_floors_bound_counts_the_places(tmp_path):
    # y1 and y2 (Grenoble, floor 2) both have S in range, and S has one place in each week: whatever the
    # allocation, at most 1 student counts towards Grenoble's floor. The bound is 1, not min(2, 2 students with an
    # eligible site) = 2; it is reached. With a second site V (at Vienne, one place), 2 can count: bound 2.
    people = [student("y1", VIENNE), student("y2", VIENNE)]
    config = Config(academie_floors=str(floors_file(tmp_path, [("Grenoble", "2"), ("Lyon", "0")])))
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    _, _, one = run_files(tmp_path / "one", people, [site("S", O)], config)
    assert (levels(one)["floors"]["value"], levels(one)["floors"]["bound"]) == (1, 1)
    _, _, two = run_files(tmp_path / "two", people, [site("S", O), site("V", VIENNE)], config)
    assert (levels(two)["floors"]["value"], levels(two)["floors"]["bound"]) == (2, 2)


def test_the_floors_bound_is_never_above_the_placed_bound(tmp_path):
    # y1 reaches only A (a place in week 1, none in week 2), y2 only B (week 2 only); both need both weeks and may
    # split. Per week, one of them could count towards Grenoble's floor (the per-week flows give 1 and 1), but no
    # one can have both weeks: nobody is placed, the placed bound is 0, and so is the floors bound.
    a, b = (45.52, 4.874), (45.53, 4.874)
    people = [student("y1", a, max_km=0.5), student("y2", b, max_km=0.5)]
    sites = [
        site("A", a, None, capacity_week_1=1, capacity_week_2=0),
        site("B", b, None, capacity_week_1=0, capacity_week_2=1),
    ]
    config = Config(academie_floors=str(floors_file(tmp_path, [("Grenoble", "2"), ("Lyon", "0")])))
    _, _, r = run_files(tmp_path, people, sites, config)
    assert placements(r) == {}
    assert levels(r)["placed"]["bound"] == 0
    assert (levels(r)["floors"]["value"], levels(r)["floors"]["bound"]) == (0, 0)


def test_floors_first_leaves_students_unplaced_to_meet_a_floor(tmp_path):
    # S (1 place each week, Lyon) is in range of y (Vienne, Grenoble, both weeks), x (Lyon, week 1 only) and z
    # (Lyon, week 2 only). Grenoble's floor is 1, Lyon's 0. Placed first: x and z (2 placed), floors 0 of 1: a
    # floor never leaves a student unplaced. Floors first: y takes both weeks (floors 1 of 1), placed 1 against
    # the 2 any allocation can place.
    people = [student("y", VIENNE), student("x", N1, weeks="week_1"), student("z", N1, weeks="week_2")]
    floors = str(floors_file(tmp_path, [("Grenoble", "1"), ("Lyon", "0")]))
    (tmp_path / "placed").mkdir()
    (tmp_path / "floors").mkdir()
    _, _, r = run_files(tmp_path / "placed", people, [site("S", O)], Config(academie_floors=floors))
    assert placements(r) == {"x": [("S", "week_1")], "z": [("S", "week_2")]}
    lv = levels(r)
    assert [(name, lv[name]["value"], lv[name]["bound"]) for name in ("placed", "floors")] == [
        ("placed", 2, 2),
        ("floors", 0, 1),
    ]
    first = Config(
        academie_floors=floors, objective=Objective(order=("floors", "placed", "priority", "preference", "distance"))
    )
    _, _, r = run_files(tmp_path / "floors", people, [site("S", O)], first)
    assert placements(r) == {"y": [("S", "both")]}
    assert reasons(r) == {"x": "CAPACITY_TAKEN", "z": "CAPACITY_TAKEN"}
    assert [lv["level"] for lv in r.summary["objective"]][:2] == ["floors", "placed"]
    lv = levels(r)
    assert [(name, lv[name]["value"], lv[name]["bound"]) for name in ("floors", "placed")] == [
        ("floors", 1, 1),
        ("placed", 1, 2),
    ]


def test_the_policy_file_may_put_floors_first_and_nothing_else_before_placed(tmp_path):
    s = write_csv(tmp_path / "students.csv", [student("y", VIENNE), student("x", N1)])
    t = write_csv(tmp_path / "sites.csv", [site("S", O)])
    floors = floors_file(tmp_path, [("Grenoble", "1"), ("Lyon", "0")])
    runs = {}
    for name, order in (("first", '["floors", "placed", "distance"]'), ("bad", '["priority", "placed"]')):
        policy = tmp_path / f"{name}.toml"
        policy.write_text(f'academie_floors = "{floors.as_posix()}"\n[objective]\norder = {order}\n', encoding="utf-8")
        runs[name] = CliRunner().invoke(
            main,
            [
                "allocate",
                "--students",
                str(s),
                "--sites",
                str(t),
                "--out",
                str(tmp_path / name),
                "--config",
                str(policy),
            ],
        )
    assert runs["first"].exit_code == 0, runs["first"].output
    assert (tmp_path / "first" / "summary.json").exists()
    assert runs["bad"].exit_code == 2, runs["bad"].output
    assert "'placed' must come first (or right after 'floors')" in runs["bad"].output
    assert not (tmp_path / "bad").exists()


def test_the_trade_of_a_placement():
    # The student's first trade (in the student's order) that the site offers; else the site's first trade (a site
    # of the student's own choice, or a student listing none); "(none)" for a site offering none.
    from matcher.tables.gender import gender_figures

    students = pd.DataFrame(
        {
            "student_id": ["a", "b", "c", "d", "e"],
            "gender": ["F", "M", "F", "M", "F"],
            "sectors": [("x", "y"), ("z",), (), ("y", "x"), ("x",)],
        }
    )
    sites = pd.DataFrame({"site_id": ["S", "T", "U"], "sectors": [("y", "x"), ("w", "x"), ()]})
    assignments = pd.DataFrame(
        {"student_id": ["a", "b", "c", "d", "d", "e"], "site_id": ["S", "T", "T", "S", "T", "U"]}
    )
    per_trade = {r["trade"]: (r["girls"], r["boys"]) for r in gender_figures(students, sites, assignments)["per_trade"]}
    assert per_trade == {"x": (1, 0), "w": (1, 1), "y": (0, 1), "(none)": (1, 0)}
