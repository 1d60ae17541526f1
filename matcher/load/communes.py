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
from matcher.util.i18n import tr

__all__ = ["name_key", "name_keys", "looks_like_names", "resolve_names", "Resolution"]

_CODE = re.compile(r"^\s*(\d[\dAaBb]\d{3}|\d{4})(\.0+)?\s*$")
_ARTICLE = re.compile(r"^(.*)_(le|la|les|l)$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_CEDEX = re.compile(r"(^|_)cedex(_\d+)?$")
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille)_\d+(e|er|eme)?(_arrondissement)?$")
_SAINT = re.compile(r"(^|_)(st|ste)(_|$)")
_SAINTS = {"st": "saint", "ste": "sainte"}


def name_key(name: str) -> str:
    """The loose form of a commune name: ``"ST-ETIENNE CEDEX 2"`` → ``"saint_etienne"``."""
    return str(name_keys(pd.Series([name], dtype=str)).iat[0])


def name_keys(names: pd.Series) -> pd.Series:
    """:func:`name_key` of every cell, vectorised."""
    key = (
        names.astype(str)
        .str.normalize("NFKD")
        .str.encode("ascii", "ignore")
        .str.decode("ascii")
        .str.lower()
        .str.replace(_NON_WORD, "_", regex=True)
        .str.strip("_")
        .str.replace(_CEDEX, "", regex=True)
        .str.replace(_ARRONDISSEMENT, r"\1", regex=True)
    )
    article = names.astype(str).str.contains("(", regex=False) & key.str.match(_ARTICLE)
    key = key.mask(article, key.str.replace(_ARTICLE, r"\2_\1", regex=True))
    return key.str.replace(_SAINT, lambda m: m.group(1) + _SAINTS[m.group(2)] + m.group(3), regex=True)


def looks_like_names(cells: pd.Series) -> bool:
    """True when most non-empty distinct cells of a commune column are names rather than INSEE codes (judged on the
    first 300 rows)."""
    distinct = pd.Series(pd.unique(cells.iloc[:300].to_numpy(dtype=object)), dtype=str).str.strip()
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
    parent: dict[str, str]  # arrondissement (ARM) INSEE code → its commune


@cache
def _index() -> _Index:
    com = reference.communes()
    com = com[com["type"] == "COM"]
    keys = name_keys(com["name"].astype(str)).tolist()
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
        dict(zip(arm["insee_code"].astype(str), arm["parent_insee"].astype(str))),
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
    if code.startswith(("97", "98")):
        return {code[:3]}
    if code[:2] == "20" or code[:2].upper() in ("2A", "2B"):
        return {"2A", "2B"}
    return {code[:2]}


def _one(name: str, code: str, dept: str) -> tuple[str, str]:
    """Resolve one distinct (loose name, code, département): (INSEE code, "") or ("", why)."""
    index = _index()
    candidates = index.by_name.get(name, [])
    if not candidates:
        return "", tr("unknown commune name")
    code = code.strip().upper()
    code = "0" + code if re.fullmatch(r"\d{4}", code) else code
    if code in index.parent and index.parent[code] in candidates:
        return code, ""  # an arrondissement's INSEE code beside its city's name
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
        return "", tr("no commune of this name in département {departement}").format(
            departement="/".join(sorted(where))
        )
    shown = ", ".join(index.label[c] for c in inside[:6]) + (", ..." if len(inside) > 6 else "")
    return "", tr("ambiguous commune name: {n} communes ({communes})").format(n=len(inside), communes=shown)


def _keys(names: pd.Series) -> list[str]:
    """The loose form of each cell, computed once per distinct name."""
    positions, distinct = pd.factorize(names.astype(str).str.strip().to_numpy(dtype=object))
    keys = name_keys(pd.Series(distinct, dtype=str)).to_numpy(dtype=object)
    return list(np.append(keys, "")[positions])


def resolve_names(names: pd.Series, codes: pd.Series | None = None, depts: pd.Series | None = None) -> Resolution:
    """Resolve each row's commune name with the code and département beside it (see the module docstring)."""
    n = len(names)

    def text(column: pd.Series | None) -> Iterable[str]:
        return column.astype(str).tolist() if column is not None else [""] * n

    triples = pd.Series(list(zip(_keys(names), text(codes), text(depts))), dtype=object)
    positions, distinct = pd.factorize(triples)
    found = [_one(*triple) if triple[0] else ("", "") for triple in distinct]
    codes_out = np.array([f[0] for f in found] + [""], dtype=object)[positions]
    why = np.array([f[1] for f in found] + [""], dtype=object)[positions]
    return Resolution(codes_out, why)
