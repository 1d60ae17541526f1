"""What every route of ``matcher serve`` shares: the server's settings, the upload limit, who is logged in, the
CSRF check and page rendering."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import PlainTextResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from matcher.pipeline.compute import Engine
from matcher.util.i18n import Lang, mark
from matcher.web.auth import NATIONAL, User, same
from matcher.web.texts import LANGUAGES, level_text, stage_text, text

__all__ = ["Server", "LoginRequired", "SecurityHeaders", "UploadLimit", "user_of", "check_csrf", "lang_of", "page"]


@dataclass(frozen=True)
class Server:
    """What the application serves: the data folder, the login token, the limits, HTTPS or not, where runs run."""

    data: Path
    token: str
    max_upload: int = 100 * 1024 * 1024
    workers: int = 1
    https: bool = False
    engine: Engine = field(default_factory=Engine)


class SecurityHeaders:
    """Adds a Content-Security-Policy (scripts and styles from this server only) and ``nosniff`` to every answer."""

    HEADERS = [
        (b"content-security-policy", b"default-src 'self'; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    ]

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":  # a page with a policy of its own keeps it
                given = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in self.HEADERS if name not in given]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, sending)


class LoginRequired(Exception):
    """A page asked for without a session: the answer is a redirect to the login page."""


class UploadLimit:
    """Refuses a request body above ``limit`` bytes: at once from its Content-Length, else while it streams."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.limit:
            return await PlainTextResponse("upload too large", status_code=413)(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:  # answered 413 by the application's HTTP exception handling
                raise HTTPException(413, mark("upload too large"))
            return message

        await self.app(scope, counted, send)


def user_of(request: Request) -> User | None:
    """The logged-in user: a session, or the Bearer token (national)."""
    server: Server = request.app.state.server
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer ") and same(header[7:].strip(), server.token):
        return User("token", NATIONAL)
    session = request.session.get("user")
    return User(session["name"], session["academie"]) if isinstance(session, dict) else None


def check_csrf(request: Request, given: str | None) -> None:
    """403 unless the form's (or the X-CSRF-Token header's) token is the session's."""
    expected = request.session.get("csrf", "")
    given = given or request.headers.get("x-csrf-token", "")
    if not expected or not same(given, expected):
        raise HTTPException(403, mark("CSRF token missing or wrong: reload the page and send the form again"))


def lang_of(request: Request) -> str:
    """The reader's language: ``?lang=`` (then kept in the session), the session's, else French."""
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES:
        request.session["lang"] = chosen
    lang: str = request.session.get("lang", "fr")
    return lang


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """Render template ``name`` with the language, the user and the CSRF token."""
    lang = lang_of(request)
    request.session.setdefault("csrf", secrets.token_urlsafe(32))
    values = {
        "request": request,
        "lang": lang,
        "t": lambda key, **v: text(key, lang, **v),
        "level": lambda name: level_text(name, lang),  # an objective level's (label, unit)
        "stage": lambda name: stage_text(name, lang),
        "fmt": Lang(lang),  # numbers and shares the reader's way: fmt.num(1050) is 1 050 in French
        "user": user_of(request),
        "csrf": request.session["csrf"],
        **context,
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, values, status_code=status)
