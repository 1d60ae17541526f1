"""Per-académie floors, read once with the other inputs: how many of each académie's students should be placed,
as far as geography and places allow.

``Config.academie_floors`` says where floors come from:

- ``none`` (default): no floors;
- ``proportional``: the national target ``coverage_target`` shared among the académies in proportion to their
  seconde GT enrolment (``datasets/lycees.csv``), by largest remainders, so that the floors sum to the target;
- a CSV file with columns ``academie, floor``.

The objective level ``floors`` is the number of placed students that count towards a floor,
``sum over académies of min(placed, floor)``; it comes right after ``placed``, so a floor never leaves a student
unplaced.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from matcher.config import Config
from matcher.domain.reference import lycees
from matcher.errors import InputError, Problem
from matcher.limits import MAX_ROWS, MAX_SMALL_FILE_BYTES, read_regular
from matcher.util.i18n import mark, tr

__all__ = ["academie_floors"]


def academie_floors(config: Config) -> pd.Series:
    """Floor per académie (int64 Series indexed by académie name; empty without floors)."""
    source = config.academie_floors
    if source == "none":
        return pd.Series(dtype=np.int64)
    if source == "proportional":
        return _proportional(config.coverage_target)
    return _from_file(Path(source))


def _proportional(target: int) -> pd.Series:
    enrolment = lycees().groupby("academie")["seconde_gt_students"].sum().sort_index()
    exact = target * enrolment / enrolment.sum()
    floors: pd.Series = np.floor(exact).astype(np.int64)  # a ufunc keeps the Series (the stubs say Any)
    short = target - int(floors.sum())
    order = np.lexsort((enrolment.index.to_numpy(), -(exact - floors).to_numpy()))  # largest remainder, then name
    floors.iloc[order[:short]] += 1
    return floors.rename("floor")


def _from_file(path: Path) -> pd.Series:
    name = path.name
    try:
        data = io.BytesIO(read_regular(path, mark("the floors file"), MAX_SMALL_FILE_BYTES))  # no pipe, no device
        table = pd.read_csv(data, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    tr("cannot read the floors file: {error}").format(error=exc),
                    tr("give a UTF-8 CSV file with columns academie,floor"),
                )
            ]
        ) from None
    missing = [c for c in ("academie", "floor") if c not in table.columns]
    if missing:
        said, how = tr("missing column"), tr("add the columns academie,floor")
        raise InputError([Problem(name, 1, c, "", said, how) for c in missing])
    value = pd.to_numeric(table["floor"].str.strip(), errors="coerce")
    bad = value.isna() | ~np.isfinite(value) | (value < 0) | (value > MAX_ROWS) | (value != np.floor(value))
    problems = [
        Problem(
            name,
            i + 2,
            "floor",
            str(table["floor"].iat[i]),
            tr("not a whole number of students, 0 or more"),
            tr("write a whole number"),
        )
        for i in map(int, np.flatnonzero(bad.to_numpy()))
    ]
    known = set(lycees()["academie"])
    problems += [
        Problem(
            name,
            i + 2,
            "academie",
            a,
            tr("unknown académie"),
            tr("write the académie's name as in datasets/academies.csv"),
        )
        for i, a in enumerate(table["academie"].str.strip())
        if a not in known
    ]
    if problems:
        raise InputError(problems)
    return (
        pd.Series(value.astype(np.int64).to_numpy(), index=table["academie"].str.strip().to_numpy(), name="floor")
        .groupby(level=0)
        .sum()
    )
