"""A campaign's runs: start one, watch its stages, cancel it, look at its tables, lock its placements, download."""

from __future__ import annotations

import csv
import io
import shutil
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matcher.errors import InputError
from matcher.export.outputs import write_atomic
from matcher.report.sheets import labels
from matcher.report.tables import dates_said, weeks_said
from matcher.tables.reasons import reason_texts
from matcher.util.i18n import Lang, mark
from matcher.web.base import check_csrf, lang_of, page
from matcher.web.handout import books
from matcher.web.pages import back_to, figures, logged_in, save_upload, validate_inputs, visible
from matcher.web.privacy import pseudonymised
from matcher.web.store import OUTPUTS, REPORTS, ROLES, Store, read_json, safe_name

__all__ = ["router", "start_run", "STAGES"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(logged_in)])

#: The stages of a run as the progress display counts them (an overridden run solves twice more).
STAGES = ("load", "candidates", "widen", "solve", "tables", "check", "summary", "blocking_pairs", "write", "report")

#: Rows shown at most in a table (the files hold them all).
SHOWN = 300


def start_run(request: Request, cid: str) -> str:
    """Queue a run of the campaign's files with its current settings and overrides."""
    store: Store = request.app.state.store
    if any(store.input_path(cid, role) is None for role in ROLES):
        raise HTTPException(422, mark("upload the students and sites files first"))
    rid = store.create_run(cid)
    request.app.state.jobs.submit(cid, rid)
    return rid


@router.post("/campaigns/{cid}/runs")
def run(request: Request, cid: str, csrf: str = Form("")) -> Response:
    visible(request, cid)
    check_csrf(request, csrf)
    return RedirectResponse(f"/campaigns/{cid}/runs/{start_run(request, cid)}", status_code=303)


@router.post("/campaigns/{cid}/runs/{rid}/reallocate")
async def withdrawals(request: Request, cid: str, rid: str) -> Response:
    """A re-allocation of finished run ``rid`` with updated students and/or sites files (the other one kept): its
    still-valid placements kept, the others placed in the places left, the changes listed."""
    visible(request, cid)
    form = await request.form(max_files=2, max_fields=3)
    check_csrf(request, str(form.get("csrf", "")))
    store: Store = request.app.state.store
    if read_json(store.run_dir(cid, rid) / "state.json")["status"] != "done":
        raise HTTPException(409, mark("only a finished run can be re-allocated"))
    sent = {role: f for role in ROLES if isinstance(f := form.get(role), UploadFile) and f.filename}
    names = {role: safe_name(str(f.filename)) for role, f in sent.items()}
    if not sent or None in names.values():  # the run's page again, saying what is missing
        return run_view(request, cid, rid, 422, withdraw_refused=True)
    new = store.create_run(cid, previous=rid)
    for role, upload in sent.items():
        if role == "students" and store.campaign(cid).get("pseudonymised"):  # ids replaced as the campaign's were
            try:
                await run_in_threadpool(
                    pseudonymised, store, cid, upload.file, str(names[role]), _folder(store, cid, new)
                )
            except InputError:  # unreadable: the run is dropped, nothing of the file stored
                shutil.rmtree(store.run_dir(cid, new), ignore_errors=True)
                return run_view(request, cid, rid, 422, withdraw_refused=True)
        else:
            await run_in_threadpool(save_upload, upload, store.run_input_folder(cid, new, role) / str(names[role]))
    request.app.state.jobs.submit(cid, new)
    return RedirectResponse(f"/campaigns/{cid}/runs/{new}", status_code=303)


def _folder(store: Store, cid: str, rid: str) -> Callable[[], Path]:
    """The provider of run ``rid``'s emptied students folder (for ``privacy.pseudonymised``)."""
    return lambda: store.run_input_folder(cid, rid, "students")


@router.get("/campaigns/{cid}/runs/{rid}")
def run_page(request: Request, cid: str, rid: str, q: str = "", sort: str = "") -> Response:
    return run_view(request, cid, rid, q=q, sort=sort)


def run_view(
    request: Request, cid: str, rid: str, status: int = 200, q: str = "", sort: str = "", **extra: Any
) -> Response:
    """A run's page, its tables filtered by ``q`` and sorted by ``sort`` (``extra``: more for the template)."""
    campaign, store = visible(request, cid), request.app.state.store
    folder = store.run_dir(cid, rid)
    state = read_json(folder / "state.json")
    tables = {}
    if state["status"] == "done":
        names = ("assignments", "unassigned", "changes")
        tr = Lang(lang_of(request))
        tables = {
            name: _table(folder / "out" / f"{name}.csv", q, sort, tr)
            for name in names
            if (folder / "out" / f"{name}.csv").is_file()
        }
    return page(
        request,
        "run.html",
        status,
        campaign=campaign,
        rid=rid,
        state=state,
        progress=_progress(state),
        stages=_stages(state),
        figures=figures(state),
        tables=tables,
        when=time.strftime("%d/%m/%Y %H:%M", time.localtime(float(state["created"]))),
        q=q,
        sort=sort,
        outputs=[n for n in OUTPUTS if (folder / "out" / n).is_file() or (folder / n).is_file()],
        reports=[n for n in REPORTS if (folder / "report" / n).is_file()],
        books=books(store, cid, rid),
        **extra,
    )


@router.get("/campaigns/{cid}/runs/{rid}/progress")
def progress(request: Request, cid: str, rid: str) -> Response:
    visible(request, cid)
    state = read_json(request.app.state.store.run_dir(cid, rid) / "state.json")
    response = page(
        request, "progress.html", cid=cid, rid=rid, state=state, progress=_progress(state), stages=_stages(state)
    )
    if state["status"] not in ("queued", "running"):
        response.headers["HX-Refresh"] = "true"  # the finished page, with its tables
    return response


def _progress(state: dict[str, Any]) -> int:
    """Percent of the stages done (100 once finished)."""
    if state["status"] not in ("queued", "running"):
        return 100
    seen = {s for s in state.get("stages", []) if s in STAGES}
    return min(99, round(100 * len(seen) / len(STAGES)))


def _stages(state: dict[str, Any]) -> list[str]:
    """The stages seen so far, each once (an overridden run goes through the allocation stages three times)."""
    order = (*STAGES[:2], "overrides", *STAGES[2:])
    seen = dict.fromkeys(state.get("stages", []))
    return sorted(seen, key=lambda s: order.index(s) if s in order else len(order))


def _table(path: Path, q: str, sort: str, tr: Lang) -> dict[str, Any]:
    """The rows of an output table containing ``q`` as the reader sees them (any column, case ignored; a decimal
    comma also finds a decimal point), sorted by ``sort`` on the file's values; the reasons for not placing, the
    weeks, the dates and the distances in the reader's language (the file keeps codes, ISO dates and decimal
    points: a contract)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    key, descending = sort.lstrip("-"), sort.startswith("-")
    if key in table.columns:  # on the file's values: ISO dates and week codes sort as they should
        numeric = pd.to_numeric(table[key], errors="coerce")
        order = numeric if numeric.notna().all() and len(table) else table[key]
        table = table.iloc[order.argsort(kind="stable").to_numpy()[:: -1 if descending else 1]]
    if {"reason_code", "reason"} <= set(table.columns):
        table["reason"] = reason_texts(table["reason_code"], table["reason"], tr)
    if "weeks" in table.columns:
        table = weeks_said(table, tr)  # "both", "week_1": the file's codes, a contract
    table = dates_said(table, tr)
    if q:  # a decimal comma finds the file's decimal point too: 12,3 finds 12.326 (shown 12,326)
        text = table.astype(str).agg(" ".join, axis=1).str.lower()
        found = text.str.contains(q.lower(), regex=False)
        if "," in q:
            found |= text.str.contains(q.lower().replace(",", "."), regex=False)
        table = table[found]
    shown = table.head(SHOWN)
    if "distance_km" in shown.columns:  # 12,326 in French (12.326 would read as twelve thousand); the file keeps 12.326
        km = pd.to_numeric(shown["distance_km"], errors="coerce")
        said_km = [tr.num(v, 3) if pd.notna(v) else raw for v, raw in zip(km, shown["distance_km"])]
        shown = shown.assign(distance_km=said_km)
    said = labels(tr)  # the column names in the reader's words; the links keep the file's names
    return {
        "columns": list(table.columns),
        "labels": [said.get(c, c) for c in table.columns],
        "rows": shown.values.tolist(),
        "total": len(table),
    }


@router.post("/campaigns/{cid}/runs/{rid}/cancel")
def cancel(request: Request, cid: str, rid: str, csrf: str = Form("")) -> Response:
    visible(request, cid)
    check_csrf(request, csrf)
    request.app.state.jobs.cancel(cid, rid)
    return RedirectResponse(f"/campaigns/{cid}/runs/{rid}", status_code=303)


@router.post("/campaigns/{cid}/runs/{rid}/lock")
def lock(request: Request, cid: str, rid: str, csrf: str = Form("")) -> Response:
    """Every placement of the run pinned (the campaign's overrides replaced; its forbidden pairs kept)."""
    visible(request, cid)
    check_csrf(request, csrf)
    store: Store = request.app.state.store
    placed = pd.read_csv(store.output(cid, rid, "assignments.csv"), dtype=str, keep_default_na=False)
    pins = placed[["student_id", "site_id"]]  # a split placement: its two hosts
    path = store.campaign_dir(cid) / "overrides.csv"
    kept = pd.read_csv(path, dtype=str, keep_default_na=False) if path.is_file() else pins.iloc[:0]
    rows = pd.concat([kept[kept.get("action", pd.Series(dtype=str)) == "forbid"], pins.assign(action="pin")])
    buffer = io.StringIO()
    rows[["student_id", "site_id", "action"]].to_csv(
        buffer, index=False, lineterminator="\n", quoting=csv.QUOTE_MINIMAL
    )
    write_atomic(path, buffer.getvalue().encode("utf-8"))
    validate_inputs(store, cid)
    return back_to(cid, "#overrides")


@router.get("/campaigns/{cid}/runs/{rid}/all.zip")
def everything(request: Request, cid: str, rid: str) -> Response:
    """Every file of the run in one zip."""
    visible(request, cid)
    store: Store = request.app.state.store
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in OUTPUTS + REPORTS:  # the workbooks in their own zips
            try:
                bundle.write(store.output(cid, rid, name), name)
            except KeyError:  # not written (a failed run, no overrides)
                continue
    headers = {"Content-Disposition": f'attachment; filename="matcher-{rid}.zip"'}
    return Response(buffer.getvalue(), media_type="application/zip", headers=headers)


@router.get("/campaigns/{cid}/runs/{rid}/files/{name}")
def download(request: Request, cid: str, rid: str, name: str) -> Response:
    visible(request, cid)
    return FileResponse(request.app.state.store.output(cid, rid, name), filename=name)
