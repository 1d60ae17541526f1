"""A campaign's settings: the form, ``policy.toml`` downloaded, or uploaded and checked as ``--config`` is."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from matcher.errors import InputError
from matcher.limits import MAX_SMALL_FILE_BYTES
from matcher.util.i18n import mark, use
from matcher.web.base import check_csrf, lang_of
from matcher.web.pages import back_to, campaign_view, logged_in, validate_inputs, visible
from matcher.web.settings import current, save, upload

__all__ = ["router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(logged_in)])


@router.post("/campaigns/{cid}/settings")
async def settings(request: Request, cid: str) -> Response:
    visible(request, cid)
    form = await request.form(max_files=0, max_fields=20)
    check_csrf(request, str(form.get("csrf", "")))
    store, sent = request.app.state.store, {k: str(v) for k, v in form.items()}
    try:
        with use(lang_of(request)):  # the problems in the reader's language
            save(store.campaign_dir(cid) / "policy.toml", sent)
    except InputError as exc:  # the page again: its problems by the form, the values as typed, nothing saved
        problems = [asdict(p) for p in exc.problems]
        return campaign_view(request, cid, 422, settings_problems=problems, sent=sent)
    await run_in_threadpool(validate_inputs, store, cid)  # the places per offer may make a sites file readable
    return back_to(cid, "#settings")


@router.get("/campaigns/{cid}/policy.toml")
def policy(request: Request, cid: str) -> Response:
    visible(request, cid)
    path = request.app.state.store.campaign_dir(cid) / "policy.toml"
    if not path.is_file():  # the defaults, as the form shows them
        save(path, {k: "on" if v is True else "" if v in (None, False) else str(v) for k, v in current(path).items()})
    return FileResponse(path, filename="policy.toml", media_type="application/toml")


@router.post("/campaigns/{cid}/policy.toml")
async def upload_policy(request: Request, cid: str) -> Response:
    """A policy file replacing the campaign's once it loads as ``--config`` would (its problems shown otherwise,
    nothing saved); the files are checked again under it."""
    visible(request, cid)
    form = await request.form(max_files=1, max_fields=2)
    check_csrf(request, str(form.get("csrf", "")))
    sent = form.get("file")
    if not isinstance(sent, UploadFile) or not sent.filename:
        raise HTTPException(422, mark("no file"))
    data = await sent.read(MAX_SMALL_FILE_BYTES + 1)  # one byte more: a larger file is refused when loaded
    store = request.app.state.store
    try:
        with use(lang_of(request)):  # the problems in the reader's language (the thread gets this context)
            await run_in_threadpool(upload, store.campaign_dir(cid) / "policy.toml", data)
    except InputError as exc:
        return campaign_view(request, cid, 422, policy_problems=[asdict(p) for p in exc.problems])
    await run_in_threadpool(validate_inputs, store, cid)
    return back_to(cid, "#settings")
