"""Hypothesis strategies shared by the property tests: small random instances with every feature."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import HealthCheck
from hypothesis import strategies as st

from matcher.config import Config, Objective
from matcher.load.table import clean_columns

SECTORS = ("electricite", "numerique", "btp")
UAIS = ("0690026D", "0690028F", "0690027E")
ORDER = ("placed", "priority", "preference", "distance", "splits")
#: Objective orders a policy file may set ('placed' first, 'splits' last when listed).
ORDERS = (
    ORDER,
    ("placed", "priority", "distance", "preference", "splits"),
    ("placed", "preference", "distance"),
    ("placed", "distance", "priority", "preference"),
)
LOCATED = {
    "departement": "69",
    "academie": "Lyon",
    "region_academique": "Auvergne-Rhône-Alpes",
    "location_source": "lat_lon",
}


def frame(kind: str, rows: list[dict]) -> pd.DataFrame:
    """A clean located table of ``kind`` (schema columns and dtypes, defaults filled, list cells as tuples)."""
    columns = clean_columns(kind)
    data = {}
    for col in columns:
        default = math.nan if col.kind == "float" else col.default
        data[col.name] = [r.get(col.name, default) for r in rows]
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in data.items()}, index=range(len(rows)))
    for col in columns:
        if col.kind == "list":
            frame[col.name] = pd.Series([tuple(v) for v in data[col.name]], dtype=object)
        elif col.kind == "float":
            frame[col.name] = frame[col.name].astype("float64")
        elif col.kind == "int":
            frame[col.name] = frame[col.name].astype("int64")
        elif col.kind == "bool":
            frame[col.name] = frame[col.name].astype(bool)
        else:
            frame[col.name] = frame[col.name].astype(str)
    frame["commune_insee"] = "69123"
    return frame.assign(**LOCATED)


def point(draw) -> dict:
    """A point on a 0.004° x 0.006° grid over about 5 km x 5 km (everyone competes for the same places)."""
    return {"lat": 45.70 + 0.004 * draw(st.integers(0, 11)), "lon": 4.80 + 0.006 * draw(st.integers(0, 11))}


@st.composite
def instances(draw):
    """Random ``(student rows, site rows, options)``: 3-10 students, 2-5 sites, every feature.

    Trades, choices, reservations and accessibility are drawn sparingly so that most students compete for the same
    few places: that is where the full-time rules (split_ok, full-time-only sites, per-week places) bite.
    """
    m, n = draw(st.integers(2, 5)), draw(st.integers(3, 10))
    sites = []
    for j in range(m):
        if draw(st.booleans()):
            c1 = c2 = draw(st.integers(0, 2))
        else:
            c1, c2 = draw(st.integers(0, 2)), draw(st.integers(0, 2))
        sites.append(
            {
                "site_id": f"T{j}",
                "company": f"Company {j % 3}",
                **point(draw),
                "capacity_week_1": c1,
                "capacity_week_2": c2,
                "full_time_only": draw(st.sampled_from([False, False, True])),
                "sectors": draw(st.sampled_from([(), (), SECTORS[:1], SECTORS[1:]])),
                "accessible": draw(st.booleans()),
                "reserved_priority": draw(st.sampled_from([False, False, False, True])),
                "reserved_lycees": draw(st.sampled_from([(), (), (), (UAIS[0],), (UAIS[1], UAIS[2])])),
            }
        )
    students = []
    for i in range(n):
        students.append(
            {
                "student_id": f"E{i}",
                **point(draw),
                "lycee_uai": draw(st.sampled_from(("",) + UAIS)),
                "sectors": draw(st.sampled_from([(), (), SECTORS[:1], SECTORS[1::-1]])),
                "site_choices": draw(st.sampled_from([(), (), (), ("T0",), (f"T{m - 1}", "T0")])),
                "max_km": draw(st.sampled_from([math.nan, math.nan, 1.5, 4.0])),
                "weeks": draw(st.sampled_from(["both", "both", "week_1", "week_2"])),
                "split_ok": draw(st.booleans()),
                "priority": draw(st.booleans()),
                "needs_accessible": draw(st.sampled_from([False, False, False, True])),
            }
        )
    options = {"other_sectors_rank_penalty": draw(st.sampled_from([None, 2])), "order": draw(st.sampled_from(ORDERS))}
    return students, sites, options  # plain rows, so that a falsifying example prints in full


def site_row(site_id, lat, lon, c1, c2, **cells) -> dict:
    """A site row of a drawn instance (defaults: no trade, not accessible, not reserved, not full time only)."""
    return {
        "site_id": site_id,
        "company": "Company",
        "lat": lat,
        "lon": lon,
        "capacity_week_1": c1,
        "capacity_week_2": c2,
        "full_time_only": False,
        "sectors": (),
        "accessible": False,
        "reserved_priority": False,
        "reserved_lycees": (),
    } | cells


def student_row(student_id, lat, lon, **cells) -> dict:
    """A student row of a drawn instance (defaults: both weeks, may split, nothing else)."""
    return {
        "student_id": student_id,
        "lat": lat,
        "lon": lon,
        "lycee_uai": "",
        "sectors": (),
        "site_choices": (),
        "max_km": math.nan,
        "weeks": "both",
        "split_ok": True,
        "priority": False,
        "needs_accessible": False,
    } | cells


def tables(instance) -> tuple[pd.DataFrame, pd.DataFrame, Config]:
    """Clean located tables and the configuration of a drawn instance."""
    students, sites, options = instance
    config = Config(
        other_sectors_rank_penalty=options["other_sectors_rank_penalty"], objective=Objective(order=options["order"])
    )
    return frame("students", students), frame("sites", sites), config


#: Settings of every property test on these instances: reproducible, no deadline, no example database.
SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def tight(draw):
    """Small instances where the full-time rules bind: few places, one-week sites, full-time-only sites, students
    who may not split, one-week students; every student with a few random pairs."""
    n, m = draw(st.integers(10, 40)), draw(st.integers(3, 10))
    c1 = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    c2 = draw(st.lists(st.integers(0, 3), min_size=m, max_size=m))
    sites = pd.DataFrame(
        {
            "capacity_week_1": c1,
            "capacity_week_2": c2,
            "full_time_only": draw(st.lists(st.booleans(), min_size=m, max_size=m)),
        }
    )
    students = pd.DataFrame(
        {
            "weeks": draw(st.lists(st.sampled_from(["both", "both", "week_1", "week_2"]), min_size=n, max_size=n)),
            "split_ok": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "priority": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
            "gender": ["F"] * n,
        }
    )
    rows = [(s, j) for s in range(n) for j in sorted(draw(st.sets(st.integers(0, m - 1), min_size=1, max_size=4)))]
    pairs = pd.DataFrame(
        {
            "student": [r[0] for r in rows],
            "site": [r[1] for r in rows],
            "rank": draw(st.lists(st.integers(1, 3), min_size=len(rows), max_size=len(rows))),
            "km": draw(st.lists(st.floats(0.5, 20.0), min_size=len(rows), max_size=len(rows))),
        }
    )
    one_week = students["weeks"].to_numpy(object)[pairs["student"]] != "both"
    eligible = ~(one_week & sites["full_time_only"].to_numpy(bool)[pairs["site"]])  # as candidates.eligibility
    return students, sites, pairs[eligible].reset_index(drop=True)
