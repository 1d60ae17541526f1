"""What a finished run hands out, through a server on loopback: the embedded HTML report under its own policy, the
committee's files, the workbooks per lycée and per company, everything in one zip, and for a student not placed the
nearest offers with why each is out (the same table as the Python API's on the same files)."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from markupsafe import escape

from matcher import embedded_scenario
from matcher.config import Config
from matcher.load import load_inputs
from matcher.load.instance import build_instance
from matcher.tables.nearest import nearest_offers
from matcher.tables.reasons import reason_texts
from matcher.util.i18n import Lang

from serving import serving

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """A server and a finished run of the demo files: (served, client, campaign id, run id)."""
    data = tmp_path_factory.mktemp("data")
    students, sites = (Path(str(p)) for p in embedded_scenario())
    files = {"students": (students.name, students.read_bytes()), "sites": (sites.name, sites.read_bytes())}
    with serving(data) as served, served.api() as client:
        rid = client.post("/api/runs", files=files).json()["id"]
        state = served.wait(rid)
        assert state["status"] == "done" and state["stages"][-1] == "report", state
        cid = next((data / "campaigns").glob(f"*/runs/{rid}")).parent.parent.name
        yield client, f"/campaigns/{cid}/runs/{rid}"


def test_the_report_is_served_under_its_own_policy_and_framed_by_the_run_page(done):
    client, run = done
    answer = client.get(f"{run}/report")
    assert answer.status_code == 200 and answer.text.startswith("<!DOCTYPE html>")
    policies = answer.headers.get_list("content-security-policy")
    assert len(policies) == 1 and "script-src 'sha256-" in policies[0]
    assert policies[0].endswith("frame-ancestors 'self'")
    page = client.get(run).text
    assert f'<iframe class="report" src="{run}/report" sandbox="allow-scripts allow-popups"' in page


def test_committee_files_workbooks_and_one_zip(done):
    client, run = done
    assert client.get(f"{run}/files/committee.pdf").content.startswith(b"%PDF")
    assert client.get(f"{run}/files/committee.csv").status_code == 200
    page = client.get(run).text
    assert 'data-testid="books-lycees"' in page and 'data-testid="books-entreprises"' in page
    first = page.split(f'href="{run}/books/lycees/', 1)[1].split('"', 1)[0]
    book = client.get(f"{run}/books/lycees/{first}")
    assert book.status_code == 200 and book.content.startswith(b"PK")
    for bad in ("lycees/..%2Fstate.json", "../state.json", "etc/x.xlsx", "lycees/nothing.xlsx"):
        assert client.get(f"{run}/books/{bad}").status_code == 404, bad
    with zipfile.ZipFile(io.BytesIO(client.get(f"{run}/all.zip").content)) as bundle:
        names = set(bundle.namelist())
    assert {"assignments.csv", "report.html", "report.xlsx", "committee.pdf", "lycees.zip", "entreprises.zip"} <= names


def test_a_student_not_placed_sees_the_nearest_offers_as_the_api_computes_them(done):
    client, run = done
    unassigned = pd.read_csv(io.BytesIO(client.get(f"{run}/files/unassigned.csv").content), dtype=str)
    placed = pd.read_csv(io.BytesIO(client.get(f"{run}/files/assignments.csv").content), dtype=str)
    sid = unassigned["student_id"].iloc[0]
    page = client.get(f"{run}/students/{sid}", params={"lang": "en"})
    assert page.status_code == 200 and 'data-testid="nearest"' in page.text
    students, sites = load_inputs(*embedded_scenario(), Config())
    expected = nearest_offers(build_instance(students, sites, Config()), placed, sid, 10)
    for site_id in expected["site_id"]:
        assert f"<td>{site_id}</td>" in page.text
    assert page.text.index(expected["site_id"].iloc[0]) < page.text.index(expected["site_id"].iloc[-1])
    assert "beyond the student&#39;s distance limit" in page.text or "full: its places" in page.text
    assert client.get(f"{run}/students/{placed['student_id'].iloc[0]}").status_code == 404  # placed: not here
    rid = run.rsplit("/", 1)[1]
    answer = client.get(f"/api/runs/{rid}/students/{sid}/nearest").json()  # the same table for scripts
    assert answer["reason_code"] == unassigned["reason_code"].iloc[0]
    assert [o["site_id"] for o in answer["offers"]] == list(expected["site_id"])
    assert [tuple(o["why"]) for o in answer["offers"]] == list(expected["why"])
    assert client.get(f"/api/runs/{rid}/students/{placed['student_id'].iloc[0]}/nearest").status_code == 404


def test_the_reasons_for_not_placing_read_in_the_pages_language(done):
    client, run = done
    unassigned = pd.read_csv(io.BytesIO(client.get(f"{run}/files/unassigned.csv").content), dtype=str)
    first = unassigned.iloc[[0]]
    for lang in ("fr", "en"):
        said = reason_texts(first["reason_code"], first["reason"], Lang(lang)).iat[0]
        assert (said == first["reason"].iat[0]) == (lang == "en")  # the file keeps English: a contract
        assert escape(said) in client.get(run, params={"lang": lang}).text, lang
        nearest = client.get(f"{run}/students/{first['student_id'].iat[0]}", params={"lang": lang}).text
        assert f'data-testid="reason">{escape(said)}</span>' in nearest, lang


def test_the_weeks_read_in_the_pages_language_and_the_file_keeps_its_codes(done):
    client, run = done
    assignments = pd.read_csv(io.BytesIO(client.get(f"{run}/files/assignments.csv").content), dtype=str)
    assert set(assignments["weeks"]) == {"both", "week_1", "week_2"}  # the file's codes: a contract
    for lang, said in (("fr", "les deux semaines"), ("en", "both weeks")):
        page = client.get(run, params={"lang": lang, "sort": "weeks"}).text
        assert f"<td>{said}</td>" in page and "<td>both</td>" not in page, lang


def test_the_dates_read_in_the_pages_language_sort_as_dates_and_are_found_as_read(done):
    client, run = done
    assignments = pd.read_csv(io.BytesIO(client.get(f"{run}/files/assignments.csv").content), dtype=str)
    first, last = sorted(set(assignments["start_date"]))[0], sorted(set(assignments["start_date"]))[-1]
    assert first == "2026-06-15" and last == "2026-06-22"  # the file keeps ISO dates: a contract
    for lang, early, late in (("fr", "15 juin 2026", "22 juin 2026"), ("en", "15 June 2026", "22 June 2026")):
        assert Lang(lang).date(first) == early
        for sort, top in (("-start_date", late), ("start_date", early)):
            page = client.get(run, params={"lang": lang, "sort": sort}).text
            assert f"<td>{first}</td>" not in page, lang
            shown = re.findall(r"<td>(\d+ \w+ 2026)</td>", page)  # the first row's start date comes first
            assert shown[0] == top and set(shown) <= {early, late, *_ends(lang)}, (lang, sort)
    found = client.get(run, params={"lang": "fr", "q": "22 juin"}).text  # what the reader sees
    assert "<td>22 juin 2026</td>" in found and "<td>15 juin 2026</td>" not in found


def test_distances_read_with_the_pages_decimal_mark_and_a_decimal_comma_finds_them(done):
    client, run = done
    assignments = pd.read_csv(io.BytesIO(client.get(f"{run}/files/assignments.csv").content), dtype=str)
    raw = assignments.loc[assignments["distance_km"].str.fullmatch(r"\d{1,3}\.\d*[1-9]"), "distance_km"].iat[0]
    for lang, mark in (("fr", ","), ("en", ".")):
        said = Lang(lang).num(float(raw), 3)  # 12,326 / 12.326; the file keeps 12.326: a contract
        assert said.replace(mark, ".") == raw.rstrip("0"), lang
        page = client.get(run, params={"lang": lang, "q": said}).text  # the French reader types what they read
        assert f"<td>{said}</td>" in page and (lang == "en" or f"<td>{raw}</td>" not in page), lang


def _ends(lang: str) -> tuple[str, str]:
    """The demo's end dates (a Friday each week) as the page says them."""
    return Lang(lang).date("2026-06-19"), Lang(lang).date("2026-06-26")


def test_the_tables_column_names_read_in_the_pages_language(done):
    client, run = done
    for lang, said in (("fr", ">Semaines</a>"), ("en", ">Weeks</a>")):
        page = client.get(run, params={"lang": lang}).text
        assert said in page and ">weeks</a>" not in page and "sort=weeks" in page, lang
