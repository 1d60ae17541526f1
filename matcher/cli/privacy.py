"""``matcher pseudonymize`` and ``matcher reidentify``: click commands over :mod:`matcher.pipeline.privacy`.

They are attached to the ``matcher`` group in :mod:`matcher.cli.main`. Nothing they print contains an identifier.
"""

from __future__ import annotations

from pathlib import Path

import click

from matcher.cli.helptext import Command
from matcher.cli.language import LANG
from matcher.cli.options import FILE
from matcher.cli.params import PathType
from matcher.errors import cut
from matcher.export.guard import guard_file
from matcher.pipeline.privacy import pseudonymize_file, read_key, reidentify_file
from matcher.util.i18n import mark, num, tr

__all__ = ["pseudonymize_cmd", "reidentify_cmd"]

_KEY = click.option(
    "--key-file",
    type=FILE,
    help=mark("File holding the secret key (at least 16 characters); default: $MATCHER_PSEUDONYM_KEY."),
)


@click.command(name="pseudonymize", cls=Command)
@click.option(
    "--students",
    "students_path",
    type=FILE,
    required=True,
    help=mark("Students file with the real identifiers (CSV or spreadsheet; a SIECLE export: its INE is replaced)."),
)
@click.option(
    "--out",
    "out_path",
    type=PathType(dir_okay=False, path_type=Path),
    required=True,
    help=mark("Pseudonymised students file to write (CSV)."),
)
@_KEY
@LANG
def pseudonymize_cmd(students_path: Path, out_path: Path, key_file: Path | None, lang: str | None) -> None:
    """Replace student ids by keyed pseudonyms (HMAC-SHA256) and keep only the contract's columns."""
    guard_file(out_path, [students_path, key_file])
    count, dropped = pseudonymize_file(students_path, out_path, read_key(key_file))
    if dropped:
        line = tr(
            "matcher: warning: {n} column(s) not in the contract dropped (names, e-mails... are never needed): "
            "{columns}"
        )
        click.echo(line.format(n=num(len(dropped)), columns=cut(", ".join(repr(h) for h in dropped), 400)), err=True)
    click.echo(tr("wrote {path} ({n} students, pseudonymised)").format(path=out_path, n=num(count)))


@click.command(name="reidentify", cls=Command)
@click.option(
    "--table",
    "table_path",
    type=FILE,
    required=True,
    help=mark("Output table with pseudonyms in student_id (assignments.csv, unassigned.csv...)."),
)
@click.option(
    "--students",
    "students_path",
    type=FILE,
    required=True,
    help=mark("The students file with the real identifiers, as given to pseudonymize."),
)
@click.option(
    "--out",
    "out_path",
    type=PathType(dir_okay=False, path_type=Path),
    required=True,
    help=mark("Re-identified copy of the table to write (CSV); keep it as private as the students file."),
)
@_KEY
@LANG
def reidentify_cmd(
    table_path: Path, students_path: Path, out_path: Path, key_file: Path | None, lang: str | None
) -> None:
    """Put the real student ids back into an output table (for the officer who holds the key)."""
    guard_file(out_path, [table_path, students_path, key_file])
    count = reidentify_file(table_path, students_path, out_path, read_key(key_file))
    click.echo(tr("wrote {path} ({n} rows, re-identified)").format(path=out_path, n=num(count)))
