"""The ``--lang`` option shared by the commands that write for people (``report``, ``demo``)."""

from __future__ import annotations

import click

__all__ = ["LANG"]

LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the report, workbook and PDF: fr (default) or en; also MATCHER_LANG or the policy's lang.",
)
