"""Locating students and sites on the map from coordinates, INSEE codes, postal codes, UAIs or addresses.

The most precise field of a row wins: ``lat``/``lon``, then ``commune_insee``, then ``postal_code``, then
``lycee_uai`` (students), then ``address`` (only when an online geocoder is given). Every row gets its commune,
département, académie and région académique from the embedded reference data (:mod:`matcher.domain.reference`,
indexed by :mod:`matcher.load.lookup`). Everything is vectorised: lookups are index look-ups and a KD-tree query,
never a Python loop over rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.geo import EARTH_RADIUS_KM
from matcher.errors import Problem
from matcher.load.lookup import METROPOLE_BOX, in_france, lookup, nearest_commune
from matcher.load.schema import LOCATED
from matcher.util.i18n import mark, tr

__all__ = ["locate", "Geocoder", "in_france", "nearest_commune", "EARTH_RADIUS_KM", "METROPOLE_BOX"]

_MAX_METRO_KM = 30.0  # a metropolitan point further than this from every commune centre is abroad (or at sea)
_SOURCES = ("lat_lon", "commune", "postal_code", "lycee", "address")


class Geocoder(Protocol):
    """What :func:`locate` needs from an address geocoder (see :class:`matcher.load.geocode.AddressGeocoder`)."""

    def geocode(self, address: str) -> tuple[float, float] | None:
        """(lat, lon) of a free-text address, or None when not found."""


class _Rows:
    """Problem builder bound to one file and its spreadsheet row numbers."""

    def __init__(self, file: str, rows: npt.NDArray[np.integer[Any]]):
        self.file, self.rows = file, rows
        self.problems: list[Problem] = []
        self.reported = np.zeros(len(rows), dtype=bool)

    def add(
        self, mask: npt.NDArray[np.bool_], column: str | None, values: npt.NDArray[Any], message: str, fix: str
    ) -> None:
        """Report the rows of ``mask``: ``message`` and ``fix`` are marked English, translated only when a row is."""
        self.reported |= mask
        rows = np.flatnonzero(mask)
        if not rows.size:
            return
        said, how = tr(message), tr(fix)
        for i in rows:
            self.problems.append(Problem(self.file, int(self.rows[i]), column, str(values[i]), said, how))


def _coordinates(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], out: _Rows
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp]]:
    """Rows located by lat/lon: usable mask and nearest commune position (-1 elsewhere)."""
    has_lat, has_lon = ~np.isnan(lat), ~np.isnan(lon)
    out.add(
        has_lat & ~has_lon, "lon", lat, mark("latitude given without longitude"), mark("fill lon too, or empty lat")
    )
    out.add(
        has_lon & ~has_lat, "lat", lon, mark("longitude given without latitude"), mark("fill lat too, or empty lon")
    )
    both = has_lat & has_lon
    inside = both.copy()
    inside[both] = in_france(lat[both], lon[both])
    pos = np.full(len(lat), -1, dtype=np.int64)
    where = np.flatnonzero(inside)
    pos[where], km = nearest_commune(lat[where], lon[where])
    abroad = np.zeros(len(lat), dtype=bool)
    abroad[where] = lookup().metro[pos[where]] & (km > _MAX_METRO_KM)
    bad = both & (~inside | abroad)
    shown = np.full(len(lat), "", dtype=object)
    shown[bad] = [f"{a}, {o}" for a, o in zip(lat[bad], lon[bad])]
    swapped = bad.copy()
    swapped[bad] = in_france(lon[bad], lat[bad])
    out.add(
        bad & ~swapped,
        "lat",
        shown,
        mark("coordinates outside France"),
        mark("give WGS84 decimal degrees (lat about 41 to 51 in metropolitan France), or a commune code instead"),
    )
    out.add(
        swapped,
        "lat",
        shown,
        mark("coordinates outside France (latitude and longitude look swapped)"),
        mark("swap the lat and lon values"),
    )
    ok = both & ~bad
    pos[~ok] = -1
    return ok, pos


def _codes(text: _Text, index: pd.Index[str], out: _Rows, column: str, message: str, fix: str) -> npt.NDArray[np.intp]:
    """Position of each non-empty code in ``index``; unknown codes are reported; -1 where empty or unknown."""
    pos = index.get_indexer(pd.Index(text.distinct))[text.codes]  # each distinct code looked up once
    values = text.values
    out.add((values != "") & (pos < 0), column, values, message, fix)
    return np.where(values != "", pos, -1)


def _commune_codes(code: _Text, postal: _Text, out: _Rows) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Commune position from ``commune_insee`` (checked, must have coordinates) and from ``postal_code``."""
    ref = lookup()
    com = _codes(
        code,
        ref.codes,
        out,
        "commune_insee",
        mark("unknown INSEE commune code"),
        mark("write the commune's 5-character INSEE code (e.g. 75056, 69381, 2A004), not its postal code"),
    )
    no_point = com >= 0
    no_point[no_point] = np.isnan(ref.lat[com[no_point]])
    out.add(
        no_point,
        "commune_insee",
        code.values,
        mark("this commune has no known coordinates (uninhabited territory)"),
        mark("give lat and lon, or the commune the person actually travels from"),
    )
    com[no_point] = -1
    via_pc = _codes(
        postal,
        ref.postal.index,
        out,
        "postal_code",
        mark("unknown postal code"),
        mark("write a 5-digit French postal code (e.g. 01000, 75005, 97400)"),
    )
    return com, np.where(via_pc >= 0, ref.postal.to_numpy()[np.maximum(via_pc, 0)], -1)


def _addresses(
    address: npt.NDArray[np.object_], todo: npt.NDArray[np.bool_], geocoder: Geocoder | None, out: _Rows
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Geocode the distinct addresses of rows not located otherwise.

    Returns the usable mask, the nearest commune position (-1 elsewhere) and the points (n, 2), NaN elsewhere.
    """
    n = len(address)
    points, pos = np.full((n, 2), np.nan), np.full(n, -1, dtype=np.int64)
    asked = todo & (address != "")
    if geocoder is None or not asked.any():
        return np.zeros(n, dtype=bool), pos, points
    found = {a: geocoder.geocode(a) for a in pd.unique(address[asked])}  # network-bound: one call per address
    points[asked] = np.array([found[a] or (np.nan, np.nan) for a in address[asked]], dtype=float).reshape(-1, 2)
    ok = asked & in_france(points[:, 0], points[:, 1])
    out.add(
        asked & ~ok,
        "address",
        address,
        mark("address not found in France by the geocoder"),
        mark("correct the address, or give a commune code or a postal code"),
    )
    pos[ok] = nearest_commune(points[ok, 0], points[ok, 1])[0]
    return ok, pos, points


@dataclass(frozen=True)
class _Text:
    """A text column as its distinct cleaned cells and the position of each row's cell among them."""

    distinct: npt.NDArray[np.object_]
    codes: npt.NDArray[np.intp]

    @property
    def values(self) -> npt.NDArray[np.object_]:
        """The cleaned cell of each row."""
        return self.distinct[self.codes]


def _column(table: pd.DataFrame, name: str, n: int, upper: bool = False) -> _Text:
    """A column's cells stripped (and upper-cased), NaN as ""; a missing column reads as empty cells."""
    if name not in table:
        return _Text(np.array([""], dtype=object), np.zeros(n, dtype=np.int64))
    codes, distinct = pd.factorize(table[name].to_numpy(dtype=object))  # NaN: code -1, the "" added last
    cleaned = [str(v).strip().upper() if upper else str(v).strip() for v in distinct]  # distinct values only
    return _Text(np.array(cleaned + [""], dtype=object), codes)


def _floats(table: pd.DataFrame, name: str, n: int) -> npt.NDArray[np.float64]:
    if name not in table:
        return np.full(n, np.nan)
    return pd.to_numeric(table[name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def locate(
    table: pd.DataFrame,
    file_label: str,
    geocoder: Geocoder | None = None,
    rows: Sequence[int] | npt.NDArray[np.integer[Any]] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """Locate every row of a students or sites table.

    Parameters
    ----------
    table : pandas.DataFrame
        A clean table (:func:`matcher.load.read_table`). Location columns it lacks count as empty.
    file_label : str
        File name used in problems.
    geocoder : Geocoder, optional
        Used only for rows whose other location fields are all empty, through its ``geocode(address)`` method
        (e.g. :class:`matcher.load.geocode.AddressGeocoder`). None (default): addresses are not used.
    rows : sequence of int, optional
        Spreadsheet row number of each table row, for problems; default: position + 2 (header in row 1).

    Returns
    -------
    pandas.DataFrame
        A new table with the same rows and index, and the columns of ``matcher.load.schema.LOCATED`` set:
        ``lat``/``lon`` (given coordinates, else the lycée's or the commune's point), ``commune_insee`` (the given
        commune, else the nearest commune to the coordinates, the postal code's most populous commune (ties:
        the smallest INSEE code), or the lycée's), ``departement``, ``academie``, ``region_academique`` (""
        for territories outside the académies) and ``location_source`` (lat_lon, commune, postal_code, lycee,
        address; "" when unlocated).
    list of Problem
        Unknown codes, coordinates outside France, a coordinate without its pair, addresses not found, and
        rows with no usable location at all.

    Notes
    -----
    A metropolitan point more than 30 km from every commune centre is reported as outside France (abroad in a
    neighbouring country, or at sea). Overseas, a point must lie within 0.5° of the territory's communes.
    """
    n, ref = len(table), lookup()
    out = _Rows(file_label, np.arange(2, n + 2) if rows is None else np.asarray(rows, dtype=np.int64))
    lat, lon = _floats(table, "lat", n), _floats(table, "lon", n)
    ok_ll, ll_pos = _coordinates(lat, lon, out)
    com_pos, pc_pos = _commune_codes(_column(table, "commune_insee", n, True), _column(table, "postal_code", n), out)
    uai = _codes(
        _column(table, "lycee_uai", n, True),
        ref.lycees,
        out,
        "lycee_uai",
        mark("unknown UAI (lycée code)"),
        mark("write the lycée's 8-character UAI, e.g. 0750654D"),
    )
    lyc_pos = np.where(uai >= 0, ref.lycee_pos[np.maximum(uai, 0)], -1)
    by_code = (com_pos >= 0, pc_pos >= 0, lyc_pos >= 0)
    address = _column(table, "address", n).values
    ok_addr, addr_pos, addr_points = _addresses(address, ~(ok_ll | np.logical_or.reduce(by_code)), geocoder, out)
    masks = [ok_ll, *by_code, ok_addr]
    source = np.select(masks, list(_SOURCES), "")
    commune = np.select([ok_ll & by_code[0], *masks], [com_pos, ll_pos, com_pos, pc_pos, lyc_pos, addr_pos], -1)
    _report_unlocated((source == "") & ~out.reported, address != "", geocoder is not None, out)
    points = np.column_stack([np.append(ref.lat, np.nan)[commune], np.append(ref.lon, np.nan)[commune]])
    for name, given in (("lat_lon", np.column_stack([lat, lon])), ("address", addr_points)):
        points[source == name] = given[source == name]
    points[source == "lycee"] = ref.lycee_ll[uai[source == "lycee"]]
    return _with_location(table, points, commune, source), out.problems


def _report_unlocated(
    nowhere: npt.NDArray[np.bool_], has_address: npt.NDArray[np.bool_], geocoding: bool, out: _Rows
) -> None:
    """'No usable location' for rows not located and not already reported for a bad location field."""
    blank = np.full(len(nowhere), "", dtype=object)  # the address itself is personal: not echoed
    out.add(
        nowhere & has_address,
        None,
        blank,
        mark("no usable location: the address is not geocoded offline"),
        mark("fill commune_insee, postal_code or lat and lon")
        if geocoding
        else mark("fill commune_insee, postal_code or lat and lon (or turn on online geocoding for the address)"),
    )
    out.add(
        nowhere & ~has_address,
        None,
        blank,
        mark("no usable location"),
        mark("fill commune_insee, postal_code, lycee_uai (students) or lat and lon"),
    )


def _with_location(
    table: pd.DataFrame, points: npt.NDArray[np.float64], commune: npt.NDArray[np.intp], source: npt.NDArray[np.str_]
) -> pd.DataFrame:
    """A copy of ``table`` with the LOCATED columns set (position -1: unlocated, empty codes)."""
    ref = lookup()
    located = table.copy()
    located["lat"], located["lon"] = points[:, 0], points[:, 1]
    located["commune_insee"] = pd.Series(
        np.append(ref.codes.to_numpy(object), "")[commune], index=table.index, dtype=str
    )
    for name in ("departement", "academie", "region_academique"):
        values = np.append(ref.admin[name].to_numpy(object), "")[commune]
        located[name] = pd.Series(values, index=table.index, dtype=str)
    located["location_source"] = pd.Series(source, index=table.index, dtype=str)
    return located[list(table.columns) + [c for c in LOCATED if c not in table.columns]]
