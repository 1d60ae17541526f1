"""Update the French catalogue from the code: every ``tr("...")`` and ``mark("...")`` message, new ones added
untranslated (the test suite then fails until they are translated), obsolete ones dropped.

Run from the repository root: ``python tools/update_catalogue.py``. Babel's own extractor misses calls inside
f-strings on Python 3.11, so the messages are found by reading the syntax tree of every module of ``matcher/``:
the first argument of every call of ``tr`` or ``mark`` (a local ``tr = Lang(...)`` too) that is a string literal,
adjacent literals joined as Python joins them. An f-string there is refused: its text cannot be in a catalogue.
The docstring of every function made a command by a decorator (``@click.command``, ``@main.command``, ``@click.group``)
is a message too: it is the command's help, translated where the command line shows it. A ``.counted(n, "...",
"...")`` call (``Lang.counted``) is a plural message: its singular and plural, translated in every plural form.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

NAMES = ("tr", "mark")
PLURAL = "counted"
COMMANDS = ("command", "group")
ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "matcher" / "locale" / "fr" / "LC_MESSAGES" / "matcher.po"


def _plurals(path: Path) -> set[tuple[str, str]]:
    """The ``(singular, plural)`` messages of every ``.counted(n, "...", "...")`` call (``Lang.counted``) whose two
    texts are string literals."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found = set()
    for node in ast.walk(tree):
        name = getattr(node, "func", None)
        named = isinstance(name, ast.Attribute) and name.attr == PLURAL
        if isinstance(node, ast.Call) and named and len(node.args) >= 3:
            one, many = node.args[1], node.args[2]
            if all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in (one, many)):
                found.add((one.value, many.value))
    return found


def _calls(path: Path) -> list[ast.Call]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in NAMES and node.args
    ]


def _command_helps(path: Path) -> set[str]:
    """The docstrings of the commands defined in ``path``, cleaned as click cleans them."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return {
        ast.get_docstring(node) or ""
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in COMMANDS
            for d in node.decorator_list
        )
    } - {""}


def messages(root: Path = ROOT / "matcher") -> set[str | tuple[str, str]]:
    """Every message the code translates: the literal first argument of each ``tr(...)`` / ``mark(...)`` call, the
    help of each command (its docstring), and the ``(singular, plural)`` pair of each ``counted(...)`` call."""
    found: set[str | tuple[str, str]] = set()
    for path in sorted(root.rglob("*.py")):
        found |= _command_helps(path)
        found |= _plurals(path)
        for call in _calls(path):
            first = call.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and first.value.strip("."):
                found.add(first.value)
    return found


def formatted(root: Path = ROOT / "matcher") -> list[str]:
    """``file:line`` of every ``tr(f"...")`` / ``mark(f"...")``: a message that can never be translated."""
    return [
        f"{path.relative_to(root.parent)}:{call.lineno}"
        for path in sorted(root.rglob("*.py"))
        for call in _calls(path)
        if isinstance(call.args[0], ast.JoinedStr)
    ]


def translated(string: str | tuple[str, ...] | None) -> bool:
    """Whether a catalogue entry's translation is there (every form of a plural message)."""
    return bool(string) and (all(string) if isinstance(string, tuple) else True)


def update() -> int:
    with PO.open("rb") as fh:
        old = read_po(fh, locale="fr")
    new = Catalog(
        locale="fr",
        project="matcher",
        version="0.1",
        domain="matcher",
        fuzzy=False,
        last_translator="matcher maintainers",
        language_team="matcher",
        copyright_holder="matcher",
        revision_date=old.revision_date,
        creation_date=old.creation_date,
    )
    for msgid in sorted(messages(), key=lambda m: m if isinstance(m, str) else m[0]):
        kept = old.get(msgid)
        same_kind = kept is not None and isinstance(kept.id, tuple) == isinstance(msgid, tuple)
        empty = ("",) * new.num_plurals if isinstance(msgid, tuple) else ""
        new.add(msgid, kept.string if same_kind and kept is not None else empty)
    with PO.open("wb") as fh:
        write_po(fh, new, omit_header=False, no_location=True, sort_output=True, width=116)
    missing = [m.id for m in new if m.id and not translated(m.string)]
    print(f"{len(new) - 1} messages, {len(missing)} to translate", *missing, sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(update())
