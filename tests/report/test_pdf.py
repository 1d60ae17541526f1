"""The committee's PDF of the demo: A4, French by default, numbered pages, none empty, secrecy applied."""

from __future__ import annotations

import pypdf
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.report import read_allocation
from matcher.report.committee import committee_figures
from matcher.report.secrecy import suppress


def test_committee_pdf_is_a4_french_numbered_and_never_empty(published_demo):
    reader = pypdf.PdfReader(published_demo / "committee.pdf")
    texts = [p.extract_text() for p in reader.pages]
    assert len(reader.pages) == 5  # key figures, table, chart, map, coverage
    for i, page in enumerate(reader.pages, 1):
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.3) < 1 and abs(h - 841.9) < 1, (w, h)  # A4 in points
        assert f"{i} / {len(reader.pages)}" in texts[i - 1]
        assert len(texts[i - 1].split()) > 20, texts[i - 1]  # no empty page
    first = texts[0]
    assert "15 juin 2026" in first and "Élèves" in first  # French words and dates
    # the demo's 1,050 places are 2,100 place-weeks, against 2,000 for the 1,000-place commitment: never half places
    assert "Semaines-places offertes\u00a0: 2\u00a0100 / 2\u00a0000 (105,0\u00a0%, engagement tenu)" in first
    assert "engagement" in first.lower()
    assert "Académies sous 80\u00a0% de leur juste part" in texts[4]  # the share the French way


def test_committee_pdf_in_english_says_shares_the_english_way(published_demo, tmp_path):
    done = CliRunner().invoke(main, ["report", str(published_demo), "--out", str(tmp_path), "--lang", "en", "--pdf"])
    assert done.exit_code == 0, done.output
    texts = [p.extract_text() for p in pypdf.PdfReader(tmp_path / "committee.pdf").pages]
    assert "Académies under 80% of their fair share" in texts[4] and "sous" not in texts[4]
    assert "White zones (no place within 30 km): 119 lycées, 20,491 seconde students" in texts[0]


def test_committee_pdf_table_hides_what_the_secret_table_hides(published_demo):
    secret = suppress(committee_figures(read_allocation(published_demo)))
    text = pypdf.PdfReader(published_demo / "committee.pdf").pages[1].extract_text()
    lines = {line.split(" ")[0]: line for line in text.splitlines()}
    for row in secret.values.index[secret.hidden["students_hosted"]]:
        name = str(secret.values.loc[row, "academie"]).split(" ")[0]
        assert "<5" in lines[name], lines.get(name)
