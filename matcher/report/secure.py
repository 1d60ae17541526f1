"""The Content-Security-Policy every HTML file matcher writes carries: only matcher's own scripts may run.

Every value inserted into a page is escaped where it is inserted (``html.escape``, pandas' ``to_html``, the map's
tooltips in :mod:`matcher.report.webmap`); the policy is the second wall. It lists the SHA-256 of each inline script
of the page and of the map documents it embeds (``<iframe srcdoc>``, which inherit the page's policy), so a script
or an event handler (``onerror=...``) that got into a page some other way does not run. Scripts embedded as
``data:`` URLs (Leaflet) are turned into inline scripts first, so that no ``data:`` script needs to be allowed.
Nothing is loaded from the network but the OpenStreetMap tiles, and only when the reader ticks their layer.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

__all__ = ["inline_data_scripts", "policy", "with_csp"]

_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)
_DATA_SCRIPT = re.compile(r'<script src="data:text/javascript;base64,([A-Za-z0-9+/=]+)"></script>')
_SRCDOC = re.compile(r'srcdoc="([^"]*)"')
_TILES = "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"


def inline_data_scripts(page: str) -> str:
    """``page`` with every ``<script src="data:...">`` written as an inline script with the same code."""

    def inline(match: re.Match[str]) -> str:
        code = base64.b64decode(match.group(1)).decode("utf-8")
        if "</script" in code.lower():  # cannot be inlined safely: keep it (the policy will not allow it)
            return match.group(0)
        return f"<script>{code}</script>"

    return _DATA_SCRIPT.sub(inline, page)


def _hashes(page: str) -> list[str]:
    found = [m.group(1) for m in _INLINE.finditer(page)]
    for frame in _SRCDOC.finditer(page):
        found += [m.group(1) for m in _INLINE.finditer(html.unescape(frame.group(1)))]
    digests = {base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") for code in found}
    return [f"'sha256-{d}'" for d in sorted(digests)]


def policy(page: str) -> str:
    """The policy for ``page``: its own inline scripts (and its frames'), inline styles, images from data URLs and
    the map tiles; nothing else (no other script, no connection, no form, no plugin)."""
    scripts = " ".join(_hashes(page)) or "'none'"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline' data:; img-src data: {_TILES}; "
        "font-src data:; frame-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'"
    )


def with_csp(page: str) -> str:
    """``page`` with its Content-Security-Policy ``<meta>`` first in ``<head>`` (before any script)."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy(page), quote=True)}">'
    head = re.search(r"<head[^>]*>", page, re.I)
    if head is None:
        raise ValueError("an HTML page without <head>")
    return page[: head.end()] + meta + page[head.end() :]
