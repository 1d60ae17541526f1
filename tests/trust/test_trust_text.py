"""Class 5, normalised text: ids and headers in NFC, byte-order marks and zero-width characters removed (and said),
control and text-direction characters refused, ids equal once cleaned are duplicates, NUL anywhere is a problem."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest
from hostile import GOOD_SITES, invoke
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.config import Config
from matcher.errors import MatcherWarning
from matcher.load import load_inputs
from matcher.load.text import clean_grid, needs_cleaning


def write(tmp_path, text: str, name: str = "students.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_ids_differing_by_invisible_characters_are_one_id(tmp_path):
    path = write(tmp_path, "student_id,commune_insee\nE1,69381\n\ufeffE1,69381\nE1\u200b,69381\nE\u2060X,69381\n")
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2, result.output
    assert "duplicate id (same as row 2): 2 rows (3, 4)" in result.output, result.output  # EX is its own
    assert "invisible characters" in result.output  # said, without the values


def test_a_header_with_a_zero_width_character_is_recognised(tmp_path):
    path = write(tmp_path, "stu\u200bdent_id,commune\u00ad_insee,sectors\nE1,69381,electricite\n")
    with pytest.warns(MatcherWarning, match="2 cell"):
        students, _ = load_inputs(path, GOOD_SITES, Config())
    assert students["student_id"].tolist() == ["E1"] and students["commune_insee"].tolist() == ["69381"]


def test_decomposed_accents_read_as_composed(tmp_path):
    composed = write(tmp_path, "student_id,commune_insee,sectors\nÉ1,69381,électricité\n", "a.csv")
    decomposed = write(tmp_path, "student_id,commune_insee,sectors\nE\u03011,69381,e\u0301lectricite\u0301\n", "b.csv")
    a, _ = load_inputs(composed, GOOD_SITES, Config())
    with pytest.warns(MatcherWarning, match="non-normalised accents"):
        b, _ = load_inputs(decomposed, GOOD_SITES, Config())
    assert a["student_id"].tolist() == b["student_id"].tolist() == ["É1"]
    assert a["sectors"].tolist() == b["sectors"].tolist()


def test_control_and_direction_characters_are_refused_by_row_and_column(tmp_path):
    rows = "".join(f"E{i},69381,electricite\n" for i in range(3, 5003))  # a control character in the first 64 KB
    text = "student_id,commune_insee,sectors\nE1,69381,\u202enumerique\n" + rows + "E2,69381,elec\x07tricite\n"
    result = invoke("validate", "--students", write(tmp_path, text), "--sites", GOOD_SITES)  # reads as binary
    assert result.exit_code == 2, result.output
    assert "students.csv, column sectors: a control or text-direction character" in result.output
    assert ": 2 rows (2, 5003)." in result.output  # one line for the kind, with every row


def test_nul_far_into_the_file_is_a_problem_on_its_row(tmp_path):
    rows = "".join(f"E{i},69381,electricite\n" for i in range(5000))  # about 100 KB before the NUL
    path = write(tmp_path, "student_id,commune_insee,sectors\n" + rows + "E\x00X,69381,electricite\n")
    assert path.stat().st_size > 65536
    result = invoke("validate", "--students", path, "--sites", GOOD_SITES)
    assert result.exit_code == 2, result.output
    assert "students.csv, row 5002: a NUL character" in result.output


SPECIAL = "\t\x07\x7f\x85\u00a0\u00ab\u00ad\u00e9\u2019\u2026\u200b\u200d\u202e\u2060\u2068\ufeffe\u0301"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from("ab1 -" + SPECIAL), max_size=6), min_size=1, max_size=12))
def test_text_said_plain_needs_no_cleaning(cells):
    """The fast path (:func:`needs_cleaning` False, the grid is not looked at) is taken only when cleaning the grid
    cell by cell would change nothing and refuse nothing."""
    text = "a,b\n" + "".join(f"{c},x\n" for c in cells)
    grid = pd.DataFrame([line.split(",") for line in text.split("\n")[:-1]])
    if not needs_cleaning(text):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            cleaned, problems = clean_grid(grid, "t.csv")
        assert problems == [] and cleaned.equals(grid)


@pytest.mark.parametrize("character", ["\x07", "\x85", "\u00ad", "\u200b", "\u202e", "\u2068", "\ufeff", "e\u0301"])
def test_each_special_character_takes_the_cleaning_path(character):
    text = f"a,b\nx{character}y,z\n"
    assert needs_cleaning(text)


@pytest.mark.parametrize("character", ["é", "’", "…", "«\u00a0", "\u00b0"])
def test_ordinary_french_text_takes_the_fast_path(character):
    text = f"a,b\nx{character}y,z\n"
    assert not needs_cleaning(text)
