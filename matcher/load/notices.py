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
from collections import Counter

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.crosswalk import vocabulary
from matcher.errors import Problem
from matcher.load.headers import ALIASES, normalize
from matcher.load.table import ReadResult
from matcher.util.i18n import mark, num, tr

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
_FIX_INE = mark(
    "run matcher pseudonymize --students FILE --out students.csv first: it replaces each INE by a pseudonym"
)


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
                    tr("these look like the {other}: did you swap --students and --sites?").format(other=tr(other)),
                    tr("give this file as --{other} and the other one as --{kind}").format(other=other, kind=kind),
                )
            )
    return out


def raw_ine(students: ReadResult) -> list[Problem]:
    """A SIECLE export given as it is: raw INE as ids, or an INE column and no id column."""
    keys = {normalize(h) for h in students.headers}
    if "student_id" not in students.given and keys & {"ine", "numero_ine", "n_ine", "no_ine"}:
        said = tr("a SIECLE export: its INE column is personal")
        return [Problem(students.file, None, "student_id", "", said, tr(_FIX_INE))]
    ids = students.table["student_id"]
    if not ids.iloc[:1000].str.match(INE).mean() >= 0.5:  # judged on the first rows: a file of INE is all INE
        return []
    shaped = ids.str.match(INE).to_numpy()
    if shaped.sum() < max(1, len(ids) // 2):
        return []
    return [
        Problem(
            students.file,
            int(students.rows[np.flatnonzero(shaped)[0]]),
            "student_id",
            "",
            tr("{n} student ids are shaped like INE (the national student number), a personal identifier").format(
                n=num(int(shaped.sum()))
            ),
            tr(_FIX_INE),
        )
    ]


def _counts(lists: pd.Series) -> tuple[pd.Series, npt.NDArray[np.intp], list[tuple[str, ...]]]:
    """Rows per item of a list column (each distinct list counted once), the row codes and the distinct lists."""
    codes, distinct = pd.factorize(lists.to_numpy(dtype=object))
    rows = np.bincount(codes[codes >= 0], minlength=len(distinct)).tolist()
    counts: Counter[str] = Counter()
    for items, n in zip(distinct, rows):
        for item in items:
            counts[item] += n
    return pd.Series(counts, dtype="int64"), codes, list(distinct)


def trade_notes(students: ReadResult, sites: ReadResult) -> list[str]:
    """Warnings when trades match nothing (see the module docstring); empty when all is well."""
    asked, codes, wanted = _counts(students.table["sectors"])
    given = _counts(sites.table["sectors"])[0]
    known = set(vocabulary().trades) | set(vocabulary().platform)
    notes = []
    for result, counts, other in ((students, asked, set(given.index)), (sites, given, set(asked.index))):
        odd = counts[~counts.index.isin(list(known | other))].sort_values(ascending=False, kind="stable")
        if len(odd):
            rows = tr("{value} ({n} rows)")
            shown = ", ".join(rows.format(value=repr(v), n=num(n)) for v, n in odd.head(5).items())
            said = tr(
                "{file}: {n} trade value(s) match no trade, no platform sector and nothing in the other file: "
                "{values}; map them in datasets/trade_crosswalk.csv or write a known trade"
            )
            notes.append(said.format(file=result.file, n=num(int(odd.sum())), values=shown))
    offered = set(given.index)
    lacking_list = np.array([len(t) > 0 and not any(i in offered for i in t) for t in wanted] + [False])[codes]
    with_trades = np.array([len(t) > 0 for t in wanted] + [False])[codes]
    if with_trades.any() and lacking_list.sum() > NO_TRADE_SHARE * with_trades.sum():
        missing = _counts(students.table["sectors"][lacking_list])[0].sort_values(ascending=False, kind="stable")
        said = tr(
            "{file}: {n} of {total} students asking for trades have no offer of their trades anywhere in {sites} "
            "(most asked: {trades}); check the sites' sectors, or map the platform's sectors to these trades in "
            "datasets/trade_crosswalk.csv"
        )
        notes.append(
            said.format(
                file=students.file,
                n=num(int(lacking_list.sum())),
                total=num(int(with_trades.sum())),
                sites=sites.file,
                trades=", ".join(repr(v) for v in missing.index[:5]),
            )
        )
    return notes
