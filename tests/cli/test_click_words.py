"""click's own words in the run's language: a value refused by its type (not a number, out of range, unreadable),
the parser's refusals (an option without its value or with one it does not take, arguments left over, no command),
the password prompt of ``users add``, the arguments' names in capitals, and ``--lang`` wherever it is on the line.

French by default, English with ``--lang en``; the other tests of this folder run with ``MATCHER_LANG=en``
(tests/conftest.py), each test here unsets it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.util.i18n import resolve, use

ROOT = Path(__file__).resolve().parents[2]
SITES = str(ROOT / "tests" / "data" / "sites.csv")
N = "\u00a0"  # the no-break space before « : ; ! ? » in French


@pytest.fixture(autouse=True)
def _default_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MATCHER_LANG", raising=False)


def _last_error(args: list[str]) -> str:
    """The last line ``matcher *args`` writes to stderr, checked to be a usage error (exit status 2)."""
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    return result.stderr.splitlines()[-1]


def _commands(group: click.Group = main, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """The group and every command and subcommand under it, each with its path on the command line."""
    yield path, group
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield (*path, name), command


GENERATE = ["generate", "--sites", "3", "--out", "unused"]

#: A value refused by its type: the arguments, the French line, the English line.
REFUSED = [
    (
        [*GENERATE, "--students", "abc"],
        "Erreur : Valeur invalide pour '--students' : « abc » n'est pas un nombre entier.",
        "Error: Invalid value for '--students': 'abc' is not a whole number.",
    ),
    (
        [*GENERATE, "--students", "-1"],
        "Erreur : Valeur invalide pour '--students' : -1 n'est pas dans l'intervalle x>=0.",
        "Error: Invalid value for '--students': -1 is not in the range x>=0.",
    ),
    (
        [*GENERATE, "--students", "3", "--seed", "1.5"],
        "Erreur : Valeur invalide pour '--seed' : « 1.5 » n'est pas un nombre entier.",
        "Error: Invalid value for '--seed': '1.5' is not a whole number.",
    ),
    (
        ["recruit", "--sites", SITES, "--out", "unused", "--max-km", "loin"],
        "Erreur : Valeur invalide pour '--max-km' : « loin » n'est pas un nombre.",
        "Error: Invalid value for '--max-km': 'loin' is not a number.",
    ),
    (
        ["recruit", "--sites", SITES, "--out", "unused", "--max-km", "0"],
        "Erreur : Valeur invalide pour '--max-km' : 0 n'est pas dans l'intervalle x>0.",
        "Error: Invalid value for '--max-km': 0 is not in the range x>0.",
    ),
    (
        ["serve", "--port", "99999"],
        "Erreur : Valeur invalide pour '--port' : 99999 n'est pas dans l'intervalle 0<=x<=65535.",
        "Error: Invalid value for '--port': 99999 is not in the range 0<=x<=65535.",
    ),
]


@pytest.mark.parametrize(("args", "french", "english"), REFUSED, ids=[" ".join(a[-2:]) for a, _, _ in REFUSED])
def test_a_value_refused_by_its_type_in_french_and_in_english(args: list[str], french: str, english: str):
    assert _last_error(args) == french
    assert _last_error([*args, "--lang", "en"]) == english


def test_a_number_type_refuses_in_the_ambient_language():
    """``FLOAT``, ready for a ``type=float`` option (none yet): its refusal as the others'."""
    from matcher.cli.params import FLOAT

    assert FLOAT.convert("2.5", None, None) == 2.5
    for lang, said in (("fr", "« deux » n'est pas un nombre."), ("en", "'deux' is not a number.")):
        with use(lang), pytest.raises(click.BadParameter) as refused:
            FLOAT.convert("deux", None, None)
        assert refused.value.message == said


def test_the_parsers_refusals_in_french_with_the_usage_line_and_in_english():
    no_value = CliRunner().invoke(main, ["generate", "--students"])
    assert no_value.exit_code == 2
    assert no_value.stderr.splitlines() == [
        "Utilisation : main generate [OPTIONS]",
        "Pour l'aide : « main generate --help ».",
        "Erreur : L'option '--students' attend une valeur.",
    ]
    assert _last_error(["generate", "--lang", "en", "--students"]) == "Error: Option '--students' requires an argument."
    assert _last_error(["--debug=1", "users"]) == "Erreur : L'option '--debug' ne prend pas de valeur."
    assert _last_error(["--lang", "en", "--debug=yes"]) == "Error: Option '--debug' does not take a value."


def test_arguments_left_over_and_a_missing_command_in_french_and_in_english(tmp_path: Path):
    assert _last_error(["report", str(tmp_path), "extra"]) == f"Erreur : Argument en trop{N}: « extra »"
    assert _last_error(["report", str(tmp_path), "a", "b"]) == f"Erreur : Arguments en trop{N}: « a b »"
    english = _last_error(["report", str(tmp_path), "extra", "--lang", "en"])
    assert english == "Error: Got unexpected extra argument (extra)"
    assert _last_error(["--debug"]) == "Erreur : Commande manquante."
    assert _last_error(["--debug", "--lang", "en"]) == "Error: Missing command."


def test_a_group_without_its_command_shows_its_help_not_an_error():
    result = CliRunner().invoke(main, ["users"])
    assert result.exit_code == 2  # click's status for a bare group
    assert result.stderr.startswith("Utilisation : main users [OPTIONS] COMMANDE [ARGUMENTS]...\n\n  Comptes de")
    assert "Erreur" not in result.stderr


PASSWORD = "motdepasse-12"


def _add_account(data: Path, typed: str, *more: str):
    args = ["users", "add", "lyon", "--academie", "Lyon", "--data", str(data), *more]
    return CliRunner().invoke(main, args, input=typed)


def test_the_password_prompts_of_users_add_in_french_and_in_english(tmp_path: Path):
    result = _add_account(tmp_path, f"{PASSWORD}\nautre-chose-12\n{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Mot de passe{N}: ",
        f"Saisissez à nouveau pour confirmer{N}: ",
        f"Erreur{N}: les deux saisies ne correspondent pas.",
        f"Mot de passe{N}: ",
        f"Saisissez à nouveau pour confirmer{N}: ",
        f"compte lyon (Lyon) enregistré dans {tmp_path / 'users.json'}",
    ]
    english = _add_account(tmp_path, f"{PASSWORD}\nsomething-else\n{PASSWORD}\n{PASSWORD}\n", "--lang", "en")
    assert english.exit_code == 0, english.output
    assert english.stdout.splitlines()[:3] == [
        "Password: ",
        "Repeat for confirmation: ",
        "Error: The two entered values do not match.",
    ]


def test_an_unanswered_password_prompt_in_french_exits_1(tmp_path: Path):
    result = _add_account(tmp_path, f"{PASSWORD}\n")  # the input ends before the confirmation
    assert result.exit_code == 1
    assert result.stderr == f"Interrompu{N}!\n"
    assert not (tmp_path / "users.json").exists()


def test_the_arguments_names_in_the_usage_line_in_french_and_in_english():
    report = CliRunner().invoke(main, ["report", "--help"]).stdout.splitlines()[0]
    assert report == "Utilisation : main report [OPTIONS] DOSSIER"
    add = CliRunner().invoke(main, ["users", "add", "--help"]).stdout.splitlines()[0]
    assert add == "Utilisation : main users add [OPTIONS] NOM"
    assert _last_error(["users", "add", "--academie", "Lyon"]) == "Erreur : Argument 'NOM' manquant."
    english = CliRunner().invoke(main, ["users", "add", "--help", "--lang", "en"]).stdout.splitlines()[0]
    assert english == "Usage: main users add [OPTIONS] NAME"


def test_every_argument_and_typed_option_says_its_words_through_the_catalogue():
    """Every argument is :class:`~matcher.cli.params.Argument` with a translated name, every typed option one of the
    types that refuse in our words (a new ``type=int`` or ``click.IntRange`` would refuse in English)."""
    from matcher.cli import params

    ours = (params.PathType, type(params.INT), type(params.FLOAT), params.IntRange, params.FloatRange)
    every = [p for _, command in _commands() for p in command.params]
    arguments = [p for p in every if isinstance(p, click.Argument)]
    assert arguments and all(isinstance(a, params.Argument) and a.metavar for a in arguments)
    with use("fr"):
        assert [a.make_metavar(click.Context(main)) for a in arguments] == ["DOSSIER", "NOM"]
    worded = (*ours, click.Choice, click.types.StringParamType)  # a wrong choice is worded with the usage error
    typed = [p for p in every if not (isinstance(p, click.Option) and p.is_flag)]
    assert len(typed) > 40 and [p.name for p in typed if not isinstance(p.type, worded)] == []
    assert {type(p.type) for p in typed} >= {params.PathType, type(params.INT), params.IntRange, params.FloatRange}


@pytest.mark.parametrize("path", [path for path, _ in _commands()], ids=lambda p: " ".join(p) or "matcher")
def test_lang_en_after_help_gives_english_help_on_every_command(path: tuple[str, ...]):
    """click answers the eager ``--help`` before it reads a ``--lang`` after it: the language is looked for first."""
    french = CliRunner().invoke(main, [*path, "--help"])
    assert french.exit_code == 0 and french.stdout.startswith("Utilisation : main")
    for args in ([*path, "--help", "--lang", "en"], [*path, "--help", "--lang=en"], ["--lang", "en", *path, "--help"]):
        english = CliRunner().invoke(main, args)
        assert english.exit_code == 0, english.output
        assert english.stdout.startswith(" ".join(["Usage: main", *path])), args
        assert "Utilisation" not in english.stdout and "Affiche cette aide" not in english.stdout


def test_lang_fr_after_help_wins_over_matcher_lang(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MATCHER_LANG", "en")
    result = CliRunner().invoke(main, ["generate", "--help", "--lang", "fr"])
    assert result.stdout.startswith("Utilisation : main generate [OPTIONS]")


def test_the_group_takes_lang_and_the_language_ends_with_the_command_line():
    result = CliRunner().invoke(main, ["--lang", "en", "--version"])
    assert result.exit_code == 0 and "version" in result.stdout
    assert resolve() == "fr"  # --version ends the run before click closes its context: nothing lingers


def test_the_real_command_says_a_refused_number_in_french(tmp_path: Path):
    """``python -m matcher`` in a process of its own, without MATCHER_LANG."""
    env = {k: v for k, v in os.environ.items() if k != "MATCHER_LANG"} | {"PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "matcher", "generate", "--students", "abc", "--sites", "3", "--out", str(tmp_path)]
    run = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == (
        "Erreur : Valeur invalide pour '--students' : « abc » n'est pas un nombre entier."
    )
