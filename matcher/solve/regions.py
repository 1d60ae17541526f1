"""Split a flow that proves only ``placed`` into regional flows: site capacity shares from one maximum flow.

The repair rounds' flows prove the ``placed`` level alone (a maximum flow); the cost levels they reach carry no
bound. On a large network one min-cost flow over everything is slow: OR-Tools' cost scaling spends most of its
time on the congested network as a whole, far more than on the same arcs cut into académies. ``split`` cuts the
problem into regions (one per value of ``key``, the students' académies):

1. one maximum flow (OR-Tools' max flow, no costs: fast) on the whole relaxed network;
2. each site's places each week are shared out: a region gets the places that flow gives its students there, and
   the places the flow leaves free go to the region with the most candidate pairs at the site;
3. each region is a problem of its own: its students, all their pairs, the sites they reach, with the region's
   shares as the sites' capacities.

The maximum flow restricted to a region fits its shares, so the regions' maximum flows add up to at least the whole
one's: ``placed`` stays maximal. The later levels are optimised within each region's shares only. A ``Region``
translates the full tables into its own and maps its placements back (``Region.back``). The regions are
independent: ``by_region`` can solve them in several processes (the machine's cores), with the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from ortools.graph.python.max_flow import SimpleMaxFlow

from matcher.candidates.search import pair_rows
from matcher.config import Config
from matcher.errors import SolverError
from matcher.result import Level
from matcher.solve.flow import FlowOutcome, solved_max_flow, solver_flows
from matcher.solve.network import build_network
from matcher.util import parallel

__all__ = ["Maximum", "Region", "Regional", "maximum", "split", "by_region", "best_pairs"]


@dataclass(frozen=True)
class Regional:
    """When flows proving only ``placed`` are solved by region, and in how many processes.

    Attributes
    ----------
    min_pairs : int
        Solve by region above this many candidate pairs (0: never).
    processes : int
        Processes solving the regions at once (1: in this process).
    """

    min_pairs: int = 0
    processes: int = 1

    def applies(self, n_pairs: int) -> bool:
        """Whether a flow on ``n_pairs`` pairs is solved by region."""
        return 0 < self.min_pairs < n_pairs

    @classmethod
    def of(cls, config: Config) -> Regional:
        """From ``config.regional_pairs`` and ``config.processes`` (0: one per CPU core this process may use)."""
        return cls(config.regional_pairs, parallel.processes_of(config))


@dataclass(frozen=True)
class Maximum:
    """A maximum flow of the relaxed network on some pairs: its value and the placements it makes (``student,
    site, week`` rows, on those pairs)."""

    value: int
    placements: pd.DataFrame


def maximum(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame) -> Maximum:
    """The relaxed network's maximum flow over ``pairs`` (OR-Tools' max flow, no costs). The arcs' ends and
    capacities are freed once OR-Tools holds them, and its flows read a chunk at a time: at the full cohort (16.3
    million arcs) 1.23 GB above the tables at the peak, against 1.45 GB when both were kept."""
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    net = build_network(pairs, students["weeks"].to_numpy(object), cap1, cap2, np.int32)
    solver = SimpleMaxFlow()
    solver.add_arcs_with_capacity(net.tails, net.heads, net.capacities)
    net = net.for_read()
    solved_max_flow(solver)
    return Maximum(int(solver.optimal_flow()), net.read(solver_flows(solver, len(net.pair)), pairs))


#: Pairs per student, best first, that the first regional flow keeps (``best_pairs``).
FIRST_PAIRS = 10


def best_pairs(pairs: pd.DataFrame, known: Maximum, k: int = FIRST_PAIRS) -> pd.DataFrame:
    """Each student's ``k`` first pairs (``pairs`` lists each student's best first) and the pairs ``known`` uses.

    The regions' maximum flows on them still add up to ``known``'s value; a min-cost flow on a quarter of the
    pairs takes a third of the time (national scale: 3.9 s against 10.4 s, 0.4 % more rank and 0.8 % more
    distance after the repair, no fewer placed), and the repair rounds see every pair again.
    """
    student = pairs["student"].to_numpy(np.int64)
    order = np.argsort(student, kind="stable")
    rank = np.empty(len(pairs), np.int64)
    starts = np.searchsorted(student[order], student[order], side="left")
    rank[order] = np.arange(len(pairs)) - starts
    keep = rank < k
    at = pair_rows(pairs, known.placements["student"].to_numpy(), known.placements["site"].to_numpy())
    keep[at[at >= 0]] = True
    return pairs[keep].reset_index(drop=True)


@dataclass(frozen=True)
class Region:
    """One region: its students, its pairs and the sites they reach, with the region's share of their places.

    Attributes
    ----------
    students, sites : ndarray of int64
        Positions in the full students / sites tables (sorted); the region's tables are in this order.
    rows : ndarray of int64
        Rows of the full pairs table (the pairs of the region's students).
    cap1, cap2 : ndarray of int64
        The region's places at each of its sites in week 1 and week 2.
    """

    students: np.ndarray
    sites: np.ndarray
    rows: np.ndarray
    cap1: np.ndarray
    cap2: np.ndarray

    def tables(
        self, pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The region's pairs, students and sites (shares as capacities), positions renumbered from 0."""
        rows = pairs.iloc[self.rows]
        local = rows.assign(
            student=np.searchsorted(self.students, rows["student"].to_numpy(np.int64)),
            site=np.searchsorted(self.sites, rows["site"].to_numpy(np.int64)),
        )
        mine = sites.iloc[self.sites].assign(capacity_week_1=self.cap1, capacity_week_2=self.cap2)
        return (
            local.reset_index(drop=True),
            students.iloc[self.students].reset_index(drop=True),
            mine.reset_index(drop=True),
        )

    def back(self, placements: pd.DataFrame) -> pd.DataFrame:
        """``student, site, week`` rows of the region's tables with the full tables' positions."""
        return placements.assign(
            student=self.students[placements["student"].to_numpy(np.int64)],
            site=self.sites[placements["site"].to_numpy(np.int64)],
        )


def split(
    pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, key: np.ndarray, known: Maximum | None = None
) -> tuple[int, list[Region]]:
    """The relaxed network's maximum flow over ``pairs`` and the regions (one per value of ``key``, per student)
    whose shares carry it (see the module docstring). Regions without pairs are left out. ``known``: a maximum
    flow over these ``pairs`` already solved (else it is solved here)."""
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    known = known if known is not None else maximum(pairs, students, sites)
    value, used = known.value, known.placements
    _, region = np.unique(np.asarray(key, object).astype(str), return_inverse=True)
    region = region.astype(np.int64)
    n_regions, m = int(region.max(initial=-1)) + 1, len(sites)
    ps, pj = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    reach = np.bincount(region[ps] * m + pj, minlength=n_regions * m).reshape(n_regions, m)
    home = reach.argmax(axis=0)  # the region with the most pairs at each site gets its free places
    shares = []
    for week, cap in ((1, cap1), (2, cap2)):
        rows = used[used["week"].to_numpy() == week]
        taken = np.bincount(
            region[rows["student"].to_numpy()] * m + rows["site"].to_numpy(), minlength=n_regions * m
        ).reshape(n_regions, m)
        taken[home, np.arange(m)] += cap - taken.sum(axis=0)
        shares.append(taken)
    order = np.argsort(region[ps], kind="stable")
    bounds = np.searchsorted(region[ps][order], np.arange(n_regions + 1))
    out = []
    for r in range(n_regions):
        rows = np.sort(order[bounds[r] : bounds[r + 1]])
        if len(rows) == 0:
            continue
        mine = np.unique(pj[rows])
        out.append(Region(np.flatnonzero(region == r), mine, rows, shares[0][r, mine], shares[1][r, mine]))
    return value, out


def by_region(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    key: np.ndarray,
    solve: Callable[[pd.DataFrame, pd.DataFrame, pd.DataFrame, Region | None], tuple[pd.DataFrame, FlowOutcome]],
    processes: int = 1,
    known: Maximum | None = None,
) -> tuple[pd.DataFrame, FlowOutcome]:
    """Placements and level values of ``solve`` run on each region's tables (see ``split``), put back together.

    ``solve(pairs, students, sites, region)`` solves one region (a flow proving ``placed`` only). The ``placed``
    level's bound is the whole network's maximum flow, which the regions reach together (a shortfall is a bug
    and raises); the other levels are the regions' sums, without a bound. With the pairs' students all in one
    region, ``solve(pairs, students, sites, None)`` solves the whole. With ``processes`` > 1 the regions are
    solved in that many forked processes (``matcher.util.parallel``), largest first; the result is the same.
    ``known``: a maximum flow over ``pairs`` already solved (``split``).
    """
    key = np.asarray(key, object).astype(str)
    code = np.unique(key, return_inverse=True)[1][pairs["student"].to_numpy(np.int64)]  # per pair, not per string
    if len(code) == 0 or code.min() == code.max():
        return solve(pairs, students, sites, None)
    value, regions = split(pairs, students, sites, key, known)
    largest = sorted(range(len(regions)), key=lambda r: -len(regions[r].rows))
    results = parallel.run(
        lambda r: solve(*regions[r].tables(pairs, students, sites), regions[r]), len(regions), processes, largest
    )  # each region's tables made where it is solved
    parts: list[pd.DataFrame] = []
    totals: dict[str, float] = {}
    solves = 0
    names: tuple[Level, ...] = ()  # the levels of the first region that has some
    for region, (placed, outcome) in zip(regions, results):
        parts.append(region.back(placed))
        solves += outcome.solves
        names = names or outcome.levels
        for lv in outcome.levels:
            totals[lv.name] = totals.get(lv.name, 0.0) + lv.value
    if totals.get("placed", 0.0) != value:
        raise SolverError(
            f"the regional flows placed {totals.get('placed', 0.0):.0f} students, the whole network's "
            f"maximum flow {value}: the capacity shares are wrong"
        )
    levels = tuple(
        Level(lv.name, totals[lv.name], float(value) if lv.name == "placed" else None, lv.sense) for lv in names
    )
    placements = pd.concat(parts, ignore_index=True).sort_values(["student", "week"], kind="stable")
    return placements.reset_index(drop=True), FlowOutcome(np.zeros(0, np.int64), levels, solves)
