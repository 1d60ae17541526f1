"""`--csv excel-fr` on allocate and report: ';', UTF-8 with a byte-order mark, decimal comma, same column names;
`matcher report` reads such a folder back."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.export.csvstyle import csv_bytes, read_csv_any

from conftest import write_csv


def test_excel_fr_bytes_on_a_hand_made_table():
    table = pd.DataFrame({"academie": ["Lyon", "=x"], "km": [12.5, 3.0], "share": [0.5128, "s"]})
    data = csv_bytes(table, "excel-fr")
    assert data == "\ufeffacademie;km;share\r\nLyon;12,5;0,5128\r\n'=x;3,0;s\r\n".encode()
    assert csv_bytes(table) == b"academie,km,share\nLyon,12.5,0.5128\n'=x,3.0,s\n"


def test_allocate_and_report_in_excel_fr(tmp_path):
    students = write_csv(
        tmp_path / "students.csv", [{"student_id": f"E{i}", "lycee_uai": "0750654D", "gender": "F"} for i in range(3)]
    )
    sites = write_csv(
        tmp_path / "sites.csv", [{"site_id": "S1", "company": "Acme", "commune_insee": "75105", "capacity": 2}]
    )
    out = tmp_path / "out"
    run = CliRunner().invoke(
        main, ["allocate", "--students", str(students), "--sites", str(sites), "--out", str(out), "--csv", "excel-fr"]
    )
    assert run.exit_code == 0, run.output
    raw = (out / "assignments.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfstudent_id;site_id;") and b"\r\n" in raw
    km = read_csv_any(out / "assignments.csv")["distance_km"]
    assert len(km) == 2 and all("," in v or v.isdigit() for v in km)  # decimal comma
    run = CliRunner().invoke(
        main,
        ["report", str(out), "--students", str(students), "--sites", str(sites), "--csv", "excel-fr", "--no-workbook"],
    )
    assert run.exit_code == 0, run.output
    committee = (out / "committee.csv").read_bytes()
    assert committee.startswith(b"\xef\xbb\xbfacademie;place_weeks_offered;students_hosted;girls_share;")
    assert read_csv_any(out / "committee.csv")["students_hosted"].tolist() == ["<5", "<5"]  # Paris, France
