"""An independent formulation of the whole problem: a mixed-integer program, one variable per pair and kind.

For each candidate pair: ``f`` (full time), ``a`` (week 1) and ``b`` (week 2) binaries, created only where the
rules allow them, so the full-time rules hold by construction. Levels are optimised one after the other with
HiGHS (scipy.optimize.milp), each optimum added as a constraint. Exact, but far slower than the flow: it serves
as the cross-check in tests and as the baseline in the benchmarks, on instances of a few thousand students.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

from matcher.objective import metres, spec
from matcher.result import SolveStatus, milp_status

__all__ = ["MipOutcome", "solve_mip"]


@dataclass(frozen=True)
class MipOutcome:
    """Placements (``student, site, week``) and each level's optimal value (None when HiGHS stopped early)."""

    placements: pd.DataFrame
    values: dict[str, float]
    proven: bool


class _Vars:
    """Variable columns: for each kind, the pair rows it exists for."""

    def __init__(self, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame):
        s, j = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
        weeks = students["weeks"].to_numpy(object)[s]
        c1 = sites["capacity_week_1"].to_numpy()[j] > 0
        c2 = sites["capacity_week_2"].to_numpy()[j] > 0
        ft = sites["full_time_only"].to_numpy(bool)[j]
        split = students["split_ok"].to_numpy(bool)[s] & ~ft
        both = weeks == "both"
        self.rows = {
            "f": np.flatnonzero(both & c1 & c2),
            "a": np.flatnonzero(c1 & ((both & split) | ((weeks == "week_1") & ~ft))),
            "b": np.flatnonzero(c2 & ((both & split) | ((weeks == "week_2") & ~ft))),
        }
        self.start = {"f": 0, "a": len(self.rows["f"]), "b": len(self.rows["f"]) + len(self.rows["a"])}
        self.n = self.start["b"] + len(self.rows["b"])
        self.s, self.j, self.both = s, j, both

    def cols(self, kind: str) -> np.ndarray:
        return self.start[kind] + np.arange(len(self.rows[kind]))


def _rows(entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_rows: int, n_cols: int) -> sp.csr_matrix:
    r = np.concatenate([e[0] for e in entries]) if entries else np.array([], np.int64)
    c = np.concatenate([e[1] for e in entries]) if entries else np.array([], np.int64)
    v = np.concatenate([e[2] for e in entries]) if entries else np.array([], float)
    return sp.csr_matrix((v, (r, c)), shape=(n_rows, n_cols))


def _constraints(v: _Vars, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> list[LinearConstraint]:
    n, m = len(students), len(sites)
    f, a, b = (v.cols(k) for k in "fab")
    fs, as_, bs = (v.s[v.rows[k]] for k in "fab")
    both_a = v.both[v.rows["a"]]
    both_b = v.both[v.rows["b"]]

    def one(x: np.ndarray) -> npt.NDArray[np.float64]:
        return np.ones(len(x))

    # each student at most once: full time + week-1 half (both-weeks), or its single week
    once = _rows([(fs, f, one(f)), (as_, a, one(a)), (bs[~both_b], b[~both_b], one(b[~both_b]))], n, v.n)
    # a split takes one week at each side
    balance = _rows([(as_[both_a], a[both_a], one(a[both_a])), (bs[both_b], b[both_b], -one(b[both_b]))], n, v.n)
    # capacities per site and week
    fj, aj, bj = (v.j[v.rows[k]] for k in "fab")
    cap1 = _rows([(fj, f, one(f)), (aj, a, one(a))], m, v.n)
    cap2 = _rows([(fj, f, one(f)), (bj, b, one(b))], m, v.n)
    # not both halves at the same site
    pa = pd.Series(a, index=v.rows["a"])
    pb = pd.Series(b, index=v.rows["b"])
    same = pa.index.intersection(pb.index)
    k = np.arange(len(same))
    diff = _rows(
        [(k, pa.loc[same].to_numpy(), np.ones(len(k))), (k, pb.loc[same].to_numpy(), np.ones(len(k)))], len(k), v.n
    )
    return [
        LinearConstraint(once, -np.inf, 1),
        LinearConstraint(balance, 0, 0),
        LinearConstraint(cap1, -np.inf, sites["capacity_week_1"].to_numpy(float)),
        LinearConstraint(cap2, -np.inf, sites["capacity_week_2"].to_numpy(float)),
        LinearConstraint(diff, -np.inf, 1),
    ]


def _together(v: _Vars, groups: npt.NDArray[np.int64]) -> LinearConstraint:
    """Each member's variable at a site and of a kind equals the group's first member's (0 where either has none)."""
    cols = pd.DataFrame(
        {
            "col": np.concatenate([v.cols(k) for k in "fab"]),
            "student": np.concatenate([v.s[v.rows[k]] for k in "fab"]),
            "site": np.concatenate([v.j[v.rows[k]] for k in "fab"]),
            "kind": np.concatenate([np.full(len(v.rows[k]), k) for k in "fab"]),
        }
    ).assign(group=lambda d: groups[d["student"].to_numpy()])
    cols = cols[cols["group"] >= 0]
    members = pd.DataFrame({"student": np.flatnonzero(groups >= 0), "group": groups[groups >= 0]})
    first = members.groupby("group")["student"].min().rename("first")
    members = members.join(first, on="group")
    others = members[members["student"] != members["first"]]
    lead = cols.merge(first.reset_index(), left_on=["group", "student"], right_on=["group", "first"])
    lead = lead[["group", "site", "kind", "col"]].merge(others[["group", "student"]], on="group")
    both = cols[["student", "site", "kind", "col"]].merge(
        lead, on=["student", "site", "kind"], how="outer", suffixes=("", "_first")
    )
    both = both[both["student"].isin(others["student"])].reset_index(drop=True)
    row = np.arange(len(both))
    own, lead_col = both["col"].to_numpy(float), both["col_first"].to_numpy(float)
    a, b = ~np.isnan(own), ~np.isnan(lead_col)
    matrix = _rows(
        [
            (row[a], own[a].astype(np.int64), np.ones(int(a.sum()))),
            (row[b], lead_col[b].astype(np.int64), -np.ones(int(b.sum()))),
        ],
        len(both),
        v.n,
    )
    return LinearConstraint(matrix, 0, 0)


def _objectives(v: _Vars, pairs: pd.DataFrame, students: pd.DataFrame) -> dict[str, tuple[np.ndarray, str]]:
    prio = students["priority"].to_numpy(bool)
    rank, metres_ = pairs["rank"].to_numpy(float), metres(pairs["km"].to_numpy(float)).astype(float)
    out = {name: np.zeros(v.n) for name in ("placed", "priority", "preference", "distance", "splits")}
    for kind, weeks in (("f", 2.0), ("a", 1.0), ("b", 1.0)):
        cols, rows = v.cols(kind), v.rows[kind]
        counts = np.ones(len(cols)) if kind != "b" else (~v.both[rows]).astype(float)
        out["placed"][cols] = counts
        out["priority"][cols] = counts * prio[v.s[rows]]
        out["preference"][cols] = weeks * rank[rows]
        out["distance"][cols] = weeks * metres_[rows]
        if kind == "a":
            out["splits"][cols] = v.both[rows]
    return {k: (c, spec(k).sense) for k, c in out.items()}


def solve_mip(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    *,
    time_limit: float = 60.0,
    node_limit: int | None = None,
    weighted: bool = False,
    groups: npt.NDArray[np.int64] | None = None,
) -> MipOutcome:
    """Lexicographic optimum of ``order`` over ``pairs`` with the full rules; ``node_limit`` (branch-and-bound
    nodes per level) bounds the work the same way on every machine, unlike ``time_limit``. A level stopped by
    either limit keeps its best solution found (``proven`` False); one stopped without any ends the solve.
    ``weighted``: the levels solved at once, as one objective where a unit of a level outweighs every later level
    together (one MIP instead of one per level; the same optimum, on integer-valued levels). ``groups`` (per
    student, a group code or -1): members of a group are placed identically — same sites, same weeks — or not at
    all."""
    v = _Vars(pairs, students, sites)
    if v.n == 0:  # nothing can be placed: every level is 0
        return MipOutcome(_placements(v, np.zeros(0)), {name: 0.0 for name in order}, True)
    cons = _constraints(v, pairs, students, sites)
    if groups is not None and (groups >= 0).any():
        cons.append(_together(v, groups))
    objectives = _objectives(v, pairs, students)
    if weighted:
        owner = np.concatenate([v.s[v.rows[k]] for k in "fab"])  # each column's student
        objectives = {**objectives, "weighted": _weighted(objectives, order, owner)}
    values, x, proven = {}, np.zeros(v.n), True
    for name in ("weighted",) if weighted else order:
        c, sense = objectives[name]
        res = milp(
            -c if sense == "max" else c,
            constraints=cons,
            integrality=np.ones(v.n),
            bounds=Bounds(0, 1),
            options={"time_limit": time_limit, "disp": False}
            | ({"mip_rel_gap": 0.0} if weighted else {})
            | ({} if node_limit is None else {"node_limit": node_limit}),
        )
        if res.x is None:
            proven = False
            break
        x = np.rint(res.x)
        proven &= milp_status(res.status) is SolveStatus.OPTIMAL
        values[name] = float(c @ x)
        cons.append(
            LinearConstraint(c.reshape(1, -1), values[name], np.inf)
            if sense == "max"
            else LinearConstraint(c.reshape(1, -1), -np.inf, values[name])
        )
    if weighted and res.x is not None:
        values = {name: float(objectives[name][0] @ x) for name in order}
    return MipOutcome(_placements(v, x), values, proven)


def _weighted(
    objectives: dict[str, tuple[np.ndarray, str]], order: tuple[str, ...], owner: npt.NDArray[np.int64]
) -> tuple[np.ndarray, str]:
    """One objective to maximise for ``order``: each level (as a maximum) times one more than the largest change
    all later levels together can make (a student takes at most two columns: twice their largest coefficient)."""
    total = np.zeros_like(next(iter(objectives.values()))[0])
    for name in reversed(order):
        c, sense = objectives[name]
        most = np.zeros(int(owner.max(initial=-1)) + 1)
        np.maximum.at(most, owner, np.abs(total))
        total = (c if sense == "max" else -c) * (2 * most.sum() + 1) + total
    return total, "max"


def _placements(v: _Vars, x: np.ndarray) -> pd.DataFrame:
    frames = []
    for kind, weeks in (("f", (1, 2)), ("a", (1,)), ("b", (2,))):
        on = v.rows[kind][x[v.cols(kind)] > 0.5]
        for w in weeks:
            frames.append(pd.DataFrame({"student": v.s[on], "site": v.j[on], "week": np.int8(w)}))
    return pd.concat(frames, ignore_index=True).sort_values(["student", "week"], kind="stable").reset_index(drop=True)
