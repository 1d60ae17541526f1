"""Small array helpers for cells holding tuples (trades, site choices, listed lycées) and runs of rows."""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["lengths", "positions", "nth"]


def lengths(cells: np.ndarray) -> np.ndarray:
    """``len`` of each cell (tuples)."""
    return np.fromiter(map(len, cells), np.int64, len(cells))


def positions(counts: np.ndarray) -> np.ndarray:
    """0, 1, ... within each run of ``counts`` items, all runs one after the other."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def nth(keys: np.ndarray) -> np.ndarray:
    """Per row, how many earlier rows have the same key (0 for the first)."""
    return pd.Series(keys).groupby(keys, sort=False).cumcount().to_numpy(np.int64)
