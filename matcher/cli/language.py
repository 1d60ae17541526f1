"""Options of the commands that write for people: ``--lang`` (``report``, ``demo``) and ``--csv`` (``allocate``,
``report``), and the demo's closing lines."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["LANG", "CSV_STYLE", "closing_lines"]

LANG = click.option(
    "--lang",
    type=click.Choice(["fr", "en"]),
    default=None,
    help="Language of the report, workbook and PDF: fr (default) or en; also MATCHER_LANG or the policy's lang.",
)

CSV_STYLE = click.option(
    "--csv",
    "csv_style",
    type=click.Choice(["plain", "excel-fr"]),
    default="plain",
    show_default=True,
    help="CSV files as plain (',', UTF-8: for scripts) or excel-fr (';', UTF-8 with BOM, decimal comma: opens "
    "correctly in a French Excel). Column names are the same.",
)


def closing_lines(out_dir: Path, lang: str | None) -> str:
    """The demo's last lines: what was written and the next command, in the chosen language."""
    from matcher.util.i18n import Lang

    tr = Lang(lang)
    files = ", ".join(str(out_dir / f) for f in ("assignments.csv", "unassigned.csv", "summary.json"))
    return "\n".join(
        [
            f"{tr('Written')}{tr.colon}{files}",
            f"{tr('Next: the report, the workbooks and the committee PDF with')} `matcher report {out_dir} --pdf`",
        ]
    )
