"""A small workbook per recipient: one per lycée (its students) and one per company (the students it hosts), in
the sub-folders ``lycees/`` and ``entreprises/`` of the report, with a zip of each set.

Each file holds only its recipient's rows, under a header saying what the file is, the period, the run and that it
holds small counts (a working document, not for publication); cells are typed (:mod:`matcher.report.sheets`).
File names come from the full name and the UAI (lycées) or a short key of the name (companies, whose SIRET is not
in the sites file), reduced to ASCII letters, digits and ``-`` so that they are valid on every system.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain import reference
from matcher.report.cells import Table
from matcher.report.data import Allocation
from matcher.report.sheets import KINDS, Book, heading, labels
from matcher.report.tables import company_rows, student_rows
from matcher.util import parallel
from matcher.util.i18n import Lang

__all__ = ["write_recipient_books", "safe_name"]

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_LYCEE_COLS = ["student_id", "site_id", "company", "weeks", "start_date", "end_date", "distance_km", "reason"]
_COMPANY_COLS = ["site_id", "student_id", "lycee_uai", "weeks", "start_date", "end_date", "distance_km"]
#: Workbooks per piece of work (the pieces are shared among the processes).
_PIECE = 200


def safe_name(*parts: str, limit: int = 80) -> str:
    """A file name stem valid on every system: ASCII letters, digits and ``-`` only, at most ``limit`` long. A name
    too long is cut before its last part, which is kept whole (a lycée's UAI, a company's key): two long names
    sharing their start still name two files."""
    words = [_ascii(p) for p in parts if p]
    words = [w for w in words if w]
    if len(words) > 1 and len("-".join(words)) > limit and len(words[-1]) < limit - 1:
        words = ["-".join(words[:-1])[: limit - len(words[-1]) - 1].strip("-"), words[-1]]
    text = "-".join(w for w in words if w)[:limit].strip("-") or "sans-nom"
    return f"{text}-fichier" if text.upper() in _RESERVED else text


def _ascii(part: str) -> str:
    """``part`` in ASCII letters and digits, any other run of characters a ``-``, none at either end."""
    text = unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


#: A workbook: its file stem, its heading, its sheet's title and its rows (positions in its set's table).
_Book = tuple[str, list[str], str, npt.NDArray[np.intp]]


@dataclass(frozen=True)
class _Set:
    """One set of recipients' workbooks (the lycées' or the companies'): its folder, the cells of its rows, its
    workbooks."""

    folder: Path
    table: Table
    books: list[_Book]


def _groups(keys: pd.Series) -> list[tuple[str, npt.NDArray[np.intp]]]:
    """Each key (sorted; missing ones left out) with the positions of its rows, in their order."""
    indices = keys.groupby(keys.to_numpy(), sort=False).indices
    return sorted(((str(k), np.asarray(v, np.intp)) for k, v in indices.items()), key=lambda kv: kv[0])


def _one_per_file(books: list[_Book]) -> list[_Book]:
    """Every recipient a file of their own: where two file names still agree, the later ones get ``-2``, ``-3``...
    (nobody's workbook is written over another's)."""
    taken = {book[0] for book in books}
    mine: set[str] = set()
    out: list[_Book] = []
    for stem, top, title, at in books:
        name, k = stem, 1
        while name in mine or (k > 1 and name in taken):
            k += 1
            name = f"{stem}-{k}"
        mine.add(name)
        out.append((name, top, title, at))
    return out


def _lycees(alloc: Allocation, out: Path, tr: Lang, head: list[str]) -> _Set | None:
    rows = student_rows(alloc, tr)
    if "lycee_uai" not in rows:
        return None
    lycees, books = reference.lycees()["name"], list[_Book]()
    for uai, at in _groups(rows["lycee_uai"].where(rows["lycee_uai"] != "")):
        full = str(lycees.get(uai, "")).strip() or tr("Lycée")
        what = f"{tr('Students of the lycée')} {full} ({uai})"
        books.append((safe_name(full, uai), [what, *head], uai, at))
    return _Set(out / "lycees", Table.of(rows[[c for c in _LYCEE_COLS if c in rows]], KINDS), _one_per_file(books))


def _companies(alloc: Allocation, out: Path, tr: Lang, head: list[str]) -> _Set:
    rows, books = company_rows(alloc, tr), list[_Book]()
    for company, at in _groups(rows["company"]):
        key = hashlib.sha1(company.encode()).hexdigest()[:6]
        what = f"{tr('Students hosted by')} {company}"
        books.append((safe_name(company, key), [what, *head], safe_name(company)[:31], at))
    table = Table.of(rows[[c for c in _COMPANY_COLS if c in rows]], KINDS)
    return _Set(out / "entreprises", table, _one_per_file(books))


def _write(books: _Set, which: range, names: dict[str, str]) -> None:
    """Write the workbooks ``which`` (positions in ``books.books``)."""
    books.folder.mkdir(parents=True, exist_ok=True)
    for stem, top, title, at in books.books[which.start : which.stop]:
        book = Book(str(books.folder / f"{stem}.xlsx"), top[0])
        book.table(title, top, books.table.take(at), names)
        book.close()


def _zip(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.xlsx")):
            zf.write(f, f"{folder.name}/{f.name}")
    return target


def write_recipient_books(
    alloc: Allocation, out: str | Path, tr: Lang | None = None, processes: int = 1
) -> dict[str, Path]:
    """Write ``lycees/*.xlsx``, ``entreprises/*.xlsx`` and their zips under ``out`` in ``processes`` processes;
    returns the zips' paths.

    Without the students file (no lycée known), only the companies' workbooks are written.
    """
    tr = tr or Lang()
    head, names = heading(alloc, tr, "")[1:], labels(tr)
    sets = [s for s in (_companies(alloc, Path(out), tr, head), _lycees(alloc, Path(out), tr, head)) if s]
    pieces = [(s, range(i, min(i + _PIECE, len(s.books)))) for s in sets for i in range(0, len(s.books), _PIECE)]
    parallel.run(lambda i: _write(*pieces[i], names), len(pieces), processes)
    zips = parallel.run(lambda i: _zip(sets[i].folder), len(sets), processes)
    return {z.name: z for z in zips}
