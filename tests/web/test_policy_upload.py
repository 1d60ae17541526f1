"""A policy file uploaded in a campaign's settings: checked as ``--config`` is, its problems shown and nothing saved
when it is wrong; a floors file (a path of the server) refused, from the page and from the API."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from matcher import embedded_scenario

from conftest import write_extract
from serving import serving

pytest.importorskip("fastapi")


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    """A client logged in with the token, its CSRF token, a campaign id and the data folder."""
    data = tmp_path_factory.mktemp("data")
    with serving(data) as served, httpx.Client(base_url=served.base, timeout=60) as client:
        assert client.get("/login", params={"token": served.token}).status_code == 303
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        made = client.post("/campaigns", data={"name": "Policy", "year": "2026", "csrf": csrf})
        yield client, csrf, made.headers["location"].rsplit("/", 1)[1], data, served


def _send(client: httpx.Client, csrf: str, cid: str, text: str) -> httpx.Response:
    files = {"file": ("mine.toml", text.encode())}
    return client.post(f"/campaigns/{cid}/policy.toml", data={"csrf": csrf}, files=files)


def test_a_valid_policy_replaces_the_settings(logged):
    client, csrf, cid, data, _ = logged
    sent = 'default_max_km = 12.5\nmode = "stable"\nyear = 2026\n'
    assert _send(client, csrf, cid, sent).status_code == 303
    assert (data / "campaigns" / cid / "policy.toml").read_text(encoding="utf-8") == sent  # kept as sent
    assert client.get(f"/campaigns/{cid}/policy.toml").text == sent
    page = client.get(f"/campaigns/{cid}").text
    assert 'name="default_max_km" value="12.5"' in page and "<option selected>stable</option>" in page


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("default_max_km = -3\n", "default_max_km"),
        ("defaut_max_km = 10\n", "defaut_max_km"),  # a misspelt option
        ('academie_floors = "/etc/passwd"\n', "academie_floors"),  # a file of the server
        ("default_max_km = [\n", None),  # not TOML
    ],
    ids=["out-of-range", "unknown", "floors-file", "not-toml"],
)
def test_a_wrong_policy_shows_its_problems_and_saves_nothing(logged, text, column):
    client, csrf, cid, data, _ = logged
    path = data / "campaigns" / cid / "policy.toml"
    before = path.read_bytes() if path.is_file() else None
    answer = _send(client, csrf, cid, text)
    assert answer.status_code == 422 and 'data-testid="policy-problems"' in answer.text
    cells = re.findall(r"<tr><td>([^<]*)</td>", answer.text.split('data-testid="policy-problems"')[1])
    assert cells[0] == (column or "")
    assert (path.read_bytes() if path.is_file() else None) == before


def test_a_wrong_policys_problems_read_in_the_pages_language(logged):
    client, csrf, cid, *_ = logged
    said = {}
    for lang in ("en", "fr"):
        assert client.get(f"/campaigns/{cid}?lang={lang}").status_code == 200  # kept in the session
        answer = _send(client, csrf, cid, "default_max_km = -3\n")
        assert answer.status_code == 422 and f'<html lang="{lang}">' in answer.text
        said[lang] = answer.text.split('data-testid="policy-problems"')[1].split("</table>")[0]
    assert "<td>expected a positive number</td><td>set default_max_km to a positive number</td>" in said["en"]
    assert (
        "<td>attendu : un nombre positif</td><td>donnez à default_max_km la valeur : un nombre positif</td>"
        in (said["fr"])
    )


def test_the_api_refuses_a_floors_file_too_without_telling_whether_it_exists(logged):
    # A file that exists and one that does not get the same answer: the server's files are never probed.
    *_, served = logged
    students, sites = (Path(str(p)) for p in embedded_scenario())
    answers = []
    for floors in (b"/etc/hostname", b"/nonexistent/floors.csv"):
        files = {
            "students": (students.name, students.read_bytes()),
            "sites": (sites.name, sites.read_bytes()),
            "config": ("policy.toml", b'academie_floors = "' + floors + b'"\n'),
        }
        with served.api() as api:
            answer = api.post("/api/runs", files=files)
        assert answer.status_code == 422
        problems = answer.json()["problems"]
        assert [p["column"] for p in problems] == ["academie_floors"]
        answers.append([p["message"] for p in problems])
    assert answers[0] == answers[1]


def test_the_form_keeps_the_other_options_of_an_uploaded_policy(logged):
    client, csrf, cid, data, _ = logged
    sent = 'lang = "en"\ndefault_max_km = 30.0\n\n[objective]\norder = ["placed", "distance", "preference"]\n'
    assert _send(client, csrf, cid, sent).status_code == 303
    form = {"csrf": csrf, "default_max_km": "12", "mode": "optimal", "academie_floors": "none", "time_limit": "60"}
    assert client.post(f"/campaigns/{cid}/settings", data=form).status_code == 303
    kept = (data / "campaigns" / cid / "policy.toml").read_text(encoding="utf-8")
    assert "default_max_km = 12.0" in kept and "default_max_km = 30.0" not in kept
    assert 'lang = "en"' in kept and kept.index("[objective]") > kept.index("default_max_km = 12.0")
    assert 'order = ["placed", "distance", "preference"]' in kept


def test_places_per_offer_set_in_the_form_make_a_platform_extract_readable(logged, tmp_path):
    client, csrf, cid, data, served = logged
    students = "student_id,commune_insee,sectors\n" + "".join(f"E{i},69381,secteur_energie\n" for i in range(3))
    offers = [(i, "Énergie", "Lyon", "69001", "seconde_only") for i in "12"]
    extract = write_extract(tmp_path / "offres.csv", offers).read_bytes()
    for role, name, body in (("students", "eleves.csv", students), ("sites", "offres.csv", extract)):
        sent = client.post(f"/campaigns/{cid}/files/{role}", data={"csrf": csrf}, files={"file": (name, body)})
        assert sent.status_code == 303
    page = client.get(f"/campaigns/{cid}").text
    assert 'data-testid="valid"' not in page and "default_capacity" in page  # no places in the extract yet
    form = {"csrf": csrf, "default_max_km": "30", "mode": "optimal", "academie_floors": "none", "time_limit": "60"}
    assert client.post(f"/campaigns/{cid}/settings", data={**form, "default_capacity": "2"}).status_code == 303
    assert "default_capacity = 2\n" in (data / "campaigns" / cid / "policy.toml").read_text(encoding="utf-8")
    page = client.get(f"/campaigns/{cid}").text
    assert 'name="default_capacity" value="2" inputmode="numeric"' in page and 'data-testid="valid"' in page
    run = client.post(f"/campaigns/{cid}/runs", data={"csrf": csrf}).headers["location"].rsplit("/", 1)[1]
    assert served.wait(run)["status"] == "done"
    summary = json.loads(next((data / "campaigns" / cid / "runs").glob(f"{run}/**/summary.json")).read_text())
    assert summary["counts"]["placed"] == 3 and summary["parameters"]["default_capacity"] == 2  # 2 offers × 2
    assert client.post(f"/campaigns/{cid}/settings", data={**form, "default_capacity": "2,5"}).status_code == 422
