"""The command line's help and usage errors in the run's language: French by default, English with ``--lang en`` or
``MATCHER_LANG=en``; every command's and option's help is in the catalogue; the English source texts never change.

The other tests of this folder run in English (``MATCHER_LANG=en``, tests/conftest.py); each test here unsets it.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.util.i18n import catalogue_path

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHER_LANG", raising=False)


def _flat(text: str) -> str:
    """The help with its wrapping and column padding undone (the widths depend on the longest option)."""
    return " ".join(text.split())


def _commands(group: click.Group = main) -> Iterator[click.Command]:
    yield group
    for command in group.commands.values():
        if isinstance(command, click.Group):
            yield from _commands(command)
        else:
            yield command


def test_the_group_help_in_french_by_default():
    result = CliRunner().invoke(main, ["--help"])
    lines = result.stdout.splitlines()
    assert result.exit_code == 0
    assert lines[0] == "Utilisation : main [OPTIONS] COMMANDE [ARGUMENTS]..."
    assert lines[2] == "  Affecte les stages d'observation de seconde : chargement, localisation,"
    assert f"Options{NBSP}:" in lines and f"Commandes{NBSP}:" in lines
    assert "  --help          Affiche cette aide et quitte." in lines
    assert "  --version       Affiche la version et quitte." in lines
    assert "  allocate      Affecte les deux semaines et écrit les fichiers du..." in lines
    for english in ("Usage:", "Show this message", "Commands:", "Allocate the two weeks"):
        assert english not in result.stdout


def test_allocate_help_in_french_by_default():
    result = CliRunner().invoke(main, ["allocate", "--help"])
    text = result.stdout
    assert result.exit_code == 0
    assert text.startswith("Utilisation : main allocate [OPTIONS]\n\n  Affecte les deux semaines et écrit les fichiers")
    flat = _flat(text)
    assert "--students FICHIER Fichier des élèves (CSV ou tableur : .xlsx, .xlsm, .xls, .ods). [obligatoire]" in flat
    assert "--out DOSSIER Dossier de assignments.csv, unassigned.csv, summary.json. [obligatoire]" in flat
    assert text.count("[obligatoire]") == 3 and "[required]" not in text
    assert "--mode [optimal|stable] Mode d'affectation (optimal par défaut)." in flat
    assert "Les noms de colonnes sont les mêmes. [par défaut : plain]" in flat
    # option names and values stay as they are typed
    assert "--mode [optimal|stable]" in text and "--csv [plain|excel-fr]" in text


@pytest.mark.parametrize("how", ["--lang", "MATCHER_LANG"])
def test_allocate_help_in_english_on_request(monkeypatch: pytest.MonkeyPatch, how: str):
    args = ["allocate", "--help"]
    if how == "--lang":
        args = ["allocate", "--lang", "en", "--help"]
    else:
        monkeypatch.setenv("MATCHER_LANG", "en")
    result = CliRunner().invoke(main, args)
    text = result.stdout
    assert result.exit_code == 0
    assert text.startswith("Usage: main allocate [OPTIONS]\n\n  Allocate the two weeks and write the officer's files.")
    flat = _flat(text)
    assert "--students FILE Students file (CSV or spreadsheet: .xlsx, .xlsm, .xls, .ods). [required]" in flat
    assert text.count("[required]") == 3 and "Column names are the same. [default: plain]" in flat
    assert "\nOptions:\n" in text and "--help Show this message and exit." in flat
    assert "Utilisation" not in text and "obligatoire" not in text


def test_both_ways_to_ask_for_english_give_the_same_help(monkeypatch: pytest.MonkeyPatch):
    by_option = CliRunner().invoke(main, ["report", "--lang", "en", "--help"]).stdout
    monkeypatch.setenv("MATCHER_LANG", "en")
    by_environment = CliRunner().invoke(main, ["report", "--help"]).stdout
    assert by_option == by_environment and by_option.startswith("Usage: main report [OPTIONS] FOLDER")


def test_every_help_text_is_in_the_catalogue_and_the_source_stays_english():
    """What click shows (a command's cleaned docstring, an option's help) is a translated catalogue message."""
    with open(catalogue_path("fr"), "rb") as fh:
        translated = {m.id: m.string for m in read_po(fh, locale="fr") if m.id}
    helps = [inspect.cleandoc(c.help) for c in _commands() if c.help]
    helps += [p.help for c in _commands() for p in c.params if isinstance(p, click.Option) and p.help]
    assert len(helps) > 60
    assert not [h for h in helps if not translated.get(h)]
    before = [(c.help, [getattr(p, "help", None) for p in c.params]) for c in _commands()]
    for command in ("allocate", "users", "sweep"):
        assert CliRunner().invoke(main, [command, "--help"]).exit_code == 0
    assert [(c.help, [getattr(p, "help", None) for p in c.params]) for c in _commands()] == before
    assert main.commands["allocate"].help == "Allocate the two weeks and write the officer's files."


def test_a_usage_error_in_french_by_default():
    result = CliRunner().invoke(main, ["allocate", "--mode", "fastest"])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Utilisation : main allocate [OPTIONS]",
        "Pour l'aide : « main allocate --help ».",
        "Erreur : Valeur invalide pour '--mode' : choisir parmi optimal, stable.",
    ]


def test_a_missing_option_and_an_unknown_command_in_french():
    missing = CliRunner().invoke(main, ["validate", "--sites", str(ROOT / "tests" / "data" / "sites.csv")])
    assert missing.exit_code == 2
    assert missing.stderr.splitlines()[-1] == "Erreur : Option '--students' manquante."
    no_folder = CliRunner().invoke(main, ["report"])
    assert no_folder.exit_code == 2
    assert no_folder.stderr.splitlines()[-1] == "Erreur : Argument 'DOSSIER' manquant."
    unknown = CliRunner().invoke(main, ["alocate"])
    assert unknown.exit_code == 2
    assert unknown.stderr.splitlines() == [
        "Utilisation : main [OPTIONS] COMMANDE [ARGUMENTS]...",
        "Pour l'aide : « main --help ».",
        "Erreur : Commande inconnue : « alocate ».",
    ]


@pytest.mark.parametrize(
    "args",
    [["allocate", "--lang", "en", "--max-kms", "5"], ["allocate", "--max-kms", "5", "--lang=en"]],
    ids=["lang-first", "lang-after-the-error"],
)
def test_an_unknown_option_in_english_with_lang_en_wherever_it_is(args: list[str]):
    """The parser meets ``--max-kms`` before ``--lang`` is read: the error still follows ``--lang``."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "Usage: main allocate [OPTIONS]",
        "Try 'main allocate --help' for help.",
        "Error: No such option: --max-kms (did you mean --max-km?)",
    ]


def test_the_installed_command_says_its_help_in_french():
    """The real command line, in a process of its own without MATCHER_LANG."""
    env = {k: v for k, v in os.environ.items() if k != "MATCHER_LANG"} | {"PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "matcher", "sweep", "--help"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Utilisation : python -m matcher sweep [OPTIONS]\n")
    assert "Lance une affectation pour chaque combinaison" in run.stdout and "Show this message" not in run.stdout


def test_a_missing_file_and_a_folder_for_a_file_in_french(tmp_path: Path):
    sites = str(ROOT / "tests" / "data" / "sites.csv")
    missing = CliRunner().invoke(main, ["validate", "--students", str(tmp_path / "eleves.csv"), "--sites", sites])
    assert missing.exit_code == 2
    said = f"Erreur : Valeur invalide pour '--students' : « {tmp_path / 'eleves.csv'} » n'existe pas."
    assert missing.stderr.splitlines()[-1] == said
    folder = CliRunner().invoke(main, ["validate", "--students", str(tmp_path), "--sites", sites])
    assert folder.stderr.splitlines()[-1].endswith(f"« {tmp_path} » est un dossier, pas un fichier.")
    a_file = CliRunner().invoke(main, ["report", sites, "--lang", "en"])
    assert a_file.exit_code == 2
    assert a_file.stderr.splitlines()[-1] == f"Error: Invalid value for 'FOLDER': '{sites}' is a file, not a folder."
