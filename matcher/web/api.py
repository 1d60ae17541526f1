"""The JSON API for scripts (``Authorization: Bearer <token>``): start a run, follow it, fetch its files, delete it.

``POST /api/runs`` checks the files at once (422 with every problem) and answers 202 with the run's id; the run is
a campaign of its own, named ``API``, of académie ``national``.
"""

from __future__ import annotations

import shutil
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from matcher.web.auth import NATIONAL, User
from matcher.web.base import page, user_of
from matcher.web.handout import not_placed, offers
from matcher.web.pages import validate_inputs
from matcher.web.runs import start_run
from matcher.web.store import Store, read_json, safe_name

__all__ = ["router"]


def _user(request: Request) -> User:
    user = user_of(request)
    if user is None:
        raise HTTPException(401, "log in, or send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"})
    return user


#: Every call needs the Bearer token (or a session), checked before anything in the request is read.
router = APIRouter(prefix="/api", dependencies=[Depends(_user)])


def _campaign_of(request: Request, rid: str) -> str:
    store: Store = request.app.state.store
    cid = store.find_run(rid)
    if not _user(request).sees(store.campaign(cid)["academie"]):
        raise KeyError(rid)
    return cid


@router.post("/runs", status_code=202, summary="Start a run from students and sites files")
async def create_run(
    request: Request,
    students: Annotated[UploadFile, File(description="Students file (CSV, XLSX, XLS or ODS)")],
    sites: Annotated[UploadFile, File(description="Sites file (CSV, XLSX, XLS or ODS)")],
    config: Annotated[UploadFile | None, File(description="Policy file (TOML)")] = None,
    overrides: Annotated[UploadFile | None, File(description="CSV student_id,site_id,action (pin|forbid)")] = None,
) -> Response:
    """Check the files (422 with every problem as JSON) and queue the run: 202 ``{"id": ...}``."""
    user = _user(request)
    store: Store = request.app.state.store
    names = {role: safe_name(f.filename or "") for role, f in (("students", students), ("sites", sites))}
    bad = [role for role, name in names.items() if name is None]
    if bad:
        fix = "a plain name ending in .csv, .xlsx, .xls or .ods"
        return _problems([_problem(role, "file name or type refused", fix) for role in bad])
    cid = store.create_campaign("API", 2026, NATIONAL if user.academie == NATIONAL else user.academie)
    for role, sent in (("students", students), ("sites", sites)):
        with (store.input_folder(cid, role) / str(names[role])).open("wb") as out:
            shutil.copyfileobj(sent.file, out)
    folder = store.campaign_dir(cid)
    for extra, name in ((config, "policy.toml"), (overrides, "overrides.csv")):
        if extra is not None:
            with (folder / name).open("wb") as out:
                shutil.copyfileobj(extra.file, out)
    checked = await run_in_threadpool(validate_inputs, store, cid)
    if checked is None or not checked["ok"]:
        store.delete_campaign(cid)
        return _problems(checked["problems"] if checked else [])
    return JSONResponse({"id": start_run(request, cid)}, status_code=202)


def _problem(file: str, message: str, fix: str) -> dict[str, Any]:
    return {"file": file, "row": None, "column": None, "value": "", "message": message, "fix": fix}


def _problems(problems: list[dict[str, Any]]) -> Response:
    return JSONResponse({"problems": problems}, status_code=422)


@router.get("/runs/{rid}", summary="A run's status, current stage and summary")
def get_run(request: Request, rid: str) -> dict[str, Any]:
    """``{"status": "queued|running|done|failed|cancelled|interrupted", "stage": ..., "summary": {...}}``."""
    cid = _campaign_of(request, rid)
    state = read_json(request.app.state.store.run_dir(cid, rid) / "state.json")
    keys = ("status", "stage", "stages", "summary", "problems", "error")
    return {"id": rid, **{k: state[k] for k in keys if k in state}}


@router.get("/runs/{rid}/files/{name}", summary="One output file of a finished run")
def get_file(request: Request, rid: str, name: str) -> Response:
    """``assignments.csv``, ``unassigned.csv``, ``changes.csv`` (a re-allocation), ``summary.json``, ``run.json``,
    ``overrides.csv``, ``policy.toml``;
    the report's ``report.html``, ``report.xlsx``, ``committee.csv``, ``committee.pdf``, ``lycees.zip``,
    ``entreprises.zip``."""
    cid = _campaign_of(request, rid)
    return FileResponse(request.app.state.store.output(cid, rid, name), filename=name)


@router.get("/runs/{rid}/students/{sid}/nearest", summary="A student not placed: the nearest offers, why each is out")
def get_nearest(request: Request, rid: str, sid: str) -> dict[str, Any]:
    """``{"student_id", "reason_code", "reason", "offers": [{site_id, company, km, left_week_1, left_week_2, why}]}``
    (``why``: codes such as ``TOO_FAR``, ``WRONG_TRADE``, ``FULL``, ``OPEN``); 404 for a student the run placed."""
    cid = _campaign_of(request, rid)
    store: Store = request.app.state.store
    row = not_placed(store, cid, rid, sid)
    table = offers(store, cid, rid, sid)
    rows = [{**r, "why": list(r["why"])} for r in table.to_dict("records")]
    return {"student_id": sid, "reason_code": row["reason_code"], "reason": row["reason"], "offers": rows}


@router.delete("/runs/{rid}", status_code=204, summary="Delete a run and its files")
def delete_run(request: Request, rid: str) -> Response:
    """The run is cancelled if unfinished, then its folder erased (its campaign too when it was an API run)."""
    cid = _campaign_of(request, rid)
    store: Store = request.app.state.store
    request.app.state.jobs.cancel(cid, rid)
    if store.campaign(cid)["name"] == "API" and len(store.runs(cid)) == 1:
        store.delete_campaign(cid)
    else:
        shutil.rmtree(store.run_dir(cid, rid))
    return Response(status_code=204)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request) -> dict[str, Any]:
    """The OpenAPI description."""
    schema: dict[str, Any] = request.app.openapi()
    return schema


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> Response:
    """The OpenAPI description as a page (served here, works offline)."""
    _user(request)
    schema = request.app.openapi()
    ops = [
        {"method": method.upper(), "path": path, **op, "fields": _fields(schema, op)}
        for path, methods in sorted(schema["paths"].items())
        for method, op in methods.items()
    ]
    return page(request, "apidocs.html", schema=schema, ops=ops)


def _fields(schema: dict[str, Any], op: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """The multipart fields of an operation's body: name, description, required."""
    content: dict[str, Any] = op.get("requestBody", {}).get("content", {})
    first: dict[str, Any] = next(iter(content.values()), {})
    ref = str(first.get("schema", {}).get("$ref", ""))
    body = schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
    required = set(body.get("required", []))
    return [(k, v.get("description", ""), k in required) for k, v in body.get("properties", {}).items()]
