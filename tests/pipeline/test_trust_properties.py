"""Property tests (hypothesis) of what an officer's files go through.

1. Loaders: any table of strings (headers drawn from the contract's names, French aliases, personal-data columns and
   noise; cells drawn from numbers, codes, booleans, formulas, separators, quotes, line breaks and arbitrary text),
   written as CSV in either separator or as raw bytes, either loads or raises ``InputError`` — never another
   exception, never an ``InputError`` without problems.
2. Allocation, files to files: random valid small scenarios written as CSV, read with ``load_inputs``, allocated and
   exported with ``write_outputs``. In the written files every student is exactly once (placed or not), no site
   week holds more students than its places, the independent checker passes, and a second run with the same inputs
   and seed writes byte-identical contract files.

Hypothesis runs derandomized (the same examples every run, no example database); the numbers of examples are
``LOADER_EXAMPLES`` (tables of strings), ``BYTES_EXAMPLES`` (arbitrary bytes) and ``ALLOCATION_EXAMPLES``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.check.checker import verify
from matcher.config import Config
from matcher.errors import InputError
from matcher.export.outputs import write_outputs
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate

from conftest import assert_each_student_once, write_csv

#: Examples per loader property and for the allocation property.
LOADER_EXAMPLES = 200
BYTES_EXAMPLES = 60
ALLOCATION_EXAMPLES = 20

SETTINGS = dict(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
CORPUS = Path(__file__).parent.parent / "bad_inputs"

HEADERS = [
    "student_id",
    "site_id",
    "company",
    "lycee_uai",
    "commune_insee",
    "postal_code",
    "lat",
    "lon",
    "sectors",
    "site_choices",
    "max_km",
    "weeks",
    "split_ok",
    "group_id",
    "gender",
    "priority",
    "needs_accessible",
    "capacity",
    "capacity_week_1",
    "capacity_week_2",
    "full_time_only",
    "max_group_size",
    "accessible",
    "reserved_priority",
    "reserved_lycees",
    "Identifiant",
    "Code commune",
    "Capacité",
    "CP",
    "nom",
    "Prénom",
    "e-mail",
    "id",
    "",
    " ",
    "x",
    "Semaine",
    "Sexe",
]
CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "E1",
            "e1",
            "S1",
            "69381",
            "75105",
            "2A004",
            "1000",
            "0750654D",
            "45.75",
            "4.85",
            "12,5",
            "-3",
            "1e400",
            "nan",
            "inf",
            "-Infinity",
            "99999999999999999999",
            "true",
            "oui",
            "x",
            "both",
            "semaine_1",
            "F",
            "garçon",
            "electricite|numerique",
            "| |",
            "=1+1",
            "@SUM(A1)",
            "+cmd|' /C calc'!A0",
            '"',
            '""',
            "a,b",
            "a;b",
            "a\nb",
            "\t",
            "\x00",
            "\ufeff",
            "é",
        ]
    ),
    st.text(max_size=12),
    st.integers(-(10**6), 10**6).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


@st.composite
def tables(draw) -> bytes:
    """A CSV file (comma or semicolon, properly quoted or not) of random headers and cells."""
    headers = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=len(headers) + 2), max_size=6))
    sep = draw(st.sampled_from([",", ";"]))
    if draw(st.booleans()):
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=sep, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows(
            [headers, *rows]
        )
        text = buffer.getvalue()
    else:
        text = "\n".join(sep.join(row) for row in [headers, *rows])
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])), errors="replace")


def loads_or_input_error(path: Path, kind: str) -> None:
    good = {"students": CORPUS / "good_students.csv", "sites": CORPUS / "good_sites.csv"}
    files = {**good, kind: path}
    try:
        load_inputs(files["students"], files["sites"], Config())
    except InputError as exc:
        assert exc.problems and all(p.file and p.message and p.fix for p in exc.problems)


@settings(max_examples=LOADER_EXAMPLES, **SETTINGS)
@given(data=tables(), kind=st.sampled_from(["students", "sites"]))
def test_any_table_of_strings_loads_or_raises_input_error(tmp_path, data, kind):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    loads_or_input_error(path, kind)


@settings(max_examples=BYTES_EXAMPLES, **SETTINGS)
@given(data=st.binary(max_size=2000), kind=st.sampled_from(["students", "sites"]))
def test_any_bytes_load_or_raise_input_error(tmp_path, data, kind):
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(data)
    loads_or_input_error(path, kind)


# --- 2. allocation from files to files ---------------------------------------------------------------------------

SECTORS = ["electricite", "numerique", "reseaux"]
LYON = (45.55, 46.00, 4.60, 5.25)  # about 50 km x 50 km


@st.composite
def scenarios(draw) -> tuple[list[dict], list[dict]]:
    """Valid students and sites rows with every optional column of the contract."""
    coordinate = st.tuples(st.floats(LYON[0], LYON[1]), st.floats(LYON[2], LYON[3]))
    n_sites = draw(st.integers(1, 6))
    sites = []
    for j in range(n_sites):
        lat, lon = draw(coordinate)
        per_week = draw(st.booleans())
        places = draw(st.integers(0, 3))
        sites.append(
            {
                "site_id": f"S{j}",
                "company": f"Entreprise {j}",
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "capacity": "" if per_week else places,
                "capacity_week_1": places if per_week else "",
                "capacity_week_2": draw(st.integers(0, 3)) if per_week else "",
                "full_time_only": draw(st.booleans()),
                "sectors": draw(st.lists(st.sampled_from(SECTORS), max_size=2, unique=True)),
                "max_group_size": draw(st.integers(1, 3)),
                "accessible": draw(st.booleans()),
                "reserved_priority": draw(st.sampled_from([False, False, True])),
            }
        )
    students = []
    for i in range(draw(st.integers(1, 14))):
        lat, lon = draw(coordinate)
        students.append(
            {
                "student_id": f"E{i:03d}",
                "lat": f"{lat:.5f}",
                "lon": f"{lon:.5f}",
                "sectors": draw(st.lists(st.sampled_from(SECTORS), max_size=2, unique=True)),
                "site_choices": draw(st.lists(st.sampled_from([s["site_id"] for s in sites]), max_size=2, unique=True)),
                "max_km": draw(st.sampled_from(["", "10", "25", "60"])),
                "weeks": draw(st.sampled_from(["both", "both", "week_1", "week_2"])),
                "split_ok": draw(st.booleans()),
                "group_id": draw(st.sampled_from(["", "", "", "G1", "G2"])),
                "gender": draw(st.sampled_from("FM ")),
                "priority": draw(st.booleans()),
                "needs_accessible": draw(st.sampled_from([False, False, True])),
            }
        )
    group_split = draw(st.fixed_dictionaries({"G1": st.booleans(), "G2": st.booleans()}))
    for row in students:  # a group's members share their weeks and split_ok (an input rule)
        if row["group_id"]:
            row["weeks"], row["split_ok"] = "both", group_split[row["group_id"]]
    return students, sites


def run_to_files(folder: Path, students_path: Path, sites_path: Path, config: Config):
    students, sites = load_inputs(students_path, sites_path, config)
    result = allocate(students, sites, config)
    write_outputs(result, folder)
    return (
        students,
        sites,
        {name: (folder / name).read_bytes() for name in ("assignments.csv", "unassigned.csv", "summary.json")},
    )


@settings(max_examples=ALLOCATION_EXAMPLES, **SETTINGS)
@given(scenario=scenarios(), seed=st.integers(0, 3))
def test_allocation_files_hold_each_student_once_within_capacity_and_are_reproducible(tmp_path, scenario, seed):
    rows, site_rows = scenario
    config = Config(seed=seed)
    folder = tmp_path / f"case{len(list(tmp_path.iterdir()))}"
    folder.mkdir()
    students_path = write_csv(folder / "students.csv", rows)
    sites_path = write_csv(folder / "sites.csv", site_rows)
    students, sites, first = run_to_files(folder / "out1", students_path, sites_path, config)
    read = lambda name: pd.read_csv(io.BytesIO(first[name]), dtype=str, keep_default_na=False)  # noqa: E731
    assignments, unassigned = read("assignments.csv"), read("unassigned.csv")
    assert_each_student_once(students, assignments, unassigned)
    weeks = assignments["weeks"].to_numpy()
    for week, label in ((1, "week_1"), (2, "week_2")):
        used = assignments.loc[np.isin(weeks, ["both", label]), "site_id"].value_counts()
        places = sites.set_index("site_id")[f"capacity_week_{week}"]
        assert (used <= places.reindex(used.index)).all()
    typed = assignments.astype({"distance_km": float, "preference_rank": int})
    verify(students, sites, typed, unassigned, config)
    _, _, second = run_to_files(folder / "out2", students_path, sites_path, config)
    assert second == first
