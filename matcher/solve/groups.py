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

from matcher.domain.groups import Groups
from matcher.objective import metres

__all__ = ["broken_groups", "group_needs", "group_sites", "hosted_rows", "place_groups", "week_needs"]


def broken_groups(placements: pd.DataFrame, groups: Groups, n_students: int) -> np.ndarray:
    """Codes of the groups whose members are not placed identically (same site each week, or all unplaced)."""
    if len(groups.size) == 0:
        return np.zeros(0, np.int64)
    layout = np.full((n_students, 2), -1, np.int64)
    layout[placements["student"].to_numpy(), placements["week"].to_numpy().astype(np.int64) - 1] = placements[
        "site"
    ].to_numpy()
    member = np.flatnonzero(groups.code >= 0)
    rows = pd.DataFrame({"g": groups.code[member], "w1": layout[member, 0], "w2": layout[member, 1]})
    spread = rows.drop_duplicates().groupby("g").size()
    return spread.index[spread.to_numpy() > 1].to_numpy(np.int64)


def place_groups(
    todo: np.ndarray,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    groups: Groups,
    order: tuple[str, ...],
) -> pd.DataFrame:
    """Placements (``student, site, week``, by student then week) of the groups ``todo``, whole and full time, in
    ``sites``' places."""
    todo = np.asarray(todo, np.int64)
    if len(todo) == 0:
        return pd.DataFrame(
            {"student": np.zeros(0, np.int64), "site": np.zeros(0, np.int64), "week": np.zeros(0, np.int8)}
        )
    needs = week_needs(students)
    need, priority = group_needs(students, groups)
    left = np.stack([sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)], 1)
    options, starts = _options(todo, pairs, groups, needs, order)
    host = np.full(len(groups.size), -1, np.int64)
    for g in todo[np.lexsort((todo, -groups.size[todo], -priority[todo]))]:
        cand = options[starts[g] : starts[g + 1]]
        fits = np.flatnonzero((left[cand, 0] >= need[g, 0]) & (left[cand, 1] >= need[g, 1]))
        if len(fits):
            host[g] = cand[fits[0]]
            left[host[g]] -= need[g]
    return hosted_rows(host, needs, groups)


def week_needs(students: pd.DataFrame) -> np.ndarray:
    """Per student, whether they need a place in week 1 and in week 2 (two boolean columns)."""
    weeks = students["weeks"].to_numpy(object)
    return np.stack([weeks != "week_2", weeks != "week_1"], axis=1)


def group_needs(students: pd.DataFrame, groups: Groups) -> tuple[np.ndarray, np.ndarray]:
    """Per group, the places it needs in week 1 and in week 2 (two columns), and its priority members."""
    needs, member = week_needs(students), groups.code >= 0
    need = np.stack([np.bincount(groups.code[member & needs[:, w]], minlength=len(groups.size)) for w in (0, 1)], 1)
    priority = np.bincount(
        groups.code[member], weights=students["priority"].to_numpy(bool)[member], minlength=len(groups.size)
    )
    return need, priority.astype(np.int64)


def hosted_rows(host: np.ndarray, needs: np.ndarray, groups: Groups) -> pd.DataFrame:
    """The rows (``student, site, week``, by student then week) of every member of a group with a ``host`` (per
    group, a site or -1), in each week the member ``needs`` (per student, week 1 and week 2)."""
    who = np.flatnonzero(groups.code >= 0)
    who = who[host[groups.code[who]] >= 0]
    rows = pd.DataFrame(
        {
            "student": np.concatenate([who, who]),
            "site": np.tile(host[groups.code[who]], 2),
            "week": np.repeat(np.array([1, 2], np.int8), len(who)),
            "needed": np.concatenate([needs[who, 0], needs[who, 1]]),
        }
    )
    rows = rows[rows["needed"].to_numpy()].drop(columns="needed")
    return rows.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def group_sites(todo: np.ndarray, pairs: pd.DataFrame, groups: Groups, needs: np.ndarray) -> pd.DataFrame:
    """``g, site, preference, distance``: each group of ``todo`` at each site where every member has a pair, with
    the group's totals over its member-weeks (``needs``: per student, week 1 and week 2); by group, then site."""
    s = pairs["student"].to_numpy(np.int64)
    mine = np.isin(groups.code[s], todo)
    s, j = s[mine], pairs["site"].to_numpy(np.int64)[mine]
    n_weeks = needs[s].sum(axis=1)
    table = pd.DataFrame(
        {
            "g": groups.code[s],
            "site": j,
            "n": 1,
            "preference": pairs["rank"].to_numpy(np.int64)[mine] * n_weeks,
            "distance": metres(pairs["km"].to_numpy(float)[mine]) * n_weeks,
        }
    )
    total = table.groupby(["g", "site"], as_index=False).sum()
    every: pd.DataFrame = total[total["n"].to_numpy() == groups.size[total["g"].to_numpy()]].drop(columns="n")
    return every.reset_index(drop=True)


def _options(
    todo: np.ndarray, pairs: pd.DataFrame, groups: Groups, needs: np.ndarray, order: tuple[str, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """The sites every member of a group of ``todo`` may go to, by group then best first (group totals over
    member-weeks), and where each group's start: group ``g``'s are ``sites[starts[g]:starts[g + 1]]``."""
    costs = [name for name in order if name in ("preference", "distance")]
    total = group_sites(todo, pairs, groups, needs).sort_values(["g", *costs, "site"], kind="stable")
    starts = np.searchsorted(total["g"].to_numpy(np.int64), np.arange(len(groups.size) + 1))
    return total["site"].to_numpy(np.int64), starts
