"""French by default, English on request: every message of the code is in the French catalogue and translated,
the catalogue is `msgfmt --check` clean, and the report, PDF and demo follow `--lang` and `MATCHER_LANG`."""

from __future__ import annotations

import html
import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.tables.reasons import REASON_LABELS, reason_texts
from matcher.util.i18n import Lang, catalogue_path, resolve

ROOT = Path(__file__).resolve().parents[2]


def _tool():
    spec = importlib.util.spec_from_file_location("update_catalogue", ROOT / "tools" / "update_catalogue.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _map_text(page: Path) -> str:
    """The report's text with the map's frame unescaped and its JSON strings' escapes read back."""
    text = html.unescape(html.unescape(page.read_text(encoding="utf-8")))
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def test_every_message_has_a_french_translation():
    with open(catalogue_path("fr"), "rb") as fh:
        catalog = read_po(fh, locale="fr")
    translated = {m.id: m.string for m in catalog if m.id}
    used = _tool().messages()
    assert len(used) > 40 and ("{n} lycée", "{n} lycées") in used  # plural messages: every form translated
    missing = sorted(str(m) for m in used if not _tool().translated(translated.get(m)))
    assert not missing, f"messages without a French translation (run tools/update_catalogue.py): {missing}"
    assert not [m.id for m in catalog if m.id and m.fuzzy]


def test_catalogue_is_msgfmt_check_clean(tmp_path):
    msgfmt = shutil.which("msgfmt") or "/usr/bin/msgfmt"
    run = subprocess.run([msgfmt, "--check", "-o", str(tmp_path / "m.mo"), catalogue_path("fr")], capture_output=True)
    assert run.returncode == 0 and run.stderr == b"", run.stderr.decode()


def test_counts_take_the_plural_the_language_gives_them():
    french, english = Lang("fr"), Lang("en")
    said = [french.counted(n, "{n} lycée", "{n} lycées") for n in (0, 1, 2, 1050)]
    assert said == ["0 lycée", "1 lycée", "2 lycées", "1\u00a0050 lycées"]  # French: 0 and 1 singular
    said = [english.counted(n, "{n} lycée", "{n} lycées") for n in (0, 1, 2, 1050)]
    assert said == ["0 lycées", "1 lycée", "2 lycées", "1,050 lycées"]
    assert french.counted(1, "{n} seconde student", "{n} seconde students") == "1 élève de seconde"


def test_numbers_and_dates_the_french_way():
    fr, en = Lang("fr"), Lang("en")
    assert fr.num(1050) == "1\u00a0050" and en.num(1050) == "1,050"
    assert fr.pct(0.5123) == "51,2\u00a0%" and en.pct(0.5123) == "51.2%"
    assert fr.date("2026-06-15") == "15 juin 2026" and en.date("2026-06-15") == "15 June 2026"
    assert fr("Fill rate") == "Taux de remplissage" and en("Fill rate") == "Fill rate"


def test_the_language_setting_order(monkeypatch):
    monkeypatch.delenv("MATCHER_LANG", raising=False)
    assert resolve() == "fr" and resolve(policy="en") == "en"
    monkeypatch.setenv("MATCHER_LANG", "en")
    assert resolve() == "en" and resolve("fr") == "fr"


def test_report_in_french_by_default_and_in_english_on_request(published_demo, tmp_path):
    page = (published_demo / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in page and "Taux de remplissage" in page and "Chiffres du comité" in page
    result = CliRunner().invoke(
        main, ["report", str(published_demo), "--out", str(tmp_path), "--lang", "en", "--no-workbook"]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Steering committee figures" in page and "Taux de remplissage" not in page
    # the map's tooltips and layers too (in the frame's page, as folium writes them: JSON in an HTML attribute)
    french, english = _map_text(published_demo / "report.html"), _map_text(tmp_path / "report.html")
    assert re.search(r'"S\d+ – [^"]+ — places : \d+, remplissage : \d+\u00a0%"', french)
    assert re.search(r'"\d{5} — élèves non placés : \d+"', french) and "Fond OpenStreetMap (nécessite le" in french
    assert re.search(r'"\w+ [^"]+ — élèves de seconde : [\d\u00a0]+, place la plus proche : \d+ km"', french)
    assert re.search(r'"S\d+ – [^"]+ — places: \d+, filled: \d+%"', english) and "students not placed: " in english
    assert "OpenStreetMap tiles (needs the network)" in english
    assert not [t for t in (french, english) if "place(s)" in t or "student(s) not placed" in t or "% used" in t]
    # the file contract does not change with the language
    assert (tmp_path / "committee.csv").read_bytes() == (published_demo / "committee.csv").read_bytes()


@pytest.mark.parametrize("lang, words", [("fr", "Ensuite"), ("en", "Next")])
def test_demo_ends_with_what_was_written_and_the_next_command(tmp_path, lang, words):
    result = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "d"), "--lang", lang])
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-2:]
    assert "summary.json" in last[0] and words in last[1] and f"matcher report {tmp_path / 'd'}" in last[1]


def test_no_message_is_an_f_string():
    assert _tool().formatted() == [], "tr(f'...') can never be translated: use named placeholders and .format()"


def test_reasons_read_back_from_unassigned_csv_in_both_languages():
    codes = pd.Series(["NO_SITE_IN_RANGE", "CAPACITY_TAKEN", "NO_SECTOR_MATCH", "ODD"])
    texts = pd.Series(
        [
            "no site within 12.5 km",
            "all places at the student's 3 eligible site(s) went to students placed first",
            "no site within 30 km offers a trade the student asked for in the student's académie",
            "a sentence of no known shape",
        ]
    )
    assert reason_texts(codes, texts, Lang("en")).tolist() == texts.tolist()
    assert reason_texts(codes, texts, Lang("fr")).tolist() == [
        "aucun site à moins de 12.5 km",
        "toutes les places des 3 site(s) éligible(s) de l'élève sont allées à des élèves placés avant",
        "aucun site à moins de 30 km n'offre un métier demandé par l'élève dans l'académie de l'élève",
        "a sentence of no known shape",
    ]


def test_the_report_says_why_students_were_not_placed_in_the_readers_language(published_demo, tmp_path):
    unassigned = pd.read_csv(published_demo / "unassigned.csv", dtype=str)
    assert len(unassigned) and unassigned["reason_code"].str.fullmatch("[A-Z_]+").all()  # the codes: a contract
    page = (published_demo / "report.html").read_text(encoding="utf-8")
    labels = {code: Lang("fr")(REASON_LABELS[code]) for code in unassigned["reason_code"].unique()}
    assert all(html.escape(label) in page for label in labels.values())
    assert "CAPACITY_TAKEN" not in page and "bureau_etudes" not in page
    assert "<td>Bureau d'études et conception</td>" in page
    sheet = openpyxl.load_workbook(published_demo / "report.xlsx", read_only=True)["Élèves"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    top = next(i for i, r in enumerate(rows) if Lang("fr")("Reason not placed") in r)
    at = rows[top].index(Lang("fr")("Reason not placed"))
    shown = {r[at] for r in rows[top + 1 :] if r[at]}
    assert shown == set(reason_texts(unassigned["reason_code"], unassigned["reason"], Lang("fr")))
    assert not any(t.startswith(("no site within", "all places at")) for t in shown)
    result = CliRunner().invoke(
        main, ["report", str(published_demo), "--out", str(tmp_path), "--lang", "en", "--no-workbook"]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert all(html.escape(REASON_LABELS[code]) in page for code in labels)
    assert "<td>Bureau d'études et conception</td>" in page  # the trades' official French labels in both languages


def test_the_workbook_summary_says_the_solver_status_in_french_and_adds_up(published_demo):
    # The French workbook's key figures: the status as the page says it (not the summary's English code), and the
    # placed students split into full time, two sites and one week, which add up to the number placed.
    rows = [list(r) for r in openpyxl.load_workbook(published_demo / "report.xlsx", read_only=True)["Synthèse"].values]
    figures = {r[0]: r[1] for r in rows if r and r[0] is not None and len(r) > 1}
    summary = json.loads((published_demo / "summary.json").read_text(encoding="utf-8"))
    assert figures["Solveur"] == {"optimal": "optimal", "feasible": "réalisable"}[summary["solver"]["status"]]
    parts = ("Placés à temps plein", "Placés sur deux sites", "Placés pour une semaine")
    assert sum(figures[p] for p in parts) == figures["Placés"] == summary["counts"]["placed"]


def test_the_report_says_how_far_from_the_optimum_at_most_in_the_readers_language(published_demo, tmp_path):
    # "feasible (gap 0.75 %)" read as 7 students lost on the demo, where 923 is the full MIP's proven optimum: the
    # gap to the bound only bounds the distance to the optimum, and the card says so.
    gap = json.loads((published_demo / "summary.json").read_text(encoding="utf-8"))["solver"]["gap"]
    assert gap > 0  # the demo's relaxed bound (930) is above its optimum (923)
    page = (published_demo / "report.html").read_text(encoding="utf-8")
    said = f"réalisable, à {Lang('fr').pct(gap, 2)} au plus de l'optimum"
    assert f"Solveur<b>{html.escape(said)}</b>" in page and "écart" not in page
    result = CliRunner().invoke(
        main, ["report", str(published_demo), "--out", str(tmp_path), "--lang", "en", "--no-workbook"]
    )
    assert result.exit_code == 0, result.output
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f"Solver<b>feasible, at most {Lang('en').pct(gap, 2)} from the optimum</b>" in page
