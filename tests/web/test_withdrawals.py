"""Withdrawals from the web: updated files for a finished run → a re-allocation keeping the valid placements, its
files byte-identical to ``matcher reallocate`` on the same files, its changes table shown and downloadable."""

from __future__ import annotations

import io
import re
from pathlib import Path

import httpx
import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import embedded_scenario
from matcher.cli import main
from matcher.pipeline.privacy import pseudonyms, read_key

from serving import serving

pytest.importorskip("fastapi")


def _csrf(client: httpx.Client) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)


def _without(students: Path, gone: set[str], folder: Path) -> Path:
    """The students file without the rows of the ids ``gone``, written under the same name in ``folder``."""
    lines = students.read_text(encoding="utf-8").splitlines(keepends=True)
    updated = folder / students.name
    updated.write_text("".join(r for r in lines if r.split(",", 1)[0] not in gone), encoding="utf-8")
    return updated


def _withdraw(client: httpx.Client, csrf: str, cid: str, run: str, updated: Path) -> str:
    """Send ``updated`` as run ``run``'s new students file; the re-allocation's run id."""
    answer = client.post(
        f"/campaigns/{cid}/runs/{run}/reallocate",
        data={"csrf": csrf},
        files={"students": (updated.name, updated.read_bytes())},
    )
    assert answer.status_code == 303
    return str(answer.headers["location"].rsplit("/", 1)[1])


def test_withdrawals_keep_the_valid_placements_and_list_the_changes(tmp_path):
    students, sites = (Path(str(p)) for p in embedded_scenario())
    with serving(tmp_path / "data") as served, httpx.Client(base_url=served.base, timeout=60) as client:
        client.get("/login", params={"token": served.token})
        csrf = _csrf(client)
        cid = client.post("/campaigns", data={"name": "W", "csrf": csrf}).headers["location"].rsplit("/", 1)[1]
        for role, path in (("students", students), ("sites", sites)):
            sent = client.post(
                f"/campaigns/{cid}/files/{role}", data={"csrf": csrf}, files={"file": (path.name, path.read_bytes())}
            )
            assert sent.status_code == 303
        first = client.post(f"/campaigns/{cid}/runs", data={"csrf": csrf}).headers["location"].rsplit("/", 1)[1]
        assert served.wait(first)["status"] == "done"
        before = tmp_path / "before"
        before.mkdir()
        for name in ("assignments.csv", "unassigned.csv"):
            (before / name).write_bytes(client.get(f"/campaigns/{cid}/runs/{first}/files/{name}").content)
        placed = pd.read_csv(before / "assignments.csv", dtype=str)["student_id"].unique()[:2]
        updated = _without(students, set(placed), tmp_path)  # two placed students withdraw
        refused = client.post(f"/campaigns/{cid}/runs/{first}/reallocate", data={"csrf": csrf})
        assert refused.status_code == 422 and 'data-testid="withdraw-refused"' in refused.text  # no file
        second = _withdraw(client, csrf, cid, first, updated)
        state = served.wait(second)
        assert state["status"] == "done", state
        got = {
            n: client.get(f"/campaigns/{cid}/runs/{second}/files/{n}").content
            for n in ("assignments.csv", "changes.csv")
        }
        page = client.get(f"/campaigns/{cid}/runs/{second}").text
    out = tmp_path / "cli"
    done = CliRunner().invoke(
        main,
        ["reallocate", "--previous", str(before), "--students", str(updated), "--sites", str(sites), "--out", str(out)],
    )
    assert done.exit_code == 0, done.output
    for name, content in got.items():
        assert content == (out / name).read_bytes(), name
    changes = pd.read_csv(out / "changes.csv", dtype=str)
    assert set(placed) <= set(changes.loc[changes["change"] == "WITHDRAWN", "student_id"])
    assert 'data-testid="table-changes"' in page and 'data-testid="previous"' in page
    assert 'data-testid="download-changes.csv"' in page


def test_a_pseudonymised_campaigns_updated_students_file_is_pseudonymised_too(tmp_path):
    # The campaign's students file was pseudonymised at upload: the updated file sent for withdrawals is stored
    # pseudonymised with the same key, so the withdrawn students are exactly the ones removed from it (with the
    # real ids stored, every student would look withdrawn) and no real id is anywhere in the data folder.
    students, sites = (Path(str(p)) for p in embedded_scenario())
    ids = pd.read_csv(students, dtype=str)["student_id"]
    data = tmp_path / "data"
    with serving(data) as served, httpx.Client(base_url=served.base, timeout=60) as client:
        client.get("/login", params={"token": served.token})
        csrf = _csrf(client)
        cid = client.post("/campaigns", data={"name": "P", "csrf": csrf}).headers["location"].rsplit("/", 1)[1]
        for role, path, extra in (("students", students, {"pseudonymise": "on"}), ("sites", sites, {})):
            sent = client.post(
                f"/campaigns/{cid}/files/{role}",
                data={"csrf": csrf, **extra},
                files={"file": (path.name, path.read_bytes())},
            )
            assert sent.status_code == 303
        first = client.post(f"/campaigns/{cid}/runs", data={"csrf": csrf}).headers["location"].rsplit("/", 1)[1]
        assert served.wait(first)["status"] == "done"
        gone = {ids.iloc[0], ids.iloc[1]}
        second = _withdraw(client, csrf, cid, first, _without(students, gone, tmp_path))
        assert served.wait(second)["status"] == "done"
        changes = client.get(f"/campaigns/{cid}/runs/{second}/files/changes.csv").content.decode("utf-8")
    withdrawn = pd.read_csv(io.StringIO(changes), dtype=str).query("change == 'WITHDRAWN'")
    key = read_key(data / "campaigns" / cid / "pseudonym.key")
    assert sorted(withdrawn["student_id"]) == sorted(pseudonyms(pd.Series(sorted(gone)), key))
    everything = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
    assert ids.iloc[2].encode() not in everything and ids.iloc[0].encode() not in everything
