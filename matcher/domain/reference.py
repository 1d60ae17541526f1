"""The embedded reference data (communes, lycées, académies), loaded lazily and once.

The files live in the ``matcher.datasets`` package (``datasets/`` in the repository), with their provenance in
``SOURCES.md``. Codes are read as strings so that leading zeros and Corsica's ``2A``/``2B`` survive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from importlib import resources
from importlib.resources.abc import Traversable

import pandas as pd

__all__ = ["communes", "lycees", "academies", "postal_codes", "dataset_path", "ATTRIBUTION"]

ATTRIBUTION = (
    "Sources : INSEE (Code officiel géographique, populations légales) via Etalab @etalab/decoupage-administratif ; "
    "La Poste (Base officielle des codes postaux) ; Ministère de l'Éducation nationale – DEPP "
    "(data.education.gouv.fr). Licence Ouverte / Open Licence 2.0 (Etalab)."
)


def dataset_path(name: str) -> Traversable:
    """Path-like handle to a file shipped in ``matcher.datasets``."""
    return resources.files("matcher.datasets").joinpath(name)


def _cached_frame(build: Callable[[], pd.DataFrame]) -> Callable[[], pd.DataFrame]:
    """``build`` runs once; each call then gets a new frame over its result (pandas' copy-on-write: changing the
    frame a caller got never changes the cached one)."""
    once = cache(build)

    @wraps(build)
    def frame() -> pd.DataFrame:
        return once().copy(deep=False)

    return frame


def _read(name: str, codes: list[str]) -> pd.DataFrame:
    with dataset_path(name).open("rb") as fh:
        return pd.read_csv(
            fh, dtype={c: str for c in codes}, keep_default_na=False, na_values={"lat": [""], "lon": [""]}
        )


@_cached_frame
def academies() -> pd.DataFrame:
    """Département → académie → région académique, indexed by département code."""
    df = _read("academies.csv", ["departement", "academie_code", "region_code"])
    return df.set_index("departement", drop=False)


@_cached_frame
def communes() -> pd.DataFrame:
    """Every commune and municipal arrondissement, indexed by INSEE code, with académie columns joined."""
    df = _read("communes.csv", ["insee_code", "departement", "region", "postal_codes", "parent_insee"])
    df["population"] = pd.to_numeric(df["population"], errors="coerce").fillna(0).astype("int64")
    aca = academies()[["academie", "region_academique"]]
    df = df.join(aca, on="departement")
    return df.set_index("insee_code", drop=False)


@_cached_frame
def lycees() -> pd.DataFrame:
    """Every lycée GT with its seconde enrolment, indexed by UAI."""
    df = _read("lycees.csv", ["uai", "commune_insee", "departement"])
    return df.set_index("uai", drop=False)


@_cached_frame
def postal_codes() -> pd.DataFrame:
    """Postal code → INSEE commune codes, one row per pair, with the commune's population.

    A postal code that serves several communes maps to all of them; locating uses the most populous one.
    Arrondissements (Paris, Lyon, Marseille) are kept, their parent commune is not, so ``75005`` maps to 75105.
    """
    com = communes()
    has_arm = set(com.loc[com["type"] == "ARM", "parent_insee"])
    com = com[~com["insee_code"].isin(has_arm)]
    pairs = (
        com[["insee_code", "postal_codes", "population"]]
        .assign(postal_code=com["postal_codes"].str.split(" "))
        .explode("postal_code")
    )
    pairs = pairs[pairs["postal_code"].fillna("") != ""]
    return pairs[["postal_code", "insee_code", "population"]].reset_index(drop=True)
