"""The objective levels, one entry each: name, sense, unit, kind, label, and how a per-pair cost is built.

The allocation is optimised lexicographically over these levels in ``Objective.order``. Adding a level means one
entry here plus its cost: a per-pair cost function (``pair_cost``) for a level summed over student-weeks on their
pairs, or a count over placed students built by the network (``matcher.solve.flow``), or a figure computed on the
final placements (``after``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.util.i18n import mark

__all__ = ["LevelSpec", "LEVEL_SPECS", "LEVELS", "COUNT_LEVELS", "COST_LEVELS", "metres", "spec"]


def _ranks(pairs: pd.DataFrame) -> npt.NDArray[np.int64]:
    return pairs["rank"].to_numpy(np.int64)


def metres(km: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Distances in whole metres (rounded half to even): the unit of the ``distance`` level, everywhere."""
    out: npt.NDArray[np.int64] = np.rint(np.asarray(km, dtype=float) * 1000).astype(np.int64)
    return out


def _metres(pairs: pd.DataFrame) -> npt.NDArray[np.int64]:
    return metres(pairs["km"].to_numpy(float))


@dataclass(frozen=True)
class LevelSpec:
    """One objective level.

    Attributes
    ----------
    name : str
        As written in ``Objective.order``, policy files and ``summary.json``.
    sense : {"max", "min"}
        Maximised or minimised.
    unit : str
        What the value counts (``summary.json``'s ``unit``, in English; marked for the catalogue, translated where
        it is shown).
    kind : {"count", "cost", "after"}
        ``count``: placed students that count (on each student's arc of the network); ``cost``: a cost summed over
        student-weeks (on pair arcs, or the gender layer's arcs); ``after``: computed on the final placements.
    label : str
        What people read for the level (the command line's table, the workspace's pages), in English; marked for
        the catalogue, translated where it is shown. ``name`` stays the key of policy files and ``summary.json``.
    pair_cost : callable or None
        For a ``cost`` level summed over pairs: each pair's cost for one student-week, from the candidate pairs.
    """

    name: str
    sense: Literal["max", "min"]
    unit: str
    kind: Literal["count", "cost", "after"]
    label: str
    pair_cost: Callable[[pd.DataFrame], npt.NDArray[np.int64]] | None = None


LEVEL_SPECS: tuple[LevelSpec, ...] = (
    LevelSpec("placed", "max", mark("students"), "count", mark("Students placed")),
    LevelSpec("floors", "max", mark("students placed towards a floor"), "count", mark("Placed towards a floor")),
    LevelSpec("priority", "max", mark("priority students"), "count", mark("Priority students placed")),
    LevelSpec("gender", "min", mark("boy-weeks beyond the gender target"), "cost", mark("Gender balance")),
    LevelSpec("preference", "min", mark("sum of ranks over student-weeks"), "cost", mark("Preferences"), _ranks),
    LevelSpec("distance", "min", mark("metres over student-weeks"), "cost", mark("Distance travelled"), _metres),
    LevelSpec("splits", "min", mark("students split between two hosts"), "after", mark("Split placements")),
)

#: Every level's name, in the default order.
LEVELS: tuple[str, ...] = tuple(s.name for s in LEVEL_SPECS)
#: Levels counting placed students (maximised on the network).
COUNT_LEVELS: tuple[str, ...] = tuple(s.name for s in LEVEL_SPECS if s.kind == "count")
#: Levels costing student-weeks (minimised on the network).
COST_LEVELS: tuple[str, ...] = tuple(s.name for s in LEVEL_SPECS if s.kind == "cost")
_BY_NAME = {s.name: s for s in LEVEL_SPECS}


def spec(name: str) -> LevelSpec:
    """The entry of level ``name`` (KeyError for an unknown name)."""
    return _BY_NAME[name]
