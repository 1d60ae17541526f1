"""Class 2, one export layer: every text cell of every CSV matcher writes is inert (pseudonymize and reidentify
included), and what is neutralised on the way out is recognised on the way back in (ids round-trip exactly)."""

from __future__ import annotations

from hostile import GOOD_SITES, invoke, live_cells
from hypothesis import given
from hypothesis import strategies as st

from matcher.export.safecells import FORMULA_STARTS, neutralize, restore
from matcher.pipeline.reallocate import read_previous

KEY = "a-long-secret-key-kept-by-the-officer"
EVIL = ['=HYPERLINK("http://example.invalid","x")', "@SUM(1+1)", "-cmd|' /C calc'!A0", "+1+cmd", "'=A1", "''x"]


@given(st.text(max_size=12) | st.sampled_from(EVIL))
def test_neutralise_then_restore_is_the_identity(text):
    out = neutralize(text)
    assert not out.startswith(FORMULA_STARTS)
    assert restore(out) == text


def test_an_id_written_with_an_apostrophe_round_trips_through_reallocate(tmp_path):
    students = tmp_path / "students.csv"
    students.write_text(
        "student_id,commune_insee,sectors\n'=A1,69381,electricite\n''B,69381,electricite\nE3,75105,numerique\n",
        encoding="utf-8",
    )
    run = tmp_path / "run"
    assert invoke("allocate", "--students", students, "--sites", GOOD_SITES, "--out", run).exit_code == 0
    assert live_cells(run / "assignments.csv") == []
    previous, _ = read_previous(run)
    assert set(previous["student_id"]) == {"'=A1", "''B", "E3"}
    again = tmp_path / "again"
    result = invoke("reallocate", "--previous", run, "--students", students, "--sites", GOOD_SITES, "--out", again)
    assert result.exit_code == 0, result.output
    assert "withdrawn" not in (again / "changes.csv").read_text(encoding="utf-8")


def test_pseudonymize_and_reidentify_outputs_are_inert(tmp_path, monkeypatch):
    monkeypatch.setenv("MATCHER_PSEUDONYM_KEY", KEY)
    real = tmp_path / "real.csv"
    real.write_text(
        "student_id,commune_insee,sectors,group_id\nA1,69381,electricite,=HYPERLINK(1)\n"
        "=B2,69381,@SUM(1),-cmd\nC3,69381,+cmd,x\n",
        encoding="utf-8",
    )
    pseudo = tmp_path / "pseudo.csv"
    result = invoke("pseudonymize", "--students", real, "--out", pseudo)
    assert result.exit_code == 0, result.output
    assert live_cells(pseudo) == []
    table = tmp_path / "assignments.csv"
    ids = pseudo.read_text(encoding="utf-8").splitlines()[1:]
    table.write_text(
        "student_id,site_id,company\n" + "".join(f"{line.split(',')[0]},S1,'=evil()\n" for line in ids),
        encoding="utf-8",
    )
    named = tmp_path / "named.csv"
    result = invoke("reidentify", "--table", table, "--students", real, "--out", named)
    assert result.exit_code == 0, result.output
    assert live_cells(named) == []
    lines = named.read_text(encoding="utf-8").splitlines()
    assert "'=B2,S1,'=evil()" in lines  # the real id neutralised; the company read back and written once
