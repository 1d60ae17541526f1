"""The officer's whole workflow in headless Chromium (Debian's, driven by Playwright), against a server on loopback:
log in, upload, see a broken file's problems, change a setting, run, pin and forbid, re-run, download and compare
with ``matcher allocate --overrides``, delete the campaign; script payloads in the files never run. Screenshots of
each page at 1400 px go to test-artefacts/.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page, expect, sync_playwright

from matcher import embedded_scenario
from matcher.cli import main

from browser import CHROMIUM
from browser import CHROMIUM_ARGS as ARGS
from serving import serving

ARTEFACTS = Path(os.environ.get("MATCHER_ARTEFACTS", Path(__file__).resolve().parents[2] / "test-artefacts"))
SCRIPT = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The server, a logged-in page at 1400 px (every request off the server refused), the data folder."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: install Debian's chromium (apt-get install -y chromium); .ci/run does")
    data = tmp_path_factory.mktemp("data")
    ARTEFACTS.mkdir(exist_ok=True)
    with serving(data) as served, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served.base) else r.abort())
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(served.base + "/login")
        shot(page, "login")
        page.fill("input[name=token]", served.token)
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Campagnes")
        yield served, page, data
        browser.close()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTEFACTS / f"web-{name}.png"), full_page=True)


def new_campaign(page: Page, base: str, name: str) -> str:
    page.goto(base + "/")
    page.fill("form[action='/campaigns'] input[name=name]", name)
    page.click("form[action='/campaigns'] button")
    expect(page.locator("h1")).to_contain_text(name)
    return page.url.rsplit("/", 1)[1]


def upload(page: Page, role: str, path: Path) -> None:
    page.set_input_files(f"[data-testid=file-{role}]", str(path))
    with page.expect_navigation():
        page.click(f"[data-testid=upload-{role}]")
    expect(page.locator(f"[data-testid=current-{role}]")).to_have_text(path.name)


def run_to_the_end(page: Page) -> None:
    with page.expect_navigation():
        page.click("[data-testid=run]")
    expect(page.locator("[data-testid=figures]")).to_be_visible(timeout=60_000)  # the page reloads when done
    expect(page.locator("[data-testid=status]")).to_have_text("terminé")
    expect(page.locator("[data-testid=progress]")).to_have_attribute("value", "100")
    expect(page.locator("[data-testid=stages] li").last).to_have_attribute("data-stage", "report")
    expect(page.locator("[data-testid=stages] li").last).to_have_text("rapport et classeurs")


def look_and_adjust(page: Page) -> None:
    """The run page's report (framed, its scripts allowed by their hashes), workbooks, and a student not placed."""
    expect(page.frame_locator("[data-testid=report]").locator("h1").first).to_contain_text("Demo-2026")
    page.locator("#report").scroll_into_view_if_needed()  # a full-page shot leaves a frame below the fold blank
    page.locator("#report").screenshot(path=str(ARTEFACTS / "web-run-report.png"))
    assert page.locator("[data-testid=books-lycees] li").count() > 100
    assert page.locator("[data-testid=books-entreprises] li").count() > 100
    with page.expect_download() as download:
        page.locator("[data-testid=books-entreprises] a").first.click()
    assert download.value.path().read_bytes().startswith(b"PK")
    student = page.locator("[data-testid=nearest-link]").first
    sid = student.inner_text()
    with page.expect_navigation():
        student.click()
    expect(page.locator("h1")).to_contain_text(sid)
    expect(page.locator("[data-testid=nearest] tbody tr")).to_have_count(10)
    shot(page, "nearest")


def withdraw(page: Page, run_url: str, students: Path, assignments: bytes, tmp_path: Path) -> None:
    """Two placed students withdraw: the re-allocation keeps the others' placements and lists the changes."""
    gone = {line.split(b",", 1)[0].decode() for line in assignments.splitlines()[1:3]}
    lines = students.read_text(encoding="utf-8").splitlines(keepends=True)
    updated = tmp_path / "eleves-maj.csv"
    updated.write_text("".join(r for r in lines if r.split(",", 1)[0] not in gone), encoding="utf-8")
    page.goto(run_url)
    page.set_input_files("[data-testid=withdraw-students]", str(updated))
    with page.expect_navigation():
        page.click("[data-testid=reallocate]")
    expect(page.locator("[data-testid=figures]")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-testid=previous]")).to_be_visible()
    changes = page.locator("[data-testid=table-changes] tbody tr")
    for sid in gone:
        expect(changes.filter(has_text=sid)).to_contain_text("WITHDRAWN")
    shot(page, "reallocation")


def test_whole_workflow(site, tmp_path):
    served, page, data = site
    students, sites = (Path(str(p)) for p in embedded_scenario())
    cid = new_campaign(page, served.base, "Démo 2026")
    upload(page, "sites", sites)
    lines = students.read_text(encoding="utf-8").splitlines()
    cells = lines[2].split(",")
    cells[8] = "loin"  # the second student's max_km: row 3
    broken = tmp_path / "eleves.csv"
    broken.write_text("\n".join([*lines[:2], ",".join(cells), *lines[3:]]) + "\n", encoding="utf-8")
    upload(page, "students", broken)
    problems = page.locator("[data-testid=problems] tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.first).to_contain_text("eleves.csv")
    expect(problems.first.locator("td").nth(1)).to_have_text("3")
    expect(problems.first.locator("td").nth(2)).to_have_text("max_km")
    expect(page.locator("[data-testid=run]")).to_have_count(0)
    shot(page, "campaign-problems")
    upload(page, "students", students)  # the corrected file, in place
    expect(page.locator("[data-testid=valid]")).to_contain_text("3\u00a0000 élèves")
    page.fill("input[name=default_max_km]", "25")
    with page.expect_navigation():
        page.click("[data-testid=save-settings]")
    expect(page.locator("input[name=default_max_km]")).to_have_value("25.0")
    bad_policy = tmp_path / "policy-bad.toml"
    bad_policy.write_text("default_max_km = -3\n", encoding="utf-8")
    page.set_input_files("[data-testid=file-policy]", str(bad_policy))
    with page.expect_navigation():
        page.click("[data-testid=upload-policy]")
    expect(page.locator("[data-testid=policy-problems] tbody tr")).to_have_count(1)
    expect(page.locator("input[name=default_max_km]")).to_have_value("25.0")  # nothing saved
    shot(page, "campaign-policy-refused")
    run_to_the_end(page)
    page.goto(f"{served.base}/campaigns/{cid}")
    for student, where, action in (("E0000001", "S000301", "pin"), ("E0000002", "S000822", "forbid")):
        page.fill("[data-testid=override-student]", student)
        page.fill("[data-testid=override-site]", where)
        page.select_option("[data-testid=override-action]", action)
        with page.expect_navigation():
            page.click("[data-testid=override-add]")
    expect(page.locator("[data-testid=overrides] tbody tr")).to_have_count(2)
    run_to_the_end(page)
    expect(page.locator("[data-testid=override-cost]")).to_be_visible()
    shot(page, "run")
    got = {}
    for name in ("assignments.csv", "unassigned.csv", "summary.json", "overrides.csv", "policy.toml"):
        with page.expect_download() as download:
            page.click(f"[data-testid='download-{name}']")
        got[name] = download.value.path().read_bytes()
    with page.expect_download() as download:
        page.click("[data-testid=download-zip]")
    with zipfile.ZipFile(download.value.path()) as bundle:
        assert {name: bundle.read(name) for name in got} == got
    for name in ("overrides.csv", "policy.toml"):
        (tmp_path / name).write_bytes(got[name])
    out = tmp_path / "cli"
    done = CliRunner().invoke(
        main,
        ["allocate", "--students", str(students), "--sites", str(sites), "--out", str(out)]
        + ["--config", str(tmp_path / "policy.toml"), "--overrides", str(tmp_path / "overrides.csv")],
    )
    assert done.exit_code == 0, done.output
    for name in ("assignments.csv", "unassigned.csv", "summary.json"):
        assert got[name] == (out / name).read_bytes(), name
    assert b"E0000001,S000301," in got["assignments.csv"]
    run_url = page.url
    look_and_adjust(page)
    page.goto(run_url)
    rows = len(got["assignments.csv"].splitlines()) - 1
    with page.expect_navigation():
        page.click("[data-testid=lock]")  # every placement row pinned (a split student to both hosts), the forbid kept
    expect(page.locator("[data-testid=overrides] tbody tr")).to_have_count(rows + 1)
    expect(page.locator("[data-testid=overrides] tbody tr").first).to_contain_text("E0000002")
    page.goto(f"{served.base}/campaigns/{cid}")
    expect(page.locator("[data-testid=runs] tbody tr")).to_have_count(2)
    shot(page, "campaign")
    withdraw(page, run_url, students, got["assignments.csv"], tmp_path)
    page.goto(served.base + "/")
    shot(page, "campaigns")
    page.click("header a[href='?lang=en']")  # the English switch, kept in the session
    expect(page.locator("h1")).to_have_text("Campaigns")
    page.goto(f"{served.base}/campaigns/{cid}")
    expect(page.locator("[data-testid=run]")).to_have_text("Run the allocation")
    shot(page, "campaign-en")
    page.click("header a[href$='?lang=fr']")  # the campaign's page leads back to itself
    expect(page.locator("[data-testid=run]")).to_have_text("Lancer le calcul")
    page.goto(served.base + "/api/docs")
    shot(page, "api-docs")
    page.goto(f"{served.base}/campaigns/{cid}")
    with page.expect_navigation():
        page.click("[data-testid=delete]")
    assert not (data / "campaigns" / cid).exists()
    assert list((data / "campaigns").iterdir()) == []


def test_script_payloads_never_run(site, tmp_path):
    served, page, _ = site
    students, sites = (Path(str(p)) for p in embedded_scenario())
    rows = sites.read_text(encoding="utf-8").splitlines()
    evil_sites = tmp_path / "sites.csv"  # every company named with a script
    evil_sites.write_text("\n".join([rows[0], *(r.replace(",Entreprise ", f",{SCRIPT} ", 1) for r in rows[1:])]) + "\n")
    rows = students.read_text(encoding="utf-8").splitlines()
    evil_students = tmp_path / "students.csv"  # one student id is a script
    first = rows[1].replace("E0000001", "<img src=x onerror=window.__xss=3>", 1)
    evil_students.write_text("\n".join([rows[0], first, *rows[2:]]) + "\n")
    new_campaign(page, served.base, "<script>window.__xss=4</script>")
    upload(page, "sites", evil_sites)
    upload(page, "students", evil_students)
    if page.locator("[data-testid=run]").count():
        run_to_the_end(page)
        expect(page.locator("[data-testid=table-assignments] tbody tr").first).to_contain_text(SCRIPT)
        shot(page, "run-payloads")
        with page.expect_navigation():
            page.locator("[data-testid=nearest-link]").first.click()
        expect(page.locator("[data-testid=nearest]")).to_contain_text(SCRIPT)  # the companies' names, as text
        assert page.evaluate("window.__xss") is None
        page.go_back()
    else:  # the id refused: the payload is shown as text in the problems table
        expect(page.locator("[data-testid=problems]")).to_contain_text("<img src=x onerror=window.__xss=3>")
    expect(page.locator("h1")).to_contain_text("<script>window.__xss=4</script>")
    page.goto(served.base + "/")
    expect(page.locator("table")).to_contain_text("<script>window.__xss=4</script>")
    assert page.evaluate("window.__xss") is None


def test_refusals_read_in_french_in_the_workspace(site, tmp_path):
    """A file of a type matcher does not read: the upload's alert says why in French (not a status and JSON);
    a setting out of range: the page again, saying which and why by the form, the values as typed; a run refused:
    a page saying why, with a way back."""
    served, page, _ = site
    cid = new_campaign(page, served.base, "Refus")
    alerts: list[str] = []
    page.on("dialog", lambda dialog: alerts.append(dialog.message))  # after the fixture's, which accepts it
    notes = tmp_path / "notes.pdf"
    notes.write_bytes(b"%PDF-1.4\n")
    page.set_input_files("[data-testid=file-students]", str(notes))
    page.click("[data-testid=upload-students]")
    expect(page.locator("[data-testid=upload-students]")).to_be_visible()
    page.wait_for_function("() => document.querySelector('progress').hidden")  # the answer came back
    assert alerts == [
        "nom ou type de fichier refusé : un nom simple se terminant par .csv, .tsv, .txt, .xlsx, .xlsm, .xls ou .ods"
    ]
    page.fill("#settings input[name=default_max_km]", "25")
    page.fill("#settings input[name=default_capacity]", "2,5")
    with page.expect_navigation():
        page.click("[data-testid=save-settings]")
    row = page.locator("[data-testid=settings-problems] tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("Places par offre (vide : celles du fichier des sites)")
    expect(row.locator("td").nth(2)).to_have_text("attendu : un entier positif ou nul")
    expect(page.locator("#settings input[name=default_capacity]")).to_have_value("2,5")  # as typed, to correct
    expect(page.locator("#settings input[name=default_max_km]")).to_have_value("25")
    shot(page, "settings-refused")
    assert page.get_attribute("a[href$='?lang=en']", "href") == f"/campaigns/{cid}?lang=en"
    page.goto(f"{served.base}/campaigns/{cid}")
    expect(page.locator("#settings input[name=default_capacity]")).to_have_value("")  # nothing was saved
    page.evaluate(
        """cid => { const f = document.createElement("form"); f.method = "post";  // a run before both files
        f.action = `/campaigns/${cid}/runs`; f.innerHTML = `<input name=csrf value="${document.querySelector(
        "input[name=csrf]").value}">`; document.body.append(f); f.submit(); }""",
        cid,
    )
    expect(page.locator("h1")).to_have_text("Opération refusée")
    said = "Déposez d'abord le fichier des élèves et celui des offres"  # a sentence on the page
    expect(page.locator("[data-testid=refused]")).to_have_text(said)
    shot(page, "refused")
    assert page.get_attribute("a[href$='?lang=en']", "href") == f"/campaigns/{cid}?lang=en"  # not the POST's address
    with page.expect_navigation():
        page.click("[data-testid=refused-back]")
    assert page.url == f"{served.base}/campaigns/{cid}"
