"""The look-up tables behind :func:`matcher.load.locate.locate`, built once from the embedded reference data.

Commune INSEE codes with their points and administrative areas, a KD-tree of the commune centres, the boxes of
metropolitan France and of each overseas territory, postal code → most populous commune, and UAI → lycée
(:mod:`matcher.domain.reference`). :func:`in_france` and :func:`nearest_commune` answer for many points at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from matcher.domain import reference
from matcher.domain.geo import chord_km, unit_vectors

__all__ = ["Lookup", "lookup", "in_france", "nearest_commune", "METROPOLE_BOX"]

#: Metropolitan France incl. Corsica: (south, north, west, east) in degrees.
METROPOLE_BOX = (41.3, 51.15, -5.2, 9.6)
_PAD_DEG = 0.5  # margin around each overseas territory's communes


@dataclass(frozen=True)
class Lookup:
    """The reference tables indexed for locating; commune *positions* are row positions in ``codes``."""

    codes: pd.Index[str]  # INSEE codes, positions index the arrays below
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    admin: pd.DataFrame  # departement, academie, region_academique ("" when unknown), by position
    metro: npt.NDArray[np.bool_]  # commune is metropolitan
    tree: cKDTree  # communes with coordinates
    tree_pos: npt.NDArray[np.intp]  # tree point → commune position
    boxes: npt.NDArray[np.float64]  # (k, 4) south, north, west, east: metropole then each overseas territory
    postal: pd.Series[int]  # postal code → position of its most populous commune
    lycees: pd.Index[str]  # UAIs
    lycee_pos: npt.NDArray[np.intp]  # UAI position → commune position
    lycee_ll: npt.NDArray[np.float64]  # (n, 2) lycée lat, lon


@cache
def lookup() -> Lookup:
    """The tables, built on first use."""
    com = reference.communes()
    codes = pd.Index(com["insee_code"].astype(str))
    lat, lon = com["lat"].to_numpy(float), com["lon"].to_numpy(float)
    admin = com[["departement", "academie", "region_academique"]].fillna("").astype(str).reset_index(drop=True)
    has = np.flatnonzero(~np.isnan(lat))
    overseas = com.iloc[has][com["departement"].iloc[has].str.len() == 3]
    ext = overseas.groupby("departement")[["lat", "lon"]].agg(["min", "max"])
    boxes = np.vstack(
        [
            METROPOLE_BOX,
            np.column_stack(
                [
                    ext[("lat", "min")] - _PAD_DEG,
                    ext[("lat", "max")] + _PAD_DEG,
                    ext[("lon", "min")] - _PAD_DEG,
                    ext[("lon", "max")] + _PAD_DEG,
                ]
            ),
        ]
    )
    pc = reference.postal_codes().sort_values(["population", "insee_code"], ascending=[False, True], kind="stable")
    pc = pc.drop_duplicates("postal_code")
    postal = pd.Series(codes.get_indexer(pd.Index(pc["insee_code"])), index=pd.Index(pc["postal_code"].astype(str)))
    lyc = reference.lycees()
    found = Lookup(
        codes,
        lat,
        lon,
        admin,
        (com["departement"].str.len() == 2).to_numpy(),
        cKDTree(unit_vectors(lat[has], lon[has])),
        has,
        boxes,
        postal,
        pd.Index(lyc["uai"].astype(str)),
        codes.get_indexer(pd.Index(lyc["commune_insee"].astype(str))),
        lyc[["lat", "lon"]].to_numpy(float),
    )
    for array in (found.lat, found.lon, found.metro, found.tree_pos, found.boxes, found.lycee_pos, found.lycee_ll):
        array.flags.writeable = False  # shared by every caller: read-only
    return found


def in_france(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """True where (lat, lon) lies in metropolitan France's box or near an overseas territory (NaN → False)."""
    la, lo = np.asarray(lat, float)[:, None], np.asarray(lon, float)[:, None]
    b = lookup().boxes
    inside = (la >= b[:, 0]) & (la <= b[:, 1]) & (lo >= b[:, 2]) & (lo <= b[:, 3])
    return cast(npt.NDArray[np.bool_], inside.any(axis=1))  # 2-D, so one bool per row


def nearest_commune(
    lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
    """Nearest commune centre of each point.

    Parameters
    ----------
    lat, lon : numpy.ndarray
        WGS84 degrees, no NaN.

    Returns
    -------
    positions : numpy.ndarray
        Row position of the nearest commune in :func:`matcher.domain.reference.communes`.
    km : numpy.ndarray
        Great-circle distance to it (mean Earth radius).
    """
    ref = lookup()
    if len(lat) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    chord, idx = ref.tree.query(unit_vectors(np.asarray(lat, float), np.asarray(lon, float)))
    return ref.tree_pos[idx], chord_km(chord)
