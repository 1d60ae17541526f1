"""Baselines for ``benchmarks/run.py``, on the engine's own candidate pairs.

- ``relaxation``: the engine's first step — the lexicographic flow on the relaxed network (students may split
  anywhere), ``build_network`` + ``solve_lexicographic`` — against the same network written as a linear program
  and solved with HiGHS' interior point method (``scipy.optimize.linprog(method="highs-ipm")``, its fastest here:
  at 10k the simplex had not finished the first level in 120 s, the IPM took 45 s): one variable per pair-week arc of
  the
  network (the other arcs' flows are sums of these), site-week capacities, one arc per student and week, equal
  weeks for a both-weeks student. It is the network polytope, whose vertices are integral, so each level's LP
  optimum is the integer one; levels are optimised one after the other, each optimum added as a constraint.
  Exactly comparable values. (Writing every arc of the network as a variable with flow conservation rows was
  far slower for HiGHS: no first-level solution in 600 s at 10k.)
- ``mip``: the full problem as a MIP, ``matcher.solve.mip.solve_mip`` (HiGHS), to compare with the engine's
  final values (after the repair of full-time rules) and its bounds.

Levels: ``placed``, ``priority`` (max), ``preference``, ``distance`` (min), in the configured order; ``splits``
(a tie-break the engine proves nothing about) is left out, which saves the MIP one solve.
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from contextlib import contextmanager

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from matcher.solve.flow import solve_lexicographic
from matcher.solve.mip import solve_mip
from matcher.solve.network import build_network

SENSE = {"placed": "max", "priority": "max", "preference": "min", "distance": "min"}


def levels(order) -> list[str]:
    """The compared levels: ``placed`` first (as the engine does), then the others of ``order`` it carries."""
    return ["placed"] + [lv for lv in order if lv in SENSE and lv != "placed"]


def relaxed_network(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame):
    """The network the engine starts from (students may split anywhere) on ``pairs``."""
    return build_network(
        pairs,
        students["weeks"].to_numpy(object),
        sites["capacity_week_1"].to_numpy(np.int64),
        sites["capacity_week_2"].to_numpy(np.int64),
    )


def relaxation(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, order, time_limit: float) -> dict:
    """Flow and LP on the same relaxed network: seconds and per-level values of each."""
    start = time.perf_counter()
    net = relaxed_network(pairs, students, sites)
    outcome = solve_lexicographic(net, pairs, students["priority"].to_numpy(bool), tuple(levels(order)))
    flow_s = time.perf_counter() - start
    flow = {lv.name: lv.value for lv in outcome.levels}
    start = time.perf_counter()
    lp = _lexicographic_lp(net, pairs, students, sites, levels(order), time_limit)
    lp["seconds"] = time.perf_counter() - start  # includes building the matrix, as the flow side includes its network
    return {"arcs": len(net.tails), "nodes": net.n_nodes, "flow_seconds": flow_s, "flow": flow, "lp": lp}


def _pair_week_lp(net, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame):
    """The relaxed network as an LP over its pair-week arcs (the other arcs' flows are sums of these).

    Rows: site-week capacity, at most one arc per student and week, and for a both-weeks student as much
    week 2 as week 1 (the ``student_in → student_out`` arc). Returns (A_ub, b_ub, A_eq, level coefficients).
    """
    arcs = np.flatnonzero(net.pair >= 0)
    rows = net.pair[arcs]
    s, j = pairs["student"].to_numpy(np.int64)[rows], pairs["site"].to_numpy(np.int64)[rows]
    week2 = (net.week[arcs] == 2).astype(np.int64)
    n, m, k = len(students), len(sites), np.arange(len(arcs))
    both = (students["weeks"].to_numpy(object) == "both")[s]
    ones = np.ones(len(arcs))
    a_ub = sp.vstack(
        [
            sp.csr_matrix((ones, (j + m * week2, k)), shape=(2 * m, len(arcs))),
            sp.csr_matrix((ones, (s + n * week2, k)), shape=(2 * n, len(arcs))),
        ]
    ).tocsr()
    b_ub = np.concatenate(
        [sites["capacity_week_1"].to_numpy(float), sites["capacity_week_2"].to_numpy(float), np.ones(2 * n)]
    )
    a_eq = sp.csr_matrix((np.where(week2 == 1, -1.0, 1.0)[both], (s[both], k[both])), shape=(n, len(arcs)))
    placed = np.where(both, 1.0 - week2, 1.0)  # a both-weeks student counts once, on its week-1 arc
    costs = {
        "placed": placed,
        "priority": placed * students["priority"].to_numpy(bool)[s],
        "preference": pairs["rank"].to_numpy(float)[rows],
        "distance": np.rint(pairs["km"].to_numpy(float)[rows] * 1000),
    }
    return a_ub, b_ub, a_eq, costs


def _lexicographic_lp(net, pairs, students, sites, names: list[str], time_limit: float) -> dict:
    """Optimise each level in turn; its optimum (rounded: the LP is integral) becomes a constraint."""
    a_ub, b_ub, a_eq, costs = _pair_week_lp(net, pairs, students, sites)
    values, statuses = {}, {}
    for name in names:
        sign = -1.0 if SENSE[name] == "max" else 1.0  # everything minimised
        res = linprog(
            sign * costs[name],
            A_ub=a_ub,
            b_ub=b_ub,
            A_eq=a_eq,
            b_eq=np.zeros(a_eq.shape[0]),
            bounds=(0, 1),
            method="highs-ipm",
            options={"time_limit": time_limit},
        )
        statuses[name] = res.message
        if res.status != 0:
            break
        values[name] = float(costs[name] @ res.x)
        a_ub = sp.vstack([a_ub, sp.csr_matrix(sign * costs[name])]).tocsr()
        b_ub = np.append(b_ub, sign * round(values[name]))
    return {"values": values, "statuses": statuses, "complete": len(values) == len(names), "variables": a_ub.shape[1]}


def mip(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, order, time_limit: float) -> dict:
    """``solve_mip`` on the same pairs (``time_limit`` applies to each level's HiGHS solve)."""
    start = time.perf_counter()
    out = solve_mip(pairs, students, sites, tuple(levels(order)), time_limit=time_limit)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "values": out.values,
        "proven": bool(out.proven),
        "levels": levels(order),
        "time_limit": time_limit,
    }


class MipLevels:
    """Records each level's HiGHS solve inside ``solve_mip`` (by wrapping ``milp`` in its module), with a guard.

    HiGHS does not check its time limit everywhere: at 10k it was seen spending over 40 minutes in MIP presolve
    (dual fixing) on a level with a 600 s limit. A level still running ``grace`` seconds past its limit saves the
    levels so far, then ends the process (exit status 3).
    """

    STATUS = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded", 4: "stopped"}

    def __init__(self, names: list[str], time_limit: float, save):
        self.names, self.limit, self.save, self.rows = names, time_limit, save, []
        self.grace = max(60.0, 0.5 * time_limit)
        self.module = importlib.import_module("matcher.solve.mip")

    def _overrun(self, row: dict, start: float) -> None:
        row.update(status="overran its time limit: process ended", seconds=time.perf_counter() - start)
        self.save(self.rows)
        print(
            f"HiGHS still running level '{row['level']}' {row['seconds']:.0f} s after it started (time limit "
            f"{self.limit:g} s): process ended",
            file=sys.stderr,
            flush=True,
        )
        os._exit(3)

    def _wrap(self, milp):
        def call(c, *args, **kwargs):
            row = {"level": self.names[len(self.rows)], "status": "running", "seconds": None, "value": None}
            self.rows.append(row)
            start = time.perf_counter()
            guard = threading.Timer(self.limit + self.grace, self._overrun, args=(row, start))
            guard.daemon = True
            guard.start()
            try:
                res = milp(c, *args, **kwargs)
            finally:
                guard.cancel()
            sign = -1.0 if SENSE[row["level"]] == "max" else 1.0  # solve_mip passes -c for a max level
            row.update(
                seconds=time.perf_counter() - start,
                status=self.STATUS.get(res.status, str(res.status)),
                value=None if res.x is None else float(sign * (c @ np.rint(res.x))),
            )
            self.save(self.rows)
            return res

        return call

    @contextmanager
    def installed(self):
        saved = self.module.milp
        self.module.milp = self._wrap(saved)
        try:
            yield self
        finally:
            self.module.milp = saved
