"""What a finished run hands out besides its tables: the HTML report (embedded in the run's page), the workbooks
per lycée and per company, and for a student not placed the nearest offers and why each is out."""

from __future__ import annotations

from typing import Any

import pandas as pd
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, Response

from matcher.config import load_config
from matcher.load import load_inputs
from matcher.load.instance import build_instance
from matcher.report.secure import policy
from matcher.tables.nearest import WHY, nearest_offers
from matcher.tables.reasons import reason_texts
from matcher.util.i18n import Lang
from matcher.web.base import lang_of, page
from matcher.web.pages import logged_in, visible
from matcher.web.store import ROLES, Store

__all__ = ["router", "NEAREST", "books", "not_placed", "offers"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(logged_in)])

#: Offers shown for a student not placed.
NEAREST = 10


@router.get("/campaigns/{cid}/runs/{rid}/report")
def report(request: Request, cid: str, rid: str) -> Response:
    """The run's ``report.html`` as a page of its own, under its own Content-Security-Policy (its scripts by their
    hashes, no connection, no form), which allows it in a frame of this server's pages only."""
    visible(request, cid)
    text = request.app.state.store.output(cid, rid, "report.html").read_text(encoding="utf-8")
    headers = {"Content-Security-Policy": policy(text) + "; frame-ancestors 'self'"}
    return Response(text, media_type="text/html; charset=utf-8", headers=headers)


@router.get("/campaigns/{cid}/runs/{rid}/books/{kind}/{name}")
def book(request: Request, cid: str, rid: str, kind: str, name: str) -> Response:
    """One workbook of a lycée or a company."""
    visible(request, cid)
    return FileResponse(request.app.state.store.book(cid, rid, kind, name), filename=name)


@router.get("/campaigns/{cid}/runs/{rid}/students/{sid}")
def nearest(request: Request, cid: str, rid: str, sid: str) -> Response:
    """A student not placed: the run's reason, the nearest offers and why each is out."""
    campaign, store = visible(request, cid), request.app.state.store
    tr = Lang(lang_of(request))
    row = not_placed(store, cid, rid, sid)
    row["reason"] = str(reason_texts(pd.Series([row["reason_code"]]), pd.Series([row["reason"]]), tr).iat[0])
    table = offers(store, cid, rid, sid)
    rows = [{**r, "why_codes": r["why"], "why": [tr(WHY[c]) for c in r["why"]]} for r in table.to_dict("records")]
    return page(request, "nearest.html", campaign=campaign, rid=rid, sid=sid, row=row, rows=rows)


def not_placed(store: Store, cid: str, rid: str, sid: str) -> dict[str, str]:
    """Student ``sid``'s row of the run's ``unassigned.csv`` (KeyError for a student the run placed, or unknown)."""
    unassigned = pd.read_csv(store.output(cid, rid, "unassigned.csv"), dtype=str, keep_default_na=False)
    row = unassigned[unassigned["student_id"] == sid]
    if row.empty:
        raise KeyError(sid)
    return {str(k): str(v) for k, v in row.iloc[0].items()}


def offers(store: Store, cid: str, rid: str, sid: str) -> pd.DataFrame:
    """``nearest_offers`` of student ``sid`` on run ``rid``'s own input files, policy and placements."""
    folder = store.run_dir(cid, rid)
    policy_file = folder / "policy.toml"
    config = load_config(policy_file if policy_file.is_file() else None)
    students, sites = (store.run_input(cid, rid, role) for role in ROLES)
    if students is None or sites is None:
        raise KeyError(rid)
    loaded = load_inputs(students, sites, config)
    assignments = pd.read_csv(folder / "out" / "assignments.csv", dtype=str, keep_default_na=False)
    forbidden: set[str] = set()
    if (folder / "overrides.csv").is_file():  # the run's own overrides, as checked when it started
        made = pd.read_csv(folder / "overrides.csv", dtype=str, keep_default_na=False)
        forbidden = set(made.loc[(made["student_id"] == sid) & (made["action"] == "forbid"), "site_id"])
    return nearest_offers(build_instance(*loaded, config), assignments, sid, NEAREST, forbidden)


def books(store: Store, cid: str, rid: str) -> dict[str, Any]:
    """The run's workbooks: ``lycees`` and ``entreprises``, each a list of (shown name, file name)."""
    return {
        kind: [(name.removesuffix(".xlsx").replace("-", " "), name) for name in store.books(cid, rid, kind)]
        for kind in ("lycees", "entreprises")
    }
