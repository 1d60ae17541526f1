# ruff: noqa: E501 - a table of sentences, one per line
"""The web pages' texts: English in the code, translated through the project's gettext catalogue
(``matcher/locale/fr/LC_MESSAGES/matcher.po``, the same as the command line's); French first, ``?lang=en``
switches (kept in the session)."""

from __future__ import annotations

from matcher.objective import LEVEL_SPECS, spec
from matcher.util.i18n import LANGS, Lang, mark

__all__ = ["LANGUAGES", "TEXTS", "LEVEL_LABELS", "STAGE_TEXTS", "text", "level_text", "stage_text"]

LANGUAGES = LANGS

#: key → the English message (its French in the catalogue).
TEXTS: dict[str, str] = {
    "title": mark("Seconde placements"),
    "login": mark("Log in"),
    "logout": mark("Log out"),
    "token": mark("Login token (printed when the server started)"),
    "name": mark("Name"),
    "password": mark("Password"),
    "bad_login": mark("Wrong name, password or token."),
    "campaigns": mark("Campaigns"),
    "no_campaign": mark("No campaign yet."),
    "new_campaign": mark("New campaign"),
    "year": mark("Year"),
    "academie": mark("Académie"),
    "create": mark("Create"),
    "files": mark("Files"),
    "students": mark("Students"),
    "sites": mark("Offers (host sites)"),
    "upload": mark("Upload"),
    "upload_help": mark("CSV, XLSX, XLS or ODS, at most 100 MB. Drop the file or choose it; a new upload replaces the old one."),
    "no_file": mark("no file"),
    "valid": mark("Valid files: {students} students, {sites} sites located."),
    "problems": mark("Problems to fix"),
    "file": mark("File"),
    "row": mark("Row"),
    "column": mark("Column"),
    "value": mark("Value"),
    "message": mark("Problem"),
    "fix": mark("Fix"),
    "warnings": mark("Warnings"),
    "settings": mark("Settings"),
    "save": mark("Save"),
    "saved": mark("Settings saved."),
    "download_policy": mark("Download policy.toml"),
    "default_max_km": mark("Default distance limit (km)"),
    "default_max_km_help": mark("For students without a limit of their own."),
    "mode": mark("Mode"),
    "mode_help": mark("optimal: most students placed; stable: deferred acceptance (no one would rather have a place given to a lower-ranked student)."),
    "academie_floors": mark("Académie floors"),
    "academie_floors_help": mark("none, or proportional (the national target shared by enrolment)."),
    "gender_target": mark("Girls' share target (0 to 1, empty: none)"),
    "gender_target_help": mark("Per trade, after priority students."),
    "stay_in_academie": mark("Stay in one's académie"),
    "stay_in_academie_help": mark("Students only go to sites of their own académie."),
    "time_limit": mark("Repair time limit (s)"),
    "time_limit_help": mark("Beyond it the result stays valid, with its proven gap."),
    "default_capacity": mark("Places per offer (empty: the sites file's)"),
    "default_capacity_help": mark("For a sites file without places, such as the national platform's extracts: each offer's places in each week it runs (option default_capacity)."),
    "overrides": mark("Overrides"),
    "overrides_help": mark("Pin a student to an offer or forbid a student–offer pair; every re-run keeps them all and optimises the rest."),
    "student_id": mark("Student id"),
    "site_id": mark("Site id"),
    "action": mark("Action"),
    "pin": mark("pin"),
    "forbid": mark("forbid"),
    "add": mark("Add"),
    "clear": mark("Clear all"),
    "none_yet": mark("None."),
    "runs": mark("Runs"),
    "run": mark("Run the allocation"),
    "need_files": mark("Upload two valid files to run."),
    "status": mark("Status"),
    "placed": mark("Placed"),
    "priority": mark("Priority placed"),
    "floors_met": mark("Floors met"),
    "girls": mark("Girls' share"),
    "mean_km": mark("Mean distance (km)"),
    "open": mark("Open"),
    "delete_campaign": mark("Delete the campaign and all its files"),
    "confirm_delete": mark("Delete for good?"),
    "progress": mark("Progress"),
    "cancel": mark("Cancel"),
    "queued": mark("queued"),
    "running": mark("running"),
    "done": mark("done"),
    "failed": mark("failed"),
    "cancelled": mark("cancelled"),
    "interrupted": mark("interrupted"),
    "figures": mark("Key figures"),
    "not_placed": mark("Not placed"),
    "placements": mark("Assignments"),
    "filter": mark("Filter (académie, lycée, company, trade, reason…)"),
    "company": mark("Company"),
    "weeks": mark("Weeks"),
    "distance": mark("Distance (km)"),
    "rank": mark("Rank"),
    "reason": mark("Reason"),
    "shown": mark("{shown} rows shown of {total}."),
    "downloads": mark("Files to hand out"),
    "lock": mark("Lock all placements of this run"),
    "override_cost": mark("Overrides: {pinned} pinned, {forbidden} forbidden; cost against the optimum without them:"),
    "level": mark("Level"),
    "unit": mark("Unit"),
    "all_zip": mark("Every file (zip)"),
    "pins_forbids": mark("Pinned / forbidden"),
    "run_of": mark("Run of {when}"),
    "started": mark("Started"),
    "drop_here": mark("Drop the file here, or:"),
    "body": mark("Body (multipart)"),
    "required": mark("required"),
    "cost_help": mark("Cost: how much worse the level is with the overrides (positive: worse). Both values are as the solver reached them, each within its proven gap."),
    "with": mark("With"),
    "without": mark("Without"),
    "cost": mark("Cost"),
    "api_docs": mark("JSON API"),
    "back": mark("Back to the campaign"),
    "error": mark("Error"),
    "report": mark("Report"),
    "open_report": mark("open it in a page of its own"),
    "books": mark("Workbooks per recipient"),
    "books_help": mark("One workbook per lycée (its students) and per company (the students it hosts): small counts, a working document, not for publication."),
    "books_lycees": mark("Lycées ({n})"),
    "books_companies": mark("Companies ({n})"),
    "all_books": mark("all, as one zip"),
    "nearest_link": mark("the nearest offers and why each is out"),
    "nearest_title": mark("Nearest offers of student {student}"),
    "nearest_help": mark("The {n} nearest sites, whatever their trade, with the allocation's rules; places left after this run's placements. Pin the student to an offer, then run again."),
    "left_week_1": mark("Places left, week 1"),
    "left_week_2": mark("Places left, week 2"),
    "why": mark("Why it is out"),
    "no_location": mark("The student's location is unknown: no distance to measure."),
    "back_run": mark("Back to the run"),
    "refused_title": mark("This could not be done"),
    "refused_back": mark("Back"),
    "upload_policy": mark("Or a whole policy.toml file"),
    "upload_policy_help": mark("Checked as matcher allocate --config checks it; it replaces the settings only when valid."),
    "policy_refused": mark("Policy file refused, nothing saved:"),
    "settings_refused": mark("Settings refused, nothing saved: correct them below and save again."),
    "setting": mark("Setting"),
    "withdrawals": mark("Withdrawals and changes"),
    "withdrawals_help": mark("Upload the updated students or sites file (or both; the other stays this run's): every placement still valid is kept, the others are placed in the places left, and the changes are listed. The campaign's overrides are not applied."),
    "reallocate": mark("Re-allocate"),
    "withdraw_refused": mark("Choose an updated students or sites file: a plain name ending in .csv, .tsv, .txt, .xlsx, .xlsm, .xls or .ods."),
    "reallocation_of": mark("Re-allocation keeping the valid placements of the"),
    "previous_run": mark("previous run"),
    "changes": mark("Changes"),
    "pseudonymise": mark("Pseudonymise the student ids"),
    "pseudonymise_help": mark("replaced with keyed pseudonyms before the file is stored; names and other columns outside the contract dropped; the key stays in this campaign's folder (matcher reidentify maps outputs back)."),
    "pseudonymised": mark("Pseudonymised at upload: {n} students."),
    "dropped": mark("Columns dropped: {columns}."),
}  # fmt: skip

#: An objective level's name → its label, as the pages show it (label and unit: ``objective.LEVEL_SPECS``, the
#: unit as in ``summary.json``).
LEVEL_LABELS: dict[str, str] = {s.name: s.label for s in LEVEL_SPECS}

#: A run's stage (as the allocation's observer names it) → what the progress display says.
STAGE_TEXTS: dict[str, str] = {
    "load": mark("reading the files"),
    "candidates": mark("candidate pairs"),
    "overrides": mark("overrides"),
    "widen": mark("widening"),
    "solve": mark("optimisation"),
    "tables": mark("tables"),
    "check": mark("independent check"),
    "summary": mark("summary"),
    "blocking_pairs": mark("blocking pairs"),
    "write": mark("writing the files"),
    "report": mark("report and workbooks"),
}


def text(key: str, lang: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (French when unknown), with ``values`` filled in after translation."""
    chosen = Lang(lang)(TEXTS[key])
    return chosen.format(**values) if values else chosen


def level_text(name: str, lang: str) -> tuple[str, str]:
    """An objective level's label and unit in ``lang`` (the name itself for a level without texts)."""
    if name not in LEVEL_LABELS:
        return name, ""
    tr = Lang(lang)
    return tr(LEVEL_LABELS[name]), tr(spec(name).unit)


def stage_text(stage: str, lang: str) -> str:
    """A run's stage in ``lang`` (its name for a stage without a text)."""
    return Lang(lang)(STAGE_TEXTS[stage]) if stage in STAGE_TEXTS else stage
