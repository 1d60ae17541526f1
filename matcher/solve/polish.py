"""Fewer splits at no cost: re-decide week 2 with week 1 fixed, preferring each student's week-1 site.

Given an optimal flow, its week-1 rows stay; the week-2 places of the students who need one are re-assigned by a
second min-cost flow (a transportation problem). Its cost is the flow's own week-2 levels — boys beyond the gender
target's free places when there is one (the same layer as ``gendercap``), then preference, then distance — times a
factor larger than any tie-break total, plus a tie-break: 0 to stay at the week-1 site, 1 to split, ``_STRICT`` when
the split would break a full-time rule. The result is taken only when its week-2 levels are no worse, in order,
than the flow's (checked), so every level keeps its value; among those solutions, splits — and rule-breaking splits
first — are as few as the fixed week 1 allows.

A flow whose cost levels carry no bound (the engine's first flow and repair rounds: ``rules_first``) is polished
with the full-time rules first: a rule-breaking split costs more than all other costs together, so they are
fewest; the week-2 levels come next (weighed roughly) and may get worse than the flow's. At national scale this
leaves 1,665 students breaking a rule instead of 8,500, and the repair, with less to undo, places 558 more
students (65,721 against 65,163; ranks 1.7 % and distance 3 % higher).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matcher.candidates.search import pair_rows
from matcher.objective import metres
from matcher.result import SolveStatus, min_cost_flow_status
from matcher.solve.flow import level_costs
from matcher.solve.gendercap import boys_over, free_boys

__all__ = ["polish_week_2"]

#: Tie-break cost of a split breaking a full-time rule (a split keeping them costs 1, staying 0).
_STRICT = 8
_MAX_COST = 2**62

#: The gender layer of the week-2 flow: per arc, a boy's; per site, the free boys' places and whether it applies.
_Layer: TypeAlias = tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.bool_]]


def polish_week_2(
    placements: pd.DataFrame,
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    gender: tuple[float, int] | None = None,
    rules_first: bool = False,
) -> pd.DataFrame:
    """Placements with week 2 re-decided (see the module docstring); the input when nothing better is found.

    ``order`` tells whether preference or distance comes first among the cost levels; ``gender`` (girls' share,
    smallest site) is the flow's gender target, if any. ``rules_first`` (for a flow whose cost levels carry no
    bound): fewest splits breaking a full-time rule first, then the week-2 levels (which may then be worse than
    the flow's), then fewest splits — a student kept full time here need not be repaired.
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
    tie = np.where(stays | np.isnan(own), 0, np.where(strict, _STRICT, 1)).astype(np.int64)
    boys = students["gender"].to_numpy(object) == "M" if gender is not None and "gender" in order else None
    cap2 = sites["capacity_week_2"].to_numpy(np.int64)
    layer: _Layer | None = None
    if (
        boys is not None
        and gender is not None
        and all(order.index("gender") < order.index(lv) for lv in ("preference", "distance") if lv in order)
    ):
        layer = (boys[s], *free_boys(cap2, *gender))
    breaks = (tie == _STRICT) if rules_first else None
    chosen = _transport(who, s, k, _base(arcs, order), tie, cap2, layer, breaks)
    if chosen is None:
        return placements
    new = pd.DataFrame({"student": s[chosen], "site": k[chosen], "week": np.int8(2)})
    if not rules_first and _levels(new, pairs, boys, sites, gender, order) > _levels(
        w2, pairs, boys, sites, gender, order
    ):
        return placements  # the flow's week-2 levels must be kept
    out = pd.concat([placements[placements["week"] == 1], new], ignore_index=True)
    return out.sort_values(["student", "week"], kind="stable").reset_index(drop=True)


def _base(arcs: pd.DataFrame, order: tuple[str, ...]) -> np.ndarray:
    """Cost levels of each arc combined in ``order``, the first dominating one student's range of the second."""
    levels = [level_costs(arcs, lv) for lv in order if lv in ("preference", "distance")]
    if not levels:
        return np.zeros(len(arcs), np.int64)
    if len(levels) == 1:
        return levels[0]
    return (2 * int(levels[1].max(initial=0)) + 1) * levels[0] + levels[1]


def _levels(
    rows: pd.DataFrame,
    pairs: pd.DataFrame,
    boys: np.ndarray | None,
    sites: pd.DataFrame,
    gender: tuple[float, int] | None,
    order: tuple[str, ...],
) -> tuple[int, ...]:
    """Week-2 levels of ``rows`` in ``order``: boys over the gender target's free places, ranks, metres."""
    at = pair_rows(pairs, rows["student"].to_numpy(), rows["site"].to_numpy())
    r = pairs.iloc[at[at >= 0]]
    value = {
        "preference": int(r["rank"].sum()),
        "distance": int(metres(r["km"].to_numpy(float)).sum()),
        "gender": 0
        if boys is None or gender is None
        else boys_over(
            rows, boys, np.zeros(len(sites), np.int64), sites["capacity_week_2"].to_numpy(np.int64), *gender
        ),
    }
    return tuple(value[lv] for lv in order if lv in value) or (value["preference"], value["distance"])


def _transport(
    who: npt.NDArray[np.int64],
    s: npt.NDArray[np.int64],
    k: npt.NDArray[np.int64],
    base: npt.NDArray[np.int64],
    tie: npt.NDArray[np.int64],
    cap2: npt.NDArray[np.int64],
    layer: _Layer | None,
    breaks: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.intp] | None:
    """Every student in ``who`` gets one week-2 place at minimum cost; the arcs used, or None if infeasible or
    beyond the solver's cost range. ``layer``: (boy per arc, free boys' places per site, sites concerned)
    routes boys through a node per site concerned, whose places beyond the free ones cost more than any one
    student's ``base``. ``breaks`` (per arc, a split breaking a full-time rule): such an arc costs more than all
    the other costs together (so breaking splits are fewest), the other costs then weighed roughly (``base``, then
    1 for a split), within the solver's cost range."""
    n, m = len(who), len(cap2)
    spos, head = np.searchsorted(who, s), n + k
    factor = _STRICT * n + 1 if breaks is None else 2  # with breaks: base, then 1 for any split
    over = 2 * int(base.max(initial=0)) + 1
    arc = base * factor + (tie if breaks is None else (tie > 0))
    if breaks is not None:
        arc = arc + breaks * (n * (int(arc.max(initial=0)) + over * factor) + 1)
    extra = [(np.zeros(0, np.int64),) * 4]
    if layer is not None:
        boy, free, concerned = layer
        node = np.full(m, -1, np.int64)
        node[concerned] = n + m + 2 + np.arange(int(concerned.sum()))
        hit = boy & (node[k] >= 0)
        head = np.where(hit, node[k], head)
        site = np.flatnonzero(concerned)
        extra = [
            (node[site], n + site, free[site], np.zeros(len(site), np.int64)),
            (node[site], n + site, cap2[site] - free[site], np.full(len(site), over * factor)),
        ]
    source, sink = n + m, n + m + 1
    tails = np.concatenate([np.full(n, source), spos, n + np.arange(m)] + [e[0] for e in extra])
    heads = np.concatenate([np.arange(n), head, np.full(m, sink)] + [e[1] for e in extra])
    caps = np.concatenate([np.ones(n, np.int64), np.ones(len(s), np.int64), cap2] + [e[2] for e in extra])
    costs = np.concatenate([np.zeros(n, np.int64), arc, np.zeros(m, np.int64)] + [e[3] for e in extra])
    if int(costs.max(initial=0)) * (int(max(tails.max(initial=0), heads.max(initial=0))) + 2) >= _MAX_COST // 4:
        return None
    mcf = SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_nodes_supplies(np.array([source, sink]), np.array([n, -n]))
    if min_cost_flow_status(mcf.solve()) is not SolveStatus.OPTIMAL:
        return None
    flows = mcf.flows(np.arange(n, n + len(s)))
    return np.flatnonzero(flows > 0)
