"""What is said about both files together before solving: swapped files, raw INE, trades that match nothing.

- Swapped files: a ``--students`` file whose headers name the sites' columns (or the reverse) gives one problem that
  starts with "these look like the sites: did you swap --students and --sites?".
- SIECLE exports: raw INE (the national student number) as ids, or an ``INE`` column and no id, are refused with
  the advice to pseudonymize first (``matcher pseudonymize`` replaces the INE by keyed pseudonyms).
- Trades: values that match no trade, no platform sector and nothing in the other file, and more than a fifth of
  the students with no offer of their trades anywhere in the sites file, are warnings (counts, values, what to map).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from matcher.domain.crosswalk import vocabulary
from matcher.errors import Problem
from matcher.load.headers import ALIASES, normalize
from matcher.load.table import ReadResult

__all__ = ["swapped", "raw_ine", "trade_notes", "INE", "NO_TRADE_SHARE"]

#: The shapes of an INE (identifiant national élève): 10 digits and a letter, or 9 digits and 2 letters.
INE = re.compile(r"^(\d{10}[A-Za-z]|\d{9}[A-Za-z]{2})$")

#: Above this share of students with no offer of their trades in the file, the mismatch is said.
NO_TRADE_SHARE = 0.2

_SHARED = set(ALIASES["students"].values()) & set(ALIASES["sites"].values())
_OWN = {
    kind: {k for k, v in ALIASES[kind].items() if v not in _SHARED} - {"id", "identifiant"}
    for kind in ("students", "sites")
}
_FIX_INE = "run matcher pseudonymize --students FILE --out students.csv first: it replaces each INE by a pseudonym"


def _own(headers: tuple[str, ...], kind: str) -> int:
    return len({normalize(h) for h in headers} & _OWN[kind])


def swapped(students: ReadResult, sites: ReadResult) -> list[Problem]:
    """One problem per file whose headers name the other kind's own columns more than its own."""
    out = []
    for result, kind, other in ((students, "students", "sites"), (sites, "sites", "students")):
        if _own(result.headers, other) > _own(result.headers, kind):
            out.append(
                Problem(
                    result.file,
                    None,
                    None,
                    "",
                    f"these look like the {other}: did you swap --students and --sites?",
                    f"give this file as --{other} and the other one as --{kind}",
                )
            )
    return out


def raw_ine(students: ReadResult) -> list[Problem]:
    """A SIECLE export given as it is: raw INE as ids, or an INE column and no id column."""
    keys = {normalize(h) for h in students.headers}
    if "student_id" not in students.given and keys & {"ine", "numero_ine", "n_ine", "no_ine"}:
        return [Problem(students.file, None, "student_id", "", "a SIECLE export: its INE column is personal", _FIX_INE)]
    ids = students.table["student_id"]
    shaped = ids.str.match(INE).to_numpy()
    if shaped.sum() < max(1, len(ids) // 2):
        return []
    return [
        Problem(
            students.file,
            int(students.rows[np.flatnonzero(shaped)[0]]),
            "student_id",
            "",
            f"{int(shaped.sum()):,} student ids are shaped like INE (the national student number), a personal "
            "identifier",
            _FIX_INE,
        )
    ]


def trade_notes(students: ReadResult, sites: ReadResult) -> list[str]:
    """Warnings when trades match nothing (see the module docstring); empty when all is well."""
    wanted, offered = students.table["sectors"], sites.table["sectors"]
    asked = pd.Series(wanted.explode().dropna().to_numpy(dtype=object), dtype=object)
    given = pd.Series(offered.explode().dropna().to_numpy(dtype=object), dtype=object)
    known = set(vocabulary().trades) | set(vocabulary().platform)
    notes = []
    for result, values, other in ((students, asked, set(given)), (sites, given, set(asked))):
        odd = values[~values.isin(known | other)].value_counts()
        if len(odd):
            shown = ", ".join(f"{v!r} ({n:,} rows)" for v, n in odd.head(5).items())
            notes.append(
                f"{result.file}: {int(odd.sum()):,} trade value(s) match no trade, no platform sector and nothing in "
                f"the other file: {shown}; map them in datasets/trade_crosswalk.csv or write a known trade"
            )
    with_trades = wanted.map(len).to_numpy() > 0
    offered_set = set(given)
    codes, distinct = pd.factorize(wanted.to_numpy(dtype=object))
    served = np.array([any(t in offered_set for t in trades) for trades in distinct] + [True])[codes]
    lacking = with_trades & ~served
    if with_trades.any() and lacking.sum() > NO_TRADE_SHARE * with_trades.sum():
        missing = pd.Series(wanted[lacking].explode().to_numpy(dtype=object)).value_counts().head(5)
        notes.append(
            f"{students.file}: {int(lacking.sum()):,} of {int(with_trades.sum()):,} students asking for trades have no "
            f"offer of their trades anywhere in {sites.file} (most asked: "
            f"{', '.join(repr(v) for v in missing.index)}); check the sites' sectors, or map the platform's sectors "
            "to these trades in datasets/trade_crosswalk.csv"
        )
    return notes
