"""The national platform's export shapes, recognised by their headers and turned into contract columns.

1. The **offers extract** (``id;SIRET;secteur;public;public_employer_type;Rue;Ville;Code postal;Filière``): the
   company is named by its SIRET, else by the offer; offers whose ``Filière`` does not include seconde are left out
   and counted.
2. The **officers' offers workbook** (sheet ``Offres``): see :mod:`matcher.load.workbook`.
3. The **offers listing** (``ID;Titre;...;Nom employeur;...;Ville;Code postal;Rue;...;Secteur;Accessible handicap;
   Période;Semaines;ID distant``): ``ID distant`` (the partner's own reference) is the site id when filled;
   ``Période`` 0/1/2 is full time / week 1 / week 2.

Neither extract has a capacity: the policy's ``default_capacity`` supplies one. Both are national: an offer that
cannot be located is left out and listed rather than blocking the file (see :mod:`matcher.load.prepare`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from matcher.domain.crosswalk import platform_sector
from matcher.domain.period import Period
from matcher.load.files import RawTable
from matcher.load.headers import normalize
from matcher.load.workbook import HEADERS, from_workbook

__all__ = ["Shape", "reshape", "EXTRACT", "WORKBOOK", "LISTING", "WEEKS_COLUMN", "SECONDE_FILIERES"]

EXTRACT = "the platform's offers extract"
WORKBOOK = "the officers' offers workbook"
LISTING = "the platform's offers listing"

#: Internal column of a listing: ``0`` full time, ``1`` week 1 only, ``2`` week 2 only.
WEEKS_COLUMN = "_platform_period"

#: ``Filière`` values open to seconde students (normalised); others are left out.
SECONDE_FILIERES = frozenset({"seconde_only", "seconde_troisieme_or_quatrieme", "seconde", ""})

_EXTRACT_HEADERS = frozenset({"id", "secteur", "ville", "code_postal", "filiere"})
_LISTING_HEADERS = frozenset({"id", "titre", "nom_employeur", "ville", "code_postal", "periode", "id_distant"})


@dataclass(frozen=True)
class Shape:
    """A file after recognising its shape.

    Attributes
    ----------
    raw : RawTable
        The file with contract headers (unchanged for an officer's own table).
    name : str
        The shape recognised ("" for an officer's own table).
    excluded : int
        Offers left out because they are not open to seconde students.
    national : bool
        True for a national extract: offers that cannot be located are left out and listed, not problems.
    """

    raw: RawTable
    name: str = ""
    excluded: int = 0
    national: bool = False


def reshape(raw: RawTable, kind: str, period: Period) -> Shape:
    """The file in contract columns when its headers are one of the platform's shapes (sites only)."""
    if kind != "sites":
        return Shape(raw)
    keys = [normalize(h) for h in raw.headers]
    if HEADERS <= set(keys):
        table, excluded = from_workbook(raw, keys, period)
        return Shape(table, WORKBOOK, excluded, False)
    if _LISTING_HEADERS <= set(keys):
        return _listing(raw, keys)
    if _EXTRACT_HEADERS <= set(keys):
        return _extract(raw, keys)
    return Shape(raw)


def _column(raw: RawTable, keys: list[str], key: str) -> pd.Series:
    if key not in keys:
        return pd.Series([""] * len(raw.cells), index=raw.cells.index, dtype=str)
    return raw.cells[keys.index(key)].astype(str).str.strip()


def _table(raw: RawTable, columns: dict[str, pd.Series], keep: np.ndarray | None = None) -> RawTable:
    cells = pd.DataFrame({i: c.to_numpy(dtype=object) for i, c in enumerate(columns.values())})
    rows = raw.rows
    if keep is not None:
        cells, rows = cells[keep].reset_index(drop=True), rows[keep]
    return replace(raw, headers=list(columns), cells=cells, rows=rows)


def _sectors(cells: pd.Series) -> pd.Series:
    """The platform's sector cells as its sector codes (each cell names one sector, commas included)."""
    distinct = {c: platform_sector(c) for c in pd.unique(cells)}
    return cells.map(distinct).astype(str)


def _extract(raw: RawTable, keys: list[str]) -> Shape:
    col = _column
    offer, siret = col(raw, keys, "id"), col(raw, keys, "siret").str.replace(r"\s", "", regex=True)
    filiere = col(raw, keys, "filiere")
    filiere = filiere.map({f: normalize(f) for f in pd.unique(filiere)})
    keep = filiere.isin(SECONDE_FILIERES).to_numpy() | filiere.str.contains("seconde").to_numpy()
    columns = {
        "site_id": offer,
        "company": siret.where(siret != "", "offre " + offer),
        "sectors": _sectors(col(raw, keys, "secteur")),
        "address": col(raw, keys, "rue"),
        "commune": col(raw, keys, "ville"),
        "postal_code": col(raw, keys, "code_postal"),
    }
    return Shape(_table(raw, columns, keep), EXTRACT, int((~keep).sum()), True)


def _listing(raw: RawTable, keys: list[str]) -> Shape:
    col = _column
    own, remote = col(raw, keys, "id"), col(raw, keys, "id_distant")
    columns = {
        "site_id": remote.where(remote != "", own),
        "company": col(raw, keys, "nom_employeur"),
        "sectors": _sectors(col(raw, keys, "secteur")),
        "address": col(raw, keys, "rue"),
        "commune": col(raw, keys, "ville"),
        "postal_code": col(raw, keys, "code_postal"),
        "lat": col(raw, keys, "latitude"),
        "lon": col(raw, keys, "longitude"),
        "accessible": col(raw, keys, "accessible_handicap"),
        WEEKS_COLUMN: col(raw, keys, "periode"),
    }
    return Shape(_table(raw, columns), LISTING, 0, True)
