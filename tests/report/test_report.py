"""`matcher report`: the HTML page opened in a real headless Chromium with the network off, the workbook read back
with openpyxl, formula neutralisation in every export, the committee table's suppression on hand-built cases.

The browser test needs Debian's ``chromium`` (``.ci/run`` installs it); it fails, rather than skips, without it.
Its screenshot is kept in ``test-artefacts/`` at the repository root (or ``$MATCHER_ARTEFACTS``).
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from matcher import Config, allocate, load_inputs, write_outputs
from matcher.cli.main import main
from matcher.export.safecells import FORMULA_STARTS, neutralize, neutralize_frame
from matcher.report import Allocation, committee_figures, publish, read_allocation
from matcher.report.build import csv_bytes
from matcher.report.workbook import write_workbook

from browser import CHROMIUM, CHROMIUM_ARGS
from conftest import platform_inputs, two_lycees_two_companies, write_csv

ARTEFACTS = Path(os.environ.get("MATCHER_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts"))
EVIL = '=HYPERLINK("http://example.invalid/x","click me")'


def invoke(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory) -> Path:
    """`matcher demo` then `matcher report` on its folder (the embedded inputs are found by their hashes)."""
    out = tmp_path_factory.mktemp("demo")
    assert invoke("demo", "--out", out).exit_code == 0
    result = invoke("report", out, "--no-workbook")
    assert result.exit_code == 0, result.output
    return out


# --- the page in a real browser, offline --------------------------------------------------------------------


def test_report_renders_offline_in_headless_chromium(demo_report, capsys):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (apt-get install -y chromium); .ci/run does")
    from playwright.sync_api import sync_playwright

    errors, outside = [], []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1200, "height": 900})
        context.route(
            "**/*",
            lambda route: (
                route.continue_()
                if route.request.url.startswith(("file:", "data:", "about:"))
                else (outside.append(route.request.url), route.abort())
            ),
        )
        page = context.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((demo_report / "report.html").as_uri(), wait_until="load")
        page.wait_for_timeout(500)
        checks = _page_checks(page)
        frame = page.frame_locator("#site-map")
        frame.locator(".leaflet-control-layers").wait_for()
        leaflet = page.frames[1].evaluate("window.L && L.version")
        canvas = frame.locator("canvas").count()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTEFACTS / "report.png", full_page=True)
        browser.close()
    with capsys.disabled():  # shown in the test run's output, not captured
        print(f"\nreport screenshot kept as a test artefact: {ARTEFACTS / 'report.png'}")
    assert errors == [] and outside == [], (errors, outside)
    assert checks["committee_rows"] == 31 and checks["academy_rows"] >= 30
    assert all(w > 200 and h > 100 for w, h in checks["charts"].values()), checks["charts"]
    for gid in ("choropleth-fill", "choropleth-placed", "choropleth-coverage"):
        shapes = checks["choropleths"][gid]
        assert shapes["count"] == 101 and shapes["drawn"] == 101, (gid, shapes)  # overseas insets included
        assert shapes["colours"] >= 5
    assert leaflet == "1.9.4" and canvas >= 1


def _page_checks(page) -> dict:
    return page.evaluate("""() => {
        const box = el => { const r = el.getBoundingClientRect(); return [r.width, r.height]; };
        const charts = {};
        for (const id of ["chart-committee", "chart-placed", "chart-distance", "chart-reasons"]) {
            const el = document.getElementById(id); charts[id] = el ? box(el) : [0, 0];
        }
        const choropleths = {};
        for (const id of ["choropleth-fill", "choropleth-placed", "choropleth-coverage"]) {
            const deps = [...document.querySelectorAll(`#${id} g[id^="dep-"]`)];
            const drawn = deps.filter(g => { const [w, h] = box(g); return w > 0 && h > 0; }).length;
            const colours = new Set(deps.map(g => getComputedStyle(g.querySelector("path")).fill)).size;
            choropleths[id] = {count: deps.length, drawn, colours};
        }
        return {committee_rows: document.querySelectorAll("#committee tbody tr").length,
                academy_rows: document.querySelectorAll("#academies tbody tr").length, charts, choropleths};
    }""")


def test_report_is_byte_identical_between_runs(demo_report, tmp_path):
    result = invoke("report", demo_report, "--out", tmp_path, "--no-workbook")
    assert result.exit_code == 0, result.output
    for name in ("report.html", "committee.csv"):
        assert (tmp_path / name).read_bytes() == (demo_report / name).read_bytes(), name


def test_report_of_a_folder_that_is_not_an_allocation_exits_2(tmp_path):
    result = invoke("report", tmp_path)
    assert result.exit_code == 2 and "summary.json" in result.output
    assert list(tmp_path.iterdir()) == []


# --- workbook and formula neutralisation on a small real run ------------------------------------------------


def _inputs(d: Path) -> tuple[Path, Path]:
    first = {"student_id": "+33 6 00", "lycee_uai": "0750654D", "gender": "M", "priority": True}
    return two_lycees_two_companies(d, first)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory) -> Path:
    """A tiny allocation through the CLI (the loader accepts "+33 6 00" as an id), reported with its inputs."""
    d = tmp_path_factory.mktemp("cli")
    s_path, t_path = _inputs(d)
    out = d / "out"
    result = invoke("allocate", "--students", s_path, "--sites", t_path, "--out", out)
    assert result.exit_code == 0, result.output
    result = invoke("report", out, "--students", s_path, "--sites", t_path)
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def api_run(tmp_path_factory) -> Path:
    """The same run through the Python API with formula-like ids (which the file loader refuses, but a notebook
    can build): write_outputs and the workbook must still neutralise them."""
    d = tmp_path_factory.mktemp("api")
    s_path, t_path = _inputs(d)
    students, sites = load_inputs(s_path, t_path, Config())
    students["student_id"] = students["student_id"].replace({"E2": EVIL, "E4": "@E4"})
    sites["site_id"] = sites["site_id"].replace({"S2": "=1+1"})
    sites["company"] = sites["company"].replace({"Acme": "-Acme"})
    result = allocate(students, sites, Config())
    write_outputs(result, d / "out")
    alloc = dataclasses.replace(read_allocation(d / "out"), students=students, sites=sites)
    write_workbook(alloc, publish(committee_figures(alloc)), d / "out" / "report.xlsx")
    return d / "out"


def _cells(path: Path):
    wb = openpyxl.load_workbook(path)
    return wb, [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_workbook_has_the_sheets(cli_run):
    wb, cells = _cells(cli_run / "report.xlsx")  # French by default; one sheet per kind of table
    assert wb.sheetnames == ["Synthèse", "Académies", "Élèves", "Lycées", "Entreprises", "Métiers"], wb.sheetnames
    students = list(wb["Élèves"].iter_rows(min_row=5, values_only=True))
    assert students[0][:2] == ("Lycée (UAI)", "Élève") and {r[1] for r in students[1:]} == {
        "'+33 6 00",
        "E2",
        "E3",
        "E4",
    }
    paris = list(openpyxl.load_workbook(next((cli_run / "lycees").glob("*-0750654D.xlsx"))).active.values)
    assert paris[4][0] == "Élève" and {r[0] for r in paris[5:]} == {"'+33 6 00", "E2"}
    acme = list(openpyxl.load_workbook(next((cli_run / "entreprises").glob("Acme-*.xlsx"))).active.values)
    assert acme[4][:2] == ("Site", "Élève") and len(acme) == 7  # 3 heading lines, a blank, header, 2 students
    assert not [c.coordinate for c in cells if c.data_type == "f"]


def test_workbook_formula_ids_come_out_inert(api_run):
    wb, cells = _cells(api_run / "report.xlsx")
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert "'" + EVIL in texts and EVIL not in texts
    assert {"'@E4", "'=1+1", "'-Acme"} <= texts


def test_every_csv_export_is_neutralised(cli_run, api_run):
    for folder in (cli_run, api_run):
        for name in ("assignments.csv", "unassigned.csv", "committee.csv"):
            if not (folder / name).exists():
                continue
            table = pd.read_csv(folder / name, dtype=str, keep_default_na=False)
            cells = table.to_numpy().ravel().tolist() + list(table.columns)
            assert not [c for c in cells if c.startswith(FORMULA_STARTS)], (folder, name)
    ids = set(pd.read_csv(api_run / "assignments.csv", dtype=str)["student_id"]) | set(
        pd.read_csv(api_run / "unassigned.csv", dtype=str)["student_id"]
    )
    assert ids == {"'" + EVIL, "'+33 6 00", "E3", "'@E4"}


def test_the_report_page_has_no_remote_resource(cli_run):
    page = (cli_run / "report.html").read_text(encoding="utf-8")
    assert 'src="http' not in page and 'href="http' not in page
    assert json.loads((cli_run / "summary.json").read_text())["counts"]["students"] == 4


@given(st.text(max_size=20))
def test_neutralize_never_leaves_a_formula_start(text):
    out = neutralize(text)
    assert not out.startswith(FORMULA_STARTS)
    # a text starting with an apostrophe gets one more, so that the apostrophe added is recognised when read back
    assert out == text or (out == "'" + text and text.startswith((*FORMULA_STARTS, "'")))


def test_neutralize_frame_leaves_numbers_and_its_input_alone():
    frame = pd.DataFrame({"id": ["=A1", "ok", None], "km": [-1.5, 2.0, 3.0]})
    out = neutralize_frame(frame)
    assert out["id"].tolist()[:2] == ["'=A1", "ok"] and out["km"].tolist() == [-1.5, 2.0, 3.0]
    assert frame["id"].tolist()[0] == "=A1"


# --- committee figures: suppression on hand-built allocations ------------------------------------------------


def _alloc(hosted: dict[str, list[tuple[str, bool]]], offered: dict[str, float]) -> Allocation:
    """An allocation with ``hosted[académie] = [(gender, priority), ...]``, one full-time student each."""
    rows, students = [], []
    for aca, people in hosted.items():
        for i, (gender, prio) in enumerate(people):
            sid = f"{aca}-{i}"
            rows.append({"student_id": sid, "site_academie": aca, "weeks": "both"})
            students.append({"student_id": sid, "gender": gender, "priority": prio})
    used = {a: float(len(p)) for a, p in hosted.items()}
    summary = {
        "academies": [
            {"academie": a, "places_offered": offered[a], "places_used": used.get(a, 0.0)} for a in sorted(offered)
        ],
        "counts": {"places_offered": sum(offered.values()), "places_used": sum(used.values())},
    }
    return Allocation(
        Path("x"),
        pd.DataFrame(rows),
        pd.DataFrame(columns=["student_id"]),
        summary,
        pd.DataFrame(students),
        None,
        "test",
    )


def test_committee_figures_hand_counted():
    alloc = _alloc(
        {"A": [("F", True)] * 6 + [("M", False)] * 4, "B": [("F", False)] * 3 + [("M", True)] * 5 + [("M", False)] * 2},
        {"A": 12.0, "B": 10.0, "C": 5.0},
    )
    raw = committee_figures(alloc).set_index("academie")
    assert raw.loc["A", "students_hosted"] == 10 and raw.loc["A", "girls_share"] == 0.6
    assert raw.loc["A", "priority_share"] == 0.6 and raw.loc["A", "fill_rate"] == round(10 / 12, 4)
    assert raw.loc["B", "girls_share"] == 0.3 and raw.loc["B", "priority_share"] == 0.5
    assert raw.loc["B", "fill_rate"] == 1.0 and raw.loc["C", "students_hosted"] == 0
    assert raw.loc["France", "students_hosted"] == 20 and raw.loc["France", "girls_share"] == 0.45
    assert raw.loc["France", "fill_rate"] == round(20 / 27, 4)
    pub = publish(committee_figures(alloc)).set_index("academie")
    # A: 4 boys (complement of 6 girls) and 4 non-priority → both shares secret; B: 3 girls → girls' share secret;
    # A's 4 non-priority students are the lone small cell of that count → B's 5 (next smallest) go secret too
    assert pub.loc["A", "students_hosted"] == 10 and pub.loc["A", "girls_share"] == "s"
    assert pub.loc["A", "priority_share"] == "s" and pub.loc["B", "girls_share"] == "s"
    assert pub.loc["B", "priority_share"] == "s" and pub.loc["C", "students_hosted"] == 0
    assert pub.loc["France", "girls_share"] == 0.45


def test_a_lone_small_academie_takes_the_next_smallest_with_it():
    alloc = _alloc(
        {"A": [("F", False)] * 3, "B": [("F", False)] * 7, "C": [("F", False)] * 20}, {"A": 5.0, "B": 10.0, "C": 20.0}
    )
    pub = publish(committee_figures(alloc)).set_index("academie")
    assert pub.loc["A", "students_hosted"] == "<5" and pub.loc["B", "students_hosted"] == "<5"
    assert pub.loc["C", "students_hosted"] == 20 and pub.loc["France", "students_hosted"] == 30
    assert pub.loc["A", "fill_rate"] == "s" and pub.loc["C", "fill_rate"] == 1.0


def test_report_refuses_input_files_that_are_not_the_runs(cli_run, tmp_path):
    other = write_csv(tmp_path / "students.csv", [{"student_id": "X1", "lycee_uai": "0750654D"}])
    sites = cli_run.parent / "sites.csv"
    result = invoke("report", cli_run, "--students", other, "--sites", sites, "--out", tmp_path / "rep", "--lang", "en")
    assert result.exit_code == 2 and "not the one the allocation used" in result.output
    result = invoke("report", cli_run, "--sites", sites, "--out", tmp_path / "rep")  # French, the default
    assert result.exit_code == 2 and "les deux fichiers d'entrée ou aucun" in result.output
    assert not (tmp_path / "rep").exists()


_CELLS = st.one_of(st.text(max_size=4), st.sampled_from(["=1", "+a", "-", "@x", "\tq", "\rq", "'=", ""]))


@given(
    st.lists(st.one_of(_CELLS, st.none()), max_size=8),
    st.lists(st.one_of(_CELLS, st.none(), st.integers(), st.floats(allow_nan=True)), max_size=8),
)
def test_neutralize_frame_is_neutralize_on_every_cell(text_cells, mixed_cells):
    for column in (
        pd.Series(text_cells, dtype="str"),
        pd.Series(text_cells, dtype=object),
        pd.Series(mixed_cells, dtype=object),
    ):
        out = neutralize_frame(pd.DataFrame({"c": column}))["c"]
        expected = pd.Series([neutralize(v) for v in column], dtype=column.dtype, name="c")
        pd.testing.assert_series_equal(out, expected)


def test_committee_csv_counts_whole_place_weeks_never_half_places(tmp_path):
    # A: 12 full-time places and one place for a single week = 12.5 places in summary.json → 25 place-weeks
    alloc = _alloc({"A": [("F", False)] * 6, "B": [("M", False)] * 6}, {"A": 12.5, "B": 7.0})
    pub = publish(committee_figures(alloc)).set_index("academie")
    assert "places_offered" not in pub.columns
    assert pub["place_weeks_offered"].to_dict() == {"A": 25, "B": 14, "France": 39}
    written = tmp_path / "committee.csv"
    written.write_bytes(csv_bytes(pub.reset_index()))
    lines = written.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("academie,place_weeks_offered,")
    assert [line.split(",")[1] for line in lines[1:]] == ["25", "14", "39"]  # whole numbers, as written


def _platform_run(tmp_path: Path) -> tuple[list[str], Path]:
    """A platform offers extract (no capacity column) allocated with ``--default-capacity 2``: its input options."""
    inputs, out = platform_inputs(tmp_path), tmp_path / "run"
    run = CliRunner().invoke(main, ["allocate", *inputs, "--default-capacity", "2", "--out", str(out)])
    assert run.exit_code == 0, run.output
    return inputs, out


def test_the_report_of_a_platform_run_gives_its_sites_the_runs_places(tmp_path):
    inputs, out = _platform_run(tmp_path)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"]["default_capacity"] == 2 and summary["counts"]["placed"] == 4
    report = CliRunner().invoke(main, ["report", str(out), *inputs, "--no-workbook"])
    assert report.exit_code == 0, report.output  # the sites file has no capacity: the run's 2 places each
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Agriculture" in page and "secteur_agriculture" not in page  # the sector's label, as trades'
    figures = pd.read_csv(out / "committee.csv", dtype=str, keep_default_na=False)
    assert figures["place_weeks_offered"].tolist()[0] == "8"  # 2 offers, 2 places in each of 2 weeks
    again = CliRunner().invoke(main, ["report", str(out), *inputs, "--no-workbook", "--default-capacity", "2"])
    assert again.exit_code == 0, again.output  # as the error's fix says, the option is taken too
