"""The pages: log in, campaigns, a campaign's files (with their problems), settings, overrides and runs."""

from __future__ import annotations

import csv
import io
import secrets
import shutil
import time
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matcher.errors import InputError, MatcherWarning
from matcher.export.outputs import write_atomic
from matcher.load import load_inputs
from matcher.load.overrides import read_overrides
from matcher.util.i18n import mark
from matcher.web.auth import NATIONAL, User, same
from matcher.web.base import LoginRequired, check_csrf, page, user_of
from matcher.web.privacy import pseudonymised
from matcher.web.settings import FIELDS, current, load_policy
from matcher.web.store import ROLES, Store, read_json, safe_name, write_json

__all__ = [
    "router",
    "public",
    "logged_in",
    "visible",
    "back_to",
    "campaign_view",
    "validate_inputs",
    "figures",
    "save_upload",
]


def logged_in(request: Request) -> User:
    """The session's user (a redirect to the login page without one)."""
    user = user_of(request)
    if user is None:
        raise LoginRequired
    return user


#: The login pages, open to all.
public = APIRouter(include_in_schema=False)
#: Every other page: the login is checked before anything in the request is read.
router = APIRouter(include_in_schema=False, dependencies=[Depends(logged_in)])


def visible(request: Request, cid: str) -> dict[str, Any]:
    """Campaign ``cid``'s record when the user may see it (404 otherwise: another académie's does not exist)."""
    campaign = request.app.state.store.campaign(cid)
    if not logged_in(request).sees(campaign["academie"]):
        raise KeyError(cid)
    return dict(campaign)


def back_to(cid: str, anchor: str = "") -> RedirectResponse:
    """A redirect to the campaign's page."""
    return RedirectResponse(f"/campaigns/{cid}{anchor}", status_code=303)


@public.get("/login")
def login_page(request: Request, token: str = "") -> Response:
    server = request.app.state.server
    if token and same(token, server.token):  # the address printed at start
        return _logged(request, User("token", NATIONAL))
    return page(request, "login.html", accounts=bool(request.app.state.accounts.read()), failed=bool(token))


@public.post("/login")
def login(request: Request, name: str = Form(""), password: str = Form(""), token: str = Form("")) -> Response:
    user = User("token", NATIONAL) if token and same(token, request.app.state.server.token) else None
    user = user or (request.app.state.accounts.check(name, password) if name else None)
    if user is None:
        return page(request, "login.html", 401, accounts=bool(request.app.state.accounts.read()), failed=True)
    return _logged(request, user)


def _logged(request: Request, user: User) -> Response:
    request.session.clear()
    request.session.update({"user": asdict(user), "csrf": secrets.token_urlsafe(32)})
    return RedirectResponse("/", status_code=303)


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    check_csrf(request, csrf)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/")
def home(request: Request) -> Response:
    user = logged_in(request)
    store: Store = request.app.state.store
    mine = [c for c in store.campaigns() if user.sees(c["academie"])]
    return page(request, "home.html", campaigns=mine)


@router.post("/campaigns")
def create(
    request: Request, name: str = Form(...), year: int = Form(2026), academie: str = Form(""), csrf: str = Form("")
) -> Response:
    user = logged_in(request)
    check_csrf(request, csrf)
    academie = academie.strip() or user.academie
    if not user.sees(academie):
        raise HTTPException(403, mark("another académie"))
    return back_to(request.app.state.store.create_campaign(name.strip()[:100] or "campagne", year, academie))


@router.get("/campaigns/{cid}")
def campaign_page(request: Request, cid: str) -> Response:
    return campaign_view(request, cid)


def campaign_view(request: Request, cid: str, status: int = 200, **extra: Any) -> Response:
    """The campaign's page (``extra``: more for the template, such as a refused policy file's problems)."""
    campaign, store = visible(request, cid), request.app.state.store
    folder = store.campaign_dir(cid)
    files = {role: store.input_path(cid, role) for role in ROLES}
    checked = read_json(folder / "validation.json") if (folder / "validation.json").is_file() else None
    overrides = _overrides(folder / "overrides.csv")
    runs = [
        {**r, "figures": figures(r), "when": time.strftime("%d/%m %H:%M", time.localtime(float(r["created"])))}
        for r in store.runs(cid)
    ]
    return page(
        request,
        "campaign.html",
        status,
        campaign=campaign,
        files={k: (v.name if v else None) for k, v in files.items()},
        checked=checked,
        settings=current(folder / "policy.toml"),
        fields=FIELDS,
        overrides=overrides,
        runs=runs,
        lang_here=f"/campaigns/{cid}",  # also when shown again at a form's address, which takes no GET
        **extra,
    )


@router.post("/campaigns/{cid}/files/{role}")
async def upload(request: Request, cid: str, role: str) -> Response:
    visible(request, cid)
    if role not in ROLES:
        raise KeyError(role)
    form = await request.form(max_files=1, max_fields=3)
    check_csrf(request, str(form.get("csrf", "")))
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        raise HTTPException(422, mark("no file"))
    name = safe_name(sent.filename)
    if name is None:
        raise HTTPException(
            422, mark("file name or type refused: a plain name ending in .csv, .tsv, .txt, .xlsx, .xlsm, .xls or .ods")
        )
    store: Store = request.app.state.store
    if role == "students" and form.get("pseudonymise"):
        try:  # the ids replaced before anything is stored
            done = await run_in_threadpool(pseudonymised, store, cid, sent.file, name)
        except InputError as exc:  # unreadable: nothing stored, its problems shown
            problems = [asdict(p) for p in exc.problems]
            write_json(store.campaign_dir(cid) / "validation.json", {"ok": False, "problems": problems, "warnings": []})
            return back_to(cid, "#problems")
        store.update_campaign(cid, pseudonymised=done)
    else:
        await run_in_threadpool(save_upload, sent, store.input_folder(cid, role) / name)
        if role == "students":
            store.update_campaign(cid, pseudonymised=None)
    await run_in_threadpool(validate_inputs, store, cid)  # the server keeps answering while a big file loads
    return back_to(cid, "#files")


def save_upload(sent: UploadFile, path: Path) -> None:
    """Write the uploaded file ``sent`` to ``path``."""
    with path.open("wb") as out:
        shutil.copyfileobj(sent.file, out)


def validate_inputs(store: Store, cid: str) -> dict[str, Any] | None:
    """Load both files when both are there, and the overrides' ids and actions; their problems, warnings and counts
    kept in ``validation.json``."""
    folder = store.campaign_dir(cid)
    students, sites = (store.input_path(cid, role) for role in ROLES)
    if students is None or sites is None:
        return None
    policy = folder / "policy.toml"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MatcherWarning)
        try:
            st, si = load_inputs(students, sites, load_policy(policy if policy.is_file() else None))
            if (folder / "overrides.csv").is_file():
                read_overrides(folder / "overrides.csv", st, si)
            result: dict[str, Any] = {"ok": True, "students": len(st), "sites": len(si), "problems": []}
        except InputError as exc:
            result = {"ok": False, "problems": [asdict(p) for p in exc.problems]}
    result["warnings"] = [str(w.message) for w in caught if issubclass(w.category, MatcherWarning)]
    write_json(folder / "validation.json", result)
    return result


@router.post("/campaigns/{cid}/overrides")
def add_override(
    request: Request,
    cid: str,
    student_id: str = Form(...),
    site_id: str = Form(...),
    action: str = Form(...),
    csrf: str = Form(""),
) -> Response:
    visible(request, cid)
    check_csrf(request, csrf)
    if action not in ("pin", "forbid"):
        raise HTTPException(422, mark("action: pin or forbid"))
    path = request.app.state.store.campaign_dir(cid) / "overrides.csv"
    rows = [r for r in _overrides(path) if (r[0], r[1]) != (student_id.strip(), site_id.strip())]
    _write_overrides(path, [*rows, (student_id.strip(), site_id.strip(), action)])
    validate_inputs(request.app.state.store, cid)  # an unknown id shows in the problems table
    return back_to(cid, "#overrides")


@router.post("/campaigns/{cid}/overrides/clear")
def clear_overrides(request: Request, cid: str, csrf: str = Form("")) -> Response:
    visible(request, cid)
    check_csrf(request, csrf)
    (request.app.state.store.campaign_dir(cid) / "overrides.csv").unlink(missing_ok=True)
    validate_inputs(request.app.state.store, cid)
    return back_to(cid, "#overrides")


def _overrides(path: Path) -> list[tuple[str, str, str]]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [(r[0], r[1], r[2]) for r in list(csv.reader(fh))[1:] if len(r) == 3]


def _write_overrides(path: Path, rows: list[tuple[str, str, str]]) -> None:
    """The overrides as CSV, header ``student_id,site_id,action``."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([("student_id", "site_id", "action"), *rows])
    write_atomic(path, buffer.getvalue().encode("utf-8"))


@router.post("/campaigns/{cid}/delete")
def delete(request: Request, cid: str, csrf: str = Form("")) -> Response:
    visible(request, cid)
    check_csrf(request, csrf)
    for run in request.app.state.store.runs(cid):  # no job writes into the erased folder
        request.app.state.jobs.cancel(cid, run["id"])
    request.app.state.store.delete_campaign(cid)
    return RedirectResponse("/", status_code=303)


def figures(state: dict[str, Any]) -> dict[str, Any]:
    """A run's figures to compare: placed, priority placed, floors met, girls' share, mean distance."""
    summary = state.get("summary")
    if not summary:
        return {}
    levels = {level["level"]: level["value"] for level in summary.get("objective", [])}
    floors = summary.get("floors") or {}
    below, n = floors.get("academies_below_floor"), len(floors.get("academies", []))
    made = summary.get("overrides")
    return {
        "placed": summary["counts"]["placed"],
        "priority": levels.get("priority"),
        "floors_met": None if below is None else f"{n - below}/{n}",
        "girls": (summary.get("gender") or {}).get("girls_share"),
        "mean_km": state.get("mean_km"),
        "overrides": f"{made['pinned']} / {made['forbidden']}" if made else None,
    }  # fmt: skip
