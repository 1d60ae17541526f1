"""Merging independent parts' allocations (one per académie) into the one result a single run returns.

- ``assignments`` and ``unassigned`` are concatenated and sorted as ``allocate`` sorts them (by the student's row
  in the input, then weeks);
- the summary is rebuilt from the merged tables (``build_summary``: counts, per-académie figures, coverage);
- each objective level's value is the sum of the parts' values, and its bound the sum of the parts' bounds when
  every part has one (a lexicographic optimum of independent parts is the sum of their optima); the status is
  optimal only if every part's is, and the gap is recomputed from the summed levels;
- solver facts: counts summed, rounds and the candidate cap the largest, equal facts kept, facts that differ
  between parts reported per académie;
- unused places and blocking pairs summed per kind (no candidate pair joins two parts); the stable mode's
  price of stability summed, its means recomputed from the sums;
- timings: each stage summed over the parts (task seconds, not wall time).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from matcher.load.instance import Instance
from matcher.result import BOUNDS_OVER, Level, Result, Status
from matcher.tables.sections import merge_section, ordered_keys
from matcher.tables.summary import build_summary

__all__ = ["merge_results", "merge_levels", "merge_info"]

_SUMMED = ("flow_solves", "restricted_students", "candidate_pairs", "truncated_students", "groups_planned")
_LARGEST = ("restriction_rounds", "candidates_per_pool")


def merge_results(instance: Instance, parts: list[tuple[str, Result]], inputs: dict[str, Any]) -> Result:
    """One ``Result`` from ``(academie, Result)`` parts that together hold every student and site of ``instance``
    once."""
    results = [r for _, r in parts]
    assignments = _concat([r.assignments for r in results])
    pos = instance.student_positions(assignments["student_id"])
    assignments = assignments.iloc[np.lexsort((assignments["weeks"].to_numpy(str), pos))].reset_index(drop=True)
    unassigned = _concat([r.unassigned for r in results])
    unassigned = unassigned.iloc[np.argsort(instance.student_positions(unassigned["student_id"]), kind="stable")]
    unassigned = unassigned.reset_index(drop=True)
    live = [(a, r) for a, r in parts if r.summary["counts"]["students"]] or parts
    levels = merge_levels([r.summary["objective"] for r in results])
    info = {**merge_info([(a, r.summary["solver"]) for a, r in live]), "parts": len(parts)}
    summary = build_summary(instance, assignments, unassigned, levels, info, inputs)
    for key in ordered_keys([r.summary for r in results]):
        if key not in summary:
            summary[key] = merge_section(key, [(a, r.summary.get(key)) for a, r in parts])
    return Result(assignments, unassigned, summary, _merge_timings([r.timings for r in results]))


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True)


def merge_levels(objectives: list[list[dict[str, Any]]]) -> list[Level]:
    """Summed levels from the parts' ``summary["objective"]`` lists (same levels, same order)."""
    out: list[Level] = []
    for rows in zip(*objectives):
        bounds = [r["bound"] for r in rows]
        out.append(
            Level(
                rows[0]["level"],
                float(sum(r["value"] for r in rows)),
                None if any(b is None for b in bounds) else float(sum(bounds)),
                rows[0]["sense"],
            )
        )
    return out


def merge_info(infos: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The parts' solver facts (``summary["solver"]`` without the gap, which is recomputed), merged."""
    dicts = [{k: v for k, v in i.items() if k not in ("gap", "gap_level")} for _, i in infos]
    out: dict[str, Any] = {}
    for key in ordered_keys(dicts):
        values = [d.get(key) for d in dicts]
        if key == "status":
            out[key] = Status.OPTIMAL.value if all(v == Status.OPTIMAL.value for v in values) else Status.FEASIBLE.value
        elif key in _SUMMED:
            out[key] = int(sum(v or 0 for v in values))
        elif key in _LARGEST:
            out[key] = max(v or 0 for v in values)
        elif all(v == values[0] for v in values):
            out[key] = values[0]
        elif key == "bounds_over":
            out[key] = max(values, key=lambda v: BOUNDS_OVER.index(v) if v in BOUNDS_OVER else len(BOUNDS_OVER))
        else:
            out[key] = {a: d.get(key) for (a, _), d in sorted(zip(infos, dicts), key=lambda x: x[0][0])}
    return out


def _merge_timings(timings: list[dict[str, float]]) -> dict[str, float]:
    return {k: round(sum(t.get(k, 0.0) for t in timings), 3) for k in ordered_keys(timings)}
