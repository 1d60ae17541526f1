"""Vectorised random draws and string formatting behind :mod:`matcher.generate` (private).

Every function takes its random generator explicitly and works on whole arrays: no Python loop per row.
String columns are built as ``object`` arrays whose repeated values (``""``, ``"true"``...) share one object.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import permutations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain import reference

#: Kilometres per degree of latitude on the mean Earth radius (6,371.0088 km).
KM_PER_DEGREE = 6371.0088 * np.pi / 180.0


@dataclass(frozen=True)
class Pool:
    """Reference rows sorted by département (integer code), with each département's slice.

    ``start[d]:start[d] + count[d]`` are the rows of département ``d``.
    """

    table: pd.DataFrame
    dept: np.ndarray
    start: np.ndarray
    count: np.ndarray


@dataclass(frozen=True)
class Geo:
    """The reference tables the generator draws from, prepared once."""

    communes: Pool  # COM rows with population > 0 and a point; ``postal_code`` = first postal code
    lycees: Pool  # lycées with seconde GT students
    site_weight: np.ndarray  # commune population, 0 outside départements that have a lycée
    n_depts: int


def make_pool(table: pd.DataFrame, code: np.ndarray, n_groups: int) -> Pool:
    """Sort ``table`` by the integer group ``code`` (stable: file order within a group) and index the groups."""
    order = np.argsort(code, kind="stable")
    count = np.bincount(code, minlength=n_groups)
    return Pool(table.iloc[order].reset_index(drop=True), code[order], np.cumsum(count) - count, count)


@cache
def geo() -> Geo:
    """Communes and lycées prepared for drawing (loaded on first use, then cached)."""
    depts = pd.Index(sorted(reference.academies()["departement"]))
    com = reference.communes()
    com = com[(com["type"] == "COM") & (com["population"] > 0) & com["lat"].notna() & com["lon"].notna()]
    com = com.assign(postal_code=com["postal_codes"].str.split(" ").str[0])
    lyc = reference.lycees()
    lyc = lyc[lyc["seconde_gt_students"] > 0]
    communes = make_pool(com, depts.get_indexer(com["departement"]), len(depts))
    lycees = make_pool(lyc, depts.get_indexer(lyc["departement"]), len(depts))
    weight = communes.table["population"].to_numpy(float) * (lycees.count[communes.dept] > 0)
    return Geo(communes, lycees, weight, len(depts))


def labels(values: Sequence[str], index: np.ndarray) -> npt.NDArray[np.object_]:
    """``values[index]`` as an object array of shared strings."""
    out: npt.NDArray[np.object_] = np.asarray(values, dtype=object)[index]
    return out


def flags(mask: np.ndarray) -> np.ndarray:
    """Booleans as ``"true"``/``"false"`` strings."""
    return labels(["false", "true"], mask.astype(np.intp))


def numbered(prefix: str, n: int, width: int) -> np.ndarray:
    """``prefix`` followed by 1..n zero-padded to ``max(width, digits of n)``."""
    digits = max(width, len(str(n)))
    chars = np.empty((n, len(prefix) + digits), dtype=np.uint32)  # code points, viewed as fixed-width str
    chars[:, : len(prefix)] = [ord(c) for c in prefix]
    powers = 10 ** np.arange(digits - 1, -1, -1, dtype=np.int64)
    chars[:, len(prefix) :] = np.arange(1, n + 1, dtype=np.int64)[:, None] // powers % 10 + ord("0")
    return chars.view(f"<U{chars.shape[1]}").reshape(n).astype(object)


def where_text(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` where ``mask`` (strings as they are, integers in decimal), else ``""``."""
    out = np.full(len(mask), "", dtype=object)
    values = np.asarray(values)[mask]
    if values.dtype.kind in "iu":  # few distinct numbers: format each once
        unique, inverse = np.unique(values, return_inverse=True)
        values = unique.astype(str).astype(object)[inverse]
    out[mask] = values
    return out


def take_or_empty(values: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``values[index]`` where ``index >= 0``, else ``""``."""
    out = np.full(len(index), "", dtype=object)
    ok = index >= 0
    out[ok] = np.asarray(values, dtype=object)[index[ok]]
    return out


def join_ranked(parts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Join the first ``counts[i]`` non-empty strings of row ``i`` of ``parts`` (n × m) with ``|``."""
    out = np.full(len(parts), "", dtype=object)
    rows = np.flatnonzero((counts > 0) & (parts[:, 0] != ""))
    out[rows] = parts[rows, 0]
    for j in range(1, parts.shape[1]):  # loop over list positions (≤ 3), not rows
        more = rows[(counts[rows] > j) & (parts[rows, j] != "")]
        out[more] = out[more] + "|" + parts[more, j]
    return out


def ranked_codes(
    rng: np.random.Generator, codes: Sequence[str], weights: np.ndarray, group: np.ndarray, counts: np.ndarray
) -> npt.NDArray[np.object_]:
    """``counts[i]`` (1–3) distinct codes per row, drawn in turn without replacement by ``weights[group[i]]``.

    The exact probability of every ordered triple is computed per group, so each row needs one uniform draw; the
    first ``counts[i]`` codes of the triple are the row's ranked list, ``|``-joined.
    """
    codes = list(codes)
    size = min(3, len(codes))
    triples = np.array(list(permutations(range(len(codes)), size)))
    prob, left = np.ones((len(weights), len(triples))), weights.sum(axis=1, keepdims=True)
    for j in range(size):  # loop over the three ranks
        prob *= weights[:, triples[:, j]] / left
        left = left - weights[:, triples[:, j]]
    cum = np.cumsum(prob, axis=1)
    cum = (cum / cum[:, -1:] + np.arange(len(weights))[:, None]).ravel()  # group g's slice spans [g, g + 1]
    pick = np.searchsorted(cum, group + rng.random(len(group)), side="right")
    pick = np.minimum(pick, (group + 1) * len(triples) - 1) - group * len(triples)
    text = np.array([["|".join(codes[i] for i in t[: k + 1]) for t in triples] for k in range(size)], dtype=object)
    out: npt.NDArray[np.object_] = text[np.clip(counts, 1, size) - 1, pick]
    return out


def pick_distinct(
    rng: np.random.Generator, pool: Pool, group: np.ndarray, want: np.ndarray
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Up to two distinct rows of ``pool`` per query, uniformly within the query's département.

    Returns two arrays of pool row numbers (``-1`` where ``want`` is smaller or the département has too few rows).
    """
    start, count = pool.start[group], pool.count[group]
    u = rng.random((2, len(group)))
    first = np.minimum((u[0] * count).astype(np.int64), np.maximum(count - 1, 0))
    other = np.minimum((u[1] * (count - 1)).astype(np.int64), np.maximum(count - 2, 0))
    second = (first + 1 + other) % np.maximum(count, 1)
    return (
        np.where((want >= 1) & (count >= 1), start + first, -1),
        np.where((want >= 2) & (count >= 2), start + second, -1),
    )


def pick_weighted(rng: np.random.Generator, pool: Pool, weight: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One row of ``pool`` per query, within the query's département, with probability ∝ ``weight``."""
    cum = np.cumsum(weight, dtype=float)
    start, count = pool.start[group], pool.count[group]
    end = start + np.maximum(count, 1) - 1
    lo = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    target = lo + rng.random(len(group)) * (cum[end] - lo)
    row = np.clip(np.searchsorted(cum, target, side="right"), start, end)
    return np.where(count > 0, row, -1)


def apportion(rng: np.random.Generator, total: int, weight: np.ndarray) -> np.ndarray:
    """Split the integer ``total`` over the rows in proportion to ``weight`` (systematic sampling).

    Each row gets the floor or the ceiling of its share, and the parts sum exactly to ``total``.
    """
    if len(weight) == 0:
        return np.zeros(0, np.int64)
    cum = np.minimum(np.cumsum(weight, dtype=float) * (total / weight.sum()), total)
    cum[-1] = total
    return np.diff(np.floor(cum + rng.random()).astype(np.int64), prepend=0)


def jittered(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: float
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Points moved by a normal offset of ``km`` standard deviation along each axis."""
    d = rng.normal(0.0, km, size=(2, len(lat))) / KM_PER_DEGREE
    return lat + d[0], lon + d[1] / np.cos(np.radians(lat))


def coords(mask: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Coordinates rounded to 5 decimals (``%.5f``) where ``mask``, else ``""``."""
    out = np.full(len(mask), "", dtype=object)
    out[mask] = np.char.mod("%.5f", np.round(values[mask], 5) + 0.0).astype(object)
    return out
