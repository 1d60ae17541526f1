"""Validation rules beyond single cells: required columns, duplicate ids, distances, group sizes, capacities.

Every rule returns a list of :class:`~matcher.errors.Problem` (possibly empty) and never raises on bad input.
Rules that need several columns receive the dict of typed columns and may replace a bad value by its default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.errors import Problem
from matcher.util.i18n import mark, tr

__all__ = ["file_rules", "row_rules", "resolve_capacity"]

_REQUIRED = {"students": ("student_id",), "sites": ("site_id", "company")}
_ID = {"students": "student_id", "sites": "site_id"}
_CAPACITY = ("capacity", "capacity_week_1", "capacity_week_2")


def problems_at(
    file: str,
    rows: np.ndarray,
    mask: np.ndarray | pd.Series,
    column: str | None,
    values: pd.Series | None,
    message: str,
    fix: str,
) -> list[Problem]:
    """One problem per True position of ``mask``, valued from ``values`` (as read) or empty.

    ``message`` and ``fix`` are marked English (``{column}`` stands for ``column``), translated only when a row
    is reported."""
    out: list[Problem] = []
    at = np.flatnonzero(np.asarray(mask, dtype=bool)).tolist()
    if not at:
        return out
    said, how = tr(message).format(column=column), tr(fix).format(column=column)
    for i in at:
        value = "" if values is None else str(values.iat[i]).strip()
        out.append(Problem(file, int(rows[i]), column, value, said, how))
    return out


def file_rules(file: str, kind: str, given: frozenset[str], location_columns: tuple[str, ...]) -> list[Problem]:
    """Missing required columns, no location column at all, and (sites) no capacity column at all."""
    out = [
        Problem(
            file,
            None,
            name,
            "",
            tr("required column {column} is missing").format(column=name),
            tr("add a column named {column} (or a French alias)").format(column=name),
        )
        for name in _REQUIRED[kind]
        if name not in given
    ]
    if not given & set(location_columns):
        where = ", ".join(c for c in location_columns if c not in ("lon", "address"))
        said, how = tr("no location column"), tr("add at least one of {columns}").format(columns=where)
        out.append(Problem(file, None, None, "", said, how))
    if kind == "sites" and not given & set(_CAPACITY):
        out.append(
            Problem(
                file,
                None,
                "capacity",
                "",
                tr("no capacity column"),
                tr(
                    "add capacity (full time) or capacity_week_1 and capacity_week_2, or give every site the same "
                    "number of places with --default-capacity N (policy option default_capacity)"
                ),
            )
        )
    return out


def row_rules(
    file: str, kind: str, columns: dict[str, pd.Series], cells: dict[str, pd.Series], rows: np.ndarray
) -> list[Problem]:
    """Empty required cells, duplicate ids, negative ``max_km``, ``max_group_size`` below 1."""
    out: list[Problem] = []
    for name in _REQUIRED[kind]:
        if name in cells:
            empty = columns[name].to_numpy(dtype=object) == ""
            out += problems_at(
                file, rows, empty, name, None, mark("empty required cell"), mark("fill {column} in every row")
            )
    if _ID[kind] in cells:
        out += _duplicates(file, columns[_ID[kind]], rows, _ID[kind])
    if "max_km" in cells:
        negative = (columns["max_km"] < 0).to_numpy()
        out += problems_at(
            file,
            rows,
            negative,
            "max_km",
            cells["max_km"],
            mark("negative distance"),
            mark("write a distance in km, zero or more, or leave empty for the default"),
        )
        columns["max_km"] = columns["max_km"].mask(negative)
    if "max_group_size" in cells:
        small = (columns["max_group_size"] < 1).to_numpy()
        out += problems_at(
            file,
            rows,
            small,
            "max_group_size",
            cells["max_group_size"],
            mark("max_group_size below 1"),
            mark("write 1 (individuals) or more, or leave empty"),
        )
        columns["max_group_size"] = columns["max_group_size"].mask(small)
    if "group_id" in cells:
        out += _group_rules(file, columns, cells, rows)
    return out


def _group_rules(
    file: str, columns: dict[str, pd.Series], cells: dict[str, pd.Series], rows: np.ndarray
) -> list[Problem]:
    """Members of a group are hosted together for the same weeks: they must ask for the same ``weeks`` and
    ``split_ok``. Each member differing from the group's first member is reported."""
    codes, groups = pd.factorize(columns["group_id"].to_numpy(dtype=object), use_na_sentinel=False)
    stripped = pd.Series(groups, dtype=object).fillna("").astype(str).str.strip()  # each distinct group id once
    in_group = (stripped != "").to_numpy()[codes]
    codes = pd.factorize(stripped)[0][codes]
    leader = np.unique(codes, return_index=True)[1][codes]  # first row of each row's group
    out: list[Problem] = []
    for name in ("weeks", "split_ok"):
        if name not in columns:
            continue
        values = columns[name].to_numpy()  # str or bool: equal values have equal text
        odd = in_group & (values != values[leader])
        out += problems_at(
            file,
            rows,
            odd,
            name,
            cells.get(name, columns[name]),
            mark("group member's {column} differs from the group's first member"),
            mark("give every member of the group the same {column}, or put them in separate groups"),
        )
    return out


def _duplicates(file: str, ids: pd.Series, rows: np.ndarray, column: str) -> list[Problem]:
    """Ids repeated, also when they differ only by case (ids are stripped: or by surrounding spaces); the first
    occurrence is kept."""
    key = ids.str.casefold()
    dup = key.duplicated(keep="first").to_numpy()
    if not dup.any():
        return []
    dup = dup & (key != "").to_numpy()
    first = pd.Series(rows[~dup], index=key[~dup].to_numpy())
    first = first[~first.index.duplicated()]
    return [
        Problem(
            file,
            int(rows[i]),
            column,
            str(ids.iat[i]),  # ids are str
            tr("duplicate id (same as row {row})").format(row=first[str(key.iat[i])]),
            tr("give every row its own id"),
        )
        for i in np.flatnonzero(dup).tolist()
    ]


def resolve_capacity(
    file: str, columns: dict[str, pd.Series], cells: dict[str, pd.Series], rows: np.ndarray
) -> list[Problem]:
    """Fill ``capacity_week_1``/``capacity_week_2`` from ``capacity``; report missing or conflicting capacities.

    ``capacity`` (full time) fills both weeks. Per-week columns are used when ``capacity`` is empty; a week left
    empty then has no places. A row giving both ``capacity`` and per-week places is accepted only when they agree
    (each week equals ``capacity``). A row with all three cells empty has no capacity at all.
    """
    empty = pd.Series(True, index=columns["site_id"].index)
    for name in _CAPACITY:
        if name in cells:
            empty &= _blank(cells[name])
    cap, week_1, week_2 = (columns[name] for name in _CAPACITY)
    weeks_given = week_1.notna() | week_2.notna()
    conflict = cap.notna() & weeks_given & ((week_1.fillna(0) != cap) | (week_2.fillna(0) != cap))
    out = problems_at(
        file,
        rows,
        empty.to_numpy() & bool(set(cells) & set(_CAPACITY)),
        "capacity",
        None,
        mark("no capacity given"),
        mark("fill capacity, or capacity_week_1 and capacity_week_2"),
    )
    out += problems_at(
        file,
        rows,
        conflict.to_numpy(),
        "capacity",
        cells.get("capacity"),
        mark("capacity and capacity_week_1/capacity_week_2 disagree"),
        mark("give either capacity (full-time places) or the places of each week, not both"),
    )
    columns["capacity_week_1"] = cap.where(cap.notna(), week_1.fillna(0))
    columns["capacity_week_2"] = cap.where(cap.notna(), week_2.fillna(0))
    return out


def _blank(cells: pd.Series) -> np.ndarray:
    """True where a cell is empty or only spaces (each distinct cell tested once)."""
    codes, distinct = pd.factorize(cells.to_numpy(dtype=object))
    return (pd.Series(distinct, dtype=str).str.strip() == "").to_numpy()[codes]
