"""Reading a previous run's folder for re-allocation: its assignments and, when present, its unassigned students."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pandas as pd

from matcher.errors import InputError, Problem
from matcher.export.safecells import FORMULA_STARTS

__all__ = ["read_previous"]


def read_previous(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The previous run's ``assignments.csv`` (required) and ``unassigned.csv`` (if present), as text."""
    folder = Path(folder)
    path = folder / "assignments.csv"
    try:
        prev = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(
            [
                Problem(
                    path.name,
                    None,
                    None,
                    str(folder),
                    f"cannot read the previous assignments: {type(exc).__name__}",
                    "give the --out folder of a previous matcher run",
                )
            ]
        ) from None
    missing = [c for c in ("student_id", "site_id", "weeks") if c not in prev.columns]
    bad = prev[~prev["weeks"].isin(("both", "week_1", "week_2"))] if not missing else prev.iloc[:0]
    problems = [Problem(path.name, None, c, "", "missing column", "give a matcher assignments.csv") for c in missing]
    problems += [
        Problem(path.name, int(cast(int, i)) + 2, "weeks", v, "unknown weeks", "use both, week_1 or week_2")
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
                f"rows for weeks {w.replace('|', ', ')}",
                "give one row per student, or one per week for a split",
            )
            for sid, w in odd.items()
        ]
    if problems:
        raise InputError(problems)
    un = folder / "unassigned.csv"
    previous_unassigned = _ids(pd.read_csv(un, dtype=str, keep_default_na=False)) if un.exists() else None
    return _ids(prev[["student_id", "site_id", "weeks"]]), previous_unassigned


def _ids(table: pd.DataFrame) -> pd.DataFrame:
    """Ids as they were before export: the apostrophe added to formula-like cells is taken off."""
    out = table.copy()
    for column in ("student_id", "site_id"):
        if column in out:
            v = out[column]
            quoted = v.str.startswith("'") & v.str[1:].str.startswith(FORMULA_STARTS)
            out[column] = v.where(~quoted, v.str[1:])
    return out
