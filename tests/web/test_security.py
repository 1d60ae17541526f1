"""Security of matcher serve: login on every route, académies kept apart, CSRF, uploads refused, exposure refused."""

from __future__ import annotations

import html
import re
import socket
import ssl
import subprocess
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from fastapi.routing import APIRoute

from matcher import embedded_scenario
from matcher.cli import main
from matcher.web import api, configure, handout, pages, runs

from serving import serving

PASSWORD = "correct horse battery"
REFUSED = "file name or type refused: a plain name ending in .csv, .tsv, .txt, .xlsx, .xlsm, .xls or .ods"


def _add(data: Path, name: str, academie: str) -> None:
    args = ["users", "add", name, "--academie", academie, "--data", str(data), "--password", PASSWORD]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")
    for name, academie in (("lyon", "Lyon"), ("paris", "Paris")):
        _add(data, name, academie)
    with serving(data) as served:
        yield served, data


def _session(base: str, name: str) -> tuple[httpx.Client, str]:
    """A logged-in client and its CSRF token."""
    client = httpx.Client(base_url=base, timeout=30)
    assert client.post("/login", data={"name": name, "password": PASSWORD}).status_code == 303
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert token
    return client, token.group(1)


def _campaign(client: httpx.Client, csrf: str, name: str) -> str:
    made = client.post("/campaigns", data={"name": name, "year": "2026", "csrf": csrf})
    assert made.status_code == 303
    return made.headers["location"].rsplit("/", 1)[1]


def test_every_route_needs_a_login(server):
    served, _ = server
    paris, csrf = _session(served.base, "paris")
    cid = _campaign(paris, csrf, "Paris 2026")
    values = {"cid": cid, "rid": "0123456789abcdef", "role": "students", "name": "assignments.csv"}
    values |= {"kind": "lycees", "sid": "E0000001"}
    checked = 0
    with httpx.Client(base_url=served.base, timeout=30) as anonymous:
        routers = (pages.public, pages.router, runs.router, handout.router, configure.router, api.router)
        for route in [route for router in routers for route in router.routes]:
            if not isinstance(route, APIRoute) or route.path == "/login":
                continue
            for method in route.methods:
                answer = anonymous.request(method, route.path.format(**values))
                if route.path.startswith("/api/"):
                    assert answer.status_code == 401, (method, route.path)
                else:
                    assert (answer.status_code, answer.headers.get("location")) == (303, "/login"), (method, route.path)
                checked += 1
    assert checked >= 20


def test_another_academies_campaign_is_404(server):
    served, data = server
    paris, paris_csrf = _session(served.base, "paris")
    lyon, lyon_csrf = _session(served.base, "lyon")
    cid = _campaign(paris, paris_csrf, "Paris only")
    assert paris.get(f"/campaigns/{cid}").status_code == 200
    assert lyon.get(f"/campaigns/{cid}").status_code == 404
    assert lyon.post(f"/campaigns/{cid}/delete", data={"csrf": lyon_csrf}).status_code == 404
    assert lyon.get(f"/campaigns/{cid}/policy.toml").status_code == 404
    assert (data / "campaigns" / cid).is_dir()
    assert "Paris only" not in lyon.get("/").text
    refused = lyon.post("/campaigns", data={"name": "x", "academie": "Paris", "csrf": lyon_csrf})
    assert refused.status_code == 403
    with served.api() as api:  # an API run (national) is not a Lyon account's either
        students, sites = (Path(str(p)) for p in embedded_scenario())
        files = {"students": (students.name, students.read_bytes()), "sites": (sites.name, sites.read_bytes())}
        rid = api.post("/api/runs", files=files).json()["id"]
    assert lyon.get(f"/api/runs/{rid}").status_code == 404
    assert lyon.delete(f"/api/runs/{rid}").status_code == 404


def test_forms_without_the_csrf_token_are_403(server):
    served, _ = server
    lyon, csrf = _session(served.base, "lyon")
    cid = _campaign(lyon, csrf, "Lyon")
    for path, data in (
        ("/campaigns", {"name": "no token"}),
        (f"/campaigns/{cid}/settings", {"default_max_km": "10"}),
        (f"/campaigns/{cid}/overrides", {"student_id": "a", "site_id": "b", "action": "pin"}),
        (f"/campaigns/{cid}/delete", {}),
        ("/logout", {}),
    ):
        assert lyon.post(path, data=data).status_code == 403, path
        assert lyon.post(path, data={**data, "csrf": csrf[::-1]}).status_code == 403, path
    upload = lyon.post(f"/campaigns/{cid}/files/students", files={"file": ("s.csv", b"student_id\n")})
    assert upload.status_code == 403
    policy = lyon.post(f"/campaigns/{cid}/policy.toml", files={"file": ("policy.toml", b"default_max_km = 5\n")})
    assert policy.status_code == 403
    assert lyon.get(f"/campaigns/{cid}").status_code == 200  # still there


def test_uploads_with_a_path_or_too_large_are_refused(server):
    served, data = server
    lyon, csrf = _session(served.base, "lyon")
    cid = _campaign(lyon, csrf, "Uploads")
    url = f"/campaigns/{cid}/files/students"
    for name in ("../../x.csv", "..\\..\\x.csv", "/etc/x.csv", "x.exe", ".csv"):
        answer = lyon.post(url, data={"csrf": csrf}, files={"file": (name, b"student_id\nE1\n")})
        assert (answer.status_code, answer.json()["detail"]) == (422, REFUSED), name
    accepted = lyon.post(url, data={"csrf": csrf}, files={"file": ("x.csv", b"student_id\nE1\n")})
    assert accepted.status_code == 303 and (data / "campaigns" / cid / "inputs" / "students" / "x.csv").is_file()
    assert not list(data.parent.glob("x.*")) and [p.name for p in data.rglob("x*")] == ["x.csv"]
    size, chunk = 200 * 1024 * 1024, b"0" * (1024 * 1024)
    # announced: refused from the Content-Length header, before a byte of the body is read (a raw socket: no
    # client sends a body shorter than it announced)
    cookie = "; ".join(f"{k}={v}" for k, v in lyon.cookies.items())
    host, port = served.base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as raw:
        head = f"POST {url} HTTP/1.1\r\nHost: {host}\r\nCookie: {cookie}\r\nContent-Length: {size}\r\n"
        raw.sendall((head + "Content-Type: multipart/form-data; boundary=b\r\n\r\n").encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 413")
    # streamed without a length: refused once the limit (100 MB) is passed

    def body():
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
        for _ in range(size // len(chunk)):
            yield chunk

    streamed = lyon.post(url, content=body(), headers={"content-type": "multipart/form-data; boundary=b"})
    assert streamed.status_code == 413
    assert not list(data.rglob("big.csv"))
    assert lyon.get(f"/campaigns/{cid}").status_code == 200  # the server is still up


def test_exposed_host_refuses_to_start(tmp_path):
    empty = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "a"), "--lang", "en"])
    assert empty.exit_code == 2 and "add accounts first" in empty.output
    french = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "a")])
    assert french.exit_code == 2 and "créez d'abord des comptes" in french.output  # French by default
    _add(tmp_path / "b", "nat", "national")
    plain = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "b"), "--lang", "en"])
    assert plain.exit_code == 2 and "--allow-http" in plain.output and "unencrypted" in plain.output


def test_https_with_a_certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    with serving(tmp_path / "data", "--certfile", str(cert), "--keyfile", str(key)) as served:
        assert served.base.startswith("https://127.0.0.1:")
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = httpx.get(served.base + "/login", params={"token": served.token}, verify=trusted)
        assert answer.status_code == 303
        assert "secure" in answer.headers["set-cookie"].lower()  # the session cookie never goes over plain HTTP
        with pytest.raises(httpx.TransportError):
            httpx.get(served.base.replace("https://", "http://") + "/login", timeout=5)


def test_refusals_read_in_the_readers_language_where_a_person_reads_them(server):
    """A browser's form gets a page (with a link back to the campaign or run it was about; settings refused: the
    campaign's page, their problems by the form and the values as typed), the
    workspace's uploads the message alone; scripts and the API keep the JSON ``detail`` in English."""
    served, _ = server
    lyon, csrf = _session(served.base, "lyon")
    cid = _campaign(lyon, csrf, "Refusals")
    url = f"/campaigns/{cid}/files/students"
    sent = {"data": {"csrf": csrf}, "files": {"file": ("notes.pdf", b"x")}}
    french = (
        "nom ou type de fichier refusé : un nom simple se terminant par .csv, .tsv, .txt, .xlsx, .xlsm, .xls ou .ods"
    )
    as_page = lyon.post(url, headers={"accept": "text/html,application/xhtml+xml"}, **sent)
    assert as_page.status_code == 422 and as_page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in as_page.text and f'data-testid="refused">N{french[1:]}</p>' in as_page.text
    assert f'href="/campaigns/{cid}" data-testid="refused-back"' in as_page.text  # back to the campaign
    as_text = lyon.post(url, headers={"accept": "text/plain"}, **sent)
    assert (as_text.status_code, as_text.text) == (422, french)
    assert lyon.post(url, **sent).json() == {"detail": REFUSED}  # a script's answer as before
    as_browser = {"accept": "text/html"}
    started = lyon.post(f"/campaigns/{cid}/runs", data={"csrf": csrf}, headers=as_browser)
    said = "Déposez d'abord le fichier des élèves et celui des offres"
    assert started.status_code == 422 and said in html.unescape(started.text)
    assert f'href="/campaigns/{cid}" data-testid="refused-back"' in started.text
    assert lyon.get("/campaigns/0123456789abcdef", headers={"accept": "text/html"}).status_code == 404
    assert lyon.get("/?lang=en").status_code == 200  # the session's language from now on
    form = {"csrf": csrf, "default_max_km": "30", "mode": "optimal", "academie_floors": "none", "time_limit": "60"}
    settings = lyon.post(f"/campaigns/{cid}/settings", data={**form, "default_capacity": "2,5"}, headers=as_browser)
    assert settings.status_code == 422 and '<html lang="en">' in settings.text  # the campaign's page, in English
    problems = settings.text.split('data-testid="settings-problems"')[1].split("</table>")[0]
    assert "<td>Places per offer (empty: the sites file&#39;s)</td><td><code>2,5</code></td>" in problems
    assert "expected a non-negative integer" in problems
    assert 'name="default_capacity" value="2,5"' in settings.text  # as typed, to be corrected
    assert 'name="default_max_km" value="30"' in settings.text
    assert lyon.post(url, headers={"accept": "text/plain"}, **sent).text == REFUSED
    with served.api() as api:
        assert api.get("/api/runs/0123456789abcdef", headers={"accept": "text/html"}).json() == {"detail": "not found"}
