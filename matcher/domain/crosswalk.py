"""Trades across vocabularies: the partners' trades, the national platform's sectors, and the crosswalk between them.

Three data files ship in ``matcher.datasets`` (provenance in ``SOURCES.md``), each editable by hand:

- ``trade_sectors.csv`` (``code,label``): the trades partners and students speak of (``electricite``...);
- ``platform_sectors.csv`` (``code,label``): the ~50 sectors the national platform files offers under (codes
  ``secteur_...``, apart from the trades' codes);
- ``trade_crosswalk.csv`` (``trade,platform_sector``): which trades fall under which platform sectors.

A cell may name a trade or a sector by its code or its label (case, accents and punctuation ignored), several of
them separated by ``|``, ``;`` or ``,`` (a label holding a comma, such as ``Hôtellerie, restauration``, stays whole).
A site filed under a platform sector offers every trade the crosswalk puts under it.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from matcher.domain.reference import dataset_path

__all__ = ["Vocabulary", "vocabulary", "key", "label", "split_items", "codes", "canonical", "platform_sector", "expand"]

_NON_WORD = re.compile(r"[^0-9a-z]+")
_SMALL_WORDS = re.compile(r"(^|_)(d|de|des|du|l|la|le|les|et|en)(?=_|$)")
_SEPARATORS = re.compile(r"[|;]")


def key(text: str) -> str:
    """Loose form of a code or label: ``"Bureau d'études"`` → ``"bureau_d_etudes"``."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    return _NON_WORD.sub("_", plain.replace("œ", "oe").replace("æ", "ae")).strip("_")


@dataclass(frozen=True)
class Vocabulary:
    """Both vocabularies and the crosswalk.

    Attributes
    ----------
    trades, platform : dict of str to str
        Code → label of the trades and of the platform's sectors.
    contains : dict of str to tuple of str
        Platform sector code → the trade codes under it.
    by_key : dict of str to str
        Loose form of every code and label → its code (a trade wins over a sector of the same loose name, such
        as ``Maintenance``).
    sectors : dict of str to str
        Loose form of every platform sector's code and label → its code.
    """

    trades: dict[str, str]
    platform: dict[str, str]
    contains: dict[str, tuple[str, ...]]
    by_key: dict[str, str]
    sectors: dict[str, str]


def _read(name: str) -> list[dict[str, str]]:
    """The rows of a small shipped table (a few dozen lines: the csv module, read in a millisecond)."""
    return list(csv.DictReader(dataset_path(name).read_text(encoding="utf-8").splitlines()))


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabularies and crosswalk, read once."""
    trades = {row["code"]: row["label"] for row in _read("trade_sectors.csv")}
    platform = {row["code"]: row["label"] for row in _read("platform_sectors.csv")}
    walk = _read("trade_crosswalk.csv")
    contains = {s: tuple(row["trade"] for row in walk if row["platform_sector"] == s) for s in platform}
    sectors = {key(name): code for code, label in platform.items() for name in (code, label)}
    by_key = {**sectors, **{key(name): code for code, label in trades.items() for name in (code, label)}}
    by_key |= {_short(k): code for k, code in list(by_key.items()) if _short(k) not in by_key}
    return Vocabulary(trades, platform, contains, by_key, sectors)


def label(code: str) -> str:
    """The name officers read for a trade's or a platform sector's code (``secteur_agriculture`` → ``Agriculture``);
    the code itself when it is neither."""
    v = vocabulary()
    return v.trades.get(code) or v.platform.get(code) or code


def _short(loose: str) -> str:
    """A loose form without its small words: ``bureau_d_etudes`` → ``bureau_etudes``."""
    return _SMALL_WORDS.sub("", loose).strip("_")


@lru_cache(maxsize=65_536)
def _lookup(item: str) -> str | None:
    by_key, loose = vocabulary().by_key, key(item)
    return by_key.get(loose) or by_key.get(_short(loose))


def split_items(cell: str) -> list[str]:
    """The items of a trades cell: split on ``|``, ``;`` and ``,``, a known label holding commas kept whole."""
    if "," not in cell and ";" not in cell:
        return [item.strip() for item in cell.split("|") if item.strip()]
    items: list[str] = []
    for piece in _SEPARATORS.split(cell):
        tokens = piece.split(",")
        i = 0
        while i < len(tokens):
            j = next((j for j in range(len(tokens), i + 1, -1) if _lookup(",".join(tokens[i:j]))), i + 1)
            items.append(",".join(tokens[i:j]).strip())
            i = j
    return [item for item in items if item]


@cache
def codes() -> frozenset[str]:
    """Every trade and platform sector code (a cell of codes is read as it is, without looking each one up)."""
    return frozenset(vocabulary().trades) | frozenset(vocabulary().platform)


def canonical(item: str) -> str:
    """The code of a known trade or sector written by code or label; an unknown item lower-cased."""
    return _lookup(item) or item.strip().lower()


def platform_sector(text: str) -> str:
    """The platform sector code of a cell of the platform's ``secteur`` column; an unknown cell as it is."""
    return vocabulary().sectors.get(key(text), text)


def expand(codes: tuple[str, ...]) -> tuple[str, ...]:
    """A site's sectors with the trades of each platform sector among them added (in order, each once)."""
    contains = vocabulary().contains
    out = list(codes)
    for code in codes:
        out += contains.get(code, ())
    return tuple(dict.fromkeys(out))
