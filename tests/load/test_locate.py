"""Locating: every lycée and commune of the reference data, arrondissements, Corsica, overseas, geocoding."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from matcher.domain import reference
from matcher.load import read_table
from matcher.load.geocode import CACHE_FILE, AddressGeocoder
from matcher.load.locate import locate

TAAF = {"98411", "98412", "98413", "98414", "98415"}  # uninhabited districts: no coordinates in any source


def _table(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    data = {
        "student_id": [f"E{i}" for i in range(n)],
        "lycee_uai": [""] * n,
        "commune_insee": [""] * n,
        "postal_code": [""] * n,
        "lat": [np.nan] * n,
        "lon": [np.nan] * n,
        "address": [""] * n,
    }
    data.update(columns)
    return pd.DataFrame(data).astype({"lat": float, "lon": float})


def _km(lat1, lon1, lat2, lon2) -> float:
    p1, p2, dl = math.radians(lat1), math.radians(lat2), math.radians(lon2 - lon1)
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return 6371.0088 * math.acos(min(1.0, c))


def test_every_lycee_and_every_commune_locates():
    lyc, com = reference.lycees(), reference.communes()
    codes = [c for c in com.index if c not in TAAF]
    n_lyc = len(lyc)
    table = _table(lycee_uai=list(lyc.index) + [""] * len(codes), commune_insee=[""] * n_lyc + codes)
    located, problems = locate(table, "students.csv")
    assert problems == []
    by_lycee, by_commune = located.iloc[:n_lyc], located.iloc[n_lyc:]
    assert (by_lycee["location_source"] == "lycee").all() and (by_commune["location_source"] == "commune").all()
    assert by_lycee["academie"].tolist() == lyc["academie"].tolist()
    assert by_lycee["commune_insee"].tolist() == lyc["commune_insee"].tolist()
    aca = reference.academies()["academie"]
    expected = com.loc[codes, "departement"].map(aca).fillna("").tolist()  # 989 Clipperton: no académie
    assert by_commune["academie"].tolist() == expected
    assert by_commune["departement"].tolist() == com.loc[codes, "departement"].tolist()
    np.testing.assert_allclose(by_commune["lat"], com.loc[codes, "lat"])
    np.testing.assert_allclose(by_commune["lon"], com.loc[codes, "lon"])
    assert located.index.equals(table.index) and "lat" in table and table["commune_insee"].iloc[0] == ""


def test_uninhabited_territories_have_no_location():
    located, problems = locate(_table(commune_insee=sorted(TAAF)), "s.csv")
    assert {(p.row, p.column) for p in problems} == {(r, "commune_insee") for r in range(2, 7)}
    assert (located["location_source"] == "").all()


@pytest.mark.parametrize(
    "code, lat, lon, academie",
    [
        ("75056", 48.8566, 2.3522, "Paris"),
        ("75105", 48.8445, 2.3497, "Paris"),
        ("75120", 48.8646, 2.4010, "Paris"),
        ("69123", 45.7640, 4.8357, "Lyon"),
        ("69381", 45.7676, 4.8344, "Lyon"),
        ("69389", 45.7740, 4.8055, "Lyon"),
        ("13055", 43.2965, 5.3698, "Aix-Marseille"),
        ("13201", 43.2999, 5.3841, "Aix-Marseille"),
        ("13216", 43.3605, 5.3230, "Aix-Marseille"),
        ("2A004", 41.9192, 8.7386, "Corse"),
        ("2B033", 42.6977, 9.4508, "Corse"),
        ("97105", 15.9985, -61.7255, "Guadeloupe"),
        ("97209", 14.6161, -61.0588, "Martinique"),
        ("97302", 4.9224, -52.3135, "Guyane"),
        ("97411", -20.8823, 55.4504, "La Réunion"),
        ("97611", -12.7806, 45.2279, "Mayotte"),
    ],
)
def test_spot_checks_with_known_coordinates(code, lat, lon, academie):
    located, problems = locate(_table(commune_insee=[code]), "s.csv")
    assert problems == []
    row = located.iloc[0]
    assert row["academie"] == academie and row["commune_insee"] == code
    assert _km(row["lat"], row["lon"], lat, lon) < 10


def test_postal_codes_pick_the_most_populous_commune_and_arrondissements():
    pc = reference.postal_codes()
    best = pc.sort_values(["population", "insee_code"], ascending=[False, True])  # ties: smallest code
    best = best.drop_duplicates("postal_code").set_index("postal_code")
    codes = sorted(best.index)
    located, problems = locate(_table(postal_code=codes), "s.csv")
    assert problems == []
    assert located["commune_insee"].tolist() == best.loc[codes, "insee_code"].tolist()
    assert (located["location_source"] == "postal_code").all()
    spot = dict(zip(codes, located["commune_insee"]))
    assert (spot["75005"], spot["69001"], spot["13001"], spot["20000"]) == ("75105", "69381", "13201", "2A004")
    assert (spot["97400"], spot["97600"]) == ("97411", "97611")


def test_coordinates_find_the_nearest_commune_or_are_reported():
    lat = [45.7701, 41.9227, -20.9434, 16.2411, 45.0, 50.8503, 2.3522, 48.0, np.nan]
    lon = [4.8264, 8.7058, 55.4444, -61.5331, -20.0, 4.3517, 48.8566, np.nan, 2.0]
    located, problems = locate(_table(lat=lat, lon=lon, commune_insee=[""] * 8 + ["75105"]), "s.csv")
    assert located["commune_insee"].tolist()[:4] == ["69381", "2A004", "97411", "97120"]
    assert located["academie"].tolist()[:4] == ["Lyon", "Corse", "La Réunion", "Guadeloupe"]
    assert located["location_source"].tolist() == ["lat_lon"] * 4 + [""] * 4 + ["commune"]
    assert {(p.row, p.column) for p in problems} == {(6, "lat"), (7, "lat"), (8, "lat"), (9, "lon"), (10, "lat")}
    assert "swapped" in next(p.message for p in problems if p.row == 8)


def test_the_most_precise_field_wins():
    located, problems = locate(
        _table(
            lat=[43.6045, np.nan, np.nan, np.nan],
            lon=[1.4440, np.nan, np.nan, np.nan],
            commune_insee=["", "69381", "", ""],
            postal_code=["75005", "75005", "75005", ""],
            lycee_uai=["0750428H"] * 4,
        ),
        "s.csv",
    )
    assert problems == []
    assert located["location_source"].tolist() == ["lat_lon", "commune", "postal_code", "lycee"]
    assert located["commune_insee"].tolist() == ["31555", "69381", "75105", "75105"]
    assert located.loc[0, "lat"] == 43.6045


def test_postal_code_repair_from_csv_and_xlsx(tmp_path):
    csv_path = tmp_path / "s.csv"
    csv_path.write_text("student_id,postal_code\nA,1000\nB,1000.0\nC,99999\nD,1234\n", encoding="utf-8")
    book = openpyxl.Workbook()
    for row in (["student_id", "postal_code"], ["A", 1000], ["B", 1000.0], ["C", 99999], ["D", 1234]):
        book.active.append(row)
    book.save(tmp_path / "s.xlsx")
    for path in (csv_path, tmp_path / "s.xlsx"):
        table, problems = read_table(path, "students")
        assert problems == [] and table["postal_code"].tolist() == ["01000", "01000", "99999", "01234"]
        located, problems = locate(table, path.name)
        assert located["commune_insee"].tolist()[:2] == ["01053", "01053"]
        assert {(p.row, p.column, p.value) for p in problems} == {
            (4, "postal_code", "99999"),
            (5, "postal_code", "01234"),
        }


class _FakeBAN:
    """Stands in for the BAN web service (geopy's BANFrance): our code's boundary with the network."""

    def __init__(self, answers: dict[str, tuple[float, float] | None]):
        self.answers, self.asked = answers, []

    def geocode(self, query: str):
        self.asked.append(query)
        point = self.answers.get(query)
        return None if point is None else type("Location", (), {"latitude": point[0], "longitude": point[1]})()


def test_addresses_are_geocoded_only_when_nothing_else_locates(tmp_path: Path):
    service = _FakeBAN({"20 avenue de Ségur, Paris": (48.8506, 2.3090)})
    geocoder = AddressGeocoder(tmp_path / "cache", service, min_delay_seconds=0)
    table = _table(
        address=["20 avenue de Ségur, Paris", "nowhere", "20  AVENUE de Ségur, Paris", "x"],
        commune_insee=["", "", "", "69381"],
    )
    located, problems = locate(table, "s.csv", geocoder)
    assert located["location_source"].tolist() == ["address", "", "address", "commune"]
    assert located.loc[0, "commune_insee"] == "75107" and located.loc[0, "academie"] == "Paris"
    assert [(p.row, p.column) for p in problems] == [(3, "address")]
    assert service.asked == ["20 avenue de Ségur, Paris", "nowhere"]  # same address, once; row 5 not asked
    assert (tmp_path / "cache" / CACHE_FILE).exists()
    again = _FakeBAN({})
    relocated, _ = locate(table, "s.csv", AddressGeocoder(tmp_path / "cache", again, min_delay_seconds=0))
    assert again.asked == [] and relocated["commune_insee"].tolist() == located["commune_insee"].tolist()


def test_address_without_geocoder_is_no_usable_location():
    located, problems = locate(_table(address=["1 rue de la Paix, Paris"]), "s.csv")
    assert [(p.row, p.column) for p in problems] == [(2, None)] and "geocoding" in problems[0].fix
    assert located.loc[0, "location_source"] == "" and np.isnan(located.loc[0, "lat"])
