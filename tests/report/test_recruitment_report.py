"""The report's recruitment section and map layer, from ``matcher recruit`` written into an allocation folder."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from matcher.cli.main import main
from matcher.generate.scenario import embedded_scenario


def _ok(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_report_shows_the_plan_when_recruit_wrote_into_the_folder(tmp_path):
    students, sites = (str(p) for p in embedded_scenario())
    out = tmp_path / "demo"
    _ok("demo", "--out", str(out))
    _ok("report", str(out))
    assert "Où une place de plus compte" not in (out / "report.html").read_text(encoding="utf-8")
    _ok("recruit", "--students", students, "--sites", sites, "--top", "5", "--out", str(out))
    ids = set(pd.read_csv(students, dtype=str)["student_id"])
    for name in ("recruitment.csv", "recruitment_communes.csv", "recruitment_academies.csv", "recruitment.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert not any(i in text for i in ids), name  # counts only, never student ids
    _ok("report", str(out), "--students", students, "--sites", sites)
    page = (out / "report.html").read_text(encoding="utf-8")  # French by default
    assert "Où une place de plus compte (conseils de recrutement)" in page and 'id="recruitment-sites"' in page
    assert "Recrutement : o\\u00f9 une place de plus compte" in page  # the map layer (its script escapes non-ASCII)
    english = tmp_path / "en"
    _ok("report", str(out), "--students", students, "--sites", sites, "--lang", "en", "--out", str(english))
    page = (english / "report.html").read_text(encoding="utf-8")
    assert "Where one more place counts (recruitment guidance)" in page and 'id="recruitment-sites"' in page
    assert "Recruitment: where one more place counts" in page
    plan = pd.read_csv(out / "recruitment.csv", dtype={"site_id": str})
    assert plan.loc[plan["rank"] > 0, "plan_places"].sum() == 5


def test_stable_mode_says_the_guidance_is_for_the_optimal_mode(tmp_path):
    students, sites = (str(p) for p in embedded_scenario())
    policy = tmp_path / "policy.toml"
    policy.write_text('mode = "stable"\n')
    output = _ok(
        "recruit",
        "--students",
        students,
        "--sites",
        sites,
        "--config",
        str(policy),
        "--top",
        "1",
        "--out",
        str(tmp_path),
        "--lang",
        "en",
    )
    assert "the guidance is for the optimal mode" in output


def test_committee_pdf_has_the_recruitment_page_in_french_with_secrecy(tmp_path):
    # With proportional floors, the demo leaves académies below their floor; `matcher recruit --out RUN` writes the
    # plan into the run's folder and `matcher report --pdf` adds its page, last, in French by default.
    import pypdf

    students, sites = (str(p) for p in embedded_scenario())
    policy = tmp_path / "floors.toml"
    policy.write_text('academie_floors = "proportional"\n')
    run = tmp_path / "run"
    common = ("--students", students, "--sites", sites, "--config", str(policy))
    _ok("allocate", *common, "--out", str(run))
    _ok("report", str(run), "--students", students, "--sites", sites, "--pdf", "--no-workbook")
    assert len(pypdf.PdfReader(run / "committee.pdf").pages) == 5  # no plan, no page
    _ok("recruit", *common, "--top", "20", "--out", str(run))
    _ok("report", str(run), "--students", students, "--sites", sites, "--pdf", "--no-workbook")
    reader = pypdf.PdfReader(run / "committee.pdf")
    assert len(reader.pages) == 6
    page = reader.pages[5].extract_text()
    assert "le plan de recrutement" in page and "6 / 6" in page
    assert "Académies sous leur plancher" in page and "Communes et métiers" in page
    academies = pd.read_csv(run / "recruitment_academies.csv", keep_default_na=False, dtype=str)
    hidden = academies["placed_bound"] == "<5"  # a small bound is suppressed in the file, its shortfall with it
    assert (academies.loc[hidden, "shortfall"].isin(["<5", "0"])).all()
    short = academies[hidden | (pd.to_numeric(academies["shortfall"], errors="coerce") > 0)]
    assert len(short) > 0
    lines = page.replace("\n", " ")
    for _, a in short.head(12).iterrows():
        if a["placed_bound"] == "<5" or 0 < int(a["placed_bound"]) < 5:  # never the small bound, nor its shortfall
            assert f"{a['academie']} : s sous son plancher" in lines
        elif int(a["plan_places"]) == 0:
            assert f"{a['academie']} : {int(a['shortfall'])} sous son plancher" in lines
