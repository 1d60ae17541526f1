"""Class 3, escaping by construction in HTML: script payloads in every text field of the inputs (site ids, company
names, student and group ids, trades) go through allocate, report and coverage; in headless Chromium, with every map
tooltip opened, nothing executes and the payloads show as text. Every HTML file carries a Content-Security-Policy.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

import pytest
from hostile import invoke

from browser import CHROMIUM
from browser import CHROMIUM_ARGS as ARGS

PAYLOADS = [
    '<img src=x onerror="top.__pwned=1">',
    "<script>top.__pwned=2</script>",
    '"><svg onload=top.__pwned=3>',
    "<b onmouseover=top.__pwned=4>bold</b>",
    "</script><script>top.__pwned=5</script>",
    "<iframe src=javascript:top.__pwned=6>",
]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("html")
    sites = write(
        root / "sites.csv",
        ["site_id", "company", "commune_insee", "capacity", "sectors"],
        [[f"S{i}{p}", f"Company {p}", code, "2", f"trade{p}"] for i, (p, code) in enumerate(zip(PAYLOADS, CODES))],
    )
    students = write(
        root / "students.csv",
        ["student_id", "commune_insee", "sectors", "group_id", "site_choices"],
        [[f"E{i}{p}", code, f"trade{p}", f"G{i}{p}", f"S{i}{p}"] for i, (p, code) in enumerate(zip(PAYLOADS, CODES))],
    )
    run = root / "run"
    result = invoke("allocate", "--students", students, "--sites", sites, "--out", run)
    assert result.exit_code == 0, result.output
    result = invoke("report", run, "--students", students, "--sites", sites, "--no-workbook")
    assert result.exit_code == 0, result.output
    result = invoke("coverage", "--sites", sites, "--out", root / "coverage")
    assert result.exit_code == 0, result.output
    return [run / "report.html", root / "coverage" / "coverage.html"]


CODES = ["69381", "75105", "13201", "33063", "59350", "31555"]

OPEN_TOOLTIPS = """() => {
    const tips = [];  // folium binds the tooltips to each GeoJSON group: hover every feature in turn
    for (const key of Object.keys(window).filter(k => /^geo_json_[0-9]+$/.test(k))) {
        const group = window[key];
        if (!group.getTooltip || !group.getTooltip()) continue;
        group.eachLayer(layer => {
            if (!layer.feature || !("tip" in layer.feature.properties)) return;  // our layers, not the outlines
            const at = layer.getLatLng ? layer.getLatLng() : layer.getBounds().getCenter();
            layer.fire("mouseover", {latlng: at}, true);  // as a pointer over the feature (the group opens it)
            tips.push([...document.querySelectorAll(".leaflet-tooltip")].map(t => t.textContent).join(" "));
        });
    }
    return [tips.length, tips];
}"""


def test_every_html_file_has_a_content_security_policy(pages):
    for page in pages:
        text = html.unescape(html.unescape(page.read_text(encoding="utf-8")))  # the map's page is in an attribute
        assert text.count('http-equiv="Content-Security-Policy"') >= 2, page.name  # the page and its map
        assert "script-src 'sha256-" in text and "unsafe-inline' data:; img-src" in text
        assert "script-src 'unsafe" not in text and "script-src data:" not in text


@pytest.mark.parametrize("which", [0, 1], ids=["report", "coverage"])
def test_payloads_in_every_text_field_never_run_in_chromium(pages, which):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_context(offline=True).new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(pages[which].as_uri(), wait_until="load")
        page.frame_locator("iframe").locator(".leaflet-control-layers").wait_for()
        frame = page.frames[1]
        opened, tips = frame.evaluate(OPEN_TOOLTIPS)
        page.mouse.move(10, 10)
        page.wait_for_timeout(300)
        pwned = page.evaluate("() => window.__pwned ?? null")
        text = page.evaluate("() => document.body.innerText")
        browser.close()
    assert pwned is None and dialogs == []
    assert opened >= len(PAYLOADS) and any(PAYLOADS[0] in t for t in tips), tips[:10]  # shown as text
    assert which == 1 or PAYLOADS[1] in text or "trade<script>" in text  # the tables show the text too
