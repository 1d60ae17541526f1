"""Options and helpers shared by several ``matcher`` commands: input files, ``--geocode`` and its geocoder."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.params import IntRange, PathType
from matcher.load.geocode import AddressGeocoder
from matcher.util.i18n import mark

__all__ = ["FILE", "SITES", "GEOCODE", "DEFAULT_CAPACITY", "PROBLEMS", "geocoder"]

#: An existing file (not a folder), given to the command as a Path.
FILE = PathType(exists=True, dir_okay=False, path_type=Path)

#: ``--sites FILE``: the sites file, required.
SITES = click.option(
    "--sites",
    "sites_path",
    type=FILE,
    required=True,
    help=mark("Sites file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods)."),
)

#: ``--geocode FOLDER``: online geocoding of free-text addresses, with its cache.
GEOCODE = click.option(
    "--geocode",
    "geocode_cache",
    type=PathType(file_okay=False, path_type=Path),
    help=mark(
        "Geocode free-text `address` cells online (French address base, BAN) with a cache in this folder. "
        "Off by default: nothing leaves the machine without it."
    ),
)


#: ``--default-capacity N``: places of each site when the sites file has no capacity column.
DEFAULT_CAPACITY = click.option(
    "--default-capacity",
    type=IntRange(1),
    help=mark(
        "Places of each site when the sites file has no capacity column (the national platform's extracts); "
        "policy option default_capacity."
    ),
)

#: ``--problems FILE.csv``: the full list of problems (the only file written on bad input).
PROBLEMS = click.option(
    "--problems",
    "problems_path",
    type=PathType(dir_okay=False, path_type=Path),
    help=mark("On bad input, write every problem to this CSV file (file, sheet, row, column, value, problem, fix)."),
)


def geocoder(cache: Path | None) -> AddressGeocoder | None:
    """The online geocoder of ``--geocode`` (None without it)."""
    return AddressGeocoder(cache) if cache else None
