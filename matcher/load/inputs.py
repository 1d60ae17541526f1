"""Both input files: read, validate, cross-validate, locate; one InputError listing every problem."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .. import reference
from ..config import Config
from ..errors import InputError, Problem
from ..locate import Geocoder, locate
from .table import LOCATION_COLUMNS, ReadResult, read_file

__all__ = ["load_inputs", "cross_rules"]


def load_inputs(students_path: str | Path, sites_path: str | Path, config: Config, *,
                geocoder: Geocoder | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, validate and locate the students and sites files.

    Parameters
    ----------
    students_path, sites_path : str or Path
        CSV or XLSX files following DESIGN.md §4 (see :func:`matcher.load.read_table` for what is accepted).
    config : Config
        ``config.sectors``, when set, lists the known trade codes.
    geocoder : Geocoder, optional
        Online address geocoder (:class:`matcher.geocode.AddressGeocoder`); off by default.

    Returns
    -------
    students, sites : pandas.DataFrame
        Clean located tables: the contract columns (sites without ``capacity``, its value being in
        ``capacity_week_1``/``capacity_week_2``) plus the LOCATED columns; RangeIndex in file order. Empty
        ``max_km`` stays NaN (the engine applies ``config.default_max_km``). Site ids in ``site_choices`` are
        written as in the sites file.

    Raises
    ------
    InputError
        With every problem of both files, when anything is wrong.
    """
    students, sites = read_file(students_path, "students"), read_file(sites_path, "sites")
    problems = students.problems + sites.problems
    cross, choices = cross_rules(students, sites, config)
    problems += cross
    located = []
    for result, kind in ((students, "students"), (sites, "sites")):
        table = result.table
        if result.given & set(LOCATION_COLUMNS[kind]):
            table, found = locate(table, result.file, geocoder, rows=result.rows)
            problems += found
        located.append(table)
    if problems:
        raise InputError(problems)
    return located[0].assign(site_choices=choices), located[1]


def cross_rules(students: ReadResult, sites: ReadResult, config: Config) -> tuple[list[Problem], pd.Series]:
    """Problems between the files and with the configuration.

    Parameters
    ----------
    students, sites : ReadResult
        The two files as read.
    config : Config
        Its ``sectors``, when set, are the only trade codes accepted.

    Returns
    -------
    list of Problem
        ``site_choices`` naming no site (ids compare case-insensitively), ``reserved_lycees`` naming an unknown
        UAI, sector codes missing from ``config.sectors``.
    pandas.Series
        ``site_choices`` with each id spelled as in the sites file.
    """
    canonical = {sid.casefold(): sid for sid in sites.table["site_id"][::-1]}  # first spelling wins
    choices = students.table["site_choices"]
    keys = choices.map(lambda ids: tuple(i.casefold() for i in ids))
    problems = []
    if "site_id" in sites.given:  # an unreadable sites file is reported once, not once per choice
        problems += _unknown(students, "site_choices", keys, canonical, "unknown site id",
                             f"use a site_id of {sites.file}, or remove the choice")
    respelled = keys.explode().map(canonical)
    differs = respelled.notna() & (respelled != choices.explode())
    if differs.any():
        rows = np.unique(np.asarray(differs.index)[differs.to_numpy()])
        spelled = choices.tolist()
        for i in rows:
            spelled[i] = tuple(canonical.get(key, key) for key in keys.iat[i])
        choices = pd.Series(spelled, index=choices.index, dtype=object)
    problems += _unknown(sites, "reserved_lycees", sites.table["reserved_lycees"], reference.lycees().index,
                         "unknown UAI", "write the 8-character UAI of a lycée (e.g. 0750654D)")
    if config.sectors is not None:
        for result in (students, sites):
            problems += _unknown(result, "sectors", result.table["sectors"], config.sectors, "unknown sector code",
                                 f"use one of: {', '.join(config.sectors)}")
    return problems, choices


def _unknown(result: ReadResult, column: str, keys: pd.Series, known: Iterable[str], message: str,
             fix: str) -> list[Problem]:
    """One problem per list item whose key is not in ``known``, valued as written in the file."""
    items = keys.explode()
    bad = (items.notna() & ~items.isin(list(known))).to_numpy()
    if not bad.any():
        return []
    written = result.table[column].explode()[bad]
    return [Problem(result.file, int(result.rows[i]), column, str(value), message, fix)
            for i, value in zip(np.asarray(items.index)[bad], written)]
