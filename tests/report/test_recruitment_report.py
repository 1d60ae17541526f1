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
    assert "Where one more place counts" not in (out / "report.html").read_text(encoding="utf-8")
    _ok("recruit", "--students", students, "--sites", sites, "--top", "5", "--out", str(out))
    ids = set(pd.read_csv(students, dtype=str)["student_id"])
    for name in ("recruitment.csv", "recruitment_communes.csv", "recruitment_academies.csv", "recruitment.json"):
        text = (out / name).read_text(encoding="utf-8")
        assert not any(i in text for i in ids), name  # counts only, never student ids
    _ok("report", str(out), "--students", students, "--sites", sites)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Where one more place counts" in page and 'id="recruitment-sites"' in page
    assert "Recruitment: where one more place counts" in page  # the map layer
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
