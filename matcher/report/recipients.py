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
from pathlib import Path

from matcher.domain import reference
from matcher.report.data import Allocation
from matcher.report.sheets import Book, heading, labels
from matcher.report.tables import company_rows, student_rows
from matcher.util.i18n import Lang

__all__ = ["write_recipient_books", "safe_name"]

_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_LYCEE_COLS = ["student_id", "site_id", "company", "weeks", "start_date", "end_date", "distance_km", "reason"]
_COMPANY_COLS = ["site_id", "student_id", "lycee_uai", "weeks", "start_date", "end_date", "distance_km"]


def safe_name(*parts: str, limit: int = 80) -> str:
    """A file name stem valid on every system: ASCII letters, digits and ``-`` only, at most ``limit`` long."""
    text = unicodedata.normalize("NFKD", " ".join(p for p in parts if p))
    text = re.sub(r"[^A-Za-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    text = text[:limit].strip("-") or "sans-nom"
    return f"{text}-fichier" if text.upper() in _RESERVED else text


def _zip(folder: Path) -> Path:
    target = folder.with_suffix(".zip")
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.glob("*.xlsx")):
            zf.write(f, f"{folder.name}/{f.name}")
    return target


def _lycees(alloc: Allocation, out: Path, tr: Lang) -> Path | None:
    rows = student_rows(alloc, tr)
    if "lycee_uai" not in rows:
        return None
    folder, names = out / "lycees", labels(tr)
    folder.mkdir(parents=True, exist_ok=True)
    lycees = reference.lycees()["name"]
    for uai, part in rows[rows["lycee_uai"] != ""].groupby("lycee_uai", sort=True):
        full = str(lycees.get(uai, "")).strip() or tr("Lycée")
        top = heading(alloc, tr, f"{tr('Students of the lycée')} {full} ({uai})")
        book = Book(str(folder / f"{safe_name(full, str(uai))}.xlsx"), top[0])
        book.sheet(str(uai), top, part[[c for c in _LYCEE_COLS if c in part]], names)
        book.close()
    return _zip(folder)


def _companies(alloc: Allocation, out: Path, tr: Lang) -> Path:
    folder, names = out / "entreprises", labels(tr)
    folder.mkdir(parents=True, exist_ok=True)
    for company, part in company_rows(alloc).groupby("company", sort=True):
        key = hashlib.sha1(str(company).encode()).hexdigest()[:6]
        top = heading(alloc, tr, f"{tr('Students hosted by')} {company}")
        book = Book(str(folder / f"{safe_name(str(company), key)}.xlsx"), top[0])
        book.sheet(safe_name(str(company))[:31], top, part[[c for c in _COMPANY_COLS if c in part]], names)
        book.close()
    return _zip(folder)


def write_recipient_books(alloc: Allocation, out: str | Path, tr: Lang | None = None) -> dict[str, Path]:
    """Write ``lycees/*.xlsx``, ``entreprises/*.xlsx`` and their zips under ``out``; returns the zips' paths.

    Without the students file (no lycée known), only the companies' workbooks are written.
    """
    tr = tr or Lang()
    written = {"entreprises.zip": _companies(alloc, Path(out), tr)}
    lycees = _lycees(alloc, Path(out), tr)
    if lycees is not None:
        written["lycees.zip"] = lycees
    return written
