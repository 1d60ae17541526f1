"""Lexicographic optimisation on the flow network with OR-Tools' min-cost flow.

``placed`` is the maximum flow (``solve_max_flow_with_min_cost``); the other levels (``priority``: count,
``preference``: sum of ranks, ``distance``: metres) are minimised as one weighted cost among maximum flows.
When ``floors`` comes before ``placed``, no flow is maximum first: every student may take an arc from the source
straight to the sink (left unplaced, cost 0), ``placed`` is a count level weighted after ``floors``, and the
min-cost flow (``solve``) weighs them all.

- The longest prefix of levels whose *exact* weights fit the solver's cost range is solved in one stage: each
  level's weight exceeds the sum over all students of what the later levels can move, so the weighted optimum
  is the lexicographic one.
- Each later level gets a stage of its own with smaller weights (one student's range), accepted only when every
  earlier level keeps its proven optimum. Then for any flow ``y`` with the same earlier values,
  ``L_k(x) ≤ L_k(y)``: level *k* is optimal too. Otherwise the stage is re-solved with larger weights.

Values are per student-week (a full-time student counts twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from matcher.errors import SolverError
from matcher.objective import COST_LEVELS, COUNT_LEVELS, LEVEL_SPECS, spec
from matcher.result import Level, SolveStatus, max_flow_status, min_cost_flow_status
from matcher.solve.network import SINK, SOURCE, Network

__all__ = [
    "Level",
    "FlowOutcome",
    "solve_lexicographic",
    "max_flow",
    "max_flow_solver",
    "solved_max_flow",
    "min_cost_flows",
    "solver_flows",
    "level_costs",
    "MAX_COST",
]

#: OR-Tools' cost range: a cost times the number of nodes must stay below it.
MAX_COST = 2**62

#: Per level, each arc's contribution (int64; count levels negated: everything minimised).
_Vals: TypeAlias = dict[str, npt.NDArray[np.int64]]


@dataclass(frozen=True)
class FlowOutcome:
    """Arc flows of the last accepted stage and the level values they reach (bounds proven on this network)."""

    flows: npt.NDArray[np.int64]
    levels: tuple[Level, ...]
    solves: int


def level_costs(pairs: pd.DataFrame, level: str) -> npt.NDArray[np.int64]:
    """Per pair, what one student-week there costs on ``level`` (``preference``: rank; ``distance``: metres)."""
    cost = spec(level).pair_cost
    if cost is None:
        raise ValueError(f"no per-pair cost for the level {level!r}")
    return cost(pairs)


def _arc_values(
    net: Network,
    pairs: pd.DataFrame,
    priority: npt.NDArray[np.bool_],
    floors: npt.NDArray[np.bool_] | None,
    gender: npt.NDArray[np.int64] | None,
) -> _Vals:
    """Per-arc contribution of each level (int64); ``floors`` marks the students whose placement counts,
    ``gender`` is the per-arc cost of the gender layer (``gendercap``)."""
    n_arcs = len(net.tails)
    on_pair = net.pair >= 0
    out = {name: np.zeros(n_arcs, np.int64) for name in COUNT_LEVELS + COST_LEVELS}
    out["placed"][net.student_arc] = 1
    out["priority"][net.student_arc] = priority.astype(np.int64)
    if floors is not None:
        out["floors"][net.student_arc] = floors.astype(np.int64)
    if gender is not None:
        out["gender"] = gender.astype(np.int64)
    for level in (s.name for s in LEVEL_SPECS if s.pair_cost is not None):
        out[level][on_pair] = level_costs(pairs, level)[net.pair[on_pair]]
    return out


def _solve(net: Network, costs: npt.NDArray[np.int64], most: bool = True) -> tuple[npt.NDArray[np.int64], SolveStatus]:
    """Max flow with min cost (``most``), else min cost with a source → sink arc for students left unplaced;
    returns (flows of ``net``'s arcs, status)."""
    supply = int(net.capacities[net.student_arc].sum())  # at most one unit per student
    return min_cost_flows(net.tails, net.heads, net.capacities, costs, supply, most)


def min_cost_flows(
    tails: np.ndarray,
    heads: np.ndarray,
    capacities: np.ndarray,
    costs: npt.NDArray[np.int64],
    supply: int,
    most: bool = True,
) -> tuple[npt.NDArray[np.int64], SolveStatus]:
    """OR-Tools' min-cost flow of up to ``supply`` units from ``SOURCE`` to ``SINK`` on the arcs ``tails → heads``:
    the most flow at the least cost (``most``), else the least cost with a source → sink arc for the units left
    over. Returns (each arc's flow, status); no flow unless the status is optimal."""
    mcf = SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    if not most:
        mcf.add_arc_with_capacity_and_unit_cost(SOURCE, SINK, supply, 0)
    mcf.set_nodes_supplies(np.array([SOURCE, SINK]), np.array([supply, -supply]))
    status = min_cost_flow_status(mcf.solve_max_flow_with_min_cost() if most else mcf.solve())
    if status is not SolveStatus.OPTIMAL:
        return np.zeros(len(tails), np.int64), status
    flows: npt.NDArray[np.int64] = mcf.flows(np.arange(len(tails)))
    return flows, status


def _student_max(values: npt.NDArray[np.int64], net: Network, pairs: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Per student, the most a level can move with that student: its student arc, its largest pair arc and the
    largest site-level arc (each counted for both weeks), in absolute value (count levels are negated)."""
    values = np.abs(values)
    on_pair = net.pair >= 0
    student = pairs["student"].to_numpy(np.int64)[net.pair[on_pair]]
    worst = np.zeros(len(net.student_arc), np.int64)
    np.maximum.at(worst, student, values[on_pair])
    site_level = ~on_pair
    site_level[net.student_arc] = False
    out: npt.NDArray[np.int64] = values[net.student_arc] + 2 * worst + 2 * int(values[site_level].max(initial=0))
    return out


def _weights(levels: list[str], vals: _Vals, net: Network, pairs: pd.DataFrame, exact: bool) -> list[int]:
    """Weights making each level worth more than every later level can change (last level weight 1).

    ``exact``: against the sum over all students (a proof); otherwise against one student's range (usually
    enough, and then checked).
    """
    weights, tail = [1], _student_max(vals[levels[-1]], net, pairs)
    for lv in reversed(levels[:-1]):
        w = int(tail.sum() if exact else tail.max(initial=0)) + 1
        weights.insert(0, w)
        tail = tail + w * _student_max(vals[lv], net, pairs)
    return weights


def _fits(weights: list[int], levels: list[str], vals: _Vals, net: Network) -> bool:
    top = sum(w * int(np.abs(vals[lv]).max(initial=0)) for w, lv in zip(weights, levels))
    return top * (net.n_nodes + 1) * 4 < MAX_COST


def solve_lexicographic(
    net: Network,
    pairs: pd.DataFrame,
    priority: npt.NDArray[np.bool_],
    order: tuple[str, ...],
    prove: bool = True,
    floors: npt.NDArray[np.bool_] | None = None,
    gender: npt.NDArray[np.int64] | None = None,
) -> FlowOutcome:
    """Optimise the levels of ``order`` that the network carries (others are ignored here).

    ``placed`` is first (maximum flow) unless ``order`` starts with ``floors`` (see the module). The longest prefix
    of the other levels whose exact weights fit the solver's cost range is solved at once; each later level gets a
    stage of its own. With ``prove=False`` (repair rounds, whose results carry no bound) every level is solved in
    one stage with weights spanning one student's range, unchecked: ``placed`` is still maximum (when first), the
    later levels are not proven. ``floors`` (per student) marks the students whose placement the ``floors`` level
    counts.
    """
    vals = _arc_values(net, pairs, priority, floors, gender)
    vals = {k: (-v if k in COUNT_LEVELS else v) for k, v in vals.items()}  # everything minimised
    most = order[0] == "placed"
    rest = [lv for lv in order if lv in COUNT_LEVELS + COST_LEVELS and (lv != "placed" or not most)]
    if not prove:
        return _unproven(net, vals, rest, pairs, most)
    flows: npt.NDArray[np.int64] | None = None
    solves, done = 0, 0
    proven: dict[str, int] = {}  # the values proven so far, minimised as in ``vals``
    bounds: dict[str, int] = {}
    while flows is None or done < len(rest):
        upto = len(rest)
        while upto > done + 1 and not _fits(_weights(rest[:upto], vals, net, pairs, True), rest[:upto], vals, net):
            upto -= 1
        stage = rest[:upto]
        exact = not stage or _fits(_weights(stage, vals, net, pairs, True), stage, vals, net)
        result, tries = _stage(net, vals, stage, proven, pairs, exact=exact, most=most)
        solves += tries
        if result is None:  # weights out of the solver's range: keep the last proven flows; no bound after
            break
        flows = result
        for lv in stage[done:]:
            proven[lv] = bounds[lv] = int(vals[lv] @ flows)
        done = upto
    if flows is None:
        raise SolverError("OR-Tools min-cost flow found no optimal flow on the allocation network")
    if most:
        bounds["placed"] = int(vals["placed"] @ flows)
    return FlowOutcome(flows=flows, levels=_levels(order, vals, flows, bounds), solves=solves)


def _levels(
    order: tuple[str, ...], vals: _Vals, flows: npt.NDArray[np.int64], bounds: dict[str, int]
) -> tuple[Level, ...]:
    """The network's levels in ``order`` with their values in ``flows`` and the ``bounds`` proven (minimised
    values, as in ``vals``)."""
    out = []
    for lv in (name for name in order if name in COUNT_LEVELS + COST_LEVELS):
        sign = -1 if lv in COUNT_LEVELS else 1
        bound = float(sign * bounds[lv]) if lv in bounds else None
        out.append(Level(lv, float(sign * (vals[lv] @ flows)), bound, spec(lv).sense))
    return tuple(out)


def _stage(
    net: Network,
    vals: _Vals,
    levels: list[str],
    proven: dict[str, int],
    pairs: pd.DataFrame,
    *,
    exact: bool,
    most: bool = True,
    tries: int = 6,
) -> tuple[npt.NDArray[np.int64] | None, int]:
    """Max flow at minimum weighted cost of ``levels``; accepted when earlier proven levels keep their value.
    Returns the flows (None when not accepted) and the solves tried."""
    if not levels:
        flows, status = _solve(net, np.zeros(len(net.tails), np.int64), most)
        return (flows if status is SolveStatus.OPTIMAL else None), 1
    weights = _weights(levels, vals, net, pairs, exact)
    for attempt in range(tries):
        if not _fits(weights, levels, vals, net):
            return None, attempt
        flows, status = _solve(net, _weighted(weights, levels, vals, len(net.tails)), most)
        if status is not SolveStatus.OPTIMAL:
            return None, attempt + 1
        lost = [i for i, lv in enumerate(levels) if lv in proven and int(vals[lv] @ flows) != proven[lv]]
        if not lost:
            return flows, attempt + 1
        weights = [w * 16 if i <= max(lost) else w for i, w in enumerate(weights)]
    return None, tries


def _weighted(weights: list[int], levels: list[str], vals: _Vals, n_arcs: int) -> npt.NDArray[np.int64]:
    """Per arc, the weighted sum of the ``levels``' contributions."""
    return sum((w * vals[lv] for w, lv in zip(weights, levels)), np.zeros(n_arcs, np.int64))


def _unproven(net: Network, vals: _Vals, rest: list[str], pairs: pd.DataFrame, most: bool = True) -> FlowOutcome:
    """One weighted stage over every level, weights spanning one student's range; only ``placed`` is proven
    (when ``most``: maximum flow first)."""
    weights = _weights(rest, vals, net, pairs, exact=False) if rest else []
    while weights and not _fits(weights, rest, vals, net):  # keep the order of the first levels
        rest = rest[:-1]
        weights = _weights(rest, vals, net, pairs, exact=False) if rest else []
    flows, status = _solve(net, _weighted(weights, rest, vals, len(net.tails)), most)
    if status is not SolveStatus.OPTIMAL:
        raise SolverError("OR-Tools min-cost flow found no optimal flow on the allocation network")
    order = (("placed",) if most else ()) + tuple(rest)
    return FlowOutcome(
        flows=flows,
        levels=_levels(order, vals, flows, {"placed": int(vals["placed"] @ flows)} if most else {}),
        solves=1,
    )


def max_flow(net: Network) -> int:
    """The most students the relaxed network ``net`` places (OR-Tools max flow, no costs)."""
    return int(max_flow_solver(net).optimal_flow())


def max_flow_solver(net: Network) -> SimpleMaxFlow:
    """OR-Tools' max flow solved on ``net``, for its flows or its minimum cut (a failure raises)."""
    solver = SimpleMaxFlow()
    solver.add_arcs_with_capacity(net.tails, net.heads, net.capacities)
    solved_max_flow(solver)
    return solver


def solver_flows(solver: SimpleMaxFlow, n_arcs: int, chunk: int = 1 << 20) -> npt.NDArray[np.int32]:
    """The flows (``int32``) of the solver's arcs ``0 .. n_arcs - 1``, read a chunk at a time (OR-Tools returns
    ``int64``: read at once, the full cohort's 16 million arcs would take 130 MB more beside the solver)."""
    out = np.empty(n_arcs, np.int32)
    for start in range(0, n_arcs, chunk):
        out[start : start + chunk] = solver.flows(np.arange(start, min(start + chunk, n_arcs), dtype=np.int32))
    return out


def solved_max_flow(solver: SimpleMaxFlow) -> int:
    """Solve ``solver`` from the network's source to its sink; its value (a failure raises)."""
    raw = solver.solve(SOURCE, SINK)
    if max_flow_status(raw) is not SolveStatus.OPTIMAL:
        raise SolverError(f"OR-Tools max flow failed on the allocation network (status {raw})")
    return int(solver.optimal_flow())
