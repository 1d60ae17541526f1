"""Fewer splits at no cost: re-decide week 2 with week 1 fixed, preferring each student's week-1 site.

Given an optimal flow, its week-1 rows stay; the week-2 places of the students who need one are re-assigned by a
second min-cost flow (a transportation problem) whose cost is the optimal one's times a factor larger than any
tie-break total, plus a tie-break: 0 to stay at the week-1 site, 1 to split, more when the split would break a
full-time rule. The week-2 part of the optimum is unchanged (checked), so every level keeps its value; among
those solutions, splits — and rule-breaking splits first — are as few as the fixed week 1 allows.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

__all__ = ["polish_week_2"]


def polish_week_2(placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame,
                  order: tuple[str, ...]) -> pd.DataFrame:
    """Placements with week 2 re-decided (see the module docstring); the input when nothing better is found.

    ``order`` tells whether preference or distance comes first among the cost levels.
    """
    w2 = placements[placements["week"] == 2]
    if w2.empty:
        return placements
    week1 = placements[placements["week"] == 1].set_index("student")["site"]
    who = np.sort(w2["student"].to_numpy(np.int64))
    arcs = pairs[pairs["student"].isin(who) & (sites["capacity_week_2"].to_numpy()[pairs["site"].to_numpy()] > 0)]
    s, k = arcs["student"].to_numpy(np.int64), arcs["site"].to_numpy(np.int64)
    own = week1.reindex(s).to_numpy()
    stays = own == k
    strict = ~students["split_ok"].to_numpy(bool)[s] | sites["full_time_only"].to_numpy(bool)[k]
    strict |= sites["full_time_only"].to_numpy(bool)[np.where(np.isnan(own), k, own).astype(np.int64)]
    one_week = np.isnan(own)
    tie = np.where(stays | one_week, 0, np.where(strict, 1 + len(who), 1)).astype(np.int64)
    base = _base(arcs, order)
    factor = int(tie.sum()) + 1
    chosen = _transport(who, s, k, base * factor + tie, sites["capacity_week_2"].to_numpy(np.int64))
    if chosen is None:
        return placements
    new = pd.DataFrame({"student": s[chosen], "site": k[chosen], "week": np.int8(2)})
    if _cost(new, pairs) != _cost(w2, pairs):  # the optimum's week-2 part must be kept exactly
        return placements
    out = pd.concat([placements[placements["week"] == 1], new], ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def _base(arcs: pd.DataFrame, order: tuple[str, ...]) -> np.ndarray:
    """Cost levels of each arc combined in ``order``, the first dominating one student's range of the second."""
    rank = arcs["rank"].to_numpy(np.int64)
    metres = np.rint(arcs["km"].to_numpy(float) * 1000).astype(np.int64)
    levels = [x for lv, x in (("preference", rank), ("distance", metres)) if lv in order]
    if order.index("distance") < order.index("preference") if len(levels) == 2 else False:
        levels.reverse()
    if not levels:
        return np.zeros(len(arcs), np.int64)
    if len(levels) == 1:
        return levels[0]
    return (2 * int(levels[1].max(initial=0)) + 1) * levels[0] + levels[1]


def _cost(rows: pd.DataFrame, pairs: pd.DataFrame) -> tuple[int, int]:
    r = rows.merge(pairs, on=["student", "site"])
    return int(r["rank"].sum()), int(np.rint(r["km"] * 1000).sum())


def _transport(who, s, k, cost, cap2) -> np.ndarray | None:
    """Every student in ``who`` gets one week-2 place at minimum cost; the arcs used, or None if infeasible."""
    n, m = len(who), len(cap2)
    spos = np.searchsorted(who, s)
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), spos, n + np.arange(m)])
    heads = np.concatenate([np.arange(n), n + k, np.full(m, sink)])
    caps = np.concatenate([np.ones(n, np.int64), np.ones(len(s), np.int64), cap2])
    costs = np.concatenate([np.zeros(n, np.int64), cost, np.zeros(m, np.int64)])
    mcf = SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    if mcf.solve() != mcf.OPTIMAL:
        return None
    flows = mcf.flows(np.arange(n, n + len(s)))
    return np.flatnonzero(flows > 0)
