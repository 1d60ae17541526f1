"""Improve the repair's best allocation: the closing's exact MIP, then the pools' flow, each kept when better.

Both steps come after ``engine``'s repair rounds and work on the whole problem (``Problem``); an allocation is
better when its ``key`` is larger (students placed, then counted towards floors, then priority students).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from matcher.solve.closing import close_gap, recost
from matcher.solve.floorlevel import FloorLevel
from matcher.solve.pools import augment_in_pools, moved, pair_costs, recost_in_pools
from matcher.solve.rounds import State, find_breaks

__all__ = ["Problem", "closed", "key", "pooled"]


@dataclass(frozen=True)
class Problem:
    """What the steps after the repair rounds work on."""

    pairs: pd.DataFrame
    students: pd.DataFrame
    sites: pd.DataFrame
    order: tuple[str, ...]
    level: FloorLevel | None


def closed(best: pd.DataFrame, best_key: tuple[int, int, int] | None, p: Problem, state: State) -> pd.DataFrame:
    """``closing.close_gap`` on the best settled allocation when it is better by ``key``; without floors, its cost
    levels then solved again on its own pairs (``closing.recost``) when that keeps every rule and student."""
    pairs, students, sites, order, level = p.pairs, p.students, p.sites, p.order, p.level
    done = close_gap(best, pairs, students, sites, state.groups.code, order)
    gained = key(done, level, students, order)
    if best_key is not None and gained <= best_key:
        return best
    if level is None:
        again = recost(done, pairs, students, sites, order, state.gender)
        if key(again, level, students, order) == gained and not find_breaks(again, students, sites, state.groups).any:
            return again
    return done


def pooled(placements: pd.DataFrame, p: Problem, state: State) -> pd.DataFrame:
    """``pools.augment_in_pools`` on the allocation, taken when it is better by ``key`` and keeps every rule; the
    students it moves or adds then allocated again among themselves by the cost levels (``pools.recost_in_pools``;
    not with the gender level, which depends on who is where)."""
    pairs, students, sites, order, level = p.pairs, p.students, p.sites, p.order, p.level
    more = placements
    for full_time in (False, True):  # then with the full-time students who may split in the full-time pool
        more = augment_in_pools(more, pairs, students, sites, state.groups.code, full_time)
    gained = key(more, level, students, order)
    if more is placements or gained <= key(placements, level, students, order):
        return placements
    if find_breaks(more, students, sites, state.groups).any:
        return placements
    if state.gender is not None:
        return more
    moving = moved(placements, more, len(students), len(sites))
    per_pair = pair_costs(pairs, order, int(moving.sum()), 2 + 3 * len(sites) + 2 * len(students))
    if per_pair is None:
        return more
    cheaper = recost_in_pools(more, moving, pairs, students, sites, state.groups.code, per_pair)
    same = key(cheaper, level, students, order) == gained
    return cheaper if same and not find_breaks(cheaper, students, sites, state.groups).any else more


def key(
    placements: pd.DataFrame, level: FloorLevel | None, students: pd.DataFrame, order: tuple[str, ...]
) -> tuple[int, int, int]:
    """How allocations compare (the larger the better): students placed, then counted towards floors (floors
    first when ``order`` says so), then priority students."""
    who = placements["student"].unique()
    floors = 0 if level is None else level.value(who)
    first = (floors, len(who)) if order[0] == "floors" else (len(who), floors)
    return *first, int(students["priority"].to_numpy(bool)[who].sum())
