"""Great-circle geometry on the mean Earth sphere (the distance contract, DESIGN.md §2).

Points become 3-D unit vectors; the chord between two of them gives the great-circle distance exactly, so a
k-d tree on unit vectors (scipy's cKDTree) answers "within d km" and "k nearest" queries. This is what geopy's
``great_circle`` computes, vectorised. Many students share a point (located at their commune or lycée):
``same_points`` numbers equal points so that a search around each is made once (``distinct``, ``in_range``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

__all__ = [
    "EARTH_RADIUS_KM",
    "unit_vectors",
    "chord",
    "chord_km",
    "great_circle_km",
    "same_points",
    "distinct",
    "in_range",
]

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """3-D unit vectors of WGS84 points (degrees), one row per point."""
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord(km: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Chord length on the unit sphere of a great-circle distance in km."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, float) / EARTH_RADIUS_KM, np.pi) / 2.0)


def chord_km(length: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Great-circle distance in km of a chord length on the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(length, float) / 2.0, 0.0, 1.0))


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in km between two arrays of points, element-wise."""
    return chord_km(np.linalg.norm(unit_vectors(lat1, lon1) - unit_vectors(lat2, lon2), axis=1))


def same_points(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Per point, a number shared by the points with equal coordinates (negative for each point with a NaN one): a
    search around equal points finds the same sites, so it is made once."""
    z = np.empty(len(lat), complex)
    z.real, z.imag = lat, lon
    codes = pd.factorize(z)[0]
    return np.where(codes >= 0, codes, -1 - np.arange(len(z)))


def distinct(same: np.ndarray, value: np.ndarray | None = None) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The first row of each distinct (``same``, ``value``) pair, and for each row the number of its pair among
    them (``same``: ``same_points`` codes; ``value``: floats, such as radii)."""
    key = same if value is None else same + 1j * value
    _, first, back = np.unique(key, return_index=True, return_inverse=True, equal_nan=False)
    return first, back


def in_range(
    tree: cKDTree, points: np.ndarray, radius: np.ndarray, same: np.ndarray, workers: int = 1
) -> npt.NDArray[np.intp]:
    """Per point, the number of points of ``tree`` within its ``radius`` (``query_ball_point``); ``same``:
    ``same_points`` of ``points``, so that each distinct point and radius is searched once."""
    if len(points) == 0:
        return np.zeros(0, np.int64)
    first, back = distinct(same, radius)
    counts: npt.NDArray[np.intp] = tree.query_ball_point(
        points[first], radius[first], return_length=True, workers=workers
    )
    return counts[back]
