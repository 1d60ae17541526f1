"""The officers' offers workbook from the national platform (sheet ``Offres``), turned into contract columns.

Columns: ``Titre de l'offre``, ``Période de stage`` (``Du 15 juin au 19 juin 2026``, one period a line), ``Nombre
max d'élèves accueillis sur l'année`` (places), ``Stage individuel / collectif``, ``Département``, ``Académie``,
``Secteur``, ``Employeur``, ``Adresse de l'employeur`` (postal code and commune inside the text), ``Classes
ciblées``. The site id is the reference in brackets at the end of the title (``Stage énergie [EDF-12]``), else a
stable id derived from the row's content. Each period gives the places to the weeks it covers; a collective
placement hosts a group as large as the places.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import date

import numpy as np
import pandas as pd

from matcher.domain.crosswalk import platform_sector
from matcher.domain.period import Period
from matcher.load.files import RawTable
from matcher.load.headers import normalize

__all__ = ["HEADERS", "from_workbook", "weeks_of_periods"]

#: Normalised headers that recognise the workbook.
HEADERS = frozenset({"titre_de_l_offre", "periode_de_stage", "employeur", "adresse_de_l_employeur"})

_MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
}
_RANGE = re.compile(r"du_(\d{1,2})(?:_([a-z]+))?(?:_(\d{4}))?_au_(\d{1,2})_([a-z]+)(?:_(\d{4}))?")
_REFERENCE = re.compile(r"\[([^\[\]]+)\]\s*$")
_ADDRESS = re.compile(r"(\d{5})\s*,?\s*([^,\d][^,]*?)\s*$")
_SECONDE = re.compile(r"(?i)seconde|2nde|2de|\b2e\b")


def weeks_of_periods(text: str, period: Period) -> tuple[bool, bool]:
    """Which weeks of ``period`` the periods written in ``text`` cover (both when none can be read)."""
    week_1 = week_2 = False
    found = False
    for line in str(text).splitlines() or [""]:
        m = _RANGE.search(normalize(line))
        if not m or m.group(5) not in _MONTHS:
            continue
        year = int(m.group(6) or m.group(3) or period.week_1_start.year)
        try:
            end = date(year, _MONTHS[m.group(5)], int(m.group(4)))
            start = date(int(m.group(3) or year), _MONTHS.get(m.group(2) or m.group(5), end.month), int(m.group(1)))
        except ValueError:
            continue
        found = True
        week_1 |= start <= period.week_1_end and end >= period.week_1_start
        week_2 |= start <= period.week_2_end and end >= period.week_2_start
    return (week_1, week_2) if found else (True, True)


def _ids(titles: pd.Series, content: pd.DataFrame) -> pd.Series:
    """The reference in brackets at the end of the title, else ``O`` and 10 hex digits of the row's content."""
    reference = titles.str.extract(_REFERENCE, expand=False).fillna("").str.strip()
    joined = content.astype(str).agg("|".join, axis=1)
    derived = joined.map(lambda text: "O" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10].upper())
    return reference.where(reference != "", derived)


def from_workbook(raw: RawTable, keys: list[str], period: Period) -> tuple[RawTable, int]:
    """The workbook in contract columns, and how many offers are not for seconde students (left out)."""

    def col(key: str) -> pd.Series:
        if key not in keys:
            return pd.Series([""] * len(raw.cells), dtype=str)
        return raw.cells[keys.index(key)].astype(str).str.strip().reset_index(drop=True)

    address = col("adresse_de_l_employeur")
    place = address.str.extract(_ADDRESS)
    places = col("nombre_max_d_eleves_accueillis_sur_l_annee")
    weeks = np.array([weeks_of_periods(t, period) for t in col("periode_de_stage")], dtype=bool).reshape(-1, 2)
    group = col("stage_individuel_collectif").map(normalize)
    classes = col("classes_ciblees")
    keep = ((classes == "") | classes.str.contains(_SECONDE)).to_numpy()
    columns = {
        "site_id": _ids(col("titre_de_l_offre"), pd.DataFrame({k: col(k) for k in sorted(HEADERS)})),
        "company": col("employeur"),
        "address": address,
        "postal_code": place[0].fillna(""),
        "commune": place[1].fillna(""),
        "departement": col("departement"),
        "sectors": col("secteur").map(platform_sector),
        "capacity_week_1": places.where(weeks[:, 0], "0"),
        "capacity_week_2": places.where(weeks[:, 1], "0"),
        "max_group_size": places.where(group.str.contains("collectif"), "1"),
    }
    cells = pd.DataFrame({i: c.to_numpy(dtype=object) for i, c in enumerate(columns.values())})
    table = replace(raw, headers=list(columns), cells=cells[keep].reset_index(drop=True), rows=raw.rows[keep])
    return table, int((~keep).sum())
