"""National coverage of a partner's places before any allocation: places against the target, the share of
seconde students with a place within reach, and the white zones (lycées with no place within 30 km).

Students are counted from the lycées' seconde GT enrolments (``datasets/lycees.csv``, rentrée 2021), each at its
lycée's point (the commune's point, see ``datasets/SOURCES.md``); a site counts when it offers at least one place.
Distances are great-circle km (DESIGN.md §2), found with a k-d tree on unit vectors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from matcher.config import Config
from matcher.domain import reference
from matcher.domain.geo import chord_km, unit_vectors
from matcher.errors import InputError
from matcher.load.inputs import say_left_out
from matcher.load.locate import Geocoder, locate
from matcher.load.table import LOCATION_COLUMNS, read_file
from matcher.util.i18n import Lang

__all__ = ["Coverage", "coverage", "load_sites", "white_zone_counts", "RADII_KM", "WHITE_ZONE_KM"]

#: Radii (km) of the "share of seconde students with a place within" figures.
RADII_KM: tuple[int, ...] = (15, 30, 60)
#: A lycée with no place within this many km is a white zone.
WHITE_ZONE_KM: float = 30.0

#: A national figure: a count, a number of places, a share (None without students or target) or a yes/no.
NationalFigure = int | float | bool | None


@dataclass(frozen=True)
class Coverage:
    """Coverage figures of a set of sites.

    Attributes
    ----------
    national : dict
        ``sites``, ``places_offered``, ``target_places``, ``target_attainment`` (places / target),
        ``target_met``, ``seconde_students``, ``share_within_<r>km`` for each radius, ``white_zone_lycees`` and
        ``white_zone_students``.
    academies, departements : DataFrame
        The same figures per académie and per département (of the lycées for the shares, of the sites for the
        places), with ``fair_share_places``: the target spread in proportion to seconde enrolment.
    lycees : DataFrame
        Every lycée with seconde students: ``nearest_place_km`` and ``places_within_<r>km``.
    white_zones : DataFrame
        Lycées with no place within ``WHITE_ZONE_KM``, by académie then enrolment (largest first).
    """

    national: dict[str, NationalFigure]
    academies: pd.DataFrame
    departements: pd.DataFrame
    lycees: pd.DataFrame
    white_zones: pd.DataFrame


def white_zone_counts(national: Mapping[str, NationalFigure], lang: Lang) -> str:
    """The white zones' lycées and seconde students of ``national`` (``Coverage.national``), each counted the
    language's way: « 1 lycée, 258 élèves de seconde »."""
    lycees, students = (float(national[key] or 0) for key in ("white_zone_lycees", "white_zone_students"))
    return (
        lang.counted(lycees, "{n} lycée", "{n} lycées")
        + ", "
        + lang.counted(students, "{n} seconde student", "{n} seconde students")
    )


def load_sites(path: str | Path, config: Config | None = None, *, geocoder: Geocoder | None = None) -> pd.DataFrame:
    """Read, validate and locate a sites file alone (DESIGN.md §4); raise InputError listing every problem."""
    result = read_file(path, "sites", config)
    say_left_out(result, None)  # a platform extract's offers left out are said, as by validate
    problems, table = list(result.problems), result.table
    if result.given & set(LOCATION_COLUMNS["sites"]):
        table, found = locate(table, result.file, geocoder, rows=result.rows)
        problems += found
    if problems:
        raise InputError(problems)
    return table


def _places(sites: pd.DataFrame) -> npt.NDArray[np.float64]:
    places: npt.NDArray[np.float64] = (
        sites["capacity_week_1"].to_numpy(float) + sites["capacity_week_2"].to_numpy(float)
    ) / 2
    return places


def _within(lyc: pd.DataFrame, sites: pd.DataFrame, radii: tuple[int, ...]) -> pd.DataFrame:
    """Nearest place and places within each radius, per lycée (vectorised k-d tree queries)."""
    places = _places(sites)
    keep = (places > 0) & sites["lat"].notna().to_numpy() & sites["lon"].notna().to_numpy()
    pts = unit_vectors(sites["lat"].to_numpy(float)[keep], sites["lon"].to_numpy(float)[keep])
    q = unit_vectors(lyc["lat"].to_numpy(float), lyc["lon"].to_numpy(float))
    out = lyc.copy()
    if len(pts) == 0:
        out["nearest_place_km"] = np.inf
        for r in radii:
            out[f"places_within_{r}km"] = 0.0
        return out
    tree = cKDTree(pts)
    dist, _ = tree.query(q, k=1)
    out["nearest_place_km"] = np.round(chord_km(dist), 3)
    kept = places[keep]
    for r in radii:
        # chord of r km, widened by a hair so that a place exactly r km away counts as within r km
        hits = tree.query_ball_point(q, r=2 * np.sin(r / 6371.0088 / 2) * (1 + 1e-12))
        out[f"places_within_{r}km"] = np.array([kept[h].sum() for h in hits], float)
    return out


def _group(
    lyc: pd.DataFrame, sites: pd.DataFrame, key: str, target: int, radii: tuple[int, ...], white_km: float
) -> pd.DataFrame:
    students = lyc["seconde_gt_students"].to_numpy(float)
    cols = {"seconde_students": students}
    for r in radii:
        cols[f"students_within_{r}km"] = students * (lyc["nearest_place_km"].to_numpy() <= r)
    white = lyc["nearest_place_km"].to_numpy() > white_km
    cols["white_zone_lycees"], cols["white_zone_students"] = white.astype(int), students * white
    per = pd.DataFrame(cols).groupby(lyc[key].to_numpy()).sum()
    offered = pd.Series(_places(sites)).groupby(sites[key].fillna("").to_numpy()).sum()
    n_sites = pd.Series((_places(sites) > 0).astype(int)).groupby(sites[key].fillna("").to_numpy()).sum()
    table = per.join(pd.DataFrame({"sites": n_sites, "places_offered": offered}), how="outer").fillna(0)
    total = students.sum()
    table["fair_share_places"] = np.round(target * table["seconde_students"] / total, 1) if total else 0.0
    for r in radii:
        table[f"share_within_{r}km"] = np.round(
            table[f"students_within_{r}km"] / table["seconde_students"].where(table["seconde_students"] > 0), 4
        )
        table = table.drop(columns=f"students_within_{r}km")
    table.index.name = key
    ints = ["seconde_students", "white_zone_lycees", "white_zone_students", "sites"]
    table[ints] = table[ints].astype("int64")
    return table.reset_index().sort_values(key, kind="stable").reset_index(drop=True)


def coverage(
    sites: pd.DataFrame,
    config: Config | None = None,
    *,
    lycees: pd.DataFrame | None = None,
    radii: tuple[int, ...] = RADII_KM,
    white_km: float = WHITE_ZONE_KM,
) -> Coverage:
    """Coverage of the located ``sites`` (``load_sites`` or ``load_inputs``) against ``config.coverage_target``.

    ``lycees`` defaults to the embedded lycées (``uai, name, departement, academie, lat, lon,
    seconde_gt_students``); lycées with no seconde student are left out.
    """
    config = config or Config()
    lyc = (reference.lycees() if lycees is None else lycees).reset_index(drop=True)
    lyc = lyc[lyc["seconde_gt_students"] > 0].reset_index(drop=True)
    lyc = _within(lyc, sites, radii)
    target = config.coverage_target
    academies = _group(lyc, sites, "academie", target, radii, white_km)
    deps = _group(lyc, sites, "departement", target, radii, white_km)
    names = reference.academies()[["departement_name", "academie"]].rename(columns={"academie": "dep_academie"})
    deps = deps.join(names, on="departement")
    deps.insert(1, "departement_name", deps.pop("departement_name").fillna(""))
    deps.insert(2, "academie", deps.pop("dep_academie").fillna(""))
    white = lyc[lyc["nearest_place_km"] > white_km]
    white = white.sort_values(["academie", "seconde_gt_students", "uai"], ascending=[True, False, True])
    cols = [
        c
        for c in (
            "uai",
            "name",
            "commune_insee",
            "departement",
            "academie",
            "seconde_gt_students",
            "nearest_place_km",
            "lat",
            "lon",
        )
        if c in white.columns
    ]
    return Coverage(
        _national(lyc, sites, target, radii, white_km), academies, deps, lyc, white[cols].reset_index(drop=True)
    )


def _national(
    lyc: pd.DataFrame, sites: pd.DataFrame, target: int, radii: tuple[int, ...], white_km: float
) -> dict[str, NationalFigure]:
    places = _places(sites)
    students = lyc["seconde_gt_students"].to_numpy(float)
    total = float(students.sum())
    near = lyc["nearest_place_km"].to_numpy()
    out: dict[str, NationalFigure] = {
        "sites": int((places > 0).sum()),
        "places_offered": float(places.sum()),
        "target_places": target,
        "target_attainment": round(float(places.sum()) / target, 4) if target else None,
        "target_met": bool(places.sum() >= target),
        "seconde_students": int(total),
    }
    for r in radii:
        out[f"share_within_{r}km"] = round(float(students[near <= r].sum()) / total, 4) if total else None
    out["white_zone_km"] = white_km
    out["white_zone_lycees"] = int((near > white_km).sum())
    out["white_zone_students"] = int(students[near > white_km].sum())
    return out
