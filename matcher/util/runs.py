"""Small array helpers for cells holding tuples (trades, site choices, listed lycées) and runs of rows."""

from __future__ import annotations

from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["lengths", "positions", "nth", "items"]


def lengths(cells: np.ndarray) -> np.ndarray:
    """``len`` of each cell (tuples)."""
    return np.fromiter(map(len, cells), np.int64, len(cells))


def positions(counts: np.ndarray) -> npt.NDArray[np.int64]:
    """0, 1, ... within each run of ``counts`` items, all runs one after the other."""
    within: npt.NDArray[np.int64] = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return within


def nth(keys: np.ndarray) -> np.ndarray:
    """Per row, how many earlier rows have the same key (0 for the first)."""
    return pd.Series(keys).groupby(keys, sort=False).cumcount().to_numpy(np.int64)


def items(lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The elements of a column of tuples (or lists), missing ones dropped, and the row position of each, in order;
    a column holding anything else is exploded by pandas."""
    values = lists.to_numpy(object)
    if not set(map(type, values)) <= {tuple, list}:
        e = lists.reset_index(drop=True).explode().dropna()
        return e.to_numpy(object), e.index.to_numpy(np.int64)
    sizes = lengths(values)
    flat = np.fromiter(chain.from_iterable(values), object, sizes.sum())
    row = np.repeat(np.arange(len(values), dtype=np.int64), sizes)
    kept = ~pd.isna(flat)
    return flat[kept], row[kept]
