"""matcher.generate: contract columns, determinism, the shipped demo scenario and the documented distributions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from matcher.domain import reference
from matcher.domain.sectors import SECTORS
from matcher.generate.scenario import (
    DEMO,
    DIGITAL,
    ENERGY,
    SITE_COLUMNS,
    STUDENT_COLUMNS,
    embedded_scenario,
    generate,
    write_scenario,
)
from matcher.load.schema import SITES, STUDENTS, WEEKS


@pytest.fixture(scope="module")
def big():
    return generate(20_000, 5_000, seed=7)


@pytest.fixture(scope="module")
def demo():
    return generate(**DEMO)


def _num(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.where(col != "", None)).fillna(0)


def _places(sites: pd.DataFrame) -> float:
    return (
        _num(sites["capacity"]).sum()
        + (_num(sites["capacity_week_1"]).sum() + _num(sites["capacity_week_2"]).sum()) / 2
    )


def _site_departement(sites: pd.DataFrame) -> pd.Series:
    """Département of each site, from its commune or else its postal code's most populous commune."""
    pc = reference.postal_codes().sort_values("population", ascending=False).drop_duplicates("postal_code")
    insee = sites["commune_insee"].where(
        sites["commune_insee"] != "", sites["postal_code"].map(pc.set_index("postal_code")["insee_code"])
    )
    return insee.map(reference.communes()["departement"])


def _share(mask) -> float:
    return float(np.mean(mask))


def test_columns_are_the_contract_as_strings(big):
    students, sites = big
    assert STUDENT_COLUMNS == tuple(c.name for c in STUDENTS if c.name != "address")
    assert SITE_COLUMNS == tuple(c.name for c in SITES if c.name != "address")
    assert tuple(students.columns) == STUDENT_COLUMNS and tuple(sites.columns) == SITE_COLUMNS
    for table in big:
        assert table.notna().all().all()
        assert all(isinstance(v, str) for v in table.iloc[:50].to_numpy().ravel())
    assert students["student_id"].is_unique and sites["site_id"].is_unique
    assert students["student_id"].iloc[0] == "E0000001" and sites["site_id"].iloc[-1] == "S005000"


def test_same_seed_same_bytes_and_plain_csv(tmp_path):
    a = write_scenario(*generate(500, 200, seed=1), tmp_path / "a")
    b = write_scenario(*generate(500, 200, seed=1), tmp_path / "b")
    assert [p.name for p in a] == ["students.csv", "sites.csv"]
    for pa, pb in zip(a, b):
        data = pa.read_bytes()
        assert data == pb.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        data.decode("utf-8")
    assert a[0].read_text(encoding="utf-8").splitlines()[0] == ",".join(STUDENT_COLUMNS)
    assert a[1].read_text(encoding="utf-8").splitlines()[0] == ",".join(SITE_COLUMNS)


def test_different_seeds_differ():
    one, two = generate(500, 200, seed=1), generate(500, 200, seed=2)
    assert not one[0].equals(two[0]) and not one[1].equals(two[1])


def test_write_replaces_files_and_leaves_no_temporary(tmp_path):
    write_scenario(*generate(50, 20, seed=3), tmp_path)
    paths = write_scenario(*generate(60, 20, seed=4), tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sites.csv", "students.csv"]
    assert len(pd.read_csv(paths[0], dtype=str)) == 60


def test_shipped_demo_is_a_fresh_regeneration(tmp_path, demo):
    fresh = write_scenario(*demo, tmp_path)
    shipped = embedded_scenario()
    for new, old in zip(fresh, shipped):
        assert new.read_bytes() == old.read_bytes()


def test_demo_has_the_partner_figures(demo):
    students, sites = demo
    assert _places(sites) >= 1000
    assert 850 <= len(sites) <= 950 and 2500 <= len(students) <= 3500
    academie = _site_departement(sites).map(reference.academies()["academie"])
    assert academie.notna().all()
    assert academie.nunique() >= 25


def test_students_uais_exist(big, demo):
    lycees = reference.lycees()
    for students, _ in (big, demo):
        assert (students["lycee_uai"] != "").all()
        assert students["lycee_uai"].isin(lycees.index[lycees["seconde_gt_students"] > 0]).all()
        assert students["commune_insee"].replace("", np.nan).dropna().isin(reference.communes().index).all()


def test_student_proportions(big):
    s, _ = big
    assert 0.17 < _share(s["commune_insee"] != "") < 0.23
    assert 0.035 < _share(s["lat"] != "") < 0.065 and ((s["lat"] != "") == (s["lon"] != "")).all()
    assert (s["postal_code"] == "").all()
    assert 0.02 < _share(s["gender"] == "") < 0.04 and 0.45 < _share(s["gender"] == "F") < 0.6
    assert 0.13 < _share(s["priority"] == "true") < 0.17
    assert 0.01 < _share(s["needs_accessible"] == "true") < 0.03
    assert 0.08 < _share(s["site_choices"] != "") < 0.12
    assert 0.67 < _share(s["max_km"] == "") < 0.73
    assert set(s["max_km"]) <= {"", "15", "20", "30", "40", "50"}
    weeks = s["weeks"].value_counts(normalize=True)
    assert set(weeks.index) <= set(WEEKS) and 0.87 < weeks["both"] < 0.93
    assert 0.03 < weeks["week_1"] < 0.07 and 0.03 < weeks["week_2"] < 0.07
    assert 0.82 < _share(s["split_ok"] == "true") < 0.88
    assert set(s["split_ok"]) | set(s["priority"]) | set(s["needs_accessible"]) <= {"true", "false"}


def test_lat_lon_are_near_the_student(big):
    s, _ = big
    pts = s[s["lat"] != ""]
    assert pts["lat"].str.fullmatch(r"-?\d+\.\d{5}").all() and pts["lon"].str.fullmatch(r"-?\d+\.\d{5}").all()
    ly = reference.lycees().loc[pts["lycee_uai"]]
    assert (np.abs(pts["lat"].astype(float).to_numpy() - ly["lat"].to_numpy()) < 2.0).all()


def test_groups_share_lycee_and_weeks(big):
    s, _ = big
    grouped = s[s["group_id"] != ""]
    assert 0.03 < len(grouped) / len(s) < 0.05
    by = grouped.groupby("group_id")
    assert by.size().between(2, 3).all()
    assert (by[["lycee_uai", "weeks", "split_ok", "sectors"]].nunique() == 1).all().all()
    assert grouped["group_id"].str.fullmatch(r"G\d{5,}").all()


def test_sectors_are_ranked_distinct_codes_with_a_gender_lean(big):
    s, sites = big
    for table, top in ((s, 3), (sites, 3)):
        lists = table["sectors"].str.split("|")
        assert lists.map(len).between(1, top).all() and (lists.map(len) == lists.map(lambda x: len(set(x)))).all()
        assert set(lists.explode()) <= set(SECTORS)
    first = s["sectors"].str.split("|").str[0]
    boys, girls = first[s["gender"] == "M"], first[s["gender"] == "F"]
    assert boys.isin(ENERGY).mean() > girls.isin(ENERGY).mean() + 0.03
    assert girls.isin(DIGITAL).mean() > boys.isin(DIGITAL).mean() + 0.03


def test_site_choices_are_sites_of_the_lycee_departement(big):
    s, sites = big
    site_dept = pd.Series(_site_departement(sites).to_numpy(), index=sites["site_id"])
    chosen = s[s["site_choices"] != ""]
    pairs = chosen.assign(site=chosen["site_choices"].str.split("|")).explode("site")
    assert pairs["site"].isin(site_dept.index).all()
    assert chosen["site_choices"].str.split("|").map(lambda x: len(set(x)) == len(x)).all()
    lycee_dept = pairs["lycee_uai"].map(reference.lycees()["departement"])
    assert (pairs["site"].map(site_dept) == lycee_dept).all()


def test_site_proportions(big):
    _, t = big
    assert 0.07 < _share(t["postal_code"] != "") < 0.13
    assert ((t["postal_code"] != "") != (t["commune_insee"] != "")).all()
    assert 0.07 < _share(t["lat"] != "") < 0.13 and (t.loc[t["lat"] != "", "commune_insee"] != "").all()
    full = t["capacity"] != ""
    assert 0.67 < _share(full) < 0.73 and ((t["capacity_week_1"] != "") == ~full).all()
    weekly = t[~full]
    assert ((_num(weekly["capacity_week_1"]) + _num(weekly["capacity_week_2"])) > 0).all()
    assert _share(t.loc[full, "capacity"] == "1") > 0.5
    assert 0.17 < _share(t["full_time_only"] == "true") < 0.23 and (t.loc[~full, "full_time_only"] == "false").all()
    groups = t["max_group_size"].astype(int)
    assert 0.08 < _share(groups > 1) < 0.12 and groups.between(1, 4).all()
    assert 0.37 < _share(t["accessible"] == "true") < 0.43
    assert 0.035 < _share(t["reserved_priority"] == "true") < 0.065
    assert 0.02 < _share(t["reserved_lycees"] != "") < 0.04
    assert 2.5 < len(t) / t["company"].nunique() < 4.5


def test_reserved_lycees_are_of_the_site_departement(big):
    _, t = big
    dept = _site_departement(t)
    res = t.assign(dept=dept, uai=t["reserved_lycees"].str.split("|"))[t["reserved_lycees"] != ""].explode("uai")
    assert (res["uai"].map(reference.lycees()["departement"]) == res["dept"]).all()


@pytest.mark.parametrize(("n_sites", "places"), [(1000, None), (1000, 1000), (1000, 3750), (7, 30), (1, 1)])
def test_places_target_is_hit(n_sites, places):
    _, sites = generate(10, n_sites, seed=5, places=places)
    target = round(1.15 * n_sites) if places is None else places
    assert abs(_places(sites) - target) <= 0.02 * target
    assert (_num(sites["capacity"])[sites["capacity"] != ""] >= 1).all()


@pytest.mark.parametrize("kwargs", [dict(places=5), dict(places=2.5), dict(n_students=-1), dict(n_sites=1.5)])
def test_bad_sizes_are_refused(kwargs):
    args = dict(n_students=10, n_sites=10) | kwargs
    with pytest.raises(ValueError):
        generate(**args)


def test_empty_scenario_writes_headers(tmp_path):
    students, sites = generate(0, 0)
    assert len(students) == 0 and len(sites) == 0
    paths = write_scenario(students, sites, tmp_path)
    assert paths[1].read_text(encoding="utf-8") == ",".join(SITE_COLUMNS) + "\n"
