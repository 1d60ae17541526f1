"""Allocation with an officer's overrides: pinned students placed at their sites, forbidden pairs left out, the rest
optimised as usual; the summary counts the overrides and what they cost against the unconstrained optimum.

Every eligible pair is searched (``candidate_k = 0``), so no widening can bring a forbidden pair back. A pin must be
an eligible pair (distance, accessibility, trade, reservation); otherwise it is an input problem. A pinned student
keeps only its pinned pairs (two for a locked split placement: placed at one of them at least). When the optimum
leaves a pinned student out (its place taken by others, e.g. two one-week students instead of one full-time), the
sites of the pins left out (with the other sites of the students pinned there) are kept for their pinned students
and the problem solved again, until every pin is kept or no new site can be kept; a pin left out then is an input
problem.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from matcher.candidates.search import Candidates
from matcher.config import Config
from matcher.errors import InputError, Problem
from matcher.pipeline.run import allocate_one
from matcher.result import Result
from matcher.util.i18n import mark, tr
from matcher.util.stages import StageObserver

__all__ = ["Plan", "allocate_overridden", "override_cost"]

_NOT_ELIGIBLE = mark(
    "pin not allowed: the site is not eligible for this student (distance limit, accessibility, trade or reservation)"
)


@dataclass(frozen=True)
class Plan:
    """Overrides as row positions: ``pins`` and ``forbids`` are (student, site) position arrays, ``rows`` the
    pins' rows in the overrides file, ``file`` its name."""

    pins: np.ndarray
    forbids: np.ndarray
    rows: np.ndarray
    file: str
    n_sites: int

    @staticmethod
    def of(overrides: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, file: str) -> Plan:
        """The plan of a checked overrides table (``matcher.load.overrides``)."""
        who = pd.Index(students["student_id"]).get_indexer(overrides["student_id"])
        where = pd.Index(sites["site_id"]).get_indexer(overrides["site_id"])
        both = np.column_stack([who, where]).astype(np.int64).reshape(-1, 2)
        pin = (overrides["action"] == "pin").to_numpy()
        return Plan(both[pin], both[~pin], overrides["row"].to_numpy(np.int64)[pin], file, len(sites))

    def keys(self, pairs: np.ndarray) -> np.ndarray:
        """One integer per (student, site) pair."""
        return np.asarray(pairs[:, 0] * self.n_sites + pairs[:, 1], dtype=np.int64)


def allocate_overridden(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    plan: Plan,
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    observer: StageObserver | None = None,
) -> Result:
    """Allocate with the overrides of ``plan`` (see the module docstring); raises InputError for a pin that breaks
    a rule or cannot be kept."""
    config = config.with_options(candidate_k=0)
    run = partial(allocate_one, students, sites, config, pairs=pairs, inputs=inputs, observer=observer)
    free = run()
    crowded = np.zeros(0, np.int64)
    while True:  # each round keeps more pinned sites for their pinned students; at most one round per site
        result = run(restrict=partial(_restrict, plan, crowded))
        missed = _missed(result, plan, students, sites)
        where = np.unique(plan.pins[missed, 1])
        if not missed.any() or np.isin(where, crowded).all():
            break
        crowded = _closure(plan, np.union1d(crowded, where))
    if missed.any():
        message = tr("pin cannot be kept: the other pins and the sites' weeks leave no place for it")
        fix = tr("pin fewer students to this site, or raise its capacity")
        raise InputError([Problem(plan.file, int(r), "site_id", "", message, fix) for r in plan.rows[missed]])
    return replace(result, summary={**result.summary, "overrides": override_cost(result.summary, free.summary, plan)})


def _restrict(plan: Plan, crowded: np.ndarray, cands: Candidates) -> Candidates:
    """The candidate pairs with the overrides applied (``crowded``: sites kept for their pinned students)."""
    pairs = cands.pairs
    both = np.column_stack([pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)])
    key = plan.keys(both)
    absent = ~np.isin(plan.keys(plan.pins), key)
    if absent.any():
        fix = tr("pin the student to a site in range and open to the student, or raise the site's or student's limit")
        said = tr(_NOT_ELIGIBLE)
        raise InputError([Problem(plan.file, int(r), "site_id", "", said, fix) for r in plan.rows[absent]])
    pinned = np.isin(both[:, 0], plan.pins[:, 0])
    keep = ~np.isin(key, plan.keys(plan.forbids)) & (~pinned | np.isin(key, plan.keys(plan.pins)))
    keep &= pinned | ~np.isin(both[:, 1], crowded)
    return replace(cands, pairs=pairs[keep].reset_index(drop=True))


def _closure(plan: Plan, sites: np.ndarray) -> np.ndarray:
    """``sites`` with every other site pinned for a student pinned at one of them, and so on: kept for their pinned
    students, they form a part of the network no other student reaches, where every pin that fits is kept."""
    while True:
        who = np.unique(plan.pins[np.isin(plan.pins[:, 1], sites), 0])
        more = np.union1d(sites, plan.pins[np.isin(plan.pins[:, 0], who), 1])
        if len(more) == len(sites):
            return sites
        sites = more


def _missed(result: Result, plan: Plan, students: pd.DataFrame, sites: pd.DataFrame) -> np.ndarray:
    """Per pin: whether the result leaves its student out of every site the student is pinned to (a student
    pinned to two sites, as a locked split placement, may be placed at one of them)."""
    placed = result.assignments
    who = pd.Index(students["student_id"]).get_indexer(placed["student_id"])
    where = pd.Index(sites["site_id"]).get_indexer(placed["site_id"])
    got = np.isin(plan.keys(plan.pins), plan.keys(np.column_stack([who, where]).astype(np.int64).reshape(-1, 2)))
    kept = pd.Series(got).groupby(plan.pins[:, 0]).transform("any").to_numpy(bool)
    return ~kept


def override_cost(summary: dict[str, Any], free: dict[str, Any], plan: Plan) -> dict[str, Any]:
    """The summary's ``overrides`` section: how many, and each level's value with and without them (``cost``:
    how much worse with them, in the level's unit; both values as reached, each within its solver gap)."""
    unconstrained = {level["level"]: level["value"] for level in free["objective"]}
    cost = []
    for level in summary["objective"]:
        other = unconstrained.get(level["level"])
        worse = (
            None if other is None else (other - level["value"] if level["sense"] == "max" else level["value"] - other)
        )
        cost.append({"level": level["level"], "value": level["value"], "unconstrained": other, "cost": worse})
    return {"pinned": len(plan.pins), "forbidden": len(plan.forbids), "cost": cost}
