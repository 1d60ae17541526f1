"""Problems an officer can act on: grouped by kind on the terminal, the full list in ``--problems FILE.csv``.

One line per kind (same file, column, message and fix) with the count, the first rows and values, and the fix.
A file read from one sheet of a workbook is labelled ``book.xlsx (sheet 'Offres')``; the CSV splits it into its
``file`` and ``sheet`` columns. The problems are written in the run's language (:func:`matcher.util.i18n.tr`), and
so are the words added here; the CSV's column names are a contract and stay English.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from matcher.errors import PERSONAL_VALUES, InputError, Problem
from matcher.export.outputs import write_atomic
from matcher.util.i18n import Lang, num, tr

__all__ = ["grouped", "write_problems", "problems_file", "SHOWN_ROWS", "swapped"]

#: How many rows and values a grouped line shows.
SHOWN_ROWS = 5

_SHEET = re.compile(r"^(?P<file>.*) \(sheet '(?P<sheet>.*)'\)$")


def swapped(problem: Problem) -> bool:
    """Whether ``problem`` says the two files were given the wrong way round (in any language: it names both
    options, which are never translated)."""
    return (
        problem.row is None
        and problem.column is None
        and "--students" in problem.message
        and "--sites" in problem.message
    )


def _key(problem: Problem) -> tuple[str, str, str, str]:
    return problem.file, problem.column or "", problem.message, problem.fix


def grouped(problems: list[Problem]) -> str:
    """One line per kind of problem, the swapped-files line first (see the module docstring)."""
    kinds: dict[tuple[str, str, str, str], list[Problem]] = {}
    for problem in problems:
        kinds.setdefault(_key(problem), []).append(problem)
    order = sorted(kinds, key=lambda k: (not swapped(kinds[k][0]), k[0], min(p.row or 0 for p in kinds[k])))
    return "\n".join(_line(kinds[k]) for k in order)


def _line(same: list[Problem]) -> str:
    first = same[0]
    if swapped(first):  # said first, in the officer's words
        return tr("{message} ({file}) Fix: {fix}").format(message=first.message, file=first.file, fix=first.fix)
    if len(same) == 1:
        return str(first)
    where = first.file + (tr(", column {column}").format(column=first.column) if first.column else "")
    rows = sorted({p.row for p in same if p.row is not None})
    more = tr(" and more")
    shown = ", ".join(str(r) for r in rows[:SHOWN_ROWS]) + (more if len(rows) > SHOWN_ROWS else "")
    n = num(len(same))
    parts = [tr("{n} rows ({rows})").format(n=n, rows=shown) if rows else tr("{n} times").format(n=n)]
    values = list(dict.fromkeys(p.value for p in same if p.value != ""))
    if values and first.column not in PERSONAL_VALUES:
        listed = ", ".join(repr(v) for v in values[:SHOWN_ROWS]) + (more if len(values) > SHOWN_ROWS else "")
        parts.append(tr("values {values}").format(values=listed))
    return tr("{where}: {message}: {details}. Fix: {fix}").format(
        where=where, message=first.message, details=Lang().semicolon.join(parts), fix=first.fix
    )


def write_problems(problems: list[Problem], path: Path) -> None:
    """Every problem as a CSV row: file, sheet, row, column, value, problem, fix (personal values left out); the
    problem and fix in the run's language, the column names as in the contract."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["file", "sheet", "row", "column", "value", "problem", "fix"])
    for p in problems:
        match = _SHEET.match(p.file)
        file, sheet = (match["file"], match["sheet"]) if match else (p.file, "")
        value = "" if p.column in PERSONAL_VALUES else p.value
        if value[:1] in ("=", "+", "-", "@"):
            value = "'" + value  # never a formula when the list is opened in a spreadsheet
        writer.writerow([file, sheet, "" if p.row is None else p.row, p.column or "", value, p.message, p.fix])
    write_atomic(Path(path).absolute(), text.getvalue().encode("utf-8-sig"))


@contextmanager
def problems_file(path: Path | None) -> Iterator[None]:
    """On an InputError inside the block, write its problems to ``path`` (when given) and let it go on."""
    try:
        yield
    except InputError as exc:
        if path is not None:
            write_problems(exc.problems, path)
        raise
