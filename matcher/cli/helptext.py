"""The command line's help and usage errors in the ambient language (``--lang``, ``MATCHER_LANG``, French).

Help texts are written in English in the code (command docstrings, ``help=mark("...")``) and translated here, where
click renders them. click's own words (``Usage:``, ``Options``, ``[default: ...]``, ``Error: ...``) come from the
stdlib ``gettext`` domain of the whole process, which click offers no other way to change; rather than installing
a process-wide translation, the few click shows us are rendered here from our catalogue: the usage line's prefix,
the headings, the help option, the defaults, and the usage errors (no such option or command, missing option,
invalid value, with the "Try ... for help." line), and a missing path or a file given for a folder
(:class:`PathType`). Every command of ``matcher`` uses :class:`Command` or :class:`Group`; the English source texts
are never changed.
"""

from __future__ import annotations

import copy
import inspect
import os
from typing import IO, Any, Self

import click

from matcher.util.i18n import Lang, mark, tr, use

__all__ = ["Command", "Group", "PathType"]

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


class PathType(click.Path):
    """click's path type, saying a missing path, or a file where a folder is wanted and the reverse, in our words."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        name = os.fsdecode(value) if isinstance(value, (str, bytes, os.PathLike)) else str(value)
        if self.exists and not os.path.exists(name):
            self.fail(tr("'{path}' does not exist.").format(path=name), param, ctx)
        if not self.dir_okay and os.path.isdir(name):
            self.fail(tr("'{path}' is a folder, not a file.").format(path=name), param, ctx)
        if not self.file_okay and os.path.isfile(name):
            self.fail(tr("'{path}' is a file, not a folder.").format(path=name), param, ctx)
        return super().convert(value, param, ctx)


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


def _message(error: click.UsageError) -> str:
    """click's message of ``error`` in our words, for the errors a user meets; any other keeps click's."""
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


def _asked_language(args: list[str]) -> str | None:
    """The value of ``--lang`` in ``args`` (``--lang en`` or ``--lang=en``), if any."""
    for here, arg in enumerate(args):
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--lang" and here + 1 < len(args):
            return args[here + 1]
    return None


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

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        asked = _asked_language(args)  # before click's parser consumes ``args``
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            if isinstance(exc, _UsageError):
                raise
            with use(asked):  # the error may come before --lang was read
                raise _UsageError(exc) from None


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
            return super().invoke(ctx)
        except click.UsageError as exc:
            raise exc if isinstance(exc, _UsageError) else _UsageError(exc) from None
