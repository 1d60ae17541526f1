"""Limits on what matcher reads and on the options' values, in one place; the one way every input file is opened.

Every input (students, sites, pairs, policy, grid, floors, key, a previous run's files) is read through
:func:`read_regular`: a regular file only (no pipe, device, socket or folder: ``/dev/zero`` is refused before a
byte is read), at most :data:`MAX_FILE_BYTES`, read with a bound even if the file grows meanwhile. Spreadsheet
archives and the grids read from any file are bounded by :mod:`matcher.load.limits` with the figures below.
Every option's range is in :data:`OPTION_RANGES`, checked by :func:`option_problems` (the policy file,
``validate --config``, ``allocate`` and the Python API's ``allocate`` all use it). ``docs/security.md`` lists them
for users.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matcher.errors import SHOWN_CHARS, InputError, Problem, cut
from matcher.util.i18n import num, tr

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_SMALL_FILE_BYTES",
    "MAX_UNZIPPED_BYTES",
    "MAX_MEMBERS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "SHOWN_CHARS",
    "read_regular",
    "regular_problem",
    "cut",
    "Range",
    "OPTION_RANGES",
    "option_problems",
]

#: Largest table file read (100 MB): the national cohort's students file (560,000 rows) is about 50 MB.
MAX_FILE_BYTES = 100 * 2**20
#: Largest policy, grid, floors or key file (1 MB): a few hundred lines at most.
MAX_SMALL_FILE_BYTES = 2**20
#: Largest total uncompressed size of an ``.xlsx``/``.ods`` archive (400 MB; a 560,000-row workbook is ~250 MB).
MAX_UNZIPPED_BYTES = 400 * 2**20
#: Most members in an ``.xlsx``/``.ods`` archive (a workbook has a few dozen).
MAX_MEMBERS = 10_000
#: Longest cell (characters): the longest real cell is a list of site choices or an address, far below.
MAX_CELL_CHARS = 10_000
#: Most columns in a table.
MAX_COLUMNS = 1_000
#: Most rows in a table (the national cohort is 560,000 students).
MAX_ROWS = 2_000_000


def regular_problem(path: str | Path, what: str) -> Problem | None:
    """The problem with ``path`` as an input file (missing, a folder, a pipe, a device...), or None if regular."""
    name = Path(path).name or str(path)
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        said = tr("cannot read {what} ({error})").format(what=tr(what), error=exc.strerror or exc)
        return Problem(name, None, None, "", said, tr("check the path"))
    if not stat.S_ISREG(mode):
        kind = tr("a folder") if stat.S_ISDIR(mode) else tr("a pipe, a device or a socket")
        said = tr("{what} is {kind}, not a regular file").format(what=tr(what), kind=kind)
        return Problem(name, None, None, "", said, tr("give the path of a saved file"))
    return None


def read_regular(path: str | Path, what: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Parameters
    ----------
    path : str or Path
        The file.
    what : str
        What it is, for messages (``mark("the policy file")``: translated only when a problem is said).
    limit : int
        Largest size accepted.

    Raises
    ------
    InputError
        When it is missing, not a regular file, unreadable or larger than ``limit``.
    """
    name = Path(path).name or str(path)
    problem = regular_problem(path, what)
    if problem is not None:
        raise InputError([problem])
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # replaced between the two looks
                said = tr("{what} is not a regular file").format(what=tr(what))
                raise InputError([Problem(name, None, None, "", said, tr("give a file"))])
            data = fh.read(limit + 1)
    except OSError as exc:
        said = tr("cannot read {what} ({error})").format(what=tr(what), error=exc.strerror or exc)
        raise InputError([Problem(name, None, None, "", said, tr("check its permissions"))]) from None
    if len(data) > limit:
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    None,
                    "",
                    tr("{what} is larger than {mb} MB").format(what=tr(what), mb=f"{limit / 2**20:,.0f}"),
                    tr("split the file (e.g. one file per académie), or give the right file"),
                )
            ]
        )
    return data


@dataclass(frozen=True)
class Range:
    """Accepted values of a numeric option: ``low`` ≤ value ≤ ``high`` (``low`` excluded when ``open_low``)."""

    low: float | int | date
    high: float | int | date
    open_low: bool = False

    def admits(self, value: object) -> bool:
        """Whether ``value`` is in the range (NaN and infinities never are)."""
        if isinstance(value, float) and not math.isfinite(value):
            return False
        try:
            above = value > self.low if self.open_low else value >= self.low  # type: ignore[operator]
            return bool(above and value <= self.high)  # type: ignore[operator]
        except TypeError:
            return False

    def __str__(self) -> str:
        low, high = (_shown(v) for v in (self.low, self.high))
        said = tr("more than {low} up to {high}") if self.open_low else tr("from {low} to {high}")
        return said.format(low=low, high=high)


def _shown(value: float | int | date) -> str:
    if isinstance(value, int) and abs(value) >= 10_000:
        return num(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


#: Every numeric or date option's accepted range (``Config``'s fields); checked by :func:`option_problems`.
OPTION_RANGES: dict[str, Range] = {
    "year": Range(2000, 2100),
    "week_1_start": Range(date(2000, 1, 1), date(2100, 12, 31)),
    "default_max_km": Range(0.0, 1_000.0, open_low=True),
    "other_sectors_rank_penalty": Range(0, 1_000),
    "max_minutes": Range(0.0, 1_440.0, open_low=True),
    "candidate_k": Range(0, 100_000),
    "max_pairs": Range(0, 10**10),
    "max_widen_pairs": Range(0, 10**10),
    "regional_pairs": Range(0, 10**10),
    "processes": Range(0, 4_096),
    "time_limit": Range(0.0, 10.0**7, open_low=True),
    "seed": Range(0, 2**32 - 1),
    "gender_target": Range(0.0, 1.0, open_low=True),
    "gender_site_min": Range(0, 10**6),
    "coverage_target": Range(0, 10**7),
    "memory_limit_mb": Range(0.0, 10.0**8, open_low=True),
    "default_capacity": Range(1, 100_000),  # as a capacity cell (``load.cells.MAX_INTEGER``)
}


def option_problems(values: dict[str, object], file: str) -> list[Problem]:
    """One problem per option of ``values`` (name → value; None: unset) outside its :data:`OPTION_RANGES`."""
    return [
        Problem(
            file,
            None,
            name,
            cut(str(values[name])),
            tr("out of range ({rule})").format(rule=rule),
            tr("set {name} {rule}").format(name=name, rule=rule),
        )
        for name, rule in OPTION_RANGES.items()
        if values.get(name) is not None and not rule.admits(values[name])
    ]
