"""Before solving: trades that match nothing are said, raw INE are refused, and a trade reaches the platform's
sectors through the crosswalk (end to end, with the real solver)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from officers import HERE

from matcher.cli.main import main
from matcher.config import Config
from matcher.errors import InputError
from matcher.load import load_inputs

from conftest import write_csv

SITES = HERE / "sites.csv"


def students(tmp_path, trades: list[str], ids: list[str] | None = None):
    rows = [
        {"student_id": (ids or [f"E{i}" for i in range(len(trades))])[i], "commune_insee": "69381", "sectors": t}
        for i, t in enumerate(trades)
    ]
    return write_csv(tmp_path / "students.csv", rows)


def test_a_trade_that_matches_nothing_is_said_with_its_count(tmp_path):
    path = students(tmp_path, ["electricite", "plomberie", "plomberie"])
    with pytest.warns(Warning) as said:
        load_inputs(path, SITES, Config())
    messages = [str(w.message) for w in said]
    assert (
        "students.csv: 2 trade value(s) match no trade, no platform sector and nothing in the other file: "
        "'plomberie' (2 rows); map them in datasets/trade_crosswalk.csv or write a known trade"
    ) in messages


def test_more_than_a_fifth_of_the_students_without_an_offer_of_their_trades_is_said(tmp_path):
    # 4 students; 1 asks for a trade no site offers (1/4 > 1/5): said. The sites offer electricite, numerique,
    # bureau_etudes, genie_climatique.
    path = students(tmp_path, ["electricite", "numerique", "bureau_etudes", "cybersecurite"])
    with pytest.warns(Warning) as said:
        load_inputs(path, SITES, Config())
    assert any(
        str(w.message).startswith(
            "students.csv: 1 of 4 students asking for trades have no offer of their trades anywhere in sites.csv "
            "(most asked: 'cybersecurite')"
        )
        for w in said
    )


def test_one_student_in_five_without_an_offer_is_not_a_mismatch(tmp_path, recwarn):
    path = students(tmp_path, ["electricite", "numerique", "bureau_etudes", "genie_climatique", "cybersecurite"])
    load_inputs(path, SITES, Config())  # 1/5 is not more than a fifth
    assert not [w for w in recwarn if "have no offer" in str(w.message)]


def test_raw_ine_as_ids_are_refused_with_the_advice_to_pseudonymize(tmp_path):
    path = students(tmp_path, ["electricite", "numerique"], ids=["1234567890A", "123456789BC"])
    with pytest.raises(InputError) as caught:
        load_inputs(path, SITES, Config())
    (problem,) = caught.value.problems
    assert problem.message.startswith("2 student ids are shaped like INE")
    assert problem.fix.startswith("run matcher pseudonymize")


def test_a_student_asking_for_a_trade_is_placed_at_an_offer_filed_under_its_sector(tmp_path):
    # E0 asks for electricite; the extract's offers 1001 (Lyon 1er, Énergie) holds it through the crosswalk, and
    # offer 1005 (Villeurbanne, Électronique) too; offer 1001 is at distance 0 from Lyon 1er: rank 1, nearest.
    path = students(tmp_path, ["electricite"])
    out = tmp_path / "out"
    args = ["--sites", str(HERE / "platform_extract.csv"), "--default-capacity", "1", "--out", str(out)]
    done = CliRunner().invoke(main, ["allocate", "--students", str(path), *args])
    assert done.exit_code == 0, done.output
    assert (out / "assignments.csv").read_text().splitlines()[1].startswith("E0,1001,12345678901234,both,")
    summary = json.loads((out / "summary.json").read_text())
    assert summary["parameters"]["default_capacity"] == 1
    assert summary["inputs"]["sites_left_out"] == {"not_for_seconde": 1, "not_located": 1}  # offers 1006 and 1007
