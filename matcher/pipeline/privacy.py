"""Pseudonymising student identifiers with a secret key, and re-identifying outputs for the officer who holds it.

A pseudonym is ``P`` followed by the first 24 hex digits (96 bits) of HMAC-SHA256(key, identifier), the identifier
stripped of surrounding spaces and upper-cased (so ``ine123`` and `` INE123 `` get the same pseudonym, as the loaders
treat them as the same id). Without the key, a pseudonym cannot be linked to the identifier, even by trying every
possible national student number; with the key and the original file, :func:`reidentify` maps outputs back.

:func:`pseudonymize_file` writes only the contract's columns: names, e-mails, birth dates and any other column that
is not part of the contract are dropped, and the caller is told which (column names only, never values). A SIECLE
export (``INE``, ``Nom``, ``Prénom``, ``Date de naissance``...) is accepted as it is: without a ``student_id`` column,
its ``INE`` is the identifier replaced.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

import pandas as pd

from matcher.errors import InputError, Problem
from matcher.export.outputs import write_atomic
from matcher.export.safecells import neutralize_frame, restore_frame
from matcher.limits import MAX_SMALL_FILE_BYTES, read_regular
from matcher.load.files import read_raw
from matcher.load.headers import match_headers, normalize
from matcher.load.prepare import header_score
from matcher.util.i18n import mark, tr

#: Normalised headers of the INE column of a SIECLE export, used as the identifier when there is no student_id.
INE_HEADERS = frozenset({"ine", "numero_ine", "n_ine", "no_ine"})

__all__ = ["KEY_ENV", "read_key", "pseudonyms", "pseudonymize_file", "reidentify_file"]

#: Environment variable holding the secret key (when no key file is given).
KEY_ENV = "MATCHER_PSEUDONYM_KEY"
_MIN_KEY = 16


def read_key(key_file: str | Path | None = None) -> bytes:
    """The secret key: the content of ``key_file`` (trailing line break ignored), else ``$MATCHER_PSEUDONYM_KEY``.

    Raises
    ------
    InputError
        When there is no key, or it is shorter than 16 characters.
    """
    if key_file is not None:
        key = read_regular(key_file, mark("the key file"), MAX_SMALL_FILE_BYTES).rstrip(b"\r\n")
        where = Path(key_file).name
    else:
        key = os.environ.get(KEY_ENV, "").encode("utf-8")
        where = KEY_ENV
    if len(key) < _MIN_KEY:
        raise InputError(
            [
                Problem(
                    where,
                    None,
                    None,
                    "",
                    tr("no secret key, or a key shorter than 16 characters"),
                    tr(
                        "put a long random secret (e.g. from `python3 -c 'import secrets; "
                        "print(secrets.token_hex(32))'`) in a key file (--key-file) or in {variable}; keep it apart "
                        "from the data"
                    ).format(variable=KEY_ENV),
                )
            ]
        )
    return key


def pseudonyms(ids: pd.Series, key: bytes) -> pd.Series:
    """Keyed pseudonym of each identifier (see the module docstring); same index as ``ids``."""
    distinct = pd.unique(ids.astype(str).str.strip().str.upper())
    table = {i: "P" + hmac.new(key, i.encode("utf-8"), hashlib.sha256).hexdigest()[:24].upper() for i in distinct}
    return ids.astype(str).str.strip().str.upper().map(table)


def _students_ids(path: Path) -> tuple[pd.DataFrame, dict[int, str], pd.Series, list[str]]:
    """The raw students table, its contract columns by position, its ids and its other headers (InputError if bad)."""
    file = path.name
    raw, problems = read_raw(path, file, header_score("students"))
    if raw is None:
        raise InputError(problems)
    positions, header_problems = match_headers(raw.headers, "students", file)
    problems += header_problems
    by_name = {name: pos for pos, name in positions.items()}
    ine = [i for i, h in enumerate(raw.headers) if normalize(h) in INE_HEADERS]
    if "student_id" not in by_name and ine:  # a SIECLE export: the INE is the identifier to replace
        positions[ine[0]] = "student_id"
        by_name["student_id"] = ine[0]
    if "student_id" not in by_name:
        problems.append(
            Problem(
                file,
                1,
                "student_id",
                "",
                tr("required column {column} is missing").format(column="student_id"),
                tr("add a column named {column} (or a French alias)").format(column="student_id"),
            )
        )
    if problems:
        raise InputError(problems)
    ids = raw.cells[by_name["student_id"]].astype(str).str.strip()
    key = ids.str.upper()
    bad = [
        Problem(
            file,
            int(raw.rows[i]),
            "student_id",
            "",
            tr("empty or repeated student id"),
            tr("give every row its own id"),
        )
        for i in range(len(ids))
        if key.iat[i] == "" or (key.duplicated(keep=False).iat[i])
    ]
    if bad:
        raise InputError(bad)
    dropped = [h for pos, h in enumerate(raw.headers) if pos not in positions and h]
    return raw.cells, positions, ids, dropped


def pseudonymize_file(path: str | Path, out: str | Path, key: bytes) -> tuple[int, list[str]]:
    """Write a copy of a students file with pseudonyms as ``student_id`` and only the contract's columns.

    Returns
    -------
    int
        Number of students written.
    list of str
        Headers of the columns dropped (not part of the contract: names, e-mails... or unknown).
    """
    cells, positions, ids, dropped = _students_ids(Path(path))
    table = pd.DataFrame({name: cells[pos].astype(str) for pos, name in sorted(positions.items())})
    table["student_id"] = pseudonyms(ids, key).to_numpy()
    data = neutralize_frame(table, keep_numbers=True).to_csv(index=False, lineterminator="\n").encode("utf-8")
    write_atomic(Path(out).absolute(), data)
    return len(table), dropped


def reidentify_file(table_path: str | Path, original: str | Path, out: str | Path, key: bytes) -> int:
    """Write a copy of an output table (e.g. ``assignments.csv``) with the original ids in ``student_id``.

    Parameters
    ----------
    table_path : str or Path
        A CSV written by matcher with a ``student_id`` column of pseudonyms.
    original : str or Path
        The students file as it was before :func:`pseudonymize_file` (with the real identifiers).
    out : str or Path
        The re-identified copy (written atomically).
    key : bytes
        The key used to pseudonymise.

    Returns
    -------
    int
        Number of rows written.

    Raises
    ------
    InputError
        When a pseudonym matches no original identifier (wrong key or wrong original file).
    """
    _, _, ids, _ = _students_ids(Path(original))
    back = pd.Series(ids.to_numpy(), index=pseudonyms(ids, key).to_numpy())
    name = Path(table_path).name
    raw, problems = read_raw(table_path, name)
    if raw is None:
        raise InputError(problems)
    table = restore_frame(raw.cells.set_axis(raw.headers, axis=1))  # as before export: neutralised once on output
    if "student_id" not in table.columns:
        raise InputError(
            [
                Problem(
                    name,
                    1,
                    "student_id",
                    "",
                    tr("no student_id column"),
                    tr("give an output table of matcher (assignments.csv, unassigned.csv)"),
                )
            ]
        )
    found = table["student_id"].map(back)
    missing = found.isna().to_numpy()
    if missing.any():
        raise InputError(
            [
                Problem(
                    name,
                    None,
                    "student_id",
                    "",
                    tr("{n} pseudonym(s) match no identifier of {file}").format(
                        n=int(missing.sum()), file=Path(original).name
                    ),
                    tr("use the same key and the original students file of this run"),
                )
            ]
        )
    table["student_id"] = found.to_numpy()
    data = neutralize_frame(table, keep_numbers=True).to_csv(index=False, lineterminator="\n").encode("utf-8")
    write_atomic(Path(out).absolute(), data)
    return len(table)
