"""The optimal mode's final level values: an allocation's values on each level against the relaxed flow's bounds,
with the ``gender`` and ``floors`` levels computed exactly and bounds that hold for every allocation added."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.candidates.search import pair_rows
from matcher.errors import SolverError
from matcher.objective import metres
from matcher.result import Level
from matcher.solve.bounds import lexicographic, unconditional
from matcher.solve.floorlevel import FloorBound, FloorLevel, with_floors
from matcher.solve.gendercap import boys_over

__all__ = ["final_levels"]


def final_levels(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    first: tuple[Level, ...],
    order: tuple[str, ...],
    gender: tuple[float, int] | None,
    level: FloorLevel | None,
    floors_bound: FloorBound | None,
) -> list[Level]:
    """Level values of ``placements`` against the bounds of the relaxed flow's levels ``first``.

    The ``floors`` level's value and bound are computed exactly (``FloorLevel``; ``level`` and ``floors_bound``
    are both given or both None); the flow's bounds for the levels after it hold for its approximation only, so
    with floors they are not claimed. A cost level left without a lexicographic bound gets one over every
    allocation placing as many students (``bounds``).
    """
    levels = [
        Level(lv.name, got.value, lv.bound, lv.sense)
        for lv, got in zip(first, _values(first, placements, pairs, students))
    ]
    if gender is not None:  # counted on the sites' full capacities (a repair round sees the places left)
        over = boys_over(
            placements,
            students["gender"].to_numpy(object) == "M",
            sites["capacity_week_1"].to_numpy(np.int64),
            sites["capacity_week_2"].to_numpy(np.int64),
            *gender,
        )
        levels = [Level(lv.name, float(over), lv.bound, lv.sense) if lv.name == "gender" else lv for lv in levels]
    if level is not None and floors_bound is not None:
        levels = with_floors(levels, placements, pairs, students, sites, level, floors_bound)
    levels = unconditional(lexicographic(levels), placements, pairs, students, sites, gender)
    if "splits" in order:  # a tie-break, lowered by the week-2 polish: only the trivial bound 0 is proven
        levels.append(Level("splits", float(_splits(placements)), 0.0, "min"))
    return levels


def _values(
    levels: tuple[Level, ...], placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame
) -> tuple[Level, ...]:
    """Level values of ``placements`` (per student-week, as in the flow)."""
    at = pair_rows(pairs, placements["student"].to_numpy(), placements["site"].to_numpy())
    if (at < 0).any():
        raise SolverError("internal error: a placement on no candidate pair")
    rows = pairs.iloc[at]
    placed = placements["student"].unique()
    value = {
        "placed": len(placed),
        "priority": int(students["priority"].to_numpy(bool)[placed].sum()),
        "preference": int(rows["rank"].sum()),
        "distance": int(metres(rows["km"].to_numpy(float)).sum()),
        "floors": 0,
        "gender": 0,
    }  # computed by FloorLevel and boys_over
    return tuple(Level(lv.name, float(value[lv.name]), lv.bound, lv.sense) for lv in levels)


def _splits(placements: pd.DataFrame) -> int:
    """Students placed at two different sites, one each week."""
    per = placements.groupby("student")["site"].agg(["nunique", "size"])
    return int(((per["size"] == 2) & (per["nunique"] == 2)).sum())
