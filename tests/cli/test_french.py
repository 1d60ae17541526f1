"""French by default, English on request, for what the command line says: the problems and their fixes, the
``--problems`` file, the summary ``allocate`` prints; and a clean load never opens the catalogue.

The other tests of this folder run in English (``MATCHER_LANG=en``, tests/conftest.py); each test here unsets it.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher import Config, load_inputs
from matcher.check import verify
from matcher.cli.main import main
from matcher.errors import InputError, Problem
from matcher.generate.scenario import embedded_scenario
from matcher.load.written import restore_frame
from matcher.objective import spec
from matcher.util import i18n
from matcher.util.i18n import Lang, tr, use

from conftest import write_csv, write_extract

DATA = Path(__file__).resolve().parents[1] / "data"
BROKEN = ["--students", str(DATA / "students_ten_faults.csv"), "--sites", str(DATA / "sites.csv")]


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHER_LANG", raising=False)


def test_validate_says_the_problems_in_french_by_default_and_in_english_on_request():
    french = CliRunner().invoke(main, ["validate", *BROKEN])
    lines = french.output.splitlines()
    assert french.exit_code == 2
    assert lines[0] == "matcher: 10 problème(s) dans les fichiers d'entrée ; rien n'a été écrit."
    assert lines[1] == (
        "students_ten_faults.csv, ligne 4, colonne student_id : identifiant en double (le même qu'à la ligne 2). "
        "Correction : donnez à chaque ligne son propre identifiant"
    )
    assert "colonne max_km : pas un nombre (valeur 'loin'). Correction : écrivez un nombre comme 12,5" in french.output
    english = CliRunner().invoke(main, ["validate", *BROKEN, "--lang", "en"])
    assert english.exit_code == 2
    assert english.output.splitlines()[0] == "matcher: 10 problem(s) in the input; nothing was written."
    assert "column max_km: not a number (value 'loin'). Fix: write a number such as 12.5" in english.output
    assert "ligne" not in english.output


def test_matcher_lang_chooses_english_without_the_option(monkeypatch):
    monkeypatch.setenv("MATCHER_LANG", "en")
    result = CliRunner().invoke(main, ["validate", *BROKEN])
    assert result.output.splitlines()[0] == "matcher: 10 problem(s) in the input; nothing was written."
    result = CliRunner().invoke(main, ["validate", *BROKEN, "--lang", "fr"])  # the option wins
    assert result.output.splitlines()[0].startswith("matcher: 10 problème(s)")


def test_the_problems_file_holds_french_texts_under_the_contracts_column_names(tmp_path):
    listed = tmp_path / "problems.csv"
    result = CliRunner().invoke(main, ["validate", *BROKEN, "--problems", str(listed)])
    assert result.exit_code == 2
    with listed.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["file", "sheet", "row", "column", "value", "problem", "fix"]
    by_row = {r["row"]: r for r in rows}
    assert by_row["11"]["problem"] == "valeur de semaines inconnue" and by_row["11"]["value"] == "trois"
    assert by_row["11"]["fix"] == "écrivez both, week_1 ou week_2 (ou les_deux, semaine_1, semaine_2)"
    assert by_row["8"]["problem"] == "latitude donnée sans longitude"


def test_allocate_prints_its_summary_in_french_by_default(tmp_path):
    files, out = tmp_path / "in", tmp_path / "out"
    made = CliRunner().invoke(
        main, ["generate", "--students", "40", "--sites", "12", "--seed", "3", "--out", str(files)]
    )
    assert made.exit_code == 0 and made.output.startswith("écrit : ")
    args = ["allocate", "--students", str(files / "students.csv"), "--sites", str(files / "sites.csv")]
    result = CliRunner().invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Élèves 40 : placés ") and "non placés" in lines[0]
    assert lines[1].startswith("Semaines-places : ") and "offertes sur 12 sites" in lines[1]
    assert any(line.startswith("Solveur : ") for line in lines)
    assert lines[-1].startswith("écrit : ") and "assignments.csv" in lines[-1]
    assert "Students" not in result.output and "Solver" not in result.output and "wrote" not in result.output
    assert "somme des rangs sur les semaines-élèves" in result.output  # the objective's units too
    assert "flot de coût minimal OR-Tools, lexicographique" in result.output  # and the method, English in summary.json
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["solver"]["method"] == "OR-Tools min-cost flow, lexicographic"
    config = Config()
    students, sites = load_inputs(files / "students.csv", files / "sites.csv", config)
    assignments = restore_frame(pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False))
    unassigned = restore_frame(pd.read_csv(out / "unassigned.csv", dtype=str, keep_default_na=False))
    assert len(assignments) + len(unassigned) >= 40
    verify(students, sites, assignments.astype({"distance_km": float}), unassigned, config, groups=True)


def test_the_objective_table_names_its_levels_in_words_with_their_policy_name(tmp_path):
    files, out, policy = tmp_path / "in", tmp_path / "out", tmp_path / "policy.toml"
    CliRunner().invoke(main, ["generate", "--students", "60", "--sites", "15", "--seed", "4", "--out", str(files)])
    policy.write_text('academie_floors = "proportional"\ncoverage_target = 50\n', encoding="utf-8")
    args = ["allocate", "--students", str(files / "students.csv"), "--sites", str(files / "sites.csv")]
    french = CliRunner().invoke(main, [*args, "--config", str(policy), "--out", str(out)])
    english = CliRunner().invoke(main, [*args, "--config", str(policy), "--out", str(out), "--lang", "en"])
    assert french.exit_code == 0 and english.exit_code == 0, french.output + english.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    levels = [o["level"] for o in summary["objective"]]  # the keys stay in summary.json
    assert levels[:3] == ["placed", "floors", "priority"]
    rows = {line.split()[-1]: line for line in french.output.splitlines() if line.split()[-1:] == ["placed"]}
    assert rows["placed"].startswith("Élèves placés ") and " maximiser " in rows["placed"]
    assert any(line.startswith("Vœux ") and " minimiser " in line for line in french.output.splitlines())
    assert any(line.startswith("Preferences ") and " minimise " in line for line in english.output.splitlines())
    header = next(line for line in french.output.splitlines() if line.startswith("niveau "))
    assert header.split()[-3:] == ["nom", "dans", "policy.toml"]
    floors = next(line for line in french.output.splitlines() if line.startswith("Planchers "))
    assert floors.startswith("Planchers (l'objectif national réparti selon les effectifs de seconde) : ")
    assert "proportional" not in french.output
    short = summary["solver"]["gap_level"]  # the first level short of its bound: said by its label
    assert short in levels
    assert f" sur «\u00a0{Lang('fr')(spec(short).label)}\u00a0»)" in french.output
    assert f" on “{spec(short).label}”)" in english.output and f" sur {short}" not in french.output


def test_the_ambient_language_nests_and_comes_back():
    assert tr("missing column") == "colonne manquante" and Lang().code == "fr"
    assert tr("") == "" and Lang("fr")("") == ""  # never the catalogue's header
    with use("en"):
        assert tr("missing column") == "missing column" and Lang().code == "en"
        with use(None):  # no choice: the outer one holds
            assert Lang().code == "en"
        with use("fr"):
            assert tr("missing column") == "colonne manquante"
        assert Lang().code == "en"
    assert Lang().code == "fr"


def test_a_problem_reads_in_the_language_it_is_said_in():
    problem = Problem("s.csv", 3, "weeks", "trois", "x", "y")
    assert str(problem) == "s.csv, ligne 3, colonne weeks : x (valeur 'trois'). Correction : y"
    with use("en"):
        assert str(problem) == "s.csv, row 3, column weeks: x (value 'trois'). Fix: y"
        error = InputError([problem] * 7)
    assert str(error).splitlines()[0] == "7 problem(s) in the input" and str(error).endswith("... and 2 more")


def test_a_clean_load_never_opens_the_catalogue():
    students, sites = (Path(str(p)) for p in embedded_scenario())
    i18n._translations.cache_clear()
    load_inputs(students, sites, Config())
    info = i18n._translations.cache_info()
    assert info.hits + info.misses == 0  # not one message translated: a clean national load pays nothing
    with pytest.raises(InputError):
        load_inputs(DATA / "students_ten_faults.csv", DATA / "sites.csv", Config())
    assert i18n._translations.cache_info().hits > 0  # the same counter sees a load with problems


def test_the_policys_lang_is_the_commands_language_unless_lang_or_the_environment_say(tmp_path, monkeypatch):
    policy = tmp_path / "policy.toml"
    policy.write_text('lang = "en"\n', encoding="utf-8")
    english = CliRunner().invoke(main, ["validate", *BROKEN, "--config", str(policy)])
    assert english.exit_code == 2 and english.output.startswith("matcher: 10 problem(s) in the input"), english.output
    chosen = CliRunner().invoke(main, ["validate", *BROKEN, "--config", str(policy), "--lang", "fr"])
    assert chosen.output.startswith("matcher: 10 problème(s)"), chosen.output
    monkeypatch.setenv("MATCHER_LANG", "fr")
    environment = CliRunner().invoke(main, ["validate", *BROKEN, "--config", str(policy)])
    assert environment.output.startswith("matcher: 10 problème(s)"), environment.output


def test_a_platform_extract_reads_in_french_numbers_and_sector_names(tmp_path):
    offers = [(str(1000 + i), "Énergie", "Lyon", "69001", "seconde_only") for i in range(3)]
    offers += [(str(2000 + i), "Énergie", "Lyon", "69001", "troisieme_or_quatrieme") for i in range(1_200)]
    offers += [(str(3000 + i), "Énergie", f"ZZ{i}", "99999", "seconde_only") for i in range(2)]  # not located
    sites = write_extract(tmp_path / "offres_plateforme.csv", offers)
    rows = [
        {"student_id": f"E{i}", "commune_insee": "69381", "sectors": "secteur_energie", "gender": "FM"[i % 2]}
        for i in range(6)
    ]
    students = write_csv(tmp_path / "eleves.csv", rows)
    args = ["allocate", "--students", str(students), "--sites", str(sites), "--default-capacity", "1"]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "offres_plateforme.csv : 1\xa0200 offres non ouvertes aux élèves de seconde écartées" in result.output
    assert "nom de commune inconnu)\xa0; ligne" in result.output  # the offers not located, listed the French way
    trade_rows = [line for line in result.output.splitlines() if line.startswith(("Énergie", "secteur_energie"))]
    assert len(trade_rows) == 1 and trade_rows[0].split()[:2] == ["Énergie", "3"], result.output  # its label
    english = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out_en"), "--lang", "en"])
    assert "offres_plateforme.csv: 1,200 offers not open to seconde students left out" in english.output
