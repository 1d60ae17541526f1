"""Who would take one more place under every rule: the students an allocation leaves unplaced, placeable alone.

The recruitment plan (:mod:`matcher.solve.recruit`) reads what a place adds on the relaxed network, where students
may split their weeks anywhere and group members go apart; the allocation keeps those rules, so what a place adds
there may need a split or a move the rules forbid. A place is **realisable** when students the allocation leaves
unplaced can take it directly, each for all their weeks at that site: the allocation plus those students is an
allocation keeping every rule, with that many more placed. A both-weeks student takes both weeks of the place (full
time, which every rule allows); a week-1 and a week-2 student take one week each; a student of a group is not a
taker (the group is hosted together).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["Takers", "waiting_at"]

_Ints = npt.NDArray[np.int64]
_Bools = npt.NDArray[np.bool_]


class Takers:
    """The students who may take a new place at a site, consumed as the plan's places are given to them.

    Parameters
    ----------
    pairs : DataFrame
        ``student, site`` positions of the eligible pairs (those of the relaxed network).
    weeks : ndarray
        Per student: ``both``, ``week_1`` or ``week_2``.
    has1, has2 : ndarray of bool
        Per site: whether it offers places in week 1, in week 2 (a new place is added in those weeks).
    free : ndarray of bool
        Per student: left unplaced by the allocation and not one of a group.
    """

    def __init__(self, pairs: pd.DataFrame, weeks: np.ndarray, has1: _Bools, has2: _Bools, free: _Bools) -> None:
        s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
        keep = free[s]
        s, j = s[keep], j[keep]
        kind = np.select([weeks[s] == "week_1", weeks[s] == "week_2"], [1, 2], 0)
        fits = np.where(kind == 1, has1[j], np.where(kind == 2, has2[j], has1[j] & has2[j]))
        self._s, self._j, self._kind = s[fits], j[fits], kind[fits]
        self._free = free.copy()
        self._m = len(has1)
        self._given: list[_Ints] = []  # positions in the pairs kept, of the students given a place

    def realisable(self) -> _Ints:
        """Per site: how many students one more place there gives a place under every rule (0, 1 or 2)."""
        left = self._free[self._s]
        counts = [np.bincount(self._j[left & (self._kind == k)], minlength=self._m) > 0 for k in (0, 1, 2)]
        out: _Ints = np.maximum(counts[0].astype(np.int64), counts[1].astype(np.int64) + counts[2])
        return out

    def take(self, site: int, n: int) -> None:
        """Give one more place at ``site`` to ``n`` of its takers (a week-1 and a week-2 one for two, else the
        first one in file order), who then take no other."""
        at = np.flatnonzero((self._j == site) & self._free[self._s])
        kinds = self._kind[at]
        if n >= 2:
            chosen = [at[kinds == 1][:1], at[kinds == 2][:1]]
        else:
            chosen = [at[:n]]
        self._given.append(np.concatenate(chosen))
        self._free[self._s[self._given[-1]]] = False

    def placements(self) -> pd.DataFrame:
        """The places given so far: ``student, site, week`` rows (a both-weeks student: one row per week)."""
        at = np.concatenate([np.zeros(0, np.int64), *self._given])
        kind = self._kind[at]
        at, week = np.repeat(at, np.where(kind == 0, 2, 1)), np.repeat(kind, np.where(kind == 0, 2, 1))
        week[week == 0] = np.tile([1, 2], int((kind == 0).sum()))
        return pd.DataFrame({"student": self._s[at], "site": self._j[at], "week": week.astype(np.int8)})


def waiting_at(pairs: pd.DataFrame, placed: _Ints, m: int) -> _Ints:
    """Per site, the students the flow leaves unplaced who have a pair there."""
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    keep = placed[s] == 0
    unique = np.unique(j[keep] * (len(placed) + 1) + s[keep]) // (len(placed) + 1)
    return np.bincount(unique, minlength=m).astype(np.int64)
