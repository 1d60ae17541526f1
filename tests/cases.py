"""Named cases' building blocks: points around Lyon and rows of the input files.

Geometry: everything sits around O = (45.75, 4.85) in Lyon. On the sphere of radius 6,371.0088 km,
0.01° of latitude is 1.11195 km and 0.01° of longitude at this latitude is 0.77591 km.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import gc_km, levels, status

O = (45.75, 4.85)
N1 = (45.76, 4.85)  # 1.112 km north of O
N3 = (45.78, 4.85)  # 3.336 km north of O
N5 = (45.80, 4.85)  # 5.560 km north of O
N10 = (45.85, 4.85)  # 11.120 km north of O
N45 = (46.20, 4.85)  # 50.038 km north of O
E1 = (45.75, 4.86)  # 0.776 km east of O
E2 = (45.75, 4.87)  # 1.552 km east of O
PARC, SAINT_JUST = "0690026D", "0690028F"  # two real Lyon lycées (UAI)


def at(p: tuple[float, float]) -> dict:
    """``lat``/``lon`` cells of a point."""
    return {"lat": p[0], "lon": p[1]}


def site(site_id: str, p: tuple[float, float], capacity: int | None = 1, **cells) -> dict:
    """A sites-file row; ``capacity`` fills both weeks unless ``capacity_week_1``/``_2`` are given."""
    row = {"site_id": site_id, "company": f"Company {site_id}", **at(p)}
    if capacity is not None:
        row["capacity"] = capacity
    return row | cells


def student(student_id: str, p: tuple[float, float], **cells) -> dict:
    """A students-file row."""
    return {"student_id": student_id, **at(p)} | cells


def placements(result) -> dict[str, list[tuple[str, str]]]:
    """``student_id -> [(site_id, weeks), ...]`` from the assignments, week_1 before week_2."""
    out: dict[str, list[tuple[str, str]]] = {}
    for r in result.assignments.sort_values(["student_id", "weeks"]).itertuples():
        out.setdefault(r.student_id, []).append((r.site_id, r.weeks))
    return out


def reasons(result) -> dict[str, str]:
    """``student_id -> reason_code`` of the unassigned table."""
    return dict(zip(result.unassigned["student_id"], result.unassigned["reason_code"]))


def row(result, student_id: str, weeks: str) -> pd.Series:
    """The one assignment row of ``student_id`` for ``weeks``."""
    a = result.assignments
    found = a[(a["student_id"] == student_id) & (a["weeks"] == weeks)]
    assert len(found) == 1, found
    return found.iloc[0]


def assert_km(result, student_id: str, weeks: str, a: tuple[float, float], b: tuple[float, float]) -> None:
    """The row's ``distance_km`` is the geopy great-circle distance, reported to the metre (within 1e-6 km)."""
    assert row(result, student_id, weeks)["distance_km"] == pytest.approx(round(gc_km(a, b), 3), abs=1e-6)


def assert_optimal(result, placed: int, priority: int, preference: int, distance_m: int) -> None:
    """Status optimal and the level values (each equal to its bound)."""
    lv = levels(result)
    assert status(result) == "optimal" and result.summary["solver"]["gap"] == 0.0
    assert (lv["placed"]["value"], lv["priority"]["value"], lv["preference"]["value"], lv["distance"]["value"]) == (
        placed,
        priority,
        preference,
        distance_m,
    )
    for name in ("placed", "priority", "preference", "distance"):
        assert lv[name]["bound"] == lv[name]["value"] and lv[name]["gap"] == 0.0


VIENNE = (45.525, 4.874)  # Isère (académie de Grenoble), 25 km south of O
AIN = (46.06, 4.85)  # Ain (académie de Lyon), 34.5 km north of O
