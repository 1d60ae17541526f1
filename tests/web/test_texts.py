"""The web pages' texts come from the project's catalogue: French by default, English on request, the objective
levels named with their units in the reader's language."""

from __future__ import annotations

from matcher.objective import LEVEL_SPECS
from matcher.web.runs import STAGES
from matcher.web.texts import LEVEL_LABELS, STAGE_TEXTS, TEXTS, level_text, stage_text, text


def test_a_text_in_french_and_in_english_with_its_values():
    assert text("run", "fr") == "Lancer le calcul" and text("run", "en") == "Run the allocation"
    assert text("shown", "fr", shown=3, total=10) == "3 lignes affichées sur 10."
    assert text("shown", "en", shown=3, total=10) == "3 rows shown of 10."
    assert text("run", "de") == "Lancer le calcul"  # an unknown language reads French


def test_every_level_named_with_the_unit_of_summary_json():
    assert set(LEVEL_LABELS) == {s.name for s in LEVEL_SPECS}
    assert level_text("distance", "fr") == ("Distance parcourue", "mètres sur les semaines-élèves")
    assert level_text("distance", "en") == ("Distance travelled", "metres over student-weeks")
    assert level_text("future", "fr") == ("future", "")  # a level the web does not know yet: its name


def test_every_page_text_is_translated():
    alike = sorted(key for key, english in TEXTS.items() if text(key, "fr") == english)
    assert alike == ["academie", "books_lycees", "distance", "mode"], alike  # spelt the same in both languages


def test_every_stage_of_the_progress_display_is_named():
    assert set(STAGES) | {"overrides"} <= set(STAGE_TEXTS)
    assert stage_text("solve", "fr") == "optimisation" and stage_text("write", "en") == "writing the files"
    assert stage_text("future", "fr") == "future"
