"""Great-circle geometry on the mean Earth sphere (the distance contract, DESIGN.md §2).

Points become 3-D unit vectors; the chord between two of them gives the great-circle distance exactly, so a
k-d tree on unit vectors (scipy's cKDTree) answers "within d km" and "k nearest" queries. This is what geopy's
``great_circle`` computes, vectorised.
"""
from __future__ import annotations

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "unit_vectors", "chord", "chord_km", "great_circle_km"]

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat, lon) -> np.ndarray:
    """3-D unit vectors of WGS84 points (degrees), one row per point."""
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord(km) -> np.ndarray:
    """Chord length on the unit sphere of a great-circle distance in km."""
    return 2.0 * np.sin(np.minimum(np.asarray(km, float) / EARTH_RADIUS_KM, np.pi) / 2.0)


def chord_km(length) -> np.ndarray:
    """Great-circle distance in km of a chord length on the unit sphere."""
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(length, float) / 2.0, 0.0, 1.0))


def great_circle_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km between two arrays of points, element-wise."""
    return chord_km(np.linalg.norm(unit_vectors(lat1, lon1) - unit_vectors(lat2, lon2), axis=1))
