"""Recruitment guidance end to end: where one more place places one more student, as tables.

The candidate pairs and widening are the optimal mode's (``run.allocate_one``), so the guidance reads the network
whose maximum flow is the ``placed`` bound ``matcher allocate`` proves; the plan's total is exactly what its
places add to that bound (:mod:`matcher.solve.recruit`). The engine's allocation on the same pairs says who may take
a place under every rule (:mod:`matcher.solve.takers`): the plan takes those places first. The stable mode places
fewer and proves no such bound: the guidance is for the optimal mode.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.export.atomic import publish
from matcher.export.safecells import neutralize_frame
from matcher.load.instance import Instance, build_instance
from matcher.pipeline.run import solve_one
from matcher.solve.recruit import Guidance, Rules, recruitment_plan
from matcher.solve.takers import Takers
from matcher.solve.widen import Widening, widen
from matcher.tables.recruitment import BOUND, NESTED, academie_table, commune_table, publishable, published, site_table

__all__ = ["Recruitment", "recruit", "write_recruitment", "FILES"]

#: The files ``write_recruitment`` publishes, as one set.
FILES = ("recruitment.csv", "recruitment_communes.csv", "recruitment_academies.csv", "recruitment.json")


@dataclass(frozen=True)
class Recruitment:
    """Recruitment guidance: three tables (see :mod:`matcher.tables.recruitment`) and headline figures.

    Attributes
    ----------
    sites, communes, academies : DataFrame
        Per site (the plan's sites first, in its order), per commune and trade, per académie.
    figures : dict
        ``placed_bound`` (the maximum flow with the sites as they are), ``plan_places``, ``plan_students`` (what
        the plan's places together add to the bound), ``sites_listed``, ``unplaced``, ``no_offer_in_range``,
        ``bound_over_all_pairs``, ``mode`` and ``seconds``.
    guidance : Guidance
        The flow's own figures (site and student positions).
    realised : DataFrame
        ``student, site, week`` rows (positions): the engine's allocation with the sites as they are, plus the
        plan's places given to the students it leaves unplaced who take them under every rule (an allocation of
        the sites with the plan's places added; internal, never published: it names students).
    """

    sites: pd.DataFrame
    communes: pd.DataFrame
    academies: pd.DataFrame
    figures: dict[str, Any] = field(default_factory=dict)
    guidance: Guidance | None = None
    realised: pd.DataFrame | None = None


def recruit(students: pd.DataFrame, sites: pd.DataFrame, config: Config, top: int = 50) -> Recruitment:
    """Recruitment guidance for clean located ``students`` and ``sites``, with a plan of at most ``top`` places.

    Every rule the candidate pairs and the network carry applies (distance limits, trades, weeks, reservations,
    accessibility); the full-time and group rules, relaxed in the network as in the ``placed`` bound, are not, but
    the plan's places are first those the engine's allocation can fill keeping them (one engine run).
    """
    started = time.perf_counter()
    instance = build_instance(students, sites, config)  # the floors read and checked once, the groups found once
    cands = candidates(students, sites, config, groups=instance.groups)
    widening = widen(cands, students, sites, config, groups=instance.groups)
    pairs = widening.candidates.pairs[["student", "site"]]
    floors = instance.floors
    weeks, cap1, cap2 = (
        students["weeks"].to_numpy(object),
        sites["capacity_week_1"].to_numpy(np.int64),
        sites["capacity_week_2"].to_numpy(np.int64),
    )
    grouped = students["group_id"].astype(str).str.strip().to_numpy(object) != ""
    allocation = _allocated(instance, widening)
    placed = np.zeros(len(students), bool)
    placed[allocation["student"].to_numpy(np.int64)] = True
    takers = Takers(pairs, weeks, cap1 > 0, cap2 > 0, ~placed & ~grouped)
    guidance = recruitment_plan(
        pairs,
        weeks,
        cap1,
        cap2,
        top,
        Rules(students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool), grouped),
        _shortfalls(students, sites, floors),
        takers,
    )
    has_pair = np.bincount(pairs["student"].to_numpy(np.int64), minlength=len(students)) > 0
    by_site = site_table(guidance, sites)
    communes = commune_table(guidance, by_site, students, guidance.placed, has_pair)
    academies = academie_table(guidance, by_site, students, guidance.placed, has_pair, floors)
    figures = {
        "placed_bound": guidance.bound,
        "plan_places": len(guidance.plan),
        "plan_students": int(guidance.plan["students"].sum()),
        "sites_listed": len(guidance.first),
        "unplaced": int((~guidance.placed).sum()),
        "no_offer_in_range": int((~guidance.placed & ~has_pair).sum()),
        "bound_over_all_pairs": widening.over_all_pairs,
        "mode": "optimal",
        "seconds": round(time.perf_counter() - started, 3),
    }
    realised = pd.concat([allocation, takers.placements()], ignore_index=True)
    return Recruitment(by_site, communes, academies, figures, guidance, realised)


def _allocated(instance: Instance, widening: Widening) -> pd.DataFrame:
    """The engine's allocation (as ``matcher allocate`` solves it, on the same pairs): ``student, site, week``."""
    best, _ = solve_one(instance, widening.candidates.pairs, widening)
    return best.placements[["student", "site", "week"]]


def _shortfalls(
    students: pd.DataFrame, sites: pd.DataFrame, floors: pd.Series
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Per site and per student its académie (a code), per académie its floor (0 without); None without floors."""
    if floors.empty:
        return None
    names = pd.Index(sorted(set(sites["academie"].astype(str)) | set(students["academie"].astype(str))))
    site_group = names.get_indexer(pd.Index(sites["academie"].astype(str))).astype(np.int64)
    student_group = names.get_indexer(pd.Index(students["academie"].astype(str))).astype(np.int64)
    return site_group, student_group, floors.reindex(names).fillna(0).to_numpy(np.int64)


def write_recruitment(rec: Recruitment, out_dir: str | Path) -> dict[str, Path]:
    """Publish ``rec`` into ``out_dir`` as one set (atomically; counts of 1 to 4 existing students as ``<5``, and
    those that would give them away from a total, ``tables.recruitment.published``):
    ``recruitment.csv`` (per site), ``recruitment_communes.csv``, ``recruitment_academies.csv`` and
    ``recruitment.json`` (the headline figures)."""
    communes, academies, national = published(
        rec.communes, rec.academies, {k: rec.figures[k] for k in (*NESTED, BOUND)}
    )
    tables = (publishable(rec.sites), communes, academies)
    files = {
        name: neutralize_frame(t).to_csv(index=False, lineterminator="\n").encode("utf-8")
        for name, t in zip(FILES, tables)
    }
    figures = {k: v for k, v in rec.figures.items() if k != "seconds"} | national  # same inputs, same bytes
    files[FILES[3]] = (json.dumps(figures, indent=2, ensure_ascii=False) + "\n").encode()
    return publish(files, out_dir)
