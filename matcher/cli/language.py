"""Options of the commands that write for people: ``--lang`` (every command that prints) and ``--csv``
(``allocate``, ``report``), and the demo's closing line.

``--lang`` sets the ambient language (:func:`matcher.util.i18n.use`) for the whole command, the group's error
lines and its ``--help`` included, wherever it is on the line: the group and every command take it, and it is
looked for on the whole line before click reads any option (:meth:`matcher.cli.helptext.Command.main`), so that a
``--help`` or a usage error met before it still follows it.
"""

from __future__ import annotations

from pathlib import Path

import click

from matcher.util.i18n import mark, resolve, use

__all__ = ["LANG", "CSV_STYLE", "closing_lines", "follow_policy"]


def _use_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Make ``value`` the ambient language until the whole command line is done (the root context closes)."""
    ctx.find_root().with_resource(use(value))
    return value


LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    is_eager=True,
    callback=_use_language,
    help=mark(
        "Language of the help, messages, problems, report, workbook and PDF: fr (default) or en; also MATCHER_LANG "
        "or the policy's lang."
    ),
)


def follow_policy(policy_lang: str | None) -> None:
    """The policy's ``lang`` for the rest of the command, unless ``--lang`` or ``MATCHER_LANG`` chose already."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and policy_lang:
        ctx.find_root().with_resource(use(resolve(None, policy_lang)))


CSV_STYLE = click.option(
    "--csv",
    "csv_style",
    type=click.Choice(["plain", "excel-fr"]),
    default="plain",
    show_default=True,
    help=mark(
        "CSV files as plain (',', UTF-8: for scripts) or excel-fr (';', UTF-8 with BOM, decimal comma: opens "
        "correctly in a French Excel). Column names are the same."
    ),
)


def closing_lines(out_dir: Path, lang: str | None) -> str:
    """The demo's last line, after the list of what was written: the next command, in the chosen language."""
    from matcher.util.i18n import Lang

    tr = Lang(lang)
    return f"{tr('Next: the report, the workbooks and the committee PDF with')} `matcher report {out_dir} --pdf`"
