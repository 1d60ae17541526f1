"""Groups (``group_id``): students hosted together — same site, same weeks — or not at all.

A group of ``g`` members can only go to a site whose ``max_group_size`` is at least ``g``, that has ``g`` places
in each week the members need, and that is eligible for every member. ``group_pairs`` keeps only such pairs
for the members (the others could never be used), so the relaxed flow's bound stays valid and gets tighter;
the engine then places each group whole (``matcher.solve.groups``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Groups", "find_groups", "group_pairs"]


@dataclass(frozen=True)
class Groups:
    """Which group each student is in.

    Attributes
    ----------
    code : ndarray of int64
        Per student, the group's number (0, 1, ...), or -1 for a student on their own.
    size : ndarray of int64
        Per group, its number of members.
    ids : ndarray of object
        Per group, its ``group_id``.
    """

    code: np.ndarray
    size: np.ndarray
    ids: np.ndarray

    def members(self, group: int) -> np.ndarray:
        """Student positions of ``group``."""
        return np.flatnonzero(self.code == group)

    def with_mates(self, who: np.ndarray) -> np.ndarray:
        """The students ``who`` and every member of their groups, sorted (a group's pairs are decided for all its
        members at once)."""
        mine = self.code[who]
        return np.union1d(who, np.flatnonzero(np.isin(self.code, mine[mine >= 0]))).astype(np.int64)


def find_groups(students: pd.DataFrame) -> Groups:
    """The groups of ``students`` (a ``group_id`` shared by two or more students; a lone id is no group)."""
    gid = students["group_id"].fillna("").astype(str).to_numpy(object)
    codes, ids = pd.factorize(pd.Series(gid).mask(gid == ""), sort=True)
    size = np.bincount(codes[codes >= 0], minlength=len(ids))
    kept = np.flatnonzero(size >= 2)
    renumber = np.full(len(ids) + 1, -1)  # the last entry renumbers code -1 (no group id) to -1
    renumber[kept] = np.arange(len(kept))
    return Groups(
        code=renumber[codes].astype(np.int64), size=size[kept].astype(np.int64), ids=np.asarray(ids, dtype=object)[kept]
    )


def group_pairs(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups) -> pd.DataFrame:
    """``pairs`` without the members' pairs at sites that cannot host their whole group."""
    s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    g = groups.code[s]
    member = g >= 0
    if not member.any():
        return pairs
    weeks = students["weeks"].to_numpy(object)
    need1 = np.bincount(groups.code[(groups.code >= 0) & (weeks != "week_2")], minlength=len(groups.size))
    need2 = np.bincount(groups.code[(groups.code >= 0) & (weeks != "week_1")], minlength=len(groups.size))
    gm, jm = g[member], j[member]
    fits = (
        (sites["max_group_size"].to_numpy(np.int64)[jm] >= groups.size[gm])
        & (sites["capacity_week_1"].to_numpy(np.int64)[jm] >= need1[gm])
        & (sites["capacity_week_2"].to_numpy(np.int64)[jm] >= need2[gm])
    )
    key = gm * len(sites) + jm
    _, inverse, count = np.unique(key, return_inverse=True, return_counts=True)
    keep = np.ones(len(pairs), bool)
    keep[member] = fits & (count[inverse] == groups.size[gm])
    return pairs[keep].reset_index(drop=True)
