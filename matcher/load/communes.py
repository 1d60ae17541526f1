"""Communes by name: ``Commune``/``Ville`` cells holding names, resolved with the postal code or département beside.

A name is compared in a loose form (:func:`name_key`: case, accents, hyphens, apostrophes ignored; ``St``/``Ste``
read as ``Saint``/``Sainte``; a ``CEDEX`` suffix dropped; ``Havre (Le)`` read as ``Le Havre``). Among the communes
of that name, the one whose postal codes hold the code beside it wins, else the one whose INSEE code it is (the
national platform sometimes writes the INSEE code in ``Code postal``), else the only one in the code's département
(CEDEX codes, city-wide codes such as ``13000``, a postal code that contradicts the name). A name that stays
ambiguous lists its candidates. Each distinct (name, code, département) is resolved once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain import reference
from matcher.load.headers import normalize

__all__ = ["name_key", "looks_like_names", "resolve_names", "Resolution"]

_CODE = re.compile(r"^\s*(\d[\dAaBb]\d{3}|\d{4})(\.0+)?\s*$")
_ARTICLE = re.compile(r"^(.*)_(le|la|les|l)$")
_SAINT = {"st": "saint", "ste": "sainte"}


def name_key(name: str) -> str:
    """The loose form of a commune name: ``"ST-ETIENNE CEDEX 2"`` → ``"saint_etienne"``."""
    key = normalize(name)
    key = re.sub(r"(^|_)cedex(_\d+)?$", "", key).strip("_")
    key = (
        re.sub(r"_\d+(e|er|eme)?(_arrondissement)?$", "", key)
        if key.startswith(("paris_", "lyon_", "marseille_"))
        else key
    )
    article = _ARTICLE.match(key)
    if article and "(" in name:
        key = f"{article.group(2)}_{article.group(1)}"
    return "_".join(_SAINT.get(token, token) for token in key.split("_"))


def looks_like_names(cells: pd.Series) -> bool:
    """True when most non-empty distinct cells of a commune column are names rather than INSEE codes."""
    distinct = pd.Series(pd.unique(cells.astype(str).str.strip()), dtype=str)
    distinct = distinct[distinct != ""]
    if distinct.empty:
        return False
    return bool((~distinct.str.match(_CODE)).mean() > 0.5)


@dataclass(frozen=True)
class _Index:
    """The communes by loose name, with what resolving needs."""

    by_name: dict[str, list[str]]
    postal: dict[str, frozenset[str]]
    departement: dict[str, str]
    label: dict[str, str]
    arrondissement: dict[str, str]  # postal code → arrondissement (ARM) INSEE code


@cache
def _index() -> _Index:
    com = reference.communes()
    com = com[com["type"] == "COM"]
    keys = [name_key(n) for n in com["name"].astype(str)]
    by_name: dict[str, list[str]] = {}
    for key, code in zip(keys, com["insee_code"].astype(str)):
        by_name.setdefault(key, []).append(code)
    codes = com["insee_code"].astype(str).tolist()
    arm = reference.communes()
    arm = arm[arm["type"] == "ARM"]
    return _Index(
        by_name,
        dict(zip(codes, (frozenset(p.split()) for p in com["postal_codes"].astype(str)))),
        dict(zip(codes, com["departement"].astype(str))),
        {c: f"{n} ({c})" for c, n in zip(codes, com["name"].astype(str))},
        dict(zip(arm["postal_codes"].astype(str), arm["insee_code"].astype(str))),
    )


@dataclass(frozen=True)
class Resolution:
    """Per row: the INSEE code found ("" when none) and, when none, why (with the candidates when ambiguous)."""

    codes: npt.NDArray[np.object_]
    why: npt.NDArray[np.object_]


def _departements(code: str) -> set[str]:
    """The départements a postal or INSEE code points at (``20`` → Corsica's two)."""
    if len(code) != 5:
        return set()
    if code.startswith("97"):
        return {code[:3]}
    if code[:2] == "20" or code[:2].upper() in ("2A", "2B"):
        return {"2A", "2B"}
    return {code[:2]}


def _one(name: str, code: str, dept: str) -> tuple[str, str]:
    """Resolve one distinct (name, code, département): (INSEE code, "") or ("", why)."""
    index = _index()
    candidates = index.by_name.get(name_key(name), [])
    if not candidates:
        return "", "unknown commune name"
    code = code.strip().upper()
    code = "0" + code if re.fullmatch(r"\d{4}", code) else code
    if code:
        for test in (lambda c: code in index.postal[c], lambda c: c == code):
            found = [c for c in candidates if test(c)]
            if len(found) == 1:
                return index.arrondissement.get(code, found[0]) if code in index.postal[found[0]] else found[0], ""
        where = _departements(code)
    else:
        where = {dept.strip().upper().zfill(2)} if dept.strip() else set()
    inside = [c for c in candidates if index.departement[c] in where] if where else candidates
    if len(inside) == 1:
        return inside[0], ""
    if not inside:
        return "", f"no commune of this name in département {'/'.join(sorted(where))}"
    shown = ", ".join(index.label[c] for c in inside[:6]) + (", ..." if len(inside) > 6 else "")
    return "", f"ambiguous commune name: {len(inside)} communes ({shown})"


def resolve_names(names: pd.Series, codes: pd.Series | None = None, depts: pd.Series | None = None) -> Resolution:
    """Resolve each row's commune name with the code and département beside it (see the module docstring)."""
    n = len(names)

    def text(column: pd.Series | None) -> Iterable[str]:
        return column.astype(str).tolist() if column is not None else [""] * n

    triples = pd.Series(list(zip(names.astype(str).str.strip().tolist(), text(codes), text(depts))), dtype=object)
    positions, distinct = pd.factorize(triples)
    found = [_one(*triple) if triple[0] else ("", "") for triple in distinct]
    codes_out = np.array([f[0] for f in found] + [""], dtype=object)[positions]
    why = np.array([f[1] for f in found] + [""], dtype=object)[positions]
    return Resolution(codes_out, why)
