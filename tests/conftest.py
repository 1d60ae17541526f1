"""Helpers shared by the engine tests: input files in the contract's columns, reference distances with geopy, and
the checks every allocation must pass (independent checker, each student once, capacities).

They use only the public pipeline (``load_inputs``, ``allocate``, ``check``) and re-derive everything else here.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from geopy.distance import great_circle
from officers import PLATFORM_EXTRACT_HEADER

from matcher.check.checker import verify
from matcher.config import Config
from matcher.load import load_inputs
from matcher.pipeline.allocate import allocate
from matcher.solve.repair import violations

#: Mean Earth radius of the distance contract (DESIGN.md §2), in km.
EARTH_RADIUS_KM = 6371.0088


def gc_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two ``(lat, lon)`` points, in km.

    Parameters
    ----------
    a, b : tuple of float
        WGS84 degrees.

    Returns
    -------
    float
        geopy's ``great_circle`` on the contract's mean Earth radius.
    """
    return great_circle(a, b, radius=EARTH_RADIUS_KM).km


def metres(a: tuple[float, float], b: tuple[float, float]) -> int:
    """Distance between two points rounded to the metre, as the objective counts it per pair and week."""
    return int(round(gc_km(a, b) * 1000))


def write_csv(path: Path, rows: list[dict]) -> Path:
    """Write ``rows`` to a UTF-8 CSV file.

    Parameters
    ----------
    path : Path
        Target file.
    rows : list of dict
        One dict per row; the header is the union of the keys in first-seen order, missing cells are empty.
        Tuples and lists are written ``|``-joined, booleans as ``true``/``false``.

    Returns
    -------
    Path
        ``path``.
    """
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]

    def cell(v) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (tuple, list)):
            return "|".join(v)
        return "" if v is None else str(v)

    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow([cell(row.get(k)) for k in header])
    return path


def write_extract(path: Path, offers: list[tuple[str, str, str, str, str]]) -> Path:
    """A national platform offers extract at ``path`` (``;``, every cell quoted, no capacity column), one row per
    offer ``(id, secteur, Ville, Code postal, Filière)``."""
    rows = [
        [i, "", sector, "false", "", f"{n} rue A", town, code, kind]
        for n, (i, sector, town, code, kind) in enumerate(offers, 1)
    ]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
            [PLATFORM_EXTRACT_HEADER, *rows]
        )
    return path


def platform_inputs(folder: Path) -> list[str]:
    """``--students F --sites F`` of two offers in Lyon in a national platform extract (no capacity column) and five
    students of Lyon asking for their sector, Agriculture."""
    sites = write_extract(
        folder / "offres_plateforme.csv", [(i, "Agriculture", "Lyon", "69001", "seconde_only") for i in "12"]
    )
    rows = [{"student_id": f"E{i}", "commune_insee": "69381", "sectors": "secteur_agriculture"} for i in range(5)]
    return ["--students", str(write_csv(folder / "eleves.csv", rows)), "--sites", str(sites)]


def two_lycees_two_companies(d: Path, first: dict) -> tuple[Path, Path]:
    """A small real run's files in ``d``: the student ``first`` and three more, of two lycées (0750654D, 0690026D;
    the last with a 1 km limit), and two sites (Acme in Paris, 2 places; Lumière in Lyon, 1 place)."""
    students = [
        first,
        {"student_id": "E2", "lycee_uai": "0750654D", "gender": "F"},
        {"student_id": "E3", "lycee_uai": "0690026D", "gender": "F"},
        {"student_id": "E4", "lycee_uai": "0690026D", "gender": "F", "max_km": 1},
    ]
    sites = [
        {"site_id": "S1", "company": "Acme", "commune_insee": "75105", "capacity": 2},
        {"site_id": "S2", "company": "Lumière", "commune_insee": "69381", "capacity": 1},
    ]
    return write_csv(d / "students.csv", students), write_csv(d / "sites.csv", sites)


def assert_each_student_once(students: pd.DataFrame, assignments: pd.DataFrame, unassigned: pd.DataFrame) -> None:
    """Every input student is in exactly one of the output tables, once (a split student's two rows count once).

    Parameters
    ----------
    students : DataFrame
        The input students.
    assignments, unassigned : DataFrame
        The output tables.
    """
    ids = list(students["student_id"])
    placed = assignments.groupby("student_id")["weeks"].agg(list)
    assert set(placed.index).isdisjoint(unassigned["student_id"])
    assert sorted(list(placed.index) + list(unassigned["student_id"])) == sorted(ids)
    assert not unassigned["student_id"].duplicated().any()
    for student_id, weeks in placed.items():  # one both row, one one-week row, or a week_1 + week_2 split
        assert sorted(weeks) in (["both"], ["week_1"], ["week_2"], ["week_1", "week_2"]), (student_id, weeks)


def week_usage(sites: pd.DataFrame, assignments: pd.DataFrame) -> pd.DataFrame:
    """Places used per site and week.

    Returns
    -------
    DataFrame
        Indexed by ``site_id`` (every input site), columns ``week_1`` and ``week_2``.
    """
    w = assignments["weeks"].to_numpy()
    used = pd.DataFrame(
        {
            "site_id": assignments["site_id"].to_numpy(),
            "week_1": np.isin(w, ["both", "week_1"]).astype(int),
            "week_2": np.isin(w, ["both", "week_2"]).astype(int),
        }
    )
    return used.groupby("site_id")[["week_1", "week_2"]].sum().reindex(sites["site_id"], fill_value=0)


def assert_valid(students: pd.DataFrame, sites: pd.DataFrame, result, config: Config) -> None:
    """The checks every allocation must pass: the independent checker, each student once, capacities per week."""
    verify(students, sites, result.assignments, result.unassigned, config, groups=True)
    assert_each_student_once(students, result.assignments, result.unassigned)
    used = week_usage(sites, result.assignments)
    assert (used["week_1"].to_numpy() <= sites["capacity_week_1"].to_numpy()).all()
    assert (used["week_2"].to_numpy() <= sites["capacity_week_2"].to_numpy()).all()


def assert_keeps_the_rules(
    rows: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame
) -> None:
    """Solver placements (``student, site, week`` positions) keep the rules: on ``pairs``, one site per student and
    week, capacities, each student's weeks, no split a student or a full-time-only site refuses."""
    assert set(zip(rows["student"], rows["site"])) <= set(zip(pairs["student"], pairs["site"]))
    assert not rows.duplicated(["student", "week"]).any()
    for w in (1, 2):
        used = np.bincount(rows.loc[rows["week"] == w, "site"], minlength=len(sites))
        assert (used <= sites[f"capacity_week_{w}"].to_numpy()).all()
    weeks = rows.groupby("student")["week"].agg(lambda x: tuple(sorted(x)))
    wanted = students["weeks"].to_numpy(object)[weeks.index.to_numpy()]
    expect = {"both": (1, 2), "week_1": (1,), "week_2": (2,)}
    assert [expect[w] for w in wanted] == list(weeks)
    assert violations(rows, students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool)).empty


def run_files(folder: Path, students: list[dict], sites: list[dict], config: Config | None = None):
    """Write both input files into ``folder``, load them, allocate, and check the result.

    Returns
    -------
    students, sites : DataFrame
        The clean located tables.
    result : matcher.pipeline.allocate.Result
    """
    config = config or Config()
    s_path = write_csv(Path(folder) / "students.csv", students)
    t_path = write_csv(Path(folder) / "sites.csv", sites)
    st, si = load_inputs(s_path, t_path, config)
    result = allocate(st, si, config)
    assert_valid(st, si, result, config)
    return st, si, result


def levels(result) -> dict[str, dict]:
    """The summary's objective levels by name (``value``, ``bound``, ``gap``, ``sense``)."""
    return {lv["level"]: lv for lv in result.summary["objective"]}


def status(result) -> str:
    """The solver status reported in the summary (``optimal``, ``feasible``...)."""
    return result.summary["solver"]["status"]


@pytest.fixture(scope="session")
def published_demo(tmp_path_factory) -> Path:
    """`matcher demo` then `matcher report --pdf` (French, the default) on its folder, once for the session."""
    from click.testing import CliRunner

    from matcher.cli.main import main

    out = tmp_path_factory.mktemp("published") / "demo"
    for args in (["demo", "--out", str(out)], ["report", str(out), "--pdf"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
    return out


#: Test folders whose tests read problems and command lines word for word: they run in English. French, the
#: default, is proven by tests/cli/test_french.py and tests/report/test_language.py (which unset MATCHER_LANG).
ENGLISH_FOLDERS = ("load", "cli", "pipeline", "candidates", "trust", "solve")


@pytest.fixture(autouse=True)
def _messages_in_english(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """``MATCHER_LANG=en`` for the tests of :data:`ENGLISH_FOLDERS`."""
    if request.node.path.parent.name in ENGLISH_FOLDERS:
        monkeypatch.setenv("MATCHER_LANG", "en")
