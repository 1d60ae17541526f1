"""The site and student draws of :mod:`matcher.generate` (private; distributions documented there)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.sectors import SECTORS
from matcher.generate.util import (
    apportion,
    coords,
    flags,
    geo,
    jittered,
    join_ranked,
    labels,
    make_pool,
    numbered,
    pick_distinct,
    pick_weighted,
    ranked_codes,
    take_or_empty,
    where_text,
)
from matcher.load.schema import WEEKS

CODES = tuple(SECTORS)
ENERGY = (
    "electricite",
    "reseaux_energie",
    "energies_renouvelables",
    "genie_climatique",
    "efficacite_energetique",
    "mobilite_electrique",
)
DIGITAL = ("numerique", "cybersecurite", "batiment_intelligent", "bureau_etudes")
TRADE_BOOST = 1.6  # energy trades for boys, digital trades for girls
JITTER_KM = 2.0
SITES_PER_COMPANY = 3.5
GROUP_SHARE, GROUP_SIZES, GROUP_SIZE_P = 0.04, (2, 3), (0.6, 0.4)


def _sector_weights() -> np.ndarray:
    """Rows: girls, boys, gender not given; columns: ``CODES``."""
    energy = np.isin(CODES, ENERGY)
    digital = np.isin(CODES, DIGITAL)
    return np.stack([np.where(digital, TRADE_BOOST, 1.0), np.where(energy, TRADE_BOOST, 1.0), np.ones(len(CODES))])


def capacities(
    rng: np.random.Generator, full: np.ndarray, places: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Full-time ``capacity`` per full-time site and ``(week 1, week 2)`` places per per-week site.

    Natural draws (full time 1/2/3; each week 0–3, not both 0) are scaled by ``places`` / their total. Every
    site keeps a minimum (one full-time place, or one place in its larger week) and the rest is apportioned in
    proportion to each site's scaled surplus, so the total is exactly ``places`` (week places count half).
    """
    nf, nw = int(full.sum()), int((~full).sum())
    base = rng.choice(np.array([1, 2, 3]), size=nf, p=[0.6, 0.25, 0.15])
    week = rng.choice(4, size=(nw, 2), p=[0.2, 0.4, 0.25, 0.15])
    fix = rng.integers(2, size=nw)
    none = week.sum(axis=1) == 0
    week[none, fix[none]] = 1
    low = np.zeros_like(week)
    low[np.arange(nw), np.argmax(week, axis=1)] = 1
    scale = places / max(base.sum() + week.sum() / 2, 1)
    wf = np.maximum(base * scale - 1, 0) + 0.1
    ww = ((np.maximum(week * scale - low, 0) + 0.1) * (week > 0)).ravel()
    extra = 2 * places - 2 * nf - nw  # in half places
    to_week = round(extra * ww.sum() / max(2 * wf.sum() + ww.sum(), 1e-9))
    to_week += (extra - to_week) % 2
    cap = 1 + apportion(rng, (extra - to_week) // 2, wf)
    cells = low + apportion(rng, to_week, ww).reshape(nw, 2)
    return cap, cells


def _site_location(rng: np.random.Generator, com: pd.DataFrame, u: np.ndarray) -> dict[str, np.ndarray]:
    """Location columns of sites in communes ``com``: the commune (90 %) or its postal code; a point (10 %)."""
    postal_only, has_point = u < 0.10, u >= 0.90
    lat, lon = jittered(rng, com["lat"].to_numpy(), com["lon"].to_numpy(), JITTER_KM)
    return {
        "commune_insee": where_text(~postal_only, com["insee_code"].to_numpy(object)),
        "postal_code": where_text(postal_only, com["postal_code"].to_numpy(object)),
        "lat": coords(has_point, lat),
        "lon": coords(has_point, lon),
    }


def draw_sites(rng: np.random.Generator, n: int, places: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Site columns (contract names, strings) and each site's département code."""
    g = geo()
    com = g.communes.table
    row = rng.choice(len(com), size=n, p=g.site_weight / g.site_weight.sum())
    dept = g.communes.dept[row]
    u = rng.random((7, n))
    full = u[1] < 0.70
    cap, cells = capacities(rng, full, places)
    cap_n, cells_n = np.zeros(n, np.int64), np.zeros((n, 2), np.int64)
    cap_n[full], cells_n[~full] = cap, cells
    group_size = np.where(u[3] < 0.10, rng.integers(2, 5, size=n), 1)
    want = np.where(u[6] < 0.03, rng.integers(1, 3, size=n), 0)
    uai = g.lycees.table["uai"].to_numpy(object)
    picks = pick_distinct(rng, g.lycees, dept, want)
    reserved = join_ranked(np.stack([take_or_empty(uai, p) for p in picks], axis=1), want)
    n_trades = rng.choice(np.array([1, 2, 3]), size=n, p=[0.5, 0.3, 0.2])
    trades = ranked_codes(rng, CODES, np.ones((1, len(CODES))), np.zeros(n, np.intp), n_trades)
    n_comp = min(n, max(1, round(n / SITES_PER_COMPANY)))
    company = rng.permutation(np.concatenate([np.arange(n_comp), rng.integers(max(n_comp, 1), size=n - n_comp)]))
    return {
        "site_id": numbered("S", n, 6),
        "company": numbered("Entreprise ", n_comp, 4)[company],
        **_site_location(rng, com.iloc[row], u[0]),
        "capacity": where_text(full, cap_n),
        "capacity_week_1": where_text(~full, cells_n[:, 0]),
        "capacity_week_2": where_text(~full, cells_n[:, 1]),
        "full_time_only": flags(full & (u[2] < 0.20 / 0.70)),
        "sectors": trades,
        "max_group_size": group_size.astype(str).astype(object),
        "accessible": flags(u[4] < 0.40),
        "reserved_priority": flags(u[5] < 0.05),
        "reserved_lycees": reserved,
    }, dept


def _groups(
    rng: np.random.Generator, n: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.object_]]:
    """Group members (row numbers), each member's group leader, and the ``group_id`` column."""
    sizes = rng.choice(
        np.array(GROUP_SIZES), size=round(n * GROUP_SHARE / np.dot(GROUP_SIZES, GROUP_SIZE_P)), p=GROUP_SIZE_P
    )
    sizes = sizes[np.cumsum(sizes) <= n]
    members = rng.choice(n, size=int(sizes.sum()), replace=False)
    group = np.repeat(np.arange(len(sizes)), sizes)
    leaders = members[(np.cumsum(sizes) - sizes)[group]]
    column = np.full(n, "", dtype=object)
    column[members] = numbered("G", len(sizes), 5)[group]
    return members, leaders, column


def _home(
    rng: np.random.Generator, row: np.ndarray, u: np.ndarray
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """``commune_insee``, ``lat``, ``lon`` columns from a lycée row per student and three uniforms."""
    g = geo()
    lyc, com = g.lycees.table, g.communes.table
    drawn = pick_weighted(rng, g.communes, com["population"].to_numpy(float), g.lycees.dept[row])
    other = (u[0] < 0.20) & (u[1] >= 0.5) & (drawn >= 0)  # home in another commune of the département
    safe = np.maximum(drawn, 0)
    insee = np.where(other, com["insee_code"].to_numpy(object)[safe], lyc["commune_insee"].to_numpy(object)[row])
    lat = np.where(other, com["lat"].to_numpy()[safe], lyc["lat"].to_numpy()[row])
    lon = np.where(other, com["lon"].to_numpy()[safe], lyc["lon"].to_numpy()[row])
    lat, lon = jittered(rng, lat, lon, JITTER_KM)
    point = u[2] < 0.05
    return where_text(u[0] < 0.20, insee), coords(point, lat), coords(point, lon)


def _choices(
    rng: np.random.Generator, n: int, dept: np.ndarray, site_ids: np.ndarray, site_dept: np.ndarray, u: np.ndarray
) -> npt.NDArray[np.object_]:
    """``site_choices`` column: 1–2 distinct sites of the student's département for ~10 % of students."""
    sites = make_pool(pd.DataFrame({"site_id": site_ids}), site_dept, geo().n_depts)
    want = np.where(u < 0.10, rng.integers(1, 3, size=n), 0)
    picks = pick_distinct(rng, sites, dept, want)
    ids = sites.table["site_id"].to_numpy(object)
    return join_ranked(np.stack([take_or_empty(ids, p) for p in picks], axis=1), want)


def draw_students(
    rng: np.random.Generator, n: int, site_ids: np.ndarray, site_dept: np.ndarray
) -> dict[str, np.ndarray]:
    """Student columns (contract names, strings) for ``n`` students, choosing among the given sites."""
    lyc = geo().lycees
    students = lyc.table["seconde_gt_students"].to_numpy(float)
    row = rng.choice(len(students), size=n, p=students / students.sum())
    members, leaders, group_id = _groups(rng, n)
    row[members] = row[leaders]
    u = rng.random((11, n))
    girls = lyc.table["seconde_gt_girls"].to_numpy() / students
    gender = np.where(u[0] < 0.03, 2, np.where(u[1] < girls[row], 0, 1))
    insee, lat, lon = _home(rng, row, u[2:5])
    n_trades = rng.choice(np.array([1, 2, 3]), size=n, p=[0.35, 0.40, 0.25])
    cols = {
        "student_id": numbered("E", n, 7),
        "lycee_uai": lyc.table["uai"].to_numpy(object)[row],
        "commune_insee": insee,
        "postal_code": np.full(n, "", dtype=object),
        "lat": lat,
        "lon": lon,
        "sectors": ranked_codes(rng, CODES, _sector_weights(), gender, n_trades),
        "site_choices": _choices(rng, n, lyc.dept[row], site_ids, site_dept, u[5]),
        "max_km": where_text(u[6] >= 0.70, rng.choice(np.array([15, 20, 30, 40, 50]), size=n)),
        "weeks": labels(WEEKS, np.where(u[7] < 0.90, 0, np.where(u[7] < 0.95, 1, 2))),
        "split_ok": flags(u[8] < 0.85),
        "group_id": group_id,
        "gender": labels(["F", "M", ""], gender),
        "priority": flags(u[9] < 0.15),
        "needs_accessible": flags(u[10] < 0.02),
    }
    for shared in ("weeks", "split_ok", "sectors", "site_choices"):  # a group asks for the same placement
        cols[shared][members] = cols[shared][leaders]
    return cols
