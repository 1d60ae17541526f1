"""Class 5, normalised text: ids and headers in NFC, byte-order marks and zero-width characters removed (and said),
control and text-direction characters refused, ids equal once cleaned are duplicates, NUL anywhere is a problem."""

from __future__ import annotations

import pytest
from hostile import GOOD_SITES, invoke

from matcher.config import Config
from matcher.errors import MatcherWarning
from matcher.load import load_inputs


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
