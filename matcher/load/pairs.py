"""A user-supplied pairs table (``student_id, site_id, km`` or ``minutes``), e.g. from a routing engine.

When given, only its pairs exist and its value replaces the great-circle distance (docs/rules.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from matcher.errors import InputError, Problem
from matcher.load.files import read_raw
from matcher.load.headers import normalize
from matcher.util.i18n import mark, tr

__all__ = ["read_pairs", "pair_checks", "PAIR_ID_ALIASES"]

#: A check of a table of (student, site) rows: which rows fail, the column, the message and the fix (marked).
Check = tuple[pd.Series, str, str, str]


def pair_checks(table: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> list[Check]:
    """The checks every table of ``student_id, site_id`` rows passes (pairs, overrides): ids known, no pair twice."""
    return [
        (
            ~table["student_id"].isin(students["student_id"]),
            "student_id",
            mark("unknown student"),
            mark("use an id of the students file"),
        ),
        (
            ~table["site_id"].isin(sites["site_id"]),
            "site_id",
            mark("unknown site"),
            mark("use an id of the sites file"),
        ),
        (
            table.duplicated(["student_id", "site_id"]),
            "site_id",
            mark("pair given twice"),
            mark("keep one row per pair"),
        ),
    ]


#: Headers (normalised) naming the two ids of a (student, site) table.
PAIR_ID_ALIASES = {
    "student_id": "student_id",
    "identifiant": "student_id",
    "eleve": "student_id",
    "site_id": "site_id",
    "id_site": "site_id",
    "site": "site_id",
}

_ALIASES = {
    **PAIR_ID_ALIASES,
    "km": "km",
    "distance_km": "km",
    "distance": "km",
    "minutes": "minutes",
    "duree": "minutes",
    "duree_minutes": "minutes",
    "temps": "minutes",
}


def read_pairs(path: str | Path, students: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The pairs table, checked against the located students and sites; raises InputError listing every problem."""
    file = Path(path).name
    raw, problems = read_raw(path, file)
    if raw is None:
        raise InputError(problems)
    names = {i: _ALIASES[normalize(h)] for i, h in enumerate(raw.headers) if normalize(h) in _ALIASES}
    twice = sorted({n for n in names.values() if list(names.values()).count(n) > 1})  # e.g. both km and distance
    if twice:
        raise InputError(
            [
                Problem(
                    file,
                    1,
                    n,
                    "",
                    tr("column given twice (under two names)"),
                    tr("keep one {column} column").format(column=n),
                )
                for n in twice
            ]
        )
    table = raw.cells[list(names)].set_axis(list(names.values()), axis=1)
    unit = "km" if "km" in table.columns else "minutes"
    for column in ("student_id", "site_id", unit):
        if column not in table.columns:
            problems.append(
                Problem(
                    file,
                    None,
                    column,
                    "",
                    tr("missing column"),
                    tr("give columns student_id, site_id and km (or minutes)"),
                )
            )
    if problems:
        raise InputError(problems)
    value = pd.to_numeric(table[unit].str.replace(",", ".", regex=False), errors="coerce")
    checks = [
        (
            ~np.isfinite(value) | (value < 0),
            unit,
            mark("not a non-negative number"),
            mark("write a number such as 12.5"),
        ),
        *pair_checks(table, students, sites),
    ]
    for bad, column, message, fix in checks:
        problems += [
            Problem(file, int(row), column, str(v), tr(message), tr(fix))
            for row, v in zip(raw.rows[bad.to_numpy()], table.loc[bad, column])
        ]
    if problems:
        raise InputError(problems)
    return pd.DataFrame({"student_id": table["student_id"], "site_id": table["site_id"], unit: value.to_numpy(float)})
