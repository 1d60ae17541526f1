"""Both input files: read, validate, cross-validate, locate; one InputError listing every problem."""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from itertools import chain
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.config import Config
from matcher.domain import reference
from matcher.errors import InputError, MatcherWarning, Problem, unvalued
from matcher.load import notices
from matcher.load.locate import Geocoder, locate
from matcher.load.prepare import NAME_FIX
from matcher.load.table import LOCATION_COLUMNS, ReadResult, read_file
from matcher.util.i18n import Lang, mark, num, tr

__all__ = ["load_inputs", "say_left_out"]


def load_inputs(
    students_path: str | Path,
    sites_path: str | Path,
    config: Config,
    *,
    geocoder: Geocoder | None = None,
    left_out: list[Problem] | None = None,
    counts: dict[str, int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read, validate and locate the students and sites files.

    Parameters
    ----------
    students_path, sites_path : str or Path
        CSV or XLSX files following DESIGN.md §4 (see :func:`matcher.load.read_table` for what is accepted).
    config : Config
        ``config.sectors``, when set, lists the known trade codes.
    geocoder : Geocoder, optional
        Online address geocoder (:class:`matcher.load.geocode.AddressGeocoder`); off by default.
    left_out : list of Problem, optional
        Extended with the offers of a national extract left out because nothing locates them (row, values, why).
    counts : dict, optional
        For a platform export, set to the offers left out: ``not_for_seconde`` and ``not_located``.

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
    students = read_file(students_path, "students", config)
    sites = read_file(sites_path, "sites", config)
    problems = notices.swapped(students, sites) + notices.raw_ine(students) + students.problems + sites.problems
    say_left_out(sites, left_out)
    if counts is not None and sites.shape:
        counts.update(not_for_seconde=sites.excluded, not_located=len(sites.left_out))
    for note in notices.trade_notes(students, sites) if not problems else []:
        warnings.warn(MatcherWarning(note), stacklevel=2)
    cross, choices = cross_rules(students, sites, config)
    problems += cross
    located = []
    for result, kind in ((students, "students"), (sites, "sites")):
        table = result.table
        if result.given & set(LOCATION_COLUMNS[kind]):
            table, found = locate(table, result.file, geocoder, rows=result.rows)
            named = {p.row for p in result.problems if p.fix == tr(NAME_FIX)}  # a commune name not resolved: once
            problems += [p for p in found if not (p.row in named and p.message.startswith(tr("no usable location")))]
        located.append(table)
    if problems:
        raise InputError(unvalued(problems, students.file))  # where a student lives is never printed
    return located[0].assign(site_choices=choices), located[1]


def say_left_out(sites: ReadResult, left_out: list[Problem] | None) -> None:
    """Warn about the offers of a platform extract left out (not for seconde students, or not located)."""
    if sites.excluded:
        warnings.warn(
            MatcherWarning(
                tr("{file}: {n} offers not open to seconde students left out (Filière)").format(
                    file=sites.file, n=num(sites.excluded)
                )
            ),
            stacklevel=3,
        )
    if sites.left_out:
        row = tr("row {row} ({value}: {problem})")
        prefix = tr("offer left out: {why}").format(why="")  # said once, before the list
        semicolon = Lang().semicolon  # " ; " in French
        first = semicolon.join(
            row.format(row=p.row, value=p.value, problem=p.message.removeprefix(prefix)) for p in sites.left_out[:5]
        )
        said = tr(
            "{file}: {n} offers left out, not located: {first} (matcher validate --problems FILE.csv lists them all)"
        )
        first += semicolon + "..." if len(sites.left_out) > 5 else ""
        warnings.warn(
            MatcherWarning(said.format(file=sites.file, n=num(len(sites.left_out)), first=first)), stacklevel=3
        )
    if left_out is not None:
        left_out.extend(sites.left_out)


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
    ids = sites.table["site_id"]
    folded = ids.str.casefold()
    first = (~folded.duplicated()).to_numpy()  # the first spelling of an id wins
    canonical = dict(zip(folded[first].tolist(), ids[first].tolist()))
    choices = students.table["site_choices"]
    codes, written = _distinct(choices)
    keys = [tuple(map(str.casefold, choice)) for choice in written]
    problems = []
    if "site_id" in sites.given:  # an unreadable sites file is reported once, not once per choice
        problems += _unknown(
            students,
            "site_choices",
            codes,
            keys,
            canonical,
            mark("unknown site id"),
            mark("use a site_id of {file}, or remove the choice"),
            sites.file,
        )
    choices = _respelled(choices, codes, written, keys, canonical)
    lycees = sites.table["reserved_lycees"]
    problems += _unknown(
        sites,
        "reserved_lycees",
        *_distinct(lycees),
        reference.lycees().index,
        mark("unknown UAI"),
        mark("write the 8-character UAI of a lycée (e.g. 0750654D)"),
    )
    if config.sectors is not None:
        for result in (students, sites):
            problems += _unknown(
                result,
                "sectors",
                *_distinct(result.table["sectors"]),
                config.sectors,
                mark("unknown sector code"),
                mark("use one of: {known}"),
            )
    return problems, choices


def _respelled(
    choices: pd.Series,
    codes: npt.NDArray[np.intp],
    written: list[tuple[str, ...]],
    keys: list[tuple[str, ...]],
    canonical: dict[str, str],
) -> pd.Series:
    """``choices`` (distinct lists ``written``, casefolded ``keys``) with every known id spelled as ``canonical``.

    A list naming a known id in another spelling is rewritten whole (its unknown ids casefolded); ``choices``
    itself is returned when no list needs it.
    """
    wrong = {w for w in set(chain.from_iterable(written)) if canonical.get(w.casefold(), w) != w}
    if not wrong:  # each distinct id looked at once
        return choices
    differs = [not wrong.isdisjoint(choice) for choice in written]
    spelled = [
        tuple(canonical.get(k, k) for k in key) if wrong else choice
        for key, choice, wrong in zip(keys, written, differs)
    ]
    return pd.Series(pd.Series(spelled, dtype=object).to_numpy()[codes], index=choices.index, dtype=object)


def _distinct(lists: pd.Series) -> tuple[npt.NDArray[np.intp], list[tuple[str, ...]]]:
    """The distinct tuples of a list column, and the position of each row's tuple among them."""
    codes, distinct = pd.factorize(lists.to_numpy(dtype=object))
    return codes, list(distinct)


def _unknown(
    result: ReadResult,
    column: str,
    codes: npt.NDArray[np.intp],
    keys: list[tuple[str, ...]],
    known: Iterable[str],
    message: str,
    fix: str,
    other: str = "",
) -> list[Problem]:
    """One problem per list item whose key is not in ``known``, valued as written in the file.

    ``keys`` are the distinct lists of keys of ``column`` and ``codes`` the position of each row's list in them.
    ``message`` and ``fix`` are marked English, translated only when an item is unknown; in them ``{file}`` is the
    other file and ``{known}`` the known keys.
    """
    known = list(known)
    items = pd.Series(keys, dtype=object).explode()
    holding = items.index[(items.notna() & ~items.isin(known)).to_numpy()]
    rows = np.flatnonzero(np.isin(codes, holding))  # each list is checked once, rows only when one is bad
    if not rows.size:
        return []
    items = pd.Series(keys, dtype=object).take(codes[rows]).set_axis(rows).explode()
    bad = (items.notna() & ~items.isin(known)).to_numpy()
    written = result.table[column].iloc[rows].explode()[bad]
    said = tr(message)
    how = tr(fix).format(file=other, known=", ".join(known) if "{known}" in fix else "")
    return [
        Problem(result.file, int(result.rows[i]), column, str(value), said, how)
        for i, value in zip(np.asarray(items.index)[bad], written)
    ]
