"""What a user could use instead of matcher, on the engine's own candidate pairs (``benchmarks/run.py``, step
``peers``).

- ``bare_flows``: one OR-Tools max flow and one OR-Tools min-cost flow (``solve_max_flow_with_min_cost``, cost =
  metres) on the relaxed network of the same pairs (``matcher.solve.network.build_network``: the network the engine
  starts from), each timed from its arrays to its answer (building the network is timed apart). matcher's end-to-end
  time over these times gives the ratios: what the whole pipeline costs against one bare solver call.
- ``greedy``: nearest-first, the way a spreadsheet is worked through: priority students first, then in file
  order, each takes the nearest candidate site with room for their weeks (both weeks at one site: greedy never
  splits); groups are ignored.
- ``deferred_acceptance``: students-propose deferred acceptance, matcher's own stable mode (``mode = "stable"``,
  the same rules, the same candidate search), as a national assignment procedure would do it.

Each returns plain figures (placed, priority students placed, mean km per assignment row, seconds) for the table.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
from _baseline import relaxed_network
from ortools.graph.python import max_flow, min_cost_flow

from matcher.solve.network import SINK, SOURCE


def bare_flows(students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame) -> dict:
    """Seconds and value of one bare max flow and one bare min-cost max flow on the relaxed network."""
    start = time.perf_counter()
    net = relaxed_network(pairs, students, sites)
    metres = np.zeros(len(net.tails), np.int64)
    on_pair = net.pair >= 0
    metres[on_pair] = np.rint(pairs["km"].to_numpy(float)[net.pair[on_pair]] * 1000).astype(np.int64)
    build_s = time.perf_counter() - start

    start = time.perf_counter()
    mf = max_flow.SimpleMaxFlow()
    mf.add_arcs_with_capacity(net.tails, net.heads, net.capacities)
    status = mf.solve(SOURCE, SINK)
    max_s = time.perf_counter() - start
    value = int(mf.optimal_flow()) if status == mf.OPTIMAL else None

    start = time.perf_counter()
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(net.tails, net.heads, net.capacities, metres)
    total = int(sites["capacity_week_1"].sum() + sites["capacity_week_2"].sum() + len(students))
    mcf.set_node_supply(SOURCE, total)
    mcf.set_node_supply(SINK, -total)
    status = mcf.solve_max_flow_with_min_cost()
    mcf_s = time.perf_counter() - start
    ok = status == mcf.OPTIMAL
    return {
        "arcs": len(net.tails),
        "build_seconds": build_s,
        "max_flow_seconds": max_s,
        "max_flow_value": value,
        "min_cost_flow_seconds": mcf_s,
        "min_cost_flow_value": int(mcf.maximum_flow()) if ok else None,
    }


def greedy(students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame) -> dict:
    """Nearest-first greedy: placed, priority placed, mean km, seconds (see the module docstring)."""
    start = time.perf_counter()
    order = pairs.sort_values(["student", "km"], kind="stable")
    student, site, km = (order[c].to_numpy() for c in ("student", "site", "km"))
    first = np.searchsorted(student, np.arange(len(students) + 1))
    room = np.stack([sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)])
    need = {"both": (0, 1), "week_1": (0,), "week_2": (1,)}
    weeks = students["weeks"].to_numpy(object)
    queue = np.concatenate(
        [np.flatnonzero(students["priority"].to_numpy(bool)), np.flatnonzero(~students["priority"].to_numpy(bool))]
    )
    placed_km: list[float] = []
    placed = np.zeros(len(students), bool)
    for s in queue.tolist():  # one student at a time, as by hand: this is the baseline, not matcher's code
        rows = need[weeks[s]]
        for k in range(first[s], first[s + 1]):
            j = site[k]
            if all(room[w, j] > 0 for w in rows):
                for w in rows:
                    room[w, j] -= 1
                placed[s] = True
                placed_km.append(float(km[k]))
                break
    return _figures(placed, students, np.asarray(placed_km), time.perf_counter() - start)


def deferred_acceptance(students: pd.DataFrame, sites: pd.DataFrame, config) -> dict:
    """Students-propose deferred acceptance: matcher's stable mode on the same tables and policy."""
    from matcher import allocate

    start = time.perf_counter()
    result = allocate(students, sites, config.replace(mode="stable"))
    seconds = time.perf_counter() - start
    rows = result.assignments
    placed = students["student_id"].isin(rows["student_id"]).to_numpy(bool)
    return _figures(placed, students, rows["distance_km"].to_numpy(float), seconds)


def ours(students: pd.DataFrame, assignments: pd.DataFrame) -> dict:
    """The engine's figures computed the same way (from its ``assignments.csv``)."""
    placed = students["student_id"].isin(assignments["student_id"]).to_numpy(bool)
    return _figures(placed, students, assignments["distance_km"].to_numpy(float), None)


def _figures(placed: np.ndarray, students: pd.DataFrame, km: np.ndarray, seconds: float | None) -> dict:
    return {
        "placed": int(placed.sum()),
        "priority_placed": int((placed & students["priority"].to_numpy(bool)).sum()),
        "mean_km": float(km.mean()) if len(km) else None,
        "seconds": seconds,
    }
