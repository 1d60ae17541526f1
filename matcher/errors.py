"""matcher's exceptions, one tree: :class:`MatcherError` and its kinds.

- :class:`InputError`: bad input; every :class:`Problem` found, reported together (exit status 2).
- :class:`ResourceLimit`: a run refused before it starts because it would not fit (exit status 2, with advice).
- :class:`SolverError`: a solver failed where it cannot (a bug or a broken installation: exit status 1).
- :class:`CheckError`: the independent checker found a violation (a bug in matcher: exit status 1).

A result that is not proven optimal is a :class:`matcher.result.Status`, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.util.i18n import num, tr

__all__ = [
    "MatcherError",
    "Problem",
    "InputError",
    "ResourceLimit",
    "SolverError",
    "CheckError",
    "MatcherWarning",
    "PERSONAL_VALUES",
    "cut",
    "STUDENT_LOCATIONS",
    "unvalued",
]

#: How many problems ``str(InputError)`` lists (``report()`` lists them all).
SHOWN_PROBLEMS = 5

#: Characters of a value shown in a message; a longer value is cut (``…`` and its length).
SHOWN_CHARS = 80

#: Columns whose values are personal: problems name their file, row and column but never print the value.
PERSONAL_VALUES: frozenset[str] = frozenset({"student_id", "address"})
#: The students file's location columns: where a student lives. Their values are never shown (:func:`unvalued`).
STUDENT_LOCATIONS: frozenset[str] = frozenset({"lat", "lon", "commune_insee", "postal_code", "address"})


def cut(value: str, limit: int = SHOWN_CHARS) -> str:
    """``value`` cut to ``limit`` characters for a message, saying how long it was (a value already cut, or a few
    characters longer than ``limit``, is kept whole)."""
    if len(value) <= limit + 32:
        return value
    return value[:limit] + tr("… ({n} characters)").format(n=num(len(value)))


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file.

    Attributes
    ----------
    file : str
        File name as given by the user (or a label such as ``config``).
    row : int or None
        Spreadsheet row number (the header is row 1, the first data row is row 2); None for file-level problems.
    column : str or None
        Column name in the contract (``student_id``...), None when the problem concerns the whole row or file.
    value : str
        The offending value as read ("" when missing); not printed for the columns in :data:`PERSONAL_VALUES`.
    message : str
        What is wrong, in the language of the run (made with :func:`matcher.util.i18n.tr`).
    fix : str
        What would fix it, in the same language.
    """

    file: str
    row: int | None
    column: str | None
    value: str
    message: str
    fix: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += tr(", row {row}").format(row=self.row)
        if self.column:
            where += tr(", column {column}").format(column=self.column)
        shown = ""
        if self.value != "" and self.column not in PERSONAL_VALUES:
            shown = tr(" (value {value})").format(value=repr(cut(self.value)))
        return tr("{where}: {message}{value}. Fix: {fix}").format(
            where=where, message=self.message, value=shown, fix=self.fix
        )


def unvalued(problems: list[Problem], file: str, columns: frozenset[str] = STUDENT_LOCATIONS) -> list[Problem]:
    """``problems`` with the value left out of those about ``columns`` of ``file`` (row and column still named)."""
    return [
        Problem(p.file, p.row, p.column, "", p.message, p.fix) if p.file == file and p.column in columns else p
        for p in problems
    ]


class MatcherError(Exception):
    """Every error matcher raises on purpose."""


class InputError(MatcherError):
    """Bad input: every problem found, reported together; ``str()`` names the first ones."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
        first = [str(p) for p in self.problems[:SHOWN_PROBLEMS]]
        more = len(self.problems) - len(first)
        head = tr("{n} problem(s) in the input").format(n=len(self.problems))
        lines = [head, *first] + ([tr("... and {n} more").format(n=more)] if more else [])
        super().__init__("\n".join(lines))

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class ResourceLimit(MatcherError):
    """A run refused before it starts because it would need more than the limits allow (with advice).

    Not bad input: the files are valid. It carries its reasons as problems and exits with status 2, as a usage error.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def report(self) -> str:
        """All reasons, one per line."""
        return "\n".join(str(p) for p in self.problems)


class SolverError(MatcherError):
    """A solver failed where it cannot fail on a well-formed network: a bug or a broken installation."""


class CheckError(MatcherError):
    """The independent checker found a violation: a bug in matcher, never a user error."""


class MatcherWarning(UserWarning):
    """Something the user should know that does not stop the run (a personal-data column dropped, a large run)."""
