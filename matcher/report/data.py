"""An allocation folder read back for reporting: its three files plus, when known, the located inputs.

The folder holds ``assignments.csv``, ``unassigned.csv`` and ``summary.json`` (DESIGN.md §5). The students'
gender, priority and lycée, and the sites' locations, are not in those files: they come from the input files,
given explicitly or found automatically when the summary's input hashes are those of the embedded scenario.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from matcher.config import Config, check_config
from matcher.errors import InputError, Problem
from matcher.export.csvstyle import read_csv_any
from matcher.export.outputs import file_digest
from matcher.export.safecells import restore_frame
from matcher.generate.scenario import embedded_scenario
from matcher.limits import read_regular
from matcher.load import load_inputs
from matcher.result import Result
from matcher.util.i18n import mark, tr

__all__ = ["Allocation", "read_allocation", "from_result", "by_id"]

_FILES = ("assignments.csv", "unassigned.csv", "summary.json")
_RERUN = mark("give the output folder of `matcher allocate` (or `matcher demo`), or rerun it")


@dataclass(frozen=True)
class Allocation:
    """What a report is made of.

    Attributes
    ----------
    folder : Path
    assignments, unassigned : DataFrame
        As written by ``matcher allocate`` (ids as text).
    summary : dict
        ``summary.json``.
    students, sites : DataFrame or None
        The located input tables, when known (see :func:`read_allocation`).
    inputs_note : str
        Where the inputs came from, or why they are missing, for the report.
    """

    folder: Path
    assignments: pd.DataFrame
    unassigned: pd.DataFrame
    summary: dict[str, Any]  # the JSON document: values of every kind
    students: pd.DataFrame | None
    sites: pd.DataFrame | None
    inputs_note: str


def by_id(table: pd.DataFrame, key: str, columns: list[str]) -> pd.DataFrame:
    """``columns`` of an input table indexed by its ids (as the output files hold them once read back)."""
    return table.drop_duplicates(key).set_index(key)[columns]


def _read_csv(path: Path) -> pd.DataFrame:
    table = restore_frame(read_csv_any(path))  # plain or excel-fr (--csv); ids as before export
    for name in ("distance_km",):
        if name in table:
            table[name] = pd.to_numeric(table[name].str.replace(",", ".", regex=False), errors="coerce")
    if "preference_rank" in table:
        table["preference_rank"] = pd.to_numeric(table["preference_rank"], errors="coerce").astype("Int64")
    return table


def _check_hashes(summary: dict[str, Any], paths: dict[str, Path]) -> list[Problem]:
    problems = []
    for kind, path in paths.items():
        recorded = summary.get("inputs", {}).get(kind, {}).get("sha256")
        if recorded and recorded != file_digest(path)["sha256"]:
            problems.append(
                Problem(
                    path.name,
                    None,
                    None,
                    "",
                    tr(
                        "this {kind} file is not the one the allocation used (its SHA-256 differs from summary.json)"
                    ).format(kind=tr(kind)),
                    tr("give the {kind} file passed to `matcher allocate`").format(kind=tr(kind)),
                )
            )
    return problems


def read_allocation(
    folder: str | Path,
    students_path: str | Path | None = None,
    sites_path: str | Path | None = None,
    config: Config | None = None,
) -> Allocation:
    """Read an allocation folder; load its inputs when given or when they are the embedded scenario's.

    Raises InputError when a file is missing or unreadable, or when given inputs are not those of the run.
    """
    folder = Path(folder)
    missing = [
        Problem(name, None, None, "", tr("file missing from the allocation folder"), tr(_RERUN))
        for name in _FILES
        if not (folder / name).is_file()
    ]
    if missing:
        raise InputError(missing)
    try:
        summary = json.loads(read_regular(folder / "summary.json", "summary.json").decode("utf-8"))
        assignments, unassigned = _read_csv(folder / "assignments.csv"), _read_csv(folder / "unassigned.csv")
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        said = tr("unreadable allocation file: {error}").format(error=exc)
        raise InputError([Problem(folder.name, None, None, "", said, tr(_RERUN))]) from None
    if (students_path is None) != (sites_path is None):
        raise InputError(
            [
                Problem(
                    "",
                    None,
                    "--students/--sites",
                    "",
                    tr("give both input files or neither"),
                    tr("add the missing one"),
                )
            ]
        )
    note = mark("inputs given on the command line")
    if students_path is None or sites_path is None:  # neither given (one alone is refused above)
        embedded = dict(zip(("students", "sites"), (Path(str(p)) for p in embedded_scenario())))
        if not _check_hashes(summary, embedded) and summary.get("inputs", {}).get("students"):
            students_path, sites_path, note = embedded["students"], embedded["sites"], mark("the embedded scenario")
        else:
            return Allocation(
                folder,
                assignments,
                unassigned,
                summary,
                None,
                None,
                mark("input files not given: the shares, the lycées and the map need --students and --sites"),
            )
    paths = {"students": Path(students_path), "sites": Path(sites_path)}
    problems = _check_hashes(summary, paths)
    if problems:
        raise InputError(problems)
    students, sites = load_inputs(paths["students"], paths["sites"], _run_config(config or Config(), summary))
    return Allocation(folder, assignments, unassigned, summary, students, sites, note)


def _run_config(config: Config, summary: dict[str, Any]) -> Config:
    """``config``, with the places the run gave every site of a file without a capacity column (a platform
    extract: ``summary.json``'s ``default_capacity``) when ``config`` gives none."""
    given = summary.get("parameters", {}).get("default_capacity")
    if config.default_capacity is not None or not isinstance(given, int):
        return config
    return check_config(config.with_options(default_capacity=given), "summary.json")  # in range, or refused


def from_result(result: Result, students: pd.DataFrame, sites: pd.DataFrame, name: str = "allocation") -> Allocation:
    """An :class:`Allocation` from an in-memory ``allocate`` result and its located inputs (notebooks)."""
    return Allocation(
        Path(name), result.assignments, result.unassigned, result.summary, students, sites, "in-memory result"
    )
