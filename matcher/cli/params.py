"""The command line's values and questions in the ambient language: click's types, a positional argument's name and
the password prompt, which click words in English.

click builds these texts with the stdlib ``gettext`` domain of the whole process; as for the help and the usage
errors (:mod:`~matcher.cli.helptext`), no process-wide translation is installed: each refusal or question a user
meets is worded here from our catalogue, at the moment it is said, in the run's language. Every typed option and
every argument of ``matcher`` uses these: :class:`PathType` (a missing path, a file for a folder and the reverse,
an unreadable one), :data:`INT`, :data:`FLOAT`, :class:`IntRange` and :class:`FloatRange` (not a number, out of
range), :class:`Argument` (its name in capitals: ``DOSSIER``), :class:`AskedOption` (the question, its
confirmation, a mismatch, an interrupted answer). An invalid choice is worded with the usage error, in
:mod:`~matcher.cli.helptext`.
"""

from __future__ import annotations

import os
from typing import IO, Any

import click

from matcher.util.i18n import Lang, mark, tr

__all__ = ["PathType", "INT", "FLOAT", "IntRange", "FloatRange", "Argument", "AskedOption"]

#: The question click makes of ``--password`` (its name, capitalised) and its confirmation.
PROMPTS = (mark("Password"), mark("Repeat for confirmation"))


class PathType(click.Path):
    """click's path type, saying a missing path, a file where a folder is wanted and the reverse, or an unreadable
    one, in our words."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        name = os.fsdecode(value) if isinstance(value, (str, bytes, os.PathLike)) else str(value)
        if self.exists and not os.path.exists(name):
            self.fail(tr("'{path}' does not exist.").format(path=name), param, ctx)
        if not self.dir_okay and os.path.isdir(name):
            self.fail(tr("'{path}' is a folder, not a file.").format(path=name), param, ctx)
        if not self.file_okay and os.path.isfile(name):
            self.fail(tr("'{path}' is a file, not a folder.").format(path=name), param, ctx)
        if self.readable and os.path.exists(name) and not os.access(name, os.R_OK):
            self.fail(tr("'{path}' cannot be read (permissions).").format(path=name), param, ctx)
        return super().convert(value, param, ctx)


def _refusal(value: Any, number: type[int] | type[float], bounds: str) -> str:
    """Why ``value`` was refused: it is not a number of that kind, or it is one outside ``bounds``."""
    try:
        number(value)
    except (TypeError, ValueError):
        said = tr("'{value}' is not a whole number.") if number is int else tr("'{value}' is not a number.")
        return said.format(value=value)
    return tr("{value} is not in the range {range}.").format(value=value, range=bounds)


class _Int(click.types.IntParamType):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_refusal(value, int, ""), param, ctx)


class _Float(click.types.FloatParamType):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_refusal(value, float, ""), param, ctx)


class IntRange(click.IntRange):
    """click's bounded whole number (``IntRange(0)``: ``x>=0``), refused in our words."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_refusal(value, int, self._describe_range()), param, ctx)


class FloatRange(click.FloatRange):
    """click's bounded number (``FloatRange(0, min_open=True)``: ``x>0``), refused in our words."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_refusal(value, float, self._describe_range()), param, ctx)


#: A whole number, and a number, refused in our words (``type=INT`` rather than ``type=int``).
INT = _Int()
FLOAT = _Float()


class Argument(click.Argument):
    """A positional argument whose name in capitals (``metavar=mark("FOLDER")``) is said in the ambient language,
    in the usage line and in its errors."""

    def make_metavar(self, ctx: click.Context) -> str:
        return tr(super().make_metavar(ctx))


class _Aborted(click.ClickException):
    """A question left unanswered (Ctrl-C, end of input): one line, exit status 1 as click's own ``Aborted!``."""

    exit_code = 1

    def __init__(self) -> None:
        super().__init__(tr("Aborted!"))

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, file=file, err=file is None)


def _ask(question: str, hide_input: bool) -> str:
    """The user's answer to ``question``, asked again while it is empty."""
    try:
        answer: str = click.prompt(question, hide_input=hide_input, prompt_suffix=Lang().colon)
    except click.Abort:
        raise _Aborted() from None
    return answer


class AskedOption(click.Option):
    """An option asked for when it is not given (``prompt=True``, as ``click.password_option``): the question, its
    confirmation and a mismatch in the ambient language."""

    def prompt_for_value(self, ctx: click.Context) -> Any:
        question, again = tr(self.prompt or ""), self.confirmation_prompt
        confirmation = tr(again if isinstance(again, str) else "Repeat for confirmation")
        while True:
            answer = _ask(question, self.hide_input)
            if not again or _ask(confirmation, self.hide_input) == answer:
                return self.process_value(ctx, answer)
            click.echo(tr("Error: The two entered values do not match."))
