"""The ASGI application of ``matcher serve``: middleware (upload limit, signed sessions, language, security
headers), templates (autoescaped), the routes of :mod:`~matcher.web.pages`, :mod:`~matcher.web.runs` and
:mod:`~matcher.web.api`. ``/login`` and the static htmx file are the only ones open without a session or a token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware

from matcher.util.i18n import Lang, mark
from matcher.web import api, configure, handout, pages, runs
from matcher.web.auth import Accounts, secret_file
from matcher.web.base import LoginRequired, SecurityHeaders, Server, UploadLimit, lang_of, page
from matcher.web.jobs import Jobs
from matcher.web.store import Store

__all__ = ["create_app"]

HERE = Path(__file__).parent


def create_app(server: Server) -> FastAPI:
    """The application over ``server.data`` (runs left unfinished by a previous server marked interrupted)."""
    store = Store(server.data)
    (server.data / "campaigns").mkdir(parents=True, exist_ok=True)
    store.interrupt_unfinished()
    jobs = Jobs(store, server.workers, server.engine)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        jobs.close()  # the Dask cluster or client, if any

    app = FastAPI(title="matcher", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.server, app.state.store, app.state.jobs = server, store, jobs
    app.state.accounts = Accounts(server.data / "users.json")
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(default=True))
    app.state.templates = Jinja2Templates(env=env)
    app.include_router(api.router)
    app.include_router(pages.public)
    app.include_router(pages.router)
    app.include_router(runs.router)
    app.include_router(handout.router)
    app.include_router(configure.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _handlers(app)
    secret = secret_file(server.data / "secret.key")
    app.add_middleware(
        SessionMiddleware, secret_key=secret, session_cookie="matcher_session", same_site="lax", https_only=server.https
    )
    app.add_middleware(UploadLimit, limit=server.max_upload)
    app.add_middleware(SecurityHeaders)
    return app


def _handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse("/login", status_code=303)

    @app.exception_handler(KeyError)
    async def unknown(request: Request, exc: KeyError) -> Response:
        return await refused(request, HTTPException(404, mark("not found")))

    @app.exception_handler(HTTPException)
    async def refused(request: Request, exc: HTTPException) -> Response:
        """A refusal in the reader's language where a person reads it: a page for a browser's form (it asks for
        HTML), the message alone for the workspace's uploads (they ask for text); JSON as before for the API and
        for scripts (``{"detail": ...}``, in English)."""
        wants = request.headers.get("accept", "")
        if request.url.path.startswith("/api") or not ("text/html" in wants or "text/plain" in wants):
            return await http_exception_handler(request, exc)
        said = Lang(lang_of(request))(str(exc.detail))
        if "text/html" not in wants:
            return PlainTextResponse(said, status_code=exc.status_code, headers=exc.headers)
        back = _back(request)  # the language links lead there too: the refused address may take no GET
        return page(request, "error.html", exc.status_code, message=said, back=back, lang_here=back)


#: Starlette's own refusals (an unknown address, a form sent to a page), marked for the catalogue: the error page
#: says them in the reader's language too.
_STARLETTE = (mark("Not Found"), mark("Method Not Allowed"))


def _back(request: Request) -> str:
    """Where the error page's link leads (the pages send no Referer): the run or the campaign the refused request
    was about, else home."""
    parts = request.url.path.strip("/").split("/")
    if parts[:1] != ["campaigns"] or len(parts) < 3:
        return "/"
    keep = 4 if parts[2:3] == ["runs"] and len(parts) > 4 else 2
    return "/" + "/".join(parts[:keep])
