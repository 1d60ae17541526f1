"""Groups in the engine: find the groups the flow did not place whole and together, and place them whole.

The flow sees a group's members as separate students (a relaxation: its bound stays valid). A group is *broken*
when its members are not all placed at the same sites for the same weeks, or when some are placed and others not.
A broken group leaves the flow for good: ``place_groups`` puts it, whole and full time, at the site that can still
host it with the best objective value for the group (preference then distance, or as ``order`` says), groups with
more priority members first, then larger groups; a group that fits nowhere is not placed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..groups import Groups

__all__ = ["broken_groups", "place_groups"]


def broken_groups(placements: pd.DataFrame, groups: Groups, n_students: int) -> np.ndarray:
    """Codes of the groups whose members are not placed identically (same site each week, or all unplaced)."""
    if len(groups.size) == 0:
        return np.zeros(0, np.int64)
    layout = np.full((n_students, 2), -1, np.int64)
    layout[placements["student"].to_numpy(), placements["week"].to_numpy().astype(np.int64) - 1] = \
        placements["site"].to_numpy()
    member = np.flatnonzero(groups.code >= 0)
    rows = pd.DataFrame({"g": groups.code[member], "w1": layout[member, 0], "w2": layout[member, 1]})
    spread = rows.drop_duplicates().groupby("g").size()
    return spread.index[spread.to_numpy() > 1].to_numpy(np.int64)


def place_groups(todo: np.ndarray, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame,
                 groups: Groups, order: tuple[str, ...]) -> pd.DataFrame:
    """Placements (``student, site, week``) of the groups ``todo``, whole and full time, in ``sites``' places."""
    empty = pd.DataFrame({"student": np.zeros(0, np.int64), "site": np.zeros(0, np.int64),
                          "week": np.zeros(0, np.int8)})
    if len(todo) == 0:
        return empty
    weeks = students["weeks"].to_numpy(object)
    needs = np.stack([weeks != "week_2", weeks != "week_1"], axis=1)  # per student: week 1, week 2
    options = _options(todo, pairs, groups, needs, order)
    left = np.stack([sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)], 1)
    priority = np.bincount(groups.code[groups.code >= 0],
                           weights=students["priority"].to_numpy(bool)[groups.code >= 0], minlength=len(groups.size))
    rows = []
    for g in sorted(todo, key=lambda g: (-priority[g], -groups.size[g], g)):
        members = groups.members(g)
        need = needs[members].sum(axis=0)
        cand = options.get(g)
        if cand is None:
            continue
        fits = np.flatnonzero((left[cand, 0] >= need[0]) & (left[cand, 1] >= need[1]))
        if len(fits) == 0:
            continue
        site = cand[fits[0]]
        left[site] -= need
        for week in (1, 2):
            who = members[needs[members, week - 1]]
            rows.append(pd.DataFrame({"student": who, "site": site, "week": np.int8(week)}))
    return pd.concat(rows, ignore_index=True) if rows else empty


def _options(todo: np.ndarray, pairs: pd.DataFrame, groups: Groups, needs: np.ndarray,
             order: tuple[str, ...]) -> dict[int, np.ndarray]:
    """Per group of ``todo``, the sites every member may go to, best first (group totals over member-weeks)."""
    s = pairs["student"].to_numpy(np.int64)
    mine = np.isin(groups.code[s], todo)
    s, j = s[mine], pairs["site"].to_numpy(np.int64)[mine]
    n_weeks = needs[s].sum(axis=1)
    table = pd.DataFrame({"g": groups.code[s], "site": j, "n": 1,
                          "preference": pairs["rank"].to_numpy(np.int64)[mine] * n_weeks,
                          "distance": np.rint(pairs["km"].to_numpy(float)[mine] * 1000).astype(np.int64) * n_weeks})
    total = table.groupby(["g", "site"], as_index=False).sum()
    total = total[total["n"].to_numpy() == groups.size[total["g"].to_numpy()]]  # every member may go there
    costs = [name for name in order if name in ("preference", "distance")]
    total = total.sort_values(["g", *costs, "site"], kind="stable")
    return {int(g): frame["site"].to_numpy(np.int64) for g, frame in total.groupby("g", sort=False)}
