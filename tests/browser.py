"""The system Chromium the browser tests drive (Debian's package, no browser download), and its switches."""

from __future__ import annotations

import os

CHROMIUM = os.environ.get("MATCHER_CHROMIUM", "/usr/bin/chromium")
#: Headless, and none of the background connections this machine's closed network would refuse.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
