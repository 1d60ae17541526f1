"""Reading files: formats, encodings, separators, decimal comma, XLSX numbers, header aliases, personal data."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from matcher.config import Config
from matcher.load import load_inputs, read_table

DATA = Path(__file__).parent.parent / "data"
SITES = DATA / "sites.csv"

HEADER = [
    "student_id",
    "lycee_uai",
    "commune_insee",
    "postal_code",
    "lat",
    "lon",
    "address",
    "sectors",
    "site_choices",
    "max_km",
    "weeks",
    "split_ok",
    "gender",
    "priority",
    "needs_accessible",
]
FRENCH = [
    "Identifiant",
    "UAI",
    "Code commune",
    "Code postal",
    "Latitude",
    "Longitude",
    "Adresse",
    "Secteurs",
    "Choix",
    "Distance max",
    "Semaines",
    "Fractionnement",
    "Sexe",
    "Prioritaire",
    "Handicap",
]
ROWS = [
    ["E1", "0750428H", "", "", "", "", "", "Electricite | numerique", "S1|S2", "12.5", "both", "oui", "fille", "x", ""],
    ["E2", "", "", "01000", "", "", "", "", "s2", "7", "semaine_2", "non", "garçon", "", "vrai"],
    ["E3", "", "", "", "45.7601", "4.8357", "", "numerique", "", "30.25", "", "", "", "faux", ""],
    ["E4", "", "2A004", "", "", "", "Cours Napoléon, Ajaccio", "", "", "", "les deux", "1", "F", "0", "0"],
]
FLOATS = {"lat", "lon", "max_km"}


def _write_csv(
    path: Path,
    header: list[str],
    rows: list[list[str]],
    *,
    sep: str = ",",
    encoding: str = "utf-8",
    decimal_comma: bool = False,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=sep)
        writer.writerow(header)
        for row in rows:
            if decimal_comma:
                row = [v.replace(".", ",") if name in FLOATS else v for name, v in zip(HEADER, row)]
            writer.writerow(row)
    return path


def _write_xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _as_excel_types(row: list[str]) -> list[object]:
    """What a spreadsheet user gets: numbers where a cell looks numeric (01000 → 1000), booleans typed."""
    out: list[object] = []
    for name, value in zip(HEADER, row):
        if name in FLOATS and value:
            out.append(float(value))
        elif name == "postal_code" and value:
            out.append(int(value))
        elif name == "split_ok" and value in ("oui", "non"):
            out.append(value == "oui")
        else:
            out.append(value or None)
    return out


def test_same_data_in_every_format_loads_to_identical_tables(tmp_path):
    files = {
        "utf8": _write_csv(tmp_path / "utf8.csv", HEADER, ROWS),
        "bom": _write_csv(tmp_path / "bom.csv", HEADER, ROWS, encoding="utf-8-sig"),
        "cp1252": _write_csv(tmp_path / "win.csv", FRENCH, ROWS, sep=";", encoding="cp1252", decimal_comma=True),
        "quoted_comma": _write_csv(tmp_path / "comma.csv", HEADER, ROWS, decimal_comma=True),
        "xlsx": _write_xlsx(tmp_path / "students.xlsx", FRENCH, [_as_excel_types(r) for r in ROWS]),
    }
    assert "ç".encode("cp1252") in files["cp1252"].read_bytes()
    tables = {name: read_table(path, "students") for name, path in files.items()}
    reference, problems = tables.pop("utf8")
    assert problems == []
    for name, (table, problems) in tables.items():
        assert problems == [], name
        pd.testing.assert_frame_equal(table, reference, obj=name)
    located = {name: load_inputs(path, SITES, Config())[0] for name, path in files.items()}
    for name, table in located.items():
        pd.testing.assert_frame_equal(table, located["utf8"], obj=name)


def test_clean_values_and_dtypes(tmp_path):
    table, problems = read_table(_write_csv(tmp_path / "s.csv", HEADER, ROWS), "students")
    assert problems == []
    assert isinstance(table.index, pd.RangeIndex) and list(table["student_id"]) == ["E1", "E2", "E3", "E4"]
    assert table.loc[0, "sectors"] == ("electricite", "numerique")
    assert table.loc[0, "site_choices"] == ("S1", "S2")
    assert list(table["weeks"]) == ["both", "week_2", "both", "both"]
    assert list(table["gender"]) == ["F", "M", "", "F"]
    assert list(table["split_ok"]) == [True, False, True, True]
    assert list(table["priority"]) == [True, False, False, False]
    assert list(table["needs_accessible"]) == [False, True, False, False]
    assert table["max_km"].tolist() == [12.5, 7.0, 30.25, pytest.approx(np.nan, nan_ok=True)]
    assert table["max_km"].dtype == "float64" and table["split_ok"].dtype == bool
    assert table.loc[1, "postal_code"] == "01000" and table.loc[3, "commune_insee"] == "2A004"


def test_load_inputs_returns_located_tables_without_mutating(tmp_path):
    path = _write_csv(tmp_path / "s.csv", HEADER, ROWS)
    before = path.read_bytes()
    config = Config()
    students, sites = load_inputs(path, SITES, config)
    assert path.read_bytes() == before and config == Config()
    assert isinstance(students.index, pd.RangeIndex) and isinstance(sites.index, pd.RangeIndex)
    assert list(students.columns[-4:]) == ["departement", "academie", "region_academique", "location_source"]
    assert list(students["location_source"]) == ["lycee", "postal_code", "lat_lon", "commune"]
    assert list(students["academie"]) == ["Paris", "Lyon", "Lyon", "Corse"]
    assert students.loc[1, "commune_insee"] == "01053"  # 01000 serves two communes: Bourg-en-Bresse is larger
    assert students.loc[1, "site_choices"] == ("S2",)  # respelled as in the sites file
    assert np.isnan(students.loc[3, "max_km"])
    assert "capacity" not in sites and list(sites["capacity_week_1"]) == [3, 2]
    assert list(sites["capacity_week_2"]) == [3, 2] and sites["capacity_week_1"].dtype == "int64"
    assert list(sites["commune_insee"]) == ["69381", "75105"]
    assert sites.loc[1, "reserved_lycees"] == ("0750428H",)


def test_header_aliases_ignore_case_accents_and_spacing(tmp_path):
    path = tmp_path / "sites.csv"
    path.write_text(
        "Identifiant;ENTREPRISE; Code-Commune ;CODE_POSTAL;Capacité;Taille groupe max;"
        "Accessibilité PMR;Réservé prioritaires;Lycées réservés;Métiers;Colonne inconnue\n"
        "S1;Acme;69381;;4;2;oui;non;0750428h;Numerique;bla\n",
        encoding="utf-8",
    )
    table, problems = read_table(path, "sites")
    assert problems == []
    row = table.iloc[0]
    assert (row["site_id"], row["company"], row["commune_insee"]) == ("S1", "Acme", "69381")
    assert (row["capacity_week_1"], row["capacity_week_2"], row["max_group_size"]) == (4, 4, 2)
    assert bool(row["accessible"]) and not bool(row["reserved_priority"])
    assert row["reserved_lycees"] == ("0750428H",) and row["sectors"] == ("numerique",)
    assert "Colonne inconnue" not in table and "colonne_inconnue" not in table


def test_student_header_aliases(tmp_path):
    path = tmp_path / "eleves.csv"
    path.write_text(
        "ID_ÉLÈVE,Lycée,CP,Voeux,Rayon,Genre,Boursier,Besoin accessibilité,Groupe,Split\n"
        "A1,0750428H,,S1,15,Femme,oui,non,G1,non\n",
        encoding="utf-8",
    )
    table, problems = read_table(path, "students")
    assert problems == []
    row = table.iloc[0]
    assert (row["student_id"], row["lycee_uai"], row["gender"], row["group_id"]) == ("A1", "0750428H", "F", "G1")
    assert row["site_choices"] == ("S1",) and row["max_km"] == 15.0
    assert bool(row["priority"]) and not bool(row["needs_accessible"]) and not bool(row["split_ok"])


def test_personal_data_columns_are_dropped_unread(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text(
        "Nom,Prénom,E-mail,Téléphone,Date de naissance,student_id,commune_insee,weeks\n"
        "Dupont,Marie,marie@example.org,0600000000,2009-05-01,E1,75105,trois\n",
        encoding="utf-8",
    )
    table, problems = read_table(path, "students")
    assert [(p.row, p.column) for p in problems] == [(2, "weeks")]
    text = table.astype(str).to_string() + " ".join(str(p) for p in problems)
    for secret in ("Dupont", "Marie", "marie@example.org", "0600000000", "2009-05-01"):
        assert secret not in text
    assert not {"nom", "prenom", "e_mail", "email", "telephone"} & set(table.columns)


def test_blank_rows_are_skipped_and_rows_keep_their_spreadsheet_number(tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("student_id,commune_insee,weeks\nE1,75105,\n,,\n\nE2,75105,nope\n", encoding="utf-8")
    table, problems = read_table(path, "students")
    assert list(table["student_id"]) == ["E1", "E2"]
    assert [(p.row, p.column) for p in problems] == [(5, "weeks")]


def test_weeks_and_booleans_vocabulary(tmp_path):
    weeks = ["", "both", "Les deux", "2 semaines", "week_1", "Semaine 1", "S1", "week_2", "semaine_2", "s2"]
    expected = ["both"] * 4 + ["week_1"] * 3 + ["week_2"] * 3
    rows = [
        [f"E{i}", "75105", w, b]
        for i, (w, b) in enumerate(zip(weeks, ["true", "False", "1", "0", "YES", "no", "Oui", "NON", "Vrai", "faux"]))
    ]
    path = _write_xlsx(tmp_path / "w.xlsx", ["student_id", "commune_insee", "weeks", "priority"], rows)
    table, problems = read_table(path, "students")
    assert problems == []
    assert list(table["weeks"]) == expected
    assert list(table["priority"]) == [True, False] * 5
