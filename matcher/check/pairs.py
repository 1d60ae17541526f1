"""Pair rules of the independent checker: eligibility (docs/rules.md rules 1-4) and preference rank of each
assignment row, plus the checker's ``Violation`` and reporting helpers. Used only by ``matcher.check``.

Rows come from ``matcher.check``: the assignment columns, the positions ``s``/``t`` of the student and site in
the input tables, and their fields prefixed ``s_``/``t_``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.config import Config
from matcher.util.runs import items

__all__ = [
    "EARTH_RADIUS_KM",
    "Violation",
    "great_circle_km",
    "text",
    "emit",
    "with_positions",
    "check_distance",
    "check_eligibility",
    "check_rank",
]

#: Mean Earth radius (km) of the distance contract (DESIGN.md §2).
EARTH_RADIUS_KM = 6371.0088
_TOLERANCE_KM = 1e-6
_REPORTED_KM = 0.001 + 1e-9


@dataclass(frozen=True)
class Violation:
    """One broken rule: its name (see ``RULES``), the student and site concerned ("" when none), and why."""

    rule: str
    student_id: str
    site_id: str
    detail: str

    def __str__(self) -> str:
        who = ", ".join(f"{k} {v}" for k, v in (("student", self.student_id), ("site", self.site_id)) if v)
        return f"[{self.rule}] {who + ': ' if who else ''}{self.detail}"


def great_circle_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Great-circle distance in km on the mean Earth radius, with the formula of geopy's ``great_circle``.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : array_like
        Coordinates in WGS84 degrees; NaN propagates.

    Returns
    -------
    numpy.ndarray
        Distances in km.
    """
    p1, l1, p2, l2 = (np.radians(np.asarray(x, dtype="float64")) for x in (lat1, lon1, lat2, lon2))
    dl = l2 - l1
    y = np.hypot(np.cos(p2) * np.sin(dl), np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl))
    x = np.sin(p1) * np.sin(p2) + np.cos(p1) * np.cos(p2) * np.cos(dl)
    km: npt.NDArray[np.float64] = EARTH_RADIUS_KM * np.arctan2(y, x)
    return km


def text(series: pd.Series) -> pd.Series:
    """A column as ``str`` values, "" for missing ones."""
    return series.fillna("").astype(str)


def emit(out: list[Violation], rule: str, frame: pd.DataFrame, detail: pd.Series | str) -> None:
    """Append one violation per row of ``frame`` (sorted by student and site), with ``detail`` per row."""
    if frame.empty:
        return
    detail = pd.Series(detail, index=frame.index) if isinstance(detail, str) else detail
    blank = pd.Series("", index=frame.index)
    table = pd.DataFrame(
        {
            "s": text(frame["student_id"]) if "student_id" in frame else blank,
            "t": text(frame["site_id"]) if "site_id" in frame else blank,
            "d": detail.astype(str),
        }
    ).sort_values(["s", "t"], kind="stable")
    out.extend(Violation(rule, s, t, d) for s, t, d in table.itertuples(index=False))


def with_positions(rows: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """Add ``choice_pos`` (1-based position of the site among the student's choices), ``trade_pos`` (position
    of the student's best-ranked trade the site offers), NaN when none, and the list lengths."""
    choices, r, pos = _explode(rows["s_site_choices"])
    hit = pd.Index(sites["site_id"]).get_indexer(choices) == rows["t"].to_numpy()[r]
    trades, q, qpos = _explode(rows["s_sectors"])
    offered = _in_site_list(sites["sectors"], rows["t"].to_numpy()[q], trades)
    n = len(rows)
    return rows.assign(
        choice_pos=_min_at(r[hit], pos[hit], n),
        trade_pos=_min_at(q[offered], qpos[offered], n),
        n_choices=np.bincount(r, minlength=n),
        n_sectors=np.bincount(q, minlength=n),
    )


def _explode(lists: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Elements of a column of tuples, missing ones dropped, with their row position and 1-based position in the
    tuple among the elements kept (a column of tuples and lists is flattened at once, anything else by pandas)."""
    flat, row = items(lists)
    return flat, row, np.arange(len(row)) - np.searchsorted(row, row) + 1


def _min_at(where: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Smallest of ``values`` per position ``where`` (sorted, as ``_explode`` gives them) among ``n``, NaN where
    none."""
    best = np.full(n, np.nan)
    if len(where):
        starts = np.flatnonzero(np.r_[True, where[1:] != where[:-1]])
        best[where[starts]] = np.minimum.reduceat(values, starts)
    return best


def _in_site_list(lists: pd.Series, t: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Whether each ``values[i]`` is in the list of site position ``t[i]`` (``lists`` indexed by position)."""
    flat, site, _ = _explode(lists)
    code = pd.factorize(np.concatenate([flat, np.asarray(values, dtype=object)]), use_na_sentinel=False)[0]
    width = code.max(initial=0) + 1
    return np.isin(t * width + code[len(flat) :], site * width + code[: len(flat)])


def check_distance(
    rows: pd.DataFrame,
    config: Config,
    pairs: pd.DataFrame | None,
    student_index: pd.Index,
    site_index: pd.Index,
    out: list[Violation],
) -> None:
    """Rule 1 and the reported ``distance_km``.

    A site among the student's choices is exempt from the limit (and from having both locations), but not from
    the pairs table: with a table, only its pairs exist and its ``km`` or ``minutes`` is the reported distance.
    """
    limit = rows["s_max_km"].astype("float64").fillna(config.default_max_km).to_numpy()
    unit = "km"
    if pairs is None:
        value = great_circle_km(rows["s_lat"], rows["s_lon"], rows["t_lat"], rows["t_lon"])
        emit(
            out,
            "distance",
            rows.loc[np.isnan(value) & rows["choice_pos"].isna()],
            "no location to measure the distance",
        )
    else:
        unit = "km" if "km" in pairs.columns else "minutes"
        value = _pair_values(pairs, unit, rows, student_index, site_index)
        emit(out, "no_pair", rows.loc[np.isnan(value)], "pair absent from the pairs table (or no value)")
        limit = limit if unit == "km" else np.full(len(rows), float(config.max_minutes))
    recomputed = pd.Series(value, index=rows.index)
    far = rows.loc[(value > limit + _TOLERANCE_KM) & rows["choice_pos"].isna()]
    emit(
        out,
        "distance",
        far,
        _shown(recomputed[far.index])
        + f" {unit} > limit "
        + pd.Series(limit, index=rows.index)[far.index].astype(str)
        + f" {unit}",
    )
    reported = pd.to_numeric(rows["distance_km"], errors="coerce").to_numpy(dtype="float64")
    wrong = rows.loc[~np.isnan(value) & ~(np.abs(reported - value) <= _REPORTED_KM)]
    emit(
        out,
        "distance_km",
        wrong,
        "reported " + wrong["distance_km"].astype(str) + ", recomputed " + _shown(recomputed[wrong.index]) + f" {unit}",
    )


def _shown(km: pd.Series) -> pd.Series:
    """Distances as reported in a violation (rounded to the metre)."""
    return km.round(3).astype(str)


def _pair_values(
    pairs: pd.DataFrame, unit: str, rows: pd.DataFrame, student_index: pd.Index, site_index: pd.Index
) -> np.ndarray:
    """The pairs table's value for each row (first occurrence of a pair), NaN when the pair is absent."""
    ps = student_index.get_indexer(pd.Index(text(pairs["student_id"])))
    pt = site_index.get_indexer(pd.Index(text(pairs["site_id"])))
    keys = pd.Series(ps * len(site_index) + pt)
    keep = (ps >= 0) & (pt >= 0) & ~keys.duplicated().to_numpy()
    values = pd.to_numeric(pairs[unit], errors="coerce").to_numpy(dtype="float64")[keep]
    at = pd.Index(keys[keep]).get_indexer(rows["s"].to_numpy() * len(site_index) + rows["t"].to_numpy())
    return np.where(at >= 0, values[at], np.nan)


def check_eligibility(rows: pd.DataFrame, sites: pd.DataFrame, config: Config, out: list[Violation]) -> None:
    """Rules 2 (trade), 3 (reservation), 4 (accessibility) and 5 (académie, with ``stay_in_academie``)."""
    if config.other_sectors_rank_penalty is None:
        bad = rows.loc[(rows["n_sectors"] > 0) & rows["trade_pos"].isna() & rows["choice_pos"].isna()]
        emit(out, "sector", bad, "the site offers none of the student's trades")
    listed = _in_site_list(sites["reserved_lycees"], rows["t"].to_numpy(), text(rows["s_lycee_uai"]).to_numpy())
    priority = rows["s_priority"].astype(bool).to_numpy()
    res_p = rows["t_reserved_priority"].astype(bool).to_numpy()
    res_l = (sites["reserved_lycees"].str.len() > 0).to_numpy()[rows["t"].to_numpy()]
    emit(
        out,
        "reserved_priority",
        rows.loc[res_p & ~res_l & ~priority],
        "site reserved to priority students, student not priority",
    )
    unlisted = res_l & ~listed & ~(res_p & priority)
    bad = rows.loc[unlisted]
    also = pd.Series(np.where(res_p[unlisted], " and the student is not priority", ""), index=bad.index, dtype=str)
    emit(
        out,
        "reserved_lycees",
        bad,
        "lycée '" + text(bad["s_lycee_uai"]) + "' not among the site's reserved lycées" + also,
    )
    acc = rows.loc[rows["s_needs_accessible"].astype(bool) & ~rows["t_accessible"].astype(bool)]
    emit(out, "accessibility", acc, "student needs an accessible site, site not accessible")
    if config.stay_in_academie:
        away = rows.loc[rows["s_academie"].astype(str) != rows["t_academie"].astype(str)]
        emit(
            out,
            "academie",
            away,
            "site in académie "
            + away["t_academie"].astype(str)
            + ", student in "
            + away["s_academie"].astype(str)
            + " (stay_in_academie)",
        )


def check_rank(rows: pd.DataFrame, config: Config, out: list[Violation]) -> None:
    """``preference_rank`` as docs/rules.md defines it (skipped where a trade violation leaves it undefined)."""
    c, t = rows["n_choices"].to_numpy(), rows["n_sectors"].to_numpy()
    penalty = config.other_sectors_rank_penalty
    other = c + t + (np.nan if penalty is None else penalty)
    expected = np.where(
        rows["choice_pos"].notna(),
        rows["choice_pos"],
        np.where(t == 0, c + 1, np.where(rows["trade_pos"].notna(), c + rows["trade_pos"], other)),
    )
    got = pd.to_numeric(rows["preference_rank"], errors="coerce").to_numpy(dtype="float64")
    bad = rows.loc[~np.isnan(expected) & (got != expected)]
    emit(
        out,
        "rank",
        bad,
        "preference_rank "
        + bad["preference_rank"].astype(str)
        + ", expected "
        + pd.Series(expected, index=rows.index)[bad.index].astype("int64").astype(str),
    )
