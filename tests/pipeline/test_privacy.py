"""Personal data: keyed pseudonyms, a round trip pseudonymize → allocate → reidentify through the command line, and
no original identifier or name in any output file or anything printed.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.generate.scenario import embedded_scenario
from matcher.pipeline.privacy import KEY_ENV, pseudonyms

KEY = "a-long-secret-key-kept-by-the-officer"
NAMES = ("Dupont", "Marie", "marie.dupont@example.fr")


def hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC-SHA256 from its definition (RFC 2104), independently of the hmac module."""
    block = 64
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(k ^ 0x36 for k in key) + message).digest()
    return hashlib.sha256(bytes(k ^ 0x5C for k in key) + inner).hexdigest()


def test_pseudonym_is_the_keyed_hmac_of_the_normalised_id():
    ids = pd.Series(["123456789ab", " 123456789AB ", "098765432CD"])
    got = pseudonyms(ids, KEY.encode())
    assert got[0] == got[1] == "P" + hmac_sha256(KEY.encode(), b"123456789AB")[:24].upper()
    assert got[2] != got[0] and len(got[2]) == 25
    assert pseudonyms(ids, b"another-key-of-16+chars")[0] != got[0]


@pytest.fixture
def real_students(tmp_path):
    """300 demo students with national-number-like ids and name, first name and e-mail columns."""
    demo = pd.read_csv(embedded_scenario()[0], dtype=str, keep_default_na=False).head(300)
    demo["student_id"] = [f"{70_000_000 + 37 * i:09d}{'ABCDEFGH'[i % 8]}{'JKLMNPRS'[i % 7]}" for i in range(300)]
    demo.insert(1, "Nom", NAMES[0])
    demo.insert(2, "Prénom", NAMES[1])
    demo["e-mail"] = NAMES[2]
    path = tmp_path / "students_real.csv"
    demo.to_csv(path, index=False)
    return path, demo["student_id"].tolist()


def test_round_trip_returns_the_original_ids_and_nothing_leaks(real_students, tmp_path):
    path, ids = real_students
    sites = str(embedded_scenario()[1])
    key_file = tmp_path / "key.txt"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    runner = CliRunner()
    printed = []

    def run(*args, env=None):
        result = runner.invoke(main, list(args), env=env)
        printed.append(result.output)
        assert result.exit_code == 0, result.output
        return result

    pseudo = tmp_path / "students_pseudo.csv"
    done = run("pseudonymize", "--students", str(path), "--out", str(pseudo), env={KEY_ENV: KEY})
    assert "3 column(s) not in the contract dropped" in done.output and "'Nom'" in done.output
    out = tmp_path / "out"
    run("allocate", "--students", str(pseudo), "--sites", sites, "--out", str(out))
    back = {}
    for name in ("assignments.csv", "unassigned.csv"):
        back[name] = tmp_path / f"named_{name}"
        run(
            "reidentify",
            "--table",
            str(out / name),
            "--students",
            str(path),
            "--out",
            str(back[name]),
            "--key-file",
            str(key_file),
        )
    named = {name: pd.read_csv(p, dtype=str, keep_default_na=False) for name, p in back.items()}
    assert sorted(set(named["assignments.csv"]["student_id"]) | set(named["unassigned.csv"]["student_id"])) == sorted(
        ids
    )
    original = pd.read_csv(out / "assignments.csv", dtype=str, keep_default_na=False)
    assert named["assignments.csv"].drop(columns="student_id").equals(original.drop(columns="student_id"))
    # no original id and no name anywhere matcher wrote or printed (the re-identified copies are the officer's)
    written = [pseudo, *sorted(out.iterdir())]
    texts = [p.read_text(encoding="utf-8") for p in written] + printed
    for text in texts:
        assert not any(i in text for i in ids)
        assert not any(n in text for n in NAMES)


def test_a_wrong_key_or_no_key_is_refused_and_writes_nothing(real_students, tmp_path):
    path, _ = real_students
    pseudo, named = tmp_path / "pseudo.csv", tmp_path / "named.csv"
    runner = CliRunner()
    short = runner.invoke(main, ["pseudonymize", "--students", str(path), "--out", str(pseudo)], env={KEY_ENV: "x"})
    assert short.exit_code == 2 and "shorter than 16 characters" in short.output and not pseudo.exists()
    assert (
        runner.invoke(
            main, ["pseudonymize", "--students", str(path), "--out", str(pseudo)], env={KEY_ENV: KEY}
        ).exit_code
        == 0
    )
    table = tmp_path / "table.csv"
    pd.read_csv(pseudo, dtype=str).head(5)[["student_id"]].to_csv(table, index=False)
    wrong = runner.invoke(
        main,
        ["reidentify", "--table", str(table), "--students", str(path), "--out", str(named)],
        env={KEY_ENV: "not-the-key-used-at-all"},
    )
    assert wrong.exit_code == 2 and not named.exists()
    assert wrong.output.splitlines()[1] == (
        "table.csv, column student_id: 5 pseudonym(s) match no identifier of "
        "students_real.csv. Fix: use the same key and the original students "
        "file of this run"
    )


def test_personal_columns_in_an_input_are_dropped_with_a_warning(real_students):
    path, ids = real_students
    result = CliRunner().invoke(main, ["validate", "--students", str(path), "--sites", str(embedded_scenario()[1])])
    assert result.exit_code == 2, result.output  # national-number-like ids: pseudonymize first
    assert (
        "matcher: warning: students_real.csv: column(s) 'Nom', 'Prénom', 'e-mail' hold personal data and were "
        "dropped unread; matcher needs pseudonymous ids only"
    ) in result.output.splitlines()
    assert (
        "students_real.csv, row 2, column student_id: 300 student ids are shaped like INE (the national student "
        "number), a personal identifier. Fix: run matcher pseudonymize --students FILE --out students.csv first: it "
        "replaces each INE by a pseudonym"
    ) in result.output.splitlines()
    assert not any(n in result.output for n in NAMES)


def test_problems_never_print_a_student_id(tmp_path):
    path = tmp_path / "students.csv"
    path.write_text("student_id,commune_insee\n123456789AB,69381\n123456789ab,69381\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", "--students", str(path), "--sites", str(embedded_scenario()[1])])
    assert result.exit_code == 2
    assert (
        "students.csv, row 3, column student_id: duplicate id (same as row 2). Fix: give every row its own id"
    ) in result.output.splitlines()
    assert "123456789" not in result.output
