"""The ``floors`` level in the engine: placed students counting towards their académie's floor.

The level, ``sum over académies of min(placed, floor)``, is concave in each académie's count, which the flow
network cannot express (a student's académie is not a node of it). The engine approximates it: the flow counts
the placements of students whose académie is *open* — below or at its floor — and the open set is updated from
the flow's result a few times (``chase``); the best allocation found is kept. The level's value is always
recomputed exactly, and its bound is ``sum of min(floor, students of the académie with an eligible site)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["FloorLevel", "floor_level"]


@dataclass(frozen=True)
class FloorLevel:
    """Floors per académie, and each student's académie (its position in ``floor``; -1 without a floor)."""

    code: np.ndarray
    floor: np.ndarray

    def placed(self, students: np.ndarray) -> np.ndarray:
        """Placed students per académie."""
        code = self.code[students]
        return np.bincount(code[code >= 0], minlength=len(self.floor))

    def value(self, students: np.ndarray) -> int:
        """The level's value for the placed ``students`` (positions, each once)."""
        return int(np.minimum(self.placed(students), self.floor).sum())

    def bound(self, pairs: pd.DataFrame) -> int:
        """``sum of min(floor, students with an eligible site)``: no allocation counts more."""
        return self.value(np.unique(pairs["student"].to_numpy(np.int64)))

    def open_mask(self, students: np.ndarray | None) -> np.ndarray:
        """Per student: their académie is at or below its floor with ``students`` placed (all floors when None)."""
        room = self.floor > 0 if students is None else (self.floor > 0) & (self.placed(students) <= self.floor)
        return (self.code >= 0) & room[np.maximum(self.code, 0)]


def floor_level(students: pd.DataFrame, floors: pd.Series | None) -> FloorLevel | None:
    """The level for ``floors`` (floor per académie name); None when there are no floors."""
    if floors is None or len(floors) == 0:
        return None
    index = pd.Index(floors.index.astype(str))
    return FloorLevel(code=index.get_indexer(students["academie"].astype(str)).astype(np.int64),
                      floor=floors.to_numpy(np.int64))
