"""An officer's overrides (``student_id, site_id, action``): pin a student to a site, or forbid a student–site pair.

Read and checked against the located tables here; whether each pin is allowed (distance, accessibility, trade,
capacity) is checked on the candidate pairs by :mod:`matcher.pipeline.overrides`. Every problem is reported, never
dropped silently.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from matcher.errors import InputError, Problem
from matcher.load.files import read_raw
from matcher.load.headers import normalize
from matcher.load.pairs import PAIR_ID_ALIASES, pair_checks
from matcher.util.i18n import mark, tr

__all__ = ["ACTIONS", "read_overrides", "overrides_table"]

#: What an override does: ``pin`` places the student at the site, ``forbid`` keeps the pair out.
ACTIONS = ("pin", "forbid")

_ALIASES = {**PAIR_ID_ALIASES, "action": "action", "decision": "action"}


def read_overrides(path: str | Path, students: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The overrides file, checked against the located students and sites; raises InputError listing every problem.

    Returns ``student_id, site_id, action, row`` (``row``: the file's row number, for later problems).
    """
    file = Path(path).name
    raw, problems = read_raw(path, file)
    if raw is None:
        raise InputError(problems)
    names = {i: _ALIASES[normalize(h)] for i, h in enumerate(raw.headers) if normalize(h) in _ALIASES}
    table = raw.cells[list(names)].set_axis(list(names.values()), axis=1)
    missing = [c for c in ("student_id", "site_id", "action") if c not in table.columns]
    problems += [
        Problem(
            file, None, c, "", tr("missing column"), tr("give columns student_id, site_id and action (pin or forbid)")
        )
        for c in missing
    ]
    if problems:
        raise InputError(problems)
    table = table.assign(action=table["action"].str.strip().str.lower(), row=np.asarray(raw.rows, dtype=np.int64))
    return overrides_table(table, students, sites, file)


def overrides_table(table: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, file: str) -> pd.DataFrame:
    """Check ``student_id, site_id, action, row`` against the tables (ids known, actions known, no pair twice, one
    pin per student, pins within each site's capacity); raises InputError listing every problem."""
    pins = table["action"] == "pin"
    capacity = sites.set_index("site_id")[["capacity_week_1", "capacity_week_2"]].sum(axis=1)  # one week each at least
    pinned = table.loc[pins, "site_id"].map(table.loc[pins, "site_id"].value_counts())
    over = pins & (pinned.reindex(table.index, fill_value=0) > table["site_id"].map(capacity).fillna(np.inf))
    twice = pins & (table.loc[pins].groupby("student_id").cumcount().reindex(table.index, fill_value=0) >= 2)
    checks = [
        (~table["action"].isin(ACTIONS), "action", mark("unknown action"), mark("write pin or forbid")),
        *pair_checks(table, students, sites),
        (twice, "student_id", mark("student pinned to more than two sites"), mark("pin to one site (two: one a week)")),
        (
            over,
            "site_id",
            mark("more students pinned to this site than its places"),
            mark("pin fewer or raise its capacity"),
        ),
    ]
    problems = [
        Problem(file, int(row), column, str(v), tr(message), tr(fix))
        for bad, column, message, fix in checks
        for row, v in zip(table.loc[bad, "row"], table.loc[bad, column])
    ]
    if problems:
        raise InputError(problems)
    return table[["student_id", "site_id", "action", "row"]].reset_index(drop=True)
