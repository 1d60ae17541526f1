"""The data folder of ``matcher serve``: campaigns, their input files, settings, overrides and runs (PRIVACY.md).

Every path is built here from checked parts only: identifiers are random hexadecimal strings matched against
:data:`ID`, uploaded names against :data:`NAME` (no separator, no ``..``), output names against :data:`OUTPUTS`.
A request's text never reaches the file system in any other way.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.export.outputs import write_atomic

__all__ = [
    "BOOK",
    "BOOKS",
    "ID",
    "NAME",
    "OUTPUTS",
    "REPORTS",
    "ROLES",
    "SUFFIXES",
    "Store",
    "read_json",
    "safe_name",
    "write_json",
]

#: A campaign's or run's identifier.
ID = re.compile(r"[0-9a-f]{16}")
#: An uploaded file's name: letters, digits, dot, dash, underscore, space; no separator, never ``..``.
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._ -]{0,99}")
#: The input files a campaign holds.
ROLES = ("students", "sites")
#: The files a finished run offers for download.
OUTPUTS = (
    "assignments.csv",
    "unassigned.csv",
    "changes.csv",
    "summary.json",
    "run.json",
    "overrides.csv",
    "policy.toml",
)
#: The report's files (``matcher report --pdf``), in the run's ``report`` folder.
REPORTS = ("report.html", "report.xlsx", "committee.csv", "committee.pdf", "lycees.zip", "entreprises.zip")
#: The folders of the per-recipient workbooks, and their files' names (``matcher.report.recipients.safe_name``).
BOOKS = ("lycees", "entreprises")
BOOK = re.compile(r"[A-Za-z0-9-]{1,100}\.xlsx")
#: File types accepted for students and sites (what the CLI reads).
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods")


def safe_name(name: str, suffixes: tuple[str, ...] = SUFFIXES) -> str | None:
    """``name`` when it is a plain file name of an accepted type, else None."""
    if not NAME.fullmatch(name) or ".." in name or not name.lower().endswith(suffixes):
        return None
    return name


def _checked(ident: str) -> str:
    if not ID.fullmatch(ident):
        raise KeyError(ident)
    return ident


@dataclass(frozen=True)
class Store:
    """The data folder ``root``."""

    root: Path

    def campaign_dir(self, cid: str) -> Path:
        """The folder of campaign ``cid`` (KeyError when the id is malformed or unknown)."""
        path = self.root / "campaigns" / _checked(cid)
        if not (path / "campaign.json").is_file():
            raise KeyError(cid)
        return path

    def run_dir(self, cid: str, rid: str) -> Path:
        """The folder of run ``rid`` of campaign ``cid`` (KeyError when unknown)."""
        path = self.campaign_dir(cid) / "runs" / _checked(rid)
        if not (path / "state.json").is_file():
            raise KeyError(rid)
        return path

    def create_campaign(self, name: str, year: int, academie: str) -> str:
        """A new campaign's id."""
        cid = secrets.token_hex(8)
        path = self.root / "campaigns" / cid
        (path / "runs").mkdir(parents=True)
        meta = {"id": cid, "name": name, "year": year, "academie": academie, "created": time.time()}
        write_json(path / "campaign.json", meta)
        return cid

    def campaigns(self) -> list[dict[str, Any]]:
        """Every campaign's record, newest first."""
        found = [read_json(p) for p in (self.root / "campaigns").glob("*/campaign.json")]
        return sorted(found, key=lambda c: -float(c["created"]))

    def campaign(self, cid: str) -> dict[str, Any]:
        """Campaign ``cid``'s record."""
        return read_json(self.campaign_dir(cid) / "campaign.json")

    def update_campaign(self, cid: str, **fields: Any) -> None:
        """Campaign ``cid``'s record with ``fields`` changed."""
        write_json(self.campaign_dir(cid) / "campaign.json", {**self.campaign(cid), **fields})

    def delete_campaign(self, cid: str) -> None:
        """Erase the campaign's folder and everything in it."""
        shutil.rmtree(self.campaign_dir(cid))

    def input_path(self, cid: str, role: str) -> Path | None:
        """The campaign's current ``students`` or ``sites`` file, if uploaded."""
        return _first(self.campaign_dir(cid) / "inputs" / ROLES[ROLES.index(role)])

    def input_folder(self, cid: str, role: str) -> Path:
        """An empty folder for a new ``students`` or ``sites`` file (the previous one removed)."""
        return _emptied(self.campaign_dir(cid) / "inputs" / ROLES[ROLES.index(role)])

    def create_run(self, cid: str, previous: str | None = None) -> str:
        """A new queued run's id, with a snapshot of the campaign's input files (hard links: a new upload replaces
        the campaign's file, never the run's), settings and overrides; or, for a re-allocation of run
        ``previous``, of that run's files and settings."""
        rid = secrets.token_hex(8)
        campaign = self.campaign_dir(cid)
        source = campaign if previous is None else self.run_dir(cid, previous)
        path = campaign / "runs" / rid
        path.mkdir(parents=True)
        for role in ROLES:
            given = self.input_path(cid, role) if previous is None else self.run_input(cid, previous, role)
            if given is not None:
                (path / "inputs" / role).mkdir(parents=True)
                _link(given, path / "inputs" / role / given.name)
        for name in ("policy.toml", "overrides.csv") if previous is None else ("policy.toml",):
            if (source / name).is_file():
                shutil.copyfile(source / name, path / name)
        state = {"status": "queued", "stage": "", "stages": [], "created": time.time()}
        write_json(path / "state.json", state if previous is None else {**state, "previous": previous})
        return rid

    def run_input_folder(self, cid: str, rid: str, role: str) -> Path:
        """An empty folder for a queued run's new ``students`` or ``sites`` file (the one it had removed)."""
        return _emptied(self.run_dir(cid, rid) / "inputs" / ROLES[ROLES.index(role)])

    def run_input(self, cid: str, rid: str, role: str) -> Path | None:
        """The ``students`` or ``sites`` file run ``rid`` was started with."""
        return _first(self.run_dir(cid, rid) / "inputs" / ROLES[ROLES.index(role)])

    def runs(self, cid: str) -> list[dict[str, Any]]:
        """The campaign's runs (id and state), oldest first."""
        found = []
        for state in (self.campaign_dir(cid) / "runs").glob("*/state.json"):
            found.append({"id": state.parent.name, **read_json(state)})
        return sorted(found, key=lambda r: float(r["created"]))

    def find_run(self, rid: str) -> str:
        """The campaign holding run ``rid`` (KeyError when none)."""
        for state in (self.root / "campaigns").glob(f"*/runs/{_checked(rid)}/state.json"):
            return state.parent.parent.parent.name
        raise KeyError(rid)

    def output(self, cid: str, rid: str, name: str) -> Path:
        """A run's output or report file ``name`` (KeyError when not offered or not written)."""
        if name not in OUTPUTS + REPORTS:
            raise KeyError(name)
        run = self.run_dir(cid, rid)
        folder = "report" if name in REPORTS else "." if name in ("overrides.csv", "policy.toml") else "out"
        path = run / folder / name
        if not path.is_file():
            raise KeyError(name)
        return path

    def books(self, cid: str, rid: str, kind: str) -> list[str]:
        """The names of a run's per-recipient workbooks of ``kind`` (``lycees`` or ``entreprises``), sorted."""
        folder = self.run_dir(cid, rid) / "report" / BOOKS[BOOKS.index(kind)]
        return sorted(p.name for p in folder.glob("*.xlsx") if BOOK.fullmatch(p.name)) if folder.is_dir() else []

    def book(self, cid: str, rid: str, kind: str, name: str) -> Path:
        """One per-recipient workbook (KeyError when the kind, the name or the file is not one)."""
        if kind not in BOOKS or not BOOK.fullmatch(name):
            raise KeyError(name)
        path = self.run_dir(cid, rid) / "report" / kind / name
        if not path.is_file():
            raise KeyError(name)
        return path

    def interrupt_unfinished(self) -> list[str]:
        """Mark every queued or running run as interrupted (a server that stopped without finishing them)."""
        marked = []
        for state in (self.root / "campaigns").glob("*/runs/*/state.json"):
            data = read_json(state)
            if data["status"] in ("queued", "running"):
                write_json(state, {**data, "status": "interrupted"})
                marked.append(state.parent.name)
        return marked


def _link(source: Path, target: Path) -> None:
    """``target`` the same file as ``source`` (a copy where the file system has no hard links)."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_json(path: Path, data: dict[str, Any]) -> None:
    """``data`` to ``path``, atomically."""
    write_atomic(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def _first(folder: Path) -> Path | None:
    """The file an input folder holds (the first by name), if any."""
    files = sorted(folder.glob("*")) if folder.is_dir() else []
    return files[0] if files else None


def _emptied(folder: Path) -> Path:
    """``folder``, created empty (what it held removed)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder
