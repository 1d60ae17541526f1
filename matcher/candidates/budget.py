"""Memory estimate before building a large allocation model: warn, or refuse with advice; and the cap per trade
pool that keeps a run within it (``fitted_k``).

The model grows with the candidate student–site pairs. Measured peaks (``resource.getrusage`` ``ru_maxrss`` of a
fresh process, scenarios from :func:`matcher.generate.generate`, ``allocate`` after ``load_inputs``)::

    students  sites    max_km  pairs       before allocate  peak      seconds
    10,000    2,000    30      147,731     155 MB           211 MB    6
    10,000    2,000    60      220,150     155 MB           230 MB    11
    70,000    9,000    30      1,979,008   216 MB           942 MB    428 (a loaded 2-core machine)
    70,000    19,000   30      2,775,040   188 MB           1,251 MB  24 (candidate_k 40; 916 MB with int32 widening)
    560,000   160,000  30      5,321,096   545 MB           1,787 MB  347 (candidate_k 5, a loaded machine)
    560,000   160,000  30      8,362,754   545 MB           2,540 MB  332 (candidate_k 8, a loaded machine)
    560,000   160,000  30      about 10.4M about 550 MB     3,005 MB  105 (candidate_k 10)

Fitting the growth from before to peak gives about 240–370 bytes per pair, and 0.5–1.8 KB per student on the
small runs but about 470 bytes per student or site on the cohort's runs at 5 and 10 per pool (239 bytes per pair);
:func:`estimate_mb` rounds these up to 400 bytes per pair and 500 bytes per student or site, plus 250 MB for the
interpreter, its libraries and the loaded tables. With the pairs of :func:`estimate_pairs` (177,928 and 2,280,117
for the first two 30 km scenarios, against 147,731 and 1,979,008 kept by the candidate stage) it gives 324 MB and
1,158 MB, and with the pairs kept 1,351 MB, 2,623 MB, 3,783 MB and 4,561 MB for the last four: above the measured
peaks, as an estimate made to refuse in time should be.
``Config.memory_limit_mb`` sets the limit: above it the run is refused before anything is built; above half of it,
a warning is shown.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from matcher.config import Config
from matcher.domain.geo import chord, in_range, same_points, unit_vectors
from matcher.errors import MatcherWarning, Problem, ResourceLimit
from matcher.util.i18n import num, tr

__all__ = [
    "clearly_above",
    "SAMPLE",
    "BYTES_PER_PAIR",
    "BYTES_PER_STUDENT",
    "BASE_MB",
    "Estimate",
    "estimate_pairs",
    "at_most_pairs",
    "pair_counts",
    "fitted_k",
    "estimate_mb",
    "check_memory",
    "check_run",
]

#: Bytes per candidate pair and per student, and the fixed part (interpreter, libraries, reference data), in MB.
BYTES_PER_PAIR = 400
BYTES_PER_STUDENT = 500
BASE_MB = 250.0


@dataclass(frozen=True)
class Estimate:
    """A memory estimate: ``megabytes`` needed for ``pairs`` candidate pairs, against ``limit_mb``."""

    students: int
    sites: int
    pairs: int
    megabytes: float
    limit_mb: float


#: Rows of the evenly spread sample ``clearly_above`` counts.
SAMPLE = 20_000


def clearly_above(count: Callable[[np.ndarray], int], n: int, limit: int) -> int | None:
    """``count(rows)`` on an evenly spread sample of ``SAMPLE`` of ``n`` rows, scaled to all of them, when that is
    more than 4 × ``limit``: the count over every row is then surely above ``limit`` and need not be made (at the
    full cohort, counting the pairs in range of every student took 55 s). None otherwise, or for few rows."""
    if n <= 2 * SAMPLE:
        return None
    rows = np.unique(np.linspace(0, n - 1, SAMPLE).round().astype(np.int64))
    scaled = count(rows) * n // len(rows)
    return scaled if scaled > 4 * limit else None


def estimate_pairs(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int | None = None) -> int:
    """Upper estimate of the candidate pairs: sites in range offering a trade the student asks, plus named choices.

    Per trade, a k-d tree counts the sites offering it within each student's distance limit, once per distinct point
    and limit (``in_range``; a site offering two of
    a student's trades counts twice, so this may overestimate); a student who lists no trade, or any student when
    ``config.other_sectors_rank_penalty`` is set, counts every site in range. With more pairs than
    ``config.max_pairs``, the ``fitted_k`` nearest sites per student and trade are kept, as the candidate
    stage does (``k``: that cap when the caller has it).
    """
    if students.empty or sites.empty:
        return 0
    counts, pools = pair_counts(students, sites, config)
    if counts.sum() > config.max_pairs and config.candidate_k > 0:
        counts = np.minimum(counts, (fitted_k(students, sites, config) if k is None else k) * pools)
    return int(counts.sum()) + int(students["site_choices"].map(len).sum())


def pair_counts(students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> tuple[np.ndarray, np.ndarray]:
    """Per student, the sites in range offering a trade asked (see ``estimate_pairs``) and the trade pools searched
    (the trades asked, at least one)."""
    points = unit_vectors(students["lat"], students["lon"])
    radius = chord(students["max_km"].fillna(config.default_max_km).to_numpy(float))
    site_points = unit_vectors(sites["lat"], sites["lon"])
    wants = students["sectors"].reset_index(drop=True)
    any_trade = (wants.map(len) == 0).to_numpy() | (config.other_sectors_rank_penalty is not None)
    same = same_points(students["lat"].to_numpy(float), students["lon"].to_numpy(float))
    counts = np.zeros(len(students), dtype=np.int64)
    counts[any_trade] = in_range(cKDTree(site_points), points[any_trade], radius[any_trade], same[any_trade])
    asked = wants[~any_trade].explode()
    offered = sites["sectors"].reset_index(drop=True).explode().dropna()
    at_sites = offered.groupby(offered).groups  # trade → the positions of the sites offering it
    for trade, rows in asked.groupby(asked).groups.items():
        offering = np.zeros(len(sites), bool)
        offering[np.asarray(at_sites.get(trade, []), np.int64)] = True
        if offering.any():
            at = np.asarray(rows)
            counts[at] += in_range(cKDTree(site_points[offering]), points[at], radius[at], same[at])
    return counts, np.maximum(wants.map(len).to_numpy(np.int64), 1)


def fitted_k(students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> int:
    """Sites kept per student and trade pool when lists are capped: ``config.candidate_k``, or fewer when the run
    would not fit in half of ``config.memory_limit_mb`` (the level above which a warning is shown), at least 1.

    The pairs a cap ``k`` keeps are estimated as ``estimate_pairs`` does (at most ``k`` per pool), on an evenly
    spread sample of ``SAMPLE`` students scaled to all of them, and the memory by ``estimate_mb``: national
    scale (70,000 students, 19,000 sites) keeps 40, the full cohort (560,000 students, 160,000 sites, 41 million
    pairs at 40) 8. ``candidate_k`` stays the most: a smaller one is the user's choice."""
    k, n = config.candidate_k, len(students)
    if k <= 0 or n == 0 or sites.empty:
        return k
    choices, half = int(students["site_choices"].map(len).sum()), config.memory_limit_mb / 2
    pools = np.maximum(students["sectors"].map(len).to_numpy(np.int64), 1)
    if estimate_mb(n, len(sites), k * int(pools.sum()) + choices) <= half:  # fits even if every pool were full
        return k
    rows = np.unique(np.linspace(0, n - 1, min(n, SAMPLE)).round().astype(np.int64))
    counts, pools = pair_counts(students.iloc[rows], sites, config)

    def fits(k: int) -> bool:
        pairs = int(np.minimum(counts, k * pools).sum()) * n // len(rows) + choices
        return estimate_mb(n, len(sites), pairs) <= half

    low, high = 1, k  # the largest k that fits (the pairs grow with k), or 1
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if fits(mid) else (low, mid - 1)
    return low


def estimate_mb(n_students: int, n_sites: int, n_pairs: int) -> float:
    """Peak memory in MB of an allocation of this size (see the measured table in the module docstring)."""
    return BASE_MB + (BYTES_PER_PAIR * n_pairs + BYTES_PER_STUDENT * (n_students + n_sites)) / 2**20


def check_memory(n_students: int, n_sites: int, n_pairs: int, config: Config) -> Estimate:
    """Refuse a run whose estimate exceeds ``config.memory_limit_mb``; warn above half of it.

    Raises
    ------
    ResourceLimit
        With one problem saying how much memory the run needs and how to make it smaller.
    """
    need = estimate_mb(n_students, n_sites, n_pairs)
    estimate = Estimate(n_students, n_sites, n_pairs, round(need), config.memory_limit_mb)
    advice = tr(
        "split the students by académie (one run each), lower the distance limit (max_km, now {km} km by default), "
        "or raise memory_limit_mb in the policy file if this machine has the memory"
    ).format(km=num(config.default_max_km, 1))
    what = tr("{students} students, {sites} sites and about {pairs} candidate pairs").format(
        students=num(n_students), sites=num(n_sites), pairs=num(n_pairs)
    )
    limit = num(config.memory_limit_mb)
    if need > config.memory_limit_mb:
        said = tr("{what} need more memory than memory_limit_mb ({limit} MB)").format(what=what, limit=limit)
        raise ResourceLimit([Problem("memory", None, None, f"{num(need)} MB", said, advice)])
    if need > config.memory_limit_mb / 2:
        said = tr("{what} need about {need} MB of memory (limit {limit} MB); if this machine runs short, {advice}")
        warnings.warn(MatcherWarning(said.format(what=what, need=num(need), limit=limit, advice=advice)), stacklevel=2)
    return estimate


def check_run(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    *,
    pairs: pd.DataFrame | None = None,
    by_academie: bool = False,
) -> Estimate:
    """:func:`check_memory` for a run on these located tables: the whole run, or its largest académie part.

    With a user's pairs table, its rows are the pairs. With ``by_academie`` (parts allocated one after another),
    each académie's students are checked against every site, and the largest estimate is returned. A part whose
    pairs are at most ``at_most_pairs`` (capped lists) needing no more than half of the limit is neither warned
    of nor refused whatever its count: its pairs are not counted (at the full cohort, counting took 2–3 s), and its
    estimate is made with that bound.
    """
    parts = [students] if not by_academie else [part for _, part in students.groupby("academie", sort=True)]
    sizes = [
        (len(part), len(pairs) if pairs is not None else _pairs(part, sites, config)) for part in parts or [students]
    ]
    n_students, n_pairs = max(sizes, key=lambda size: estimate_mb(size[0], len(sites), size[1]))  # the first largest
    return check_memory(n_students, len(sites), n_pairs, config)


def _pairs(students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> int:
    """``estimate_pairs``, or ``at_most_pairs`` when that bound needs no more than half of the memory limit."""
    k = fitted_k(students, sites, config)  # once for both
    at_most = at_most_pairs(students, sites, config, k)
    if at_most is not None and estimate_mb(len(students), len(sites), at_most) <= config.memory_limit_mb / 2:
        return at_most
    return estimate_pairs(students.reset_index(drop=True), sites, config, k)


def at_most_pairs(students: pd.DataFrame, sites: pd.DataFrame, config: Config, k: int | None = None) -> int | None:
    """A bound on ``estimate_pairs`` made without counting the sites in range of every student: lists are capped
    when they would make more than ``config.max_pairs`` pairs, then at ``fitted_k`` per trade pool (``k`` when
    the caller has it), so ``max(max_pairs, fitted_k × pools) + choices``. None when lists are never capped
    (``candidate_k`` 0)."""
    if config.candidate_k <= 0:
        return None
    pools = int(np.maximum(students["sectors"].map(len).to_numpy(np.int64), 1).sum())
    choices = int(students["site_choices"].map(len).sum())
    cap = fitted_k(students, sites, config) if k is None else k
    return max(config.max_pairs, cap * pools) + choices
