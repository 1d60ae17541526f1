"""The officers' corpus (tests/data/officers/): the same students and sites written the ways officers write them.

Run ``python tests/officers.py`` to write the corpus again. Every file is built here with openpyxl (.xlsx, .xlsm),
odfpy (.ods), xlwt (legacy .xls) or plain text; :data:`SAME` says which plain contract CSV each one must load to,
:data:`FAILS` which grouped message each broken one must give.

The plain data: 4 sites and 4 students around Lyon, Paris and Marseille, in the period of 2026 (week 1: 15–19 June,
week 2: 22–26 June).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

HERE = Path(__file__).parent / "data" / "officers"

Row = Sequence[object]

SITES_HEADER = ["site_id", "company", "commune_insee", "capacity", "sectors", "max_group_size", "accessible"]
SITES: list[Row] = [
    ["S1", "Énergie Rhône", "69381", 3, "electricite|numerique", 2, "true"],
    ["S2", "Réseaux Paris", "75105", 2, "numerique", 1, "false"],
    ["S3", "Bureau Sud", "13055", 1, "bureau_etudes", 1, "false"],
    ["S4", "Climat Lyon", "69123", 4, "genie_climatique|electricite", 1, "true"],
]
STUDENTS_HEADER = ["student_id", "commune_insee", "sectors", "weeks", "split_ok", "max_km"]
STUDENTS: list[Row] = [
    ["E1", "69381", "electricite", "both", "true", 30],
    ["E2", "75105", "numerique|cybersecurite", "week_1", "false", 20],
    ["E3", "13055", "bureau_etudes", "week_2", "true", 15],
    ["E4", "69123", "genie_climatique", "both", "false", 25],
]

#: French headers and the officers' ways of writing the same values.
SITES_FR = ["Identifiant", "Entreprise", "Code INSEE", "Places", "Secteurs", "Groupe max", "Accessibilité PMR"]
SITES_WRITTEN: list[Row] = [
    [
        "S1",
        "Énergie Rhône",
        "69381",
        "3 places",
        "Électricité, installation et équipements électriques, Numérique",
        2,
        "oui",
    ],
    ["S2", "Réseaux Paris", "75105", 2, "Infrastructures numériques, réseaux et télécoms", 1, "non"],
    ["S3", "Bureau Sud", "13055", 1, "Bureau d'études", 1, "n"],
    ["S4", "Climat Lyon", "69123", 4, "genie_climatique; ELECTRICITE", 1, "o"],
]
STUDENTS_FR = ["Identifiant élève", "Code INSEE", "Métiers", "Semaines", "Fractionnable", "Distance max"]
STUDENTS_WRITTEN: list[Row] = [
    ["E1", "69381", "Électricité", "du 15/06/2026 au 26/06/2026", "vrai", 30],
    ["E2", "75105", "Numérique; Cybersécurité", "15/06/2026 - 19/06/2026", "faux", 20],
    ["E3", "13055", "Bureau d'études", dt.date(2026, 6, 22), "oui", 15],
    ["E4", "69123", "Génie climatique", "les deux", "non", 25],
]

#: Commune names with the postal code beside them (the same communes as SITES).
SITES_BY_NAME_HEADER = [
    "site_id",
    "company",
    "Commune",
    "Code postal",
    "Département",
    "capacity",
    "sectors",
    "max_group_size",
    "accessible",
]
SITES_BY_NAME: list[Row] = [
    ["S1", "Énergie Rhône", "LYON", "69001", "", 3, "electricite|numerique", 2, "true"],
    ["S2", "Réseaux Paris", "paris", "75005", "", 2, "numerique", 1, "false"],
    ["S3", "Bureau Sud", "Marseille", "", "13", 1, "bureau_etudes", 1, "false"],
    ["S4", "Climat Lyon", "Lyon", "", "69", 4, "genie_climatique|electricite", 1, "true"],
]


def write_csv(path: Path, header: Row, rows: list[Row], *, sep: str = ",", encoding: str = "utf-8") -> Path:
    """A plain text table."""
    with open(path, "w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh, delimiter=sep, lineterminator="\n")
        writer.writerows([header, *rows])
    return path


def write_xlsx(path: Path, sheets: dict[str, list[Row]], merge_title: bool = False) -> Path:
    """A workbook with one sheet per entry (rows as given, ``None`` for an empty cell)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if merge_title:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=4)
    book.save(path)
    return path


def write_ods(path: Path, sheets: dict[str, list[Row]]) -> Path:
    """An OpenDocument spreadsheet (LibreOffice), numbers as numbers."""
    doc = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            line = TableRow()
            for value in row:
                if isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = TableCell(valuetype="float", value=value)
                else:
                    cell = TableCell(valuetype="string")
                    if value not in (None, ""):
                        cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def write_xls(path: Path, rows: list[Row]) -> Path:
    """A legacy Excel 97–2003 workbook (xlwt)."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sites")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(path))
    return path


def _titled(header: Row, rows: list[Row]) -> list[Row]:
    return [["Stages de seconde 2026 — offres des partenaires"], [], [None, "Mise à jour : juin"], list(header), *rows]


def build(out: Path = HERE) -> dict[str, Path]:
    """Write every file of the corpus into ``out``; returns them by name."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}

    def put(name: str, path: Path) -> None:
        files[name] = path

    put("sites.csv", write_csv(out / "sites.csv", SITES_HEADER, SITES))
    put("students.csv", write_csv(out / "students.csv", STUDENTS_HEADER, STUDENTS))
    put(
        "sites_title_rows.xlsx",
        write_xlsx(
            out / "sites_title_rows.xlsx",
            {"Offres": _titled(SITES_HEADER, SITES[:2] + [[]] + SITES[2:])},
            merge_title=True,
        ),
    )
    titled = [
        row + [None] * (len(SITES_HEADER) - len(row)) for row in _titled(SITES_HEADER, SITES[:2] + [[]] + SITES[2:])
    ]
    put(  # the same sheet saved by a French Excel as "CSV (séparateur : point-virgule)": title lines kept
        "sites_title_rows.csv",
        write_csv(out / "sites_title_rows.csv", titled[0], titled[1:], sep=";", encoding="cp1252"),
    )
    instructions = [["Consignes"], ["Remplir une ligne par site."], ["Ne pas modifier les en-têtes."]]
    put(
        "sites_instructions_tab.xlsx",
        write_xlsx(
            out / "sites_instructions_tab.xlsx", {"Consignes": instructions, "Sites": [SITES_FR, *SITES_WRITTEN]}
        ),
    )
    total = [None, "Total", None, "=SUM(D2:D5)", None, None, None]
    put(
        "sites_total_formula.xlsx",
        write_xlsx(out / "sites_total_formula.xlsx", {"Sites": [SITES_HEADER, *SITES, total]}),
    )
    put(
        "sites_total_value.csv",
        write_csv(out / "sites_total_value.csv", SITES_HEADER, [*SITES, ["", "", "", 10, "", "", ""]]),
    )
    put(
        "sites_total_label.csv",
        write_csv(out / "sites_total_label.csv", SITES_HEADER, [*SITES, ["", "TOTAL", "", 10, "", "", ""]]),
    )
    put("sites.ods", write_ods(out / "sites.ods", {"Offres": _titled(SITES_HEADER, SITES)}))
    put("sites.xls", write_xls(out / "sites.xls", [SITES_HEADER, *SITES]))
    put("sites.xlsm", write_xlsx(out / "sites.xlsm", {"Sites": [SITES_HEADER, *SITES]}))
    put("sites_labels.csv", write_csv(out / "sites_labels.csv", SITES_FR, SITES_WRITTEN, sep=";"))
    put("sites_utf16.csv", write_csv(out / "sites_utf16.csv", SITES_FR, SITES_WRITTEN, sep="\t", encoding="utf-16"))
    put("sites_commune_names.csv", write_csv(out / "sites_commune_names.csv", SITES_BY_NAME_HEADER, SITES_BY_NAME))
    with_postal = [[*row[:3], postal, *row[3:]] for row, postal in zip(SITES, ("69001", "75005", "", ""))]
    put(
        "sites_postal.csv",
        write_csv(out / "sites_postal.csv", [*SITES_HEADER[:3], "postal_code", *SITES_HEADER[3:]], with_postal),
    )
    put(
        "students_written.xlsx",
        write_xlsx(out / "students_written.xlsx", {"Élèves": _titled(STUDENTS_FR, STUDENTS_WRITTEN)}),
    )
    put(
        "students.ods",
        write_ods(
            out / "students.ods",
            {"Élèves": [STUDENTS_FR, *STUDENTS_WRITTEN[:2], [], *STUDENTS_WRITTEN[2:3], STUDENTS[3]]},
        ),
    )
    _platform(out, put)
    _broken(out, put)
    return files


PLATFORM_EXTRACT_HEADER = [
    "id",
    "SIRET",
    "secteur",
    "public",
    "public_employer_type",
    "Rue",
    "Ville",
    "Code postal",
    "Filière",
]
PLATFORM_EXTRACT: list[Row] = [
    ["1001", "12345678901234", "Énergie", "false", "", "1 rue A", "LYON", "69001", "seconde_only"],
    [
        "1002",
        "",
        "Informatique et réseaux",
        "true",
        "Etat",
        "2 rue B",
        "Paris",
        "75105",
        "seconde_troisieme_or_quatrieme",
    ],  # INSEE code in Code postal
    [
        "1003",
        "",
        "Hôtellerie, restauration",
        "false",
        "",
        "3 rue C",
        "Marseille",
        "13000",
        "seconde_only",
    ],  # city-wide code
    [
        "1004",
        "98765432109876",
        "Énergie",
        "false",
        "",
        "4 rue D",
        "ST ETIENNE CEDEX 2",
        "42961",
        "seconde_only",
    ],  # CEDEX
    ["1005", "", "Électronique", "false", "", "5 rue E", "Villeurbanne", "69003", "seconde_only"],  # contradicting code
    ["1006", "", "Énergie", "false", "", "6 rue F", "Lyon", "69001", "troisieme_or_quatrieme"],  # not for seconde
    ["1007", "", "Énergie", "false", "", "7 rue G", "Nulle-Part", "99999", "seconde_only"],  # not located
]
#: The extract as the plain contract CSV (default capacity 1; offers 1006 and 1007 left out).
PLATFORM_PLAIN_HEADER = ["site_id", "company", "commune_insee", "address", "capacity", "sectors"]
PLATFORM_PLAIN: list[Row] = [
    ["1001", "12345678901234", "69381", "1 rue A", 1, "secteur_energie"],
    ["1002", "offre 1002", "75105", "2 rue B", 1, "secteur_informatique_et_reseaux"],
    ["1003", "offre 1003", "13055", "3 rue C", 1, "secteur_hotellerie_restauration"],
    ["1004", "98765432109876", "42218", "4 rue D", 1, "secteur_energie"],
    ["1005", "offre 1005", "69266", "5 rue E", 1, "secteur_electronique"],
]
PLATFORM_LISTING_HEADER = [
    "ID",
    "Titre",
    "Description",
    "Nom employeur",
    "URL",
    "Ville",
    "Code postal",
    "Rue",
    "Date début",
    "Date fin",
    "Latitude",
    "Longitude",
    "Image secteur",
    "Secteur",
    "Accessible handicap",
    "Période",
    "Semaines",
    "ID distant",
]
PLATFORM_LISTING: list[Row] = [
    [
        "501",
        "Stage énergie",
        "...",
        "EDF Lyon",
        "https://x",
        "Lyon",
        "69001",
        "1 rue A",
        "2026-06-15",
        "2026-06-26",
        "",
        "",
        "",
        "Énergie",
        "true",
        "0",
        "2",
        "EDF-17",
    ],
    [
        "502",
        "Stage réseaux",
        "...",
        "Orange",
        "https://y",
        "Paris",
        "75005",
        "2 rue B",
        "2026-06-15",
        "2026-06-19",
        "48.84545",
        "2.35137",
        "",
        "Informatique et réseaux",
        "false",
        "1",
        "1",
        "",
    ],
    [
        "503",
        "Stage BTP",
        "...",
        "Vinci",
        "https://z",
        "Marseille",
        "13001",
        "3 rue C",
        "2026-06-22",
        "2026-06-26",
        "",
        "",
        "",
        "Bâtiment et travaux publics (BTP)",
        "false",
        "2",
        "1",
        "V-3",
    ],
]
LISTING_PLAIN_HEADER = [
    "site_id",
    "company",
    "commune_insee",
    "lat",
    "lon",
    "address",
    "capacity_week_1",
    "capacity_week_2",
    "full_time_only",
    "accessible",
    "sectors",
]
LISTING_PLAIN: list[Row] = [
    ["EDF-17", "EDF Lyon", "69381", "", "", "1 rue A", 2, 2, "true", "true", "secteur_energie"],
    ["502", "Orange", "", "48.84545", "2.35137", "2 rue B", 2, 0, "false", "false", "secteur_informatique_et_reseaux"],
    ["V-3", "Vinci", "13201", "", "", "3 rue C", 0, 2, "false", "false", "secteur_batiment_et_travaux_publics_btp"],
]
SIECLE_HEADER = [
    "INE",
    "Nom",
    "Prénom",
    "Date de naissance",
    "Division",
    "commune_insee",
    "sectors",
    "weeks",
    "split_ok",
    "max_km",
]
SIECLE: list[Row] = [
    ["1234567890A", "Martin", "Léa", "12/03/2010", "2NDE1", *STUDENTS[0][1:]],
    ["123456789BC", "Durand", "Noé", "02/11/2009", "2NDE1", *STUDENTS[1][1:]],
    ["2234567890D", "Petit", "Inès", "30/01/2010", "2NDE2", *STUDENTS[2][1:]],
    ["3234567890E", "Roux", "Adam", "15/07/2010", "2NDE3", *STUDENTS[3][1:]],
]


WORKBOOK_HEADER = [
    "Titre de l'offre",
    "Période de stage",
    "Nombre max d'élèves accueillis sur l'année",
    "Stage individuel / collectif",
    "Département",
    "Académie",
    "Secteur",
    "Employeur",
    "Adresse de l'employeur",
    "Classes ciblées",
]
WORKBOOK: list[Row] = [
    [
        "Découvrir l'énergie [EDF-12]",
        "Du 15 juin au 19 juin 2026\nDu 22 juin au 26 juin 2026",
        3,
        "Stage individuel",
        "Rhône",
        "Lyon",
        "Énergie",
        "EDF",
        "1 rue A 69001 Lyon",
        "Seconde générale et technologique",
    ],
    [
        "Stage réseaux",
        "Du 22 au 26 juin 2026",
        2,
        "Stage collectif",
        "Paris",
        "Paris",
        "Informatique et réseaux",
        "Orange",
        "2 rue B, 75005 Paris",
        "Seconde",
    ],
    [
        "Stage de 3e",
        "Du 15 juin au 19 juin 2026",
        5,
        "Stage individuel",
        "Rhône",
        "Lyon",
        "Énergie",
        "EDF",
        "1 rue A 69001 Lyon",
        "3e, 4e",
    ],  # not for seconde: left out
]


def derived_id(row: Row) -> str:
    """The documented id of a workbook row without a reference: ``O`` and 10 hex digits of the SHA-1 of its
    address, employer, period and title joined by ``|``."""
    text = "|".join(str(row[i]) for i in (8, 7, 1, 0))
    return "O" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10].upper()


WORKBOOK_PLAIN_HEADER = [
    "site_id",
    "company",
    "commune_insee",
    "postal_code",
    "address",
    "capacity_week_1",
    "capacity_week_2",
    "max_group_size",
    "sectors",
]
WORKBOOK_PLAIN: list[Row] = [
    ["EDF-12", "EDF", "69381", "69001", "1 rue A 69001 Lyon", 3, 3, 1, "secteur_energie"],
    [
        derived_id(WORKBOOK[1]),
        "Orange",
        "75105",
        "75005",
        "2 rue B, 75005 Paris",
        0,
        2,
        2,
        "secteur_informatique_et_reseaux",
    ],
]


def _platform(out: Path, put) -> None:
    readme = [["Lisez-moi"], ["Export des offres de l'académie"]]
    put(
        "platform_workbook.xlsx",
        write_xlsx(out / "platform_workbook.xlsx", {"Lisez-moi": readme, "Offres": [WORKBOOK_HEADER, *WORKBOOK]}),
    )
    put(
        "platform_workbook_plain.csv",
        write_csv(out / "platform_workbook_plain.csv", WORKBOOK_PLAIN_HEADER, WORKBOOK_PLAIN),
    )
    put("platform_extract.csv", _write_quoted(out / "platform_extract.csv", PLATFORM_EXTRACT_HEADER, PLATFORM_EXTRACT))
    put(
        "platform_extract_plain.csv",
        write_csv(out / "platform_extract_plain.csv", PLATFORM_PLAIN_HEADER, PLATFORM_PLAIN),
    )
    put(
        "platform_listing.csv",
        write_csv(out / "platform_listing.csv", PLATFORM_LISTING_HEADER, PLATFORM_LISTING, sep=";"),
    )
    put(
        "platform_listing_plain.csv", write_csv(out / "platform_listing_plain.csv", LISTING_PLAIN_HEADER, LISTING_PLAIN)
    )
    put("students_siecle.csv", write_csv(out / "students_siecle.csv", SIECLE_HEADER, SIECLE, sep=";"))


def _write_quoted(path: Path, header: Row, rows: list[Row]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows([header, *rows])
    return path


def _broken(out: Path, put) -> None:
    put(
        "sites_ambiguous_commune.csv",
        write_csv(
            out / "sites_ambiguous_commune.csv",
            ["site_id", "company", "Commune", "capacity"],
            [["S1", "A", "Saint-Denis", 1], ["S2", "B", "Lyon", 1]],
        ),
    )
    bad = [
        ["S1", "A", "69381", "3+3"],
        ["S2", "B", "69381", "?"],
        ["S3", "C", "69381", "1.5"],
        ["S4", "D", "69381", "2 places"],
    ]
    put(
        "sites_bad_capacity.xlsx",
        write_xlsx(
            out / "sites_bad_capacity.xlsx", {"Sites": [["site_id", "company", "commune_insee", "capacity"], *bad]}
        ),
    )
    ambiguous = [[*row[:3], "15/06/2026", *row[4:]] for row in STUDENTS]
    put("students_week_1_dates.csv", write_csv(out / "students_week_1_dates.csv", STUDENTS_HEADER, ambiguous))
    (out / "sites.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    put("sites.pdf", out / "sites.pdf")


#: Corpus file → the plain contract CSV it must load to (kind, plain file).
SAME: dict[str, tuple[str, str]] = {
    "sites_title_rows.xlsx": ("sites", "sites.csv"),
    "sites_title_rows.csv": ("sites", "sites.csv"),
    "sites_instructions_tab.xlsx": ("sites", "sites.csv"),
    "sites_total_formula.xlsx": ("sites", "sites.csv"),
    "sites_total_value.csv": ("sites", "sites.csv"),
    "sites_total_label.csv": ("sites", "sites.csv"),
    "sites.ods": ("sites", "sites.csv"),
    "sites.xls": ("sites", "sites.csv"),
    "sites.xlsm": ("sites", "sites.csv"),
    "sites_labels.csv": ("sites", "sites.csv"),
    "sites_utf16.csv": ("sites", "sites.csv"),
    "sites_commune_names.csv": ("sites", "sites_postal.csv"),
    "students_written.xlsx": ("students", "students.csv"),
    "students.ods": ("students", "students.csv"),
    "platform_extract.csv": ("sites", "platform_extract_plain.csv"),
    "platform_listing.csv": ("sites", "platform_listing_plain.csv"),
    "platform_workbook.xlsx": ("sites", "platform_workbook_plain.csv"),
}


if __name__ == "__main__":
    for name, path in build().items():
        print(name, path.stat().st_size)
