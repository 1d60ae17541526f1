"""`matcher coverage`: hand-counted shares on a small built case, a cross-check against a brute-force haversine
over every lycée × site pair on the embedded partner, and the command on the embedded scenario."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher import Config
from matcher.cli.main import main
from matcher.domain import reference
from matcher.domain.reference import dataset_path
from matcher.report.coverage import coverage, load_sites

from conftest import write_csv

# lycées on the meridian 5° E, north of 45° N: 0.2° of latitude ≈ 22.2 km, 0.5° ≈ 55.6 km, 1° ≈ 111.2 km
LYCEES = pd.DataFrame(
    {
        "uai": ["A", "B", "C", "D", "E"],
        "name": ["a", "b", "c", "d", "e"],
        "departement": ["01", "01", "38", "38", "38"],
        "academie": ["Lyon", "Lyon", "Grenoble", "Grenoble", "Grenoble"],
        "lat": [45.0, 45.2, 45.5, 46.0, 46.0],
        "lon": [5.0] * 5,
        "seconde_gt_students": [100, 50, 30, 20, 0],
    }
)


def _sites(rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["site_id", "lat", "lon", "capacity_week_1", "capacity_week_2", "academie", "departement"]
    )


def test_shares_equal_a_hand_count():
    sites = _sites(
        [
            ("S1", 45.0, 5.0, 2, 2, "Lyon", "01"),  # at A
            ("S2", 46.0, 5.0, 0, 0, "Grenoble", "38"),
        ]
    )  # at D, but no place: does not count
    cov = coverage(sites, Config(coverage_target=4), lycees=LYCEES)
    n = cov.national
    # within 15 km: A (100); 30 km: A, B (150); 60 km: A, B, C (180); of 200 students (E has none: left out)
    assert n["seconde_students"] == 200
    assert (n["share_within_15km"], n["share_within_30km"], n["share_within_60km"]) == (0.5, 0.75, 0.9)
    assert n["places_offered"] == 2.0 and n["sites"] == 1 and n["target_attainment"] == 0.5 and not n["target_met"]
    assert n["white_zone_lycees"] == 2 and n["white_zone_students"] == 50
    assert cov.white_zones["uai"].tolist() == ["C", "D"]  # Grenoble, larger first
    aca = cov.academies.set_index("academie")
    assert aca.loc["Lyon", "share_within_15km"] == round(100 / 150, 4) and aca.loc["Lyon", "share_within_30km"] == 1.0
    assert aca.loc["Grenoble", "share_within_60km"] == 0.6 and aca.loc["Grenoble", "white_zone_lycees"] == 2
    assert aca.loc["Lyon", "fair_share_places"] == 3.0 and aca.loc["Lyon", "places_offered"] == 2.0
    deps = cov.departements.set_index("departement")
    assert deps.loc["38", "academie"] == "Grenoble" and deps.loc["01", "seconde_students"] == 150


def test_a_place_exactly_at_the_radius_counts():
    km30 = 30 / 6371.0088 * 180 / np.pi  # 30 km of latitude in degrees
    sites = _sites([("S1", 45.0 + km30, 5.0, 1, 1, "Lyon", "01")])
    cov = coverage(sites, lycees=LYCEES.iloc[:1])
    assert cov.national["share_within_30km"] == 1.0 and cov.national["share_within_15km"] == 0.0


def test_no_site_means_everything_is_a_white_zone():
    cov = coverage(_sites([]), lycees=LYCEES)
    assert cov.national["share_within_60km"] == 0.0 and cov.national["white_zone_lycees"] == 4


def _haversine(lat1, lon1, lat2, lon2):
    la1, la2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dla, dlo = la2 - la1, np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin(dla / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin(dlo / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(a))


@pytest.fixture(scope="module")
def demo_sites() -> pd.DataFrame:
    return load_sites(str(dataset_path("demo_sites.csv")))


def test_embedded_partner_against_brute_force(demo_sites):
    cov = coverage(demo_sites)
    lyc = cov.lycees
    km = _haversine(
        lyc["lat"].to_numpy(), lyc["lon"].to_numpy(), demo_sites["lat"].to_numpy(), demo_sites["lon"].to_numpy()
    )
    nearest = km.min(axis=1)
    students = lyc["seconde_gt_students"].to_numpy()
    for r in (15, 30, 60):
        assert cov.national[f"share_within_{r}km"] == pytest.approx(
            students[nearest <= r].sum() / students.sum(), abs=1e-4
        )
    assert set(cov.white_zones["uai"]) == set(lyc["uai"][nearest > 30])
    assert np.allclose(lyc["nearest_place_km"], nearest, atol=2e-3)
    places = (demo_sites["capacity_week_1"] + demo_sites["capacity_week_2"]).sum() / 2
    assert cov.national["places_offered"] == places == cov.academies["places_offered"].sum()


def test_coverage_command_on_the_embedded_scenario(demo_sites, tmp_path):
    result = CliRunner().invoke(
        main, ["coverage", "--sites", str(dataset_path("demo_sites.csv")), "--out", str(tmp_path), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    cov = coverage(demo_sites)
    n = cov.national
    assert f"target {n['target_places']:,} places: {n['target_attainment']:.1%} (met)" in result.output
    assert f"White zones (no place within 30 km): {n['white_zone_lycees']:,} lycées" in result.output
    assert all(uai in result.output for uai in cov.white_zones["uai"])
    white = pd.read_csv(tmp_path / "white_zones.csv", dtype={"uai": str})
    assert white["uai"].tolist() == cov.white_zones["uai"].tolist()
    page = (tmp_path / "coverage.html").read_text(encoding="utf-8")
    assert 'id="choropleth-coverage"' in page and 'id="white-zones"' in page and 'id="site-map"' in page


def test_coverage_target_option_and_bad_sites_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MATCHER_LANG", raising=False)  # French, the default: 2,100 place-weeks for 1,050 places
    result = CliRunner().invoke(main, ["coverage", "--sites", str(dataset_path("demo_sites.csv")), "--target", "5000"])
    first = result.output.splitlines()[0]
    nb = "\u00a0"
    assert result.exit_code == 0
    assert (
        first
        == f"Semaines-places offertes : 2{nb}100 sur 900 sites ; objectif 5{nb}000 places : 21,0{nb}% (NON atteint)"
    )
    bad = write_csv(
        tmp_path / "sites.csv", [{"site_id": "S1", "company": "X", "commune_insee": "99999", "capacity": 1}]
    )
    result = CliRunner().invoke(main, ["coverage", "--sites", str(bad), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "99999" in result.output and not (tmp_path / "out").exists()


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.tuples(st.floats(43.0, 49.0), st.floats(-1.0, 7.0), st.integers(0, 3)), max_size=12),
    st.tuples(st.floats(43.0, 49.0), st.floats(-1.0, 7.0)),
)
def test_shares_grow_with_the_radius_and_with_sites(points, extra):
    lycees = reference.lycees()
    lycees = lycees[lycees["academie"].isin(["Lyon", "Grenoble", "Paris", "Bordeaux"])]
    sites = _sites([(f"S{i}", la, lo, c, c, "", "") for i, (la, lo, c) in enumerate(points)])
    more = pd.concat([sites, _sites([("X", extra[0], extra[1], 1, 1, "", "")])], ignore_index=True)
    before, after = coverage(sites, lycees=lycees).national, coverage(more, lycees=lycees).national
    shares = [before[f"share_within_{r}km"] for r in (15, 30, 60)]
    assert shares == sorted(shares)
    for r in (15, 30, 60):
        assert after[f"share_within_{r}km"] >= before[f"share_within_{r}km"]
    assert after["white_zone_lycees"] <= before["white_zone_lycees"]
    assert before["share_within_30km"] == pytest.approx(
        1 - before["white_zone_students"] / before["seconde_students"], abs=1e-4
    )
