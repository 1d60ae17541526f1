"""Input problems, collected and reported together."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Problem", "InputError", "CheckError", "MatcherWarning", "PERSONAL_VALUES"]

#: Columns whose values are personal: problems name their file, row and column but never print the value.
PERSONAL_VALUES: frozenset[str] = frozenset({"student_id", "address"})


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
        What is wrong.
    fix : str
        What would fix it.
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
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        shown = f" (value {self.value!r})" if self.value != "" and self.column not in PERSONAL_VALUES else ""
        return f"{where}: {self.message}{shown}. Fix: {self.fix}"


class InputError(Exception):
    """Bad input: every problem found, reported together."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.file, p.row or 0, p.column or "", p.message))
        super().__init__(f"{len(self.problems)} problem(s) in the input")

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(str(p) for p in self.problems)


class CheckError(Exception):
    """The independent checker found a violation: a bug in matcher, never a user error."""


class MatcherWarning(UserWarning):
    """Something the user should know that does not stop the run (a personal-data column dropped, a large run)."""
