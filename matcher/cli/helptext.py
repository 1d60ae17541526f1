"""The command line's help and usage errors in the ambient language (``--lang``, ``MATCHER_LANG``, French).

Help texts are written in English in the code (command docstrings, ``help=mark("...")``) and translated here, where
click renders them. click's own words (``Usage:``, ``Options``, ``[default: ...]``, ``Error: ...``) come from the
stdlib ``gettext`` domain of the whole process, which click offers no other way to change; rather than installing
a process-wide translation, the few click shows us are rendered here from our catalogue: the usage line's prefix,
the headings, the help option, the defaults, and the usage errors (no such option or command, missing option or
argument, invalid value, an option given a value it does not take or none, extra arguments, a missing command,
with the "Try ... for help." line). The values' own refusals (not a number, out of range, no such file) and the
password prompt are worded in :mod:`~matcher.cli.params`. Every command of ``matcher`` uses :class:`Command` or
:class:`Group`; the English source texts are never changed.

``--lang`` is looked for on the whole command line before click reads it (:meth:`Command.main`): click handles the
eager ``--help`` and the parser's errors in the order they come, so ``matcher generate --help --lang en`` would
otherwise be answered before ``--lang`` is seen.
"""

from __future__ import annotations

import copy
import inspect
import sys
from collections.abc import Sequence
from typing import IO, Any, Self

import click

from matcher.util.i18n import LANGS, Lang, mark, tr, use

__all__ = ["Command", "Group"]

#: click's headings, the help and version options' texts and the kinds of values, as click writes them.
CLICK_WORDS = (
    mark("Options"),
    mark("Commands"),
    mark("Positional arguments"),
    mark("Show this message and exit."),
    mark("Show the version and exit."),
    *(mark("FILE"), mark("DIRECTORY"), mark("PATH"), mark("TEXT"), mark("INTEGER"), mark("FLOAT")),
    *(mark("INTEGER RANGE"), mark("FLOAT RANGE"), mark("[OPTIONS]"), mark("COMMAND [ARGS]...")),
)


class _Formatter(click.HelpFormatter):
    """click's formatter with the usage prefix and the section headings translated."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, tr("Usage:") + " " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{tr('{heading}:').format(heading=tr(heading))}\n")


class _Context(click.Context):
    formatter_class = _Formatter


class _UsageError(click.UsageError):
    """A usage error worded in the language of the moment it happened (the command's ``--lang`` is still set)."""

    def __init__(self, error: click.UsageError) -> None:
        super().__init__(error.message, error.ctx)
        lines = [tr("Error: {message}").format(message=_message(error))]
        if error.ctx is not None:
            hint = tr("Try '{command} --help' for help.").format(command=error.ctx.command_path)
            lines[:0] = [error.ctx.get_usage(), hint] if error.ctx.command.get_help_option(error.ctx) else []
        self.text = "\n".join(lines)

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.text, file=file, err=file is None)


def _hint(error: click.BadParameter) -> str:
    if error.param_hint is not None:
        hint = error.param_hint
        return hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    return error.param.get_error_hint(error.ctx) if error.param is not None else ""


def _option_usage(error: click.BadOptionUsage) -> str:
    """The two refusals of click's parser, told apart by the option: a flag given a value, or an option given none."""
    ctx, name = error.ctx, error.option_name
    params = ctx.command.get_params(ctx) if ctx is not None else []
    flag = any(
        isinstance(p, click.Option) and (p.is_flag or p.count) and name in p.opts + p.secondary_opts for p in params
    )
    said = tr("Option '{name}' does not take a value.") if flag else tr("Option '{name}' requires an argument.")
    return said.format(name=name)


def _message(error: click.UsageError) -> str:
    """click's message of ``error`` in our words, for the errors a user meets; any other keeps click's."""
    if isinstance(error, click.BadOptionUsage):
        return _option_usage(error)
    if isinstance(error, click.NoSuchOption):
        said = tr("No such option: {name}").format(name=error.option_name)
        if error.possibilities:
            near = ", ".join(sorted(error.possibilities))
            said += " " + tr("(did you mean {options}?)").format(options=near)
        return said
    if isinstance(error, click.MissingParameter) and not error.message:
        if error.param is not None and isinstance(error.param, click.Argument):
            return tr("Missing argument {name}.").format(name=_hint(error))
        return tr("Missing option {name}.").format(name=_hint(error))
    if isinstance(error, click.BadParameter) and not isinstance(error, click.MissingParameter):
        param = error.param
        if param is not None and isinstance(param.type, click.Choice):
            choices = ", ".join(str(c) for c in param.type.choices)
            return tr("Invalid value for {name}: choose one of {choices}.").format(name=_hint(error), choices=choices)
        return tr("Invalid value for {name}: {message}").format(name=_hint(error), message=error.message)
    return error.format_message()


def _option_record(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """The help line of an option: its names, its translated help and its default or ``required`` (None for an
    argument: click lists those in their own section)."""
    if not isinstance(param, click.Option) or param.hidden:
        return None
    extra = param.get_help_extra(ctx)
    items = [tr("default: {value}").format(value=extra["default"])] if "default" in extra else []
    items += [extra["range"]] if "range" in extra else []
    items += [tr("required")] if "required" in extra else []
    text = tr(param.help or "")
    if items:
        listed = Lang().semicolon.join(items)  # " ; " in French, as every list in a sentence
        text = f"{text}  [{listed}]" if text else f"[{listed}]"
    metavar = param.make_metavar(ctx)
    spec = param.get_help_spec(ctx)
    return (spec.replace(metavar, tr(metavar)) if metavar.isupper() else spec), text


def _asked_language(args: Sequence[str]) -> str | None:
    """The language ``--lang`` asks for in ``args`` (``--lang en`` or ``--lang=en``; the last one, as click keeps the
    last value of an option given twice), if it is one we speak."""
    asked = None
    for here, arg in enumerate(args):
        if arg == "--":
            break
        if arg.startswith("--lang="):
            asked = arg.partition("=")[2]
        elif arg == "--lang" and here + 1 < len(args):
            asked = args[here + 1]
    return asked if asked in LANGS else None


def _worded(error: click.UsageError, ctx: click.Context | None = None) -> click.UsageError:
    """``error`` as we say it (told once: a worded error or click's help for a bare group are left as they are)."""
    if isinstance(error, (_UsageError, click.exceptions.NoArgsIsHelpError)):
        return error
    error.ctx = error.ctx or ctx  # click's parser raises its errors without the context
    return _UsageError(error)


class Command(click.Command):
    """A click command whose help and usage errors are in the ambient language."""

    context_class = _Context

    def _translated(self) -> Self:
        """A copy of this command with its help in the ambient language (this one unchanged)."""
        clone = copy.copy(self)
        clone.help = tr(inspect.cleandoc(self.help)) if self.help else self.help
        clone.short_help = tr(self.short_help) if self.short_help else self.short_help
        clone.options_metavar = tr(self.options_metavar) if self.options_metavar else self.options_metavar
        if isinstance(clone, click.Group):
            clone.subcommand_metavar = tr(clone.subcommand_metavar)
        return clone

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return super(Command, self._translated()).collect_usage_pieces(ctx)

    def get_short_help_str(self, limit: int = 45) -> str:
        return click.Command.get_short_help_str(self._translated(), limit)

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        click.Command.format_help_text(self._translated(), ctx, formatter)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for row in (_option_record(p, ctx) for p in self.get_params(ctx)) if row is not None]
        if rows:
            with formatter.section(tr("Options")):
                formatter.write_dl(rows)

    def main(self, args: Sequence[str] | None = None, *more: Any, **extra: Any) -> Any:
        """click's whole run in the language ``--lang`` asks for, wherever it is on the line: click handles the
        eager ``--help`` and the parser's errors as they come, possibly before it has read ``--lang``."""
        with use(_asked_language(sys.argv[1:] if args is None else args)):
            return super().main(args, *more, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return self._parse_args(ctx, args)
        except click.UsageError as exc:
            raise _worded(exc, ctx) from None

    def _parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """click's parsing; arguments left over are refused here, in our words (click would say it in English)."""
        refuses = not ctx.allow_extra_args
        ctx.allow_extra_args = True
        try:
            rest = super().parse_args(ctx, args)
        finally:
            ctx.allow_extra_args = not refuses
        if refuses and rest and not ctx.resilient_parsing:
            one, more = tr("Got unexpected extra argument ({args})"), tr("Got unexpected extra arguments ({args})")
            ctx.fail((one if len(rest) == 1 else more).format(args=" ".join(rest)))
        return rest


class Group(Command, click.Group):
    """A click group whose help, usage errors and commands' help are in the ambient language."""

    command_class = Command

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        Command.format_options(self, ctx, formatter)
        self.format_commands(ctx, formatter)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        if self.get_command(ctx, name) is None and not name.startswith("-") and not ctx.resilient_parsing:
            ctx.fail(tr("No such command '{name}'.").format(name=name))
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            if not ctx._protected_args and not self.invoke_without_command:  # click's check, which says it in English
                ctx.fail(tr("Missing command."))
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise _worded(exc) from None
