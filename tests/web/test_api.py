"""The JSON API against a server on loopback: runs give the same files as ``matcher allocate``, problems as JSON."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from matcher import embedded_scenario
from matcher.cli import main
from matcher.util.i18n import Lang

from serving import serving

pytest.importorskip("fastapi")

OUTPUTS = ("assignments.csv", "unassigned.csv", "summary.json")
POLICY = 'academie_floors = "proportional"\ndefault_max_km = 25.0\n'
# E0000001 (not placed in the free optimum) pinned to S000301, in its range; E0000002's only site forbidden.
OVERRIDES = "student_id,site_id,action\nE0000001,S000301,pin\nE0000002,S000822,forbid\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("data")) as served:
        yield served


def _files(extra: dict[str, tuple[str, str]]) -> dict:
    students, sites = (Path(str(p)) for p in embedded_scenario())
    return {
        "students": (students.name, students.read_bytes(), "text/csv"),
        "sites": (sites.name, sites.read_bytes(), "text/csv"),
        **{k: (name, text.encode(), "text/plain") for k, (name, text) in extra.items()},
    }


def _cli(tmp_path: Path, name: str, text: str, option: str) -> Path:
    students, sites = (str(p) for p in embedded_scenario())
    given = tmp_path / name
    given.write_text(text)
    out = tmp_path / f"cli-{option.strip('-')}"
    args = ["allocate", "--students", students, "--sites", sites, option, str(given), "--out", str(out)]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 0, done.output
    return out


@pytest.mark.parametrize(
    ("field", "name", "text", "option"),
    [("config", "policy.toml", POLICY, "--config"), ("overrides", "overrides.csv", OVERRIDES, "--overrides")],
    ids=["policy", "overrides"],
)
def test_run_gives_the_same_files_as_the_cli(server, tmp_path, field, name, text, option):
    with server.api() as client:
        answer = client.post("/api/runs", files=_files({field: (name, text)}))
        assert answer.status_code == 202, answer.text
        rid = answer.json()["id"]
        state = server.wait(rid)
        assert state["status"] == "done", state
        expected = _cli(tmp_path, name, text, option)
        for output in OUTPUTS:
            got = client.get(f"/api/runs/{rid}/files/{output}")
            assert got.status_code == 200
            assert got.content == (expected / output).read_bytes(), output
    assert state["summary"]["counts"]["placed"] > 0
    if field == "overrides":
        assert (state["summary"]["overrides"]["pinned"], state["summary"]["overrides"]["forbidden"]) == (1, 1)


def test_input_problems_are_422_with_every_problem(server):
    students, sites = (Path(str(p)) for p in embedded_scenario())
    lines = students.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[8] = "loin"  # max_km of the second student: spreadsheet row 3
    broken = "\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n"
    with server.api() as client:
        answer = client.post(
            "/api/runs",
            files={
                "students": ("students.csv", broken.encode(), "text/csv"),
                "sites": (sites.name, sites.read_bytes()),
            },
        )
    assert answer.status_code == 422
    problems = answer.json()["problems"]
    assert {(p["file"], p["row"], p["column"]) for p in problems} == {("students.csv", 3, "max_km")}
    assert set(problems[0]) == {"file", "row", "column", "value", "message", "fix"}
    overrides = "student_id,site_id,action\nE0000001,S000301,keep\nNOBODY,S000301,forbid\n"
    with server.api() as client:
        answer = client.post("/api/runs", files=_files({"overrides": ("overrides.csv", overrides)}))
    assert answer.status_code == 422
    found = {(p["file"], p["row"], p["column"], p["message"]) for p in answer.json()["problems"]}
    said = Lang()  # the server's language: MATCHER_LANG (inherited) else French
    assert found == {
        ("overrides.csv", 2, "action", said("unknown action")),
        ("overrides.csv", 3, "student_id", said("unknown student")),
    }


def test_unknown_run_is_404_and_delete_erases(server):
    with server.api() as client:
        assert client.get("/api/runs/0123456789abcdef").status_code == 404
        assert client.get("/api/runs/..%2F..%2Fetc").status_code == 404
        rid = client.post("/api/runs", files=_files({})).json()["id"]
        assert server.wait(rid)["status"] == "done"
        assert client.get(f"/api/runs/{rid}/files/state.json").status_code == 404  # not an output
        assert client.delete(f"/api/runs/{rid}").status_code == 204
        assert client.get(f"/api/runs/{rid}").status_code == 404


def test_openapi_page(server):
    with server.api() as client:
        page = client.get("/api/docs")
        schema = client.get("/api/openapi.json").json()
    assert page.status_code == 200 and "POST /api/runs" in page.text
    assert set(schema["paths"]) == {
        "/api/runs",
        "/api/runs/{rid}",
        "/api/runs/{rid}/files/{name}",
        "/api/runs/{rid}/students/{sid}/nearest",
    }
