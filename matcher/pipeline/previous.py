"""Reading a previous run's folder for re-allocation: its assignments and, when present, its unassigned students."""

from __future__ import annotations

import os
from pathlib import Path
from typing import cast

import pandas as pd

from matcher.errors import InputError, Problem
from matcher.load.written import read_written
from matcher.util.i18n import mark, tr

__all__ = ["read_previous"]


def read_previous(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The previous run's ``assignments.csv`` (required) and ``unassigned.csv`` (if present), as text."""
    folder = Path(folder)
    path = folder / "assignments.csv"
    fix = mark("give the --out folder of a previous matcher run, as matcher wrote it")
    prev = read_written(path, ("student_id", "site_id", "weeks"), fix)  # damage is an InputError; ids restored
    missing: list[str] = []
    bad = prev[~prev["weeks"].isin(("both", "week_1", "week_2"))] if not missing else prev.iloc[:0]
    problems = [
        Problem(path.name, None, c, "", tr("missing column"), tr("give a matcher assignments.csv")) for c in missing
    ]
    problems += [
        Problem(path.name, int(cast(int, i)) + 2, "weeks", v, tr("unknown weeks"), tr("use both, week_1 or week_2"))
        for i, v in bad["weeks"].items()
    ]
    if not problems:
        layout = prev.sort_values("weeks").groupby("student_id")["weeks"].agg("|".join)
        odd = layout[~layout.isin(("both", "week_1", "week_2", "week_1|week_2"))]
        problems += [
            Problem(
                path.name,
                None,
                "student_id",
                cast(str, sid),
                tr("rows for weeks {weeks}").format(weeks=w.replace("|", ", ")),
                tr("give one row per student, or one per week for a split"),
            )
            for sid, w in odd.items()
        ]
    if problems:
        raise InputError(problems)
    un = folder / "unassigned.csv"
    previous_unassigned = read_written(un, ("student_id",), fix) if os.path.lexists(un) else None
    return prev[["student_id", "site_id", "weeks"]], previous_unassigned
