"""The optimal mode: lexicographic min-cost flow on the relaxed network, then local restriction rounds until the
full-time rules hold."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .flow import Level, solve_lexicographic
from .network import build_network
from .polish import polish_week_2
from .repair import fill, restrict, violations
from .status import Status

__all__ = ["Optimum", "optimise"]


@dataclass(frozen=True)
class Optimum:
    """Placements (``student, site, week`` rows), level values with proven bounds, and solver facts."""

    placements: pd.DataFrame
    pairs: pd.DataFrame
    levels: tuple[Level, ...]
    info: dict


def _flow(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, order: tuple[str, ...]):
    net = build_network(pairs, students["weeks"].to_numpy(object), sites["capacity_week_1"].to_numpy(np.int64),
                        sites["capacity_week_2"].to_numpy(np.int64))
    outcome = solve_lexicographic(net, pairs, students["priority"].to_numpy(bool), order)
    return polish_week_2(net.read(outcome.flows, pairs), pairs, students, sites, order), outcome


def optimise(students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame, order: tuple[str, ...],
             time_limit: float = float("inf")) -> Optimum:
    """Best allocation of ``pairs`` under the lexicographic ``order``; bounds from the relaxed network.

    Each round fixes the placements that keep the full-time rules, except at the sites where a student breaks
    one; the students breaking a rule are restricted (``repair.restrict``) and solved again with the students
    placed at those sites and the students still unplaced, on the places left, until no one breaks a rule. Rounds stop once ``time_limit`` seconds have passed: the students still
    breaking a rule are then taken out. Last, ``fill`` places those who fit in the places left.
    """
    start = time.perf_counter()
    placements, first = _flow(pairs, students, sites, order)
    split_ok, ft_only = students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool)
    stage, solves, rounds = np.zeros(len(students), np.int8), first.solves, 0
    fixed, current = placements.iloc[:0], pairs
    while len(broken := violations(placements, split_ok, ft_only)):
        if time.perf_counter() - start > time_limit:
            placements = placements[~placements["student"].isin(broken["student"])]
            rounds += 1
            break
        near = np.union1d(broken["site_1"].to_numpy(), broken["site_2"].to_numpy())
        moving = placements["student"].isin(broken["student"]) | placements["student"].isin(
            placements.loc[placements["site"].isin(near), "student"])
        fixed = pd.concat([fixed, placements[~moving]], ignore_index=True)
        left = _places_left(sites, fixed)
        others = placements[moving & ~placements["student"].isin(broken["student"])]
        r = restrict(current[~current["student"].isin(fixed["student"])], broken, left, stage, split_ok, others)
        current, stage, rounds = r.pairs, r.stage, rounds + 1
        placements, outcome = _flow(current, students, left, order)
        solves += outcome.solves
    placements = pd.concat([fixed, placements], ignore_index=True).sort_values(["student", "week"], kind="stable")
    if rounds:
        placements = fill(placements, pairs, students, sites)
    levels = _lexicographic_bounds([Level(lv.name, got.value, lv.bound, lv.sense) for lv, got in
                                    zip(first.levels, _values(first.levels, placements, pairs, students))])
    if "splits" in order:  # a tie-break, lowered by the week-2 polish: only the trivial bound 0 is proven
        n_splits = float(_splits(placements))
        levels.append(Level("splits", n_splits, 0.0 if n_splits == 0 else None, "min"))
    proven = all(lv.gap == 0 for lv in levels if lv.name != "splits")
    status = Status.OPTIMAL if proven else Status.FEASIBLE
    info = {"status": status.value, "method": "OR-Tools min-cost flow, lexicographic",
            "flow_solves": solves, "restriction_rounds": rounds, "restricted_students": int((stage > 0).sum())}
    return Optimum(placements.reset_index(drop=True), pairs, tuple(levels), info)


def _places_left(sites: pd.DataFrame, fixed: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with each week's capacity less the places ``fixed`` takes."""
    week = fixed["week"].to_numpy()
    used = {w: np.bincount(fixed["site"].to_numpy()[week == w], minlength=len(sites)) for w in (1, 2)}
    return sites.assign(capacity_week_1=sites["capacity_week_1"].to_numpy(np.int64) - used[1],
                        capacity_week_2=sites["capacity_week_2"].to_numpy(np.int64) - used[2])


def _values(levels, placements: pd.DataFrame, pairs: pd.DataFrame, students: pd.DataFrame) -> tuple[Level, ...]:
    """Level values of ``placements`` (per student-week, as in the flow)."""
    rows = placements.merge(pairs, on=["student", "site"], validate="many_to_one")
    placed = rows["student"].unique()
    value = {"placed": len(placed), "priority": int(students["priority"].to_numpy(bool)[placed].sum()),
             "preference": int(rows["rank"].sum()), "distance": int(np.rint(rows["km"] * 1000).sum())}
    return tuple(Level(lv.name, float(value[lv.name]), lv.bound, lv.sense) for lv in levels)


def _lexicographic_bounds(levels: list[Level]) -> list[Level]:
    """Drop the bounds of the levels after the first one that falls short of its bound."""
    out, short = [], False
    for lv in levels:
        out.append(Level(lv.name, lv.value, None, lv.sense) if short else lv)
        short = short or bool(lv.gap)
    return out


def _splits(placements: pd.DataFrame) -> int:
    per = placements.groupby("student")["site"].agg(["nunique", "size"])
    return int(((per["size"] == 2) & (per["nunique"] == 2)).sum())
