"""From a file as read to the contract's columns: shapes, headers, total rows, default capacity, commune names.

:func:`prepare` runs, in order: the platform's shapes (:mod:`matcher.load.platform`), header matching, total rows
(skipped with a note naming them), ``default_capacity`` for a sites file without a capacity column, and commune
names (:mod:`matcher.load.communes`). In a national extract an offer that cannot be located is left out and listed;
in an officer's own file it is a problem to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from matcher.domain.period import Period
from matcher.errors import Problem
from matcher.load.communes import looks_like_names, resolve_names
from matcher.load.files import RawTable
from matcher.load.headers import ALIASES, PERSONAL, match_headers, normalize
from matcher.load.lookup import lookup
from matcher.load.platform import WEEKS_COLUMN, reshape
from matcher.load.sheets import total_rows
from matcher.util.i18n import mark, tr

__all__ = ["Prepared", "prepare", "header_score", "DEPARTEMENT_HEADERS", "NAME_FIX"]

#: Normalised headers of a département column (used to resolve commune names).
DEPARTEMENT_HEADERS = frozenset({"departement", "dept", "dep", "code_departement", "departement_code", "num_dep"})
_ID = {"students": "student_id", "sites": "site_id"}
_CAPACITIES = ("capacity", "capacity_week_1", "capacity_week_2")


@dataclass(frozen=True)
class Prepared:
    """A file ready to type: its cells, the contract column of each position, and what was found on the way."""

    raw: RawTable
    positions: dict[int, str]
    problems: list[Problem]
    notes: list[str] = field(default_factory=list)
    left_out: list[Problem] = field(default_factory=list)
    shape: str = ""
    excluded: int = 0


def header_score(kind: str) -> Callable[[list[str]], int]:
    """How many contract columns of ``kind`` a row of cells names (to find the header row and the data sheet)."""
    aliases = ALIASES[kind]

    def score(cells: list[str]) -> int:
        keys = {normalize(c) for c in cells if c}
        platform = len(
            keys
            & {
                "secteur",
                "ville",
                "code_postal",
                "filiere",
                "titre_de_l_offre",
                "employeur",
                "periode_de_stage",
                "adresse_de_l_employeur",
            }
        )
        return len({aliases[k] for k in keys if k in aliases and k not in PERSONAL}) + platform

    return score


def prepare(raw: RawTable, kind: str, file: str, default_capacity: int | None, period: Period) -> Prepared:
    """The file's contract columns, with total rows skipped, capacities defaulted and commune names resolved."""
    shape = reshape(raw, kind, period)
    raw = shape.raw
    positions, problems = match_headers(raw.headers, kind, file)
    by_name = {name: pos for pos, name in positions.items()}
    notes = []
    totals = total_rows(raw.cells, by_name.get(_ID[kind]))
    if totals.any():
        shown = ", ".join(str(r) for r in raw.rows[totals][:5])
        notes.append(tr("{file}: total row(s) skipped (row {rows})").format(file=file, rows=shown))
        raw = replace(raw, cells=raw.cells[~totals].reset_index(drop=True), rows=raw.rows[~totals])
    if kind == "sites" and default_capacity is not None and not set(by_name) & set(_CAPACITIES):
        raw, positions = _default_capacity(raw, positions, default_capacity)
    prepared = Prepared(raw, positions, problems, notes, [], shape.name, shape.excluded)
    if "commune_insee" in by_name:
        prepared = _communes(prepared, by_name["commune_insee"], by_name.get("postal_code"), file, shape.national)
    if shape.national:
        prepared = _unlocated(prepared, file)
    return prepared


def _with_column(raw: RawTable, header: str, values: pd.Series) -> tuple[RawTable, int]:
    cells = raw.cells.copy()
    position = int(cells.columns.max()) + 1 if len(cells.columns) else 0
    cells[position] = values.to_numpy(dtype=object)
    return replace(raw, headers=[*raw.headers, header], cells=cells), position


def _default_capacity(raw: RawTable, positions: dict[int, str], n: int) -> tuple[RawTable, dict[int, str]]:
    """Capacity ``n`` on every row; with a listing's ``Période`` (0 full time, 1 week 1, 2 week 2) per week."""
    positions = dict(positions)
    if WEEKS_COLUMN not in raw.headers:
        raw, pos = _with_column(raw, "capacity", pd.Series([str(n)] * len(raw.cells), dtype=object))
        positions[pos] = "capacity"
        return raw, positions
    period = raw.cells[raw.headers.index(WEEKS_COLUMN)].astype(str).str.strip()
    for name, weeks in (("capacity_week_1", ("0", "1", "")), ("capacity_week_2", ("0", "2", ""))):
        raw, pos = _with_column(raw, name, pd.Series(np.where(period.isin(weeks), str(n), "0"), dtype=object))
        positions[pos] = name
    raw, pos = _with_column(raw, "full_time_only", pd.Series(np.where(period == "0", "1", "0"), dtype=object))
    positions[pos] = "full_time_only"
    return raw, positions


def _communes(prepared: Prepared, where: int, postal: int | None, file: str, national: bool) -> Prepared:
    """Commune names in the commune column resolved to INSEE codes (a column of codes is left as it is)."""
    raw = prepared.raw
    if not looks_like_names(raw.cells[where]):
        return prepared
    names = raw.cells[where].astype(str).str.strip()
    dept = next((i for i, h in enumerate(raw.headers) if normalize(h) in DEPARTEMENT_HEADERS), None)
    codes = raw.cells[postal] if postal is not None else None
    found = resolve_names(names, codes, raw.cells[dept] if dept is not None else None)
    cells = raw.cells.copy()
    resolved = found.codes != ""
    failed = ~resolved & (names != "").to_numpy()
    cells[where] = np.where(resolved, found.codes, "")
    if not national:
        problems = prepared.problems + [
            Problem(file, int(raw.rows[i]), "commune_insee", str(names.iat[i]), str(found.why[i]), tr(NAME_FIX))
            for i in np.flatnonzero(failed).tolist()
        ]
        return replace(prepared, raw=replace(raw, cells=cells), problems=problems)
    code = codes.astype(str).str.strip().str.upper() if codes is not None else pd.Series([""] * len(names))
    insee = failed & code.isin(lookup().codes).to_numpy()  # an INSEE code written in Code postal
    cells[where] = np.where(insee, code, cells[where])
    if postal is not None:
        cells[postal] = np.where(resolved | insee, "", cells[postal].to_numpy(dtype=object))  # the name is finer
    lost = failed & ~insee & ~code.isin(lookup().postal.index).to_numpy()
    left = [
        Problem(
            file,
            int(raw.rows[i]),
            "commune_insee",
            f"{names.iat[i]} / {code.iat[i]}",
            tr("offer left out: {why}").format(why=found.why[i]),
            tr(_FIX_OFFER),
        )
        for i in np.flatnonzero(lost).tolist()
    ]
    raw = replace(raw, cells=cells[~lost].reset_index(drop=True), rows=raw.rows[~lost])
    return replace(prepared, raw=raw, left_out=prepared.left_out + left)


NAME_FIX = mark("write the commune's INSEE code, or give its postal code or département beside the name")
_FIX_OFFER = mark("correct the commune and postal code on the platform, or add the offer to an officer's own file")


def _unlocated(prepared: Prepared, file: str) -> Prepared:
    """Offers of a national extract that nothing locates: left out and listed (row, values, why)."""
    raw, by_name = prepared.raw, {name: pos for pos, name in prepared.positions.items()}
    ref = lookup()
    ok = np.zeros(len(raw.cells), dtype=bool)
    for name, index in (("commune_insee", ref.codes), ("postal_code", ref.postal.index)):
        if name in by_name:
            text = raw.cells[by_name[name]].astype(str).str.strip().str.upper()
            ok |= text.isin(index).to_numpy()
    if "lat" in by_name and "lon" in by_name:
        lat = pd.to_numeric(raw.cells[by_name["lat"]], errors="coerce")
        ok |= (lat.notna() & pd.to_numeric(raw.cells[by_name["lon"]], errors="coerce").notna()).to_numpy()
    if ok.all():
        return prepared
    shown = [by_name[c] for c in ("commune_insee", "postal_code") if c in by_name]
    left = [
        Problem(
            file,
            int(raw.rows[i]),
            "postal_code",
            " / ".join(str(raw.cells[p].iat[i]) for p in shown),
            tr("offer left out: no location (no known commune, postal code or coordinates)"),
            tr(_FIX_OFFER),
        )
        for i in np.flatnonzero(~ok).tolist()
    ]
    raw = replace(raw, cells=raw.cells[ok].reset_index(drop=True), rows=raw.rows[ok])
    return replace(prepared, raw=raw, left_out=prepared.left_out + left)
