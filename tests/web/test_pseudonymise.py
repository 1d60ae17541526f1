"""Pseudonymisation offered at upload: the students' ids replaced with the campaign's keyed pseudonyms before
anything is stored (no original id anywhere in the data folder), columns outside the contract dropped, the key
owner-only in the campaign's folder and erased with it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pandas as pd
import pytest

from matcher import embedded_scenario
from matcher.pipeline.privacy import pseudonyms, read_key

from serving import serving

pytest.importorskip("fastapi")


def test_ids_replaced_before_anything_is_stored(tmp_path):
    students, sites = (Path(str(p)) for p in embedded_scenario())
    lines = students.read_text(encoding="utf-8").splitlines()
    named = "\n".join([lines[0] + ",Nom", *(f"{row},Dupont{i}" for i, row in enumerate(lines[1:]))]) + "\n"
    ids = pd.read_csv(students, dtype=str)["student_id"]
    data = tmp_path / "data"
    with serving(data) as served, httpx.Client(base_url=served.base, timeout=60) as client:
        client.get("/login", params={"token": served.token})
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
        cid = client.post("/campaigns", data={"name": "P", "csrf": csrf}).headers["location"].rsplit("/", 1)[1]
        sent = client.post(
            f"/campaigns/{cid}/files/sites", data={"csrf": csrf}, files={"file": (sites.name, sites.read_bytes())}
        )
        assert sent.status_code == 303
        sent = client.post(
            f"/campaigns/{cid}/files/students",
            data={"csrf": csrf, "pseudonymise": "on"},
            files={"file": ("eleves.csv", named.encode())},
        )
        assert sent.status_code == 303
        page = client.get(f"/campaigns/{cid}").text
        folder = data / "campaigns" / cid
        stored = pd.read_csv(folder / "inputs" / "students" / "eleves.csv", dtype=str)
        key = read_key(folder / "pseudonym.key")
        assert (folder / "pseudonym.key").stat().st_mode & 0o077 == 0
        assert list(stored["student_id"]) == list(pseudonyms(ids, key))
        assert "Nom" not in stored.columns
        everything = b"".join(p.read_bytes() for p in data.rglob("*") if p.is_file())
        assert ids.iloc[0].encode() not in everything and b"Dupont1" not in everything
        assert not list(data.glob(".upload-*"))  # the file as sent was removed at once
        assert 'data-testid="pseudonymised"' in page and "Nom" in page and 'data-testid="valid"' in page
        assert client.post(f"/campaigns/{cid}/delete", data={"csrf": csrf}).status_code == 303
        assert not folder.exists()
