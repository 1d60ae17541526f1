"""Options and helpers shared by several ``matcher`` commands: input files, ``--geocode`` and its geocoder."""

from __future__ import annotations

from pathlib import Path

import click

from matcher.load.geocode import AddressGeocoder

__all__ = ["FILE", "GEOCODE", "geocoder"]

#: An existing file (not a folder), given to the command as a Path.
FILE = click.Path(exists=True, dir_okay=False, path_type=Path)

#: ``--geocode FOLDER``: online geocoding of free-text addresses, with its cache.
GEOCODE = click.option(
    "--geocode",
    "geocode_cache",
    type=click.Path(file_okay=False, path_type=Path),
    help="Geocode free-text `address` cells online (French address base, BAN) with a cache in this folder. "
    "Off by default: nothing leaves the machine without it.",
)


def geocoder(cache: Path | None) -> AddressGeocoder | None:
    """The online geocoder of ``--geocode`` (None without it)."""
    return AddressGeocoder(cache) if cache else None
