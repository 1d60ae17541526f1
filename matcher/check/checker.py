"""The independent checker: re-implements docs/rules.md and verifies an allocation, vectorised with numpy/pandas.

It shares no code with the candidate stage or the solver; it reads only the clean input tables, the output
tables (DESIGN.md §5) and the configuration. ``check`` lists every violation; ``verify`` raises on any.
Ids are turned into row positions of the input tables once, so every rule is an array operation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.check.pairs import (
    EARTH_RADIUS_KM,
    Violation,
    check_distance,
    check_eligibility,
    check_rank,
    emit,
    great_circle_km,
    text,
    with_positions,
)
from matcher.config import Config
from matcher.domain.period import period_for
from matcher.errors import CheckError

__all__ = ["Violation", "check", "verify", "great_circle_km", "RULES", "REASON_CODES", "EARTH_RADIUS_KM"]

#: Reason codes allowed in ``unassigned``.
REASON_CODES = frozenset(
    {
        "NO_LOCATION",
        "NO_SITE_IN_RANGE",
        "NO_SECTOR_MATCH",
        "NO_ACCESSIBLE_SITE",
        "NO_ELIGIBLE_SITE",
        "CAPACITY_TAKEN",
        "GROUP_TOO_LARGE",
        "GROUP_NO_ROOM",
    }
)
#: Every value of ``Violation.rule``.
RULES: tuple[str, ...] = (
    "columns",
    "unknown_student",
    "missing_student",
    "duplicate_student",
    "reason_code",
    "unknown_site",
    "weeks",
    "full_time_only",
    "overlap",
    "split_not_ok",
    "split_same_site",
    "capacity",
    "no_pair",
    "distance",
    "distance_km",
    "sector",
    "reserved_priority",
    "reserved_lycees",
    "accessibility",
    "rank",
    "dates",
    "company",
    "student_academie",
    "site_academie",
    "group_id",
    "group_partial",
    "group_split",
    "group_size",
    "academie",
)
_ASSIGNMENT_COLUMNS = (
    "student_id",
    "site_id",
    "company",
    "weeks",
    "start_date",
    "end_date",
    "distance_km",
    "preference_rank",
    "group_id",
    "student_academie",
    "site_academie",
)
_UNASSIGNED_COLUMNS = ("student_id", "reason_code", "reason")
_STUDENT_FIELDS = (
    "lat",
    "lon",
    "sectors",
    "site_choices",
    "max_km",
    "weeks",
    "split_ok",
    "group_id",
    "priority",
    "needs_accessible",
    "lycee_uai",
    "academie",
)
_SITE_FIELDS = (
    "company",
    "lat",
    "lon",
    "full_time_only",
    "max_group_size",
    "accessible",
    "reserved_priority",
    "reserved_lycees",
    "academie",
)
_WEEKS = ("both", "week_1", "week_2")


def verify(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    assignments: pd.DataFrame,
    unassigned: pd.DataFrame,
    config: Config,
    pairs: pd.DataFrame | None = None,
    *,
    groups: bool = False,
) -> None:
    """Raise ``CheckError`` when ``check`` finds any violation (count and the first 10, one per line)."""
    found = check(students, sites, assignments, unassigned, config, pairs, groups=groups)
    if found:
        lines = [f"{len(found)} violation(s) of the allocation rules:"] + [str(v) for v in found[:10]]
        if len(found) > 10:
            lines.append(f"... and {len(found) - 10} more")
        raise CheckError("\n".join(lines))


def check(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    assignments: pd.DataFrame,
    unassigned: pd.DataFrame,
    config: Config,
    pairs: pd.DataFrame | None = None,
    *,
    groups: bool = False,
) -> list[Violation]:
    """Every violation of docs/rules.md by an allocation; an empty list means it is valid.

    Parameters
    ----------
    students, sites : pandas.DataFrame
        Clean located input tables (``matcher.load.schema``, unique ids), sites with ``capacity_week_1/2``.
    assignments, unassigned : pandas.DataFrame
        The output tables (DESIGN.md §5).
    config : Config
        The run's configuration (distance default, sector penalty, period, ``max_minutes``).
    pairs : pandas.DataFrame, optional
        User distance table (``student_id``, ``site_id``, ``km`` or ``minutes``): only its pairs exist.
    groups : bool
        Also check that groups are placed whole, together (same sites, same weeks), within ``max_group_size``.

    Returns
    -------
    list of Violation
        Grouped by check, each group sorted by student and site; the names are listed in ``RULES``.
    """
    missing = _missing_columns(assignments, unassigned, pairs)
    if missing:
        return [Violation("columns", "", "", f"missing output columns: {', '.join(missing)}")]
    students, sites = students.reset_index(drop=True), sites.reset_index(drop=True)
    a = _ids(assignments.reset_index(drop=True), ["student_id", "site_id", "weeks"])
    u = _ids(unassigned.reset_index(drop=True), ["student_id", "reason_code"])
    out: list[Violation] = []
    student_index, site_index = pd.Index(students["student_id"]), pd.Index(sites["site_id"])
    s, t = student_index.get_indexer(a["student_id"]), site_index.get_indexer(a["site_id"])
    _check_coverage(students, a, s, u, student_index.get_indexer(u["student_id"]), out)
    emit(out, "unknown_site", a.loc[(s >= 0) & (t < 0)], "not an input site")
    known = (s >= 0) & (t >= 0)
    rows = _join(a.loc[known], students, sites, s[known], t[known])
    layout = _layout(rows, len(students))
    _check_weeks(rows, students, sites, layout, out)
    _check_capacity(rows, sites, out)
    rows = with_positions(rows, sites)
    check_distance(rows, config, pairs, student_index, site_index, out)
    check_eligibility(rows, sites, config, out)
    check_rank(rows, config, out)
    _check_copies(rows, config, out)
    if groups:
        _check_groups(rows, students, layout, out)
    return out


def _missing_columns(assignments: pd.DataFrame, unassigned: pd.DataFrame, pairs: pd.DataFrame | None) -> list:
    """Names of the required columns absent from the output tables or the pairs table."""
    missing = [f"assignments.{c}" for c in _ASSIGNMENT_COLUMNS if c not in assignments.columns]
    missing += [f"unassigned.{c}" for c in _UNASSIGNED_COLUMNS if c not in unassigned.columns]
    if pairs is not None:
        missing += [f"pairs.{c}" for c in ("student_id", "site_id") if c not in pairs.columns]
        if "km" not in pairs.columns and "minutes" not in pairs.columns:
            missing.append("pairs.km or pairs.minutes")
    return missing


def _ids(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with ``columns`` as text (ids read as numbers or with missing cells still compare)."""
    return frame.assign(**{c: text(frame[c]) for c in columns})


def _check_coverage(
    students: pd.DataFrame, a: pd.DataFrame, s: np.ndarray, u: pd.DataFrame, su: np.ndarray, out: list[Violation]
) -> None:
    """Every input student in exactly one output file, once (a split's second row is checked by weeks)."""
    for name, frame, pos in (("assignments", a, s), ("unassigned", u, su)):
        emit(
            out,
            "unknown_student",
            frame.loc[pos < 0].drop_duplicates("student_id"),
            f"not an input student (in {name})",
        )
    in_a = np.bincount(s[s >= 0], minlength=len(students))
    in_u = np.bincount(su[su >= 0], minlength=len(students))
    ids = students[["student_id"]]
    emit(out, "missing_student", ids.loc[(in_a == 0) & (in_u == 0)], "in neither assignments nor unassigned")
    emit(out, "duplicate_student", ids.loc[(in_a > 0) & (in_u > 0)], "in both assignments and unassigned")
    emit(out, "duplicate_student", ids.loc[in_u > 1], "more than once in unassigned")
    bad = u.loc[~u["reason_code"].isin(REASON_CODES)]
    emit(out, "reason_code", bad, "unknown reason code '" + bad["reason_code"] + "'")


def _join(a: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, s: np.ndarray, t: np.ndarray) -> pd.DataFrame:
    """Assignment rows with positions ``s``/``t`` and their student's (``s_``) and site's (``t_``) fields."""
    rows = a[list(_ASSIGNMENT_COLUMNS)].reset_index(drop=True)
    fields = {f"s_{c}": students[c].to_numpy()[s] for c in _STUDENT_FIELDS}
    fields |= {f"t_{c}": sites[c].to_numpy()[t] for c in _SITE_FIELDS}
    return rows.assign(s=s, t=t, **fields)


def _layout(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """Per student position: ``n_<weeks>`` rows and the site position (-1: none) of a row, per weeks value."""
    layout, row_weeks = {}, rows["weeks"].to_numpy(object)
    for weeks in _WEEKS:
        mask = row_weeks == weeks
        s, t = rows["s"].to_numpy()[mask], rows["t"].to_numpy()[mask]
        layout[f"n_{weeks}"] = np.bincount(s, minlength=n)
        layout[weeks] = np.full(n, -1)
        layout[weeks][s] = t
    return pd.DataFrame(layout)


def _check_weeks(
    rows: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, layout: pd.DataFrame, out: list[Violation]
) -> None:
    """One host per student-week: allowed row weeks, full-time-only sites, complete splits, no overlap."""
    weeks = rows["weeks"].to_numpy(object)  # text
    one = np.flatnonzero((rows["s_weeks"] != "both").to_numpy())  # one-week requests: their rows' weeks too
    wrong = ~np.isin(weeks, _WEEKS)
    wrong[one] |= (rows["weeks"].iloc[one] != rows["s_weeks"].iloc[one]).to_numpy()
    bad = rows.loc[wrong]
    emit(out, "weeks", bad, "a row for weeks '" + bad["weeks"] + "', the student asks for " + bad["s_weeks"])
    ft = rows.loc[rows["t_full_time_only"].astype(bool).to_numpy() & (weeks != "both")]
    emit(out, "full_time_only", ft, "a " + ft["weeks"] + " row at a full_time_only site")
    per = layout.assign(student_id=students["student_id"], asks=students["weeks"], split_ok=students["split_ok"])
    emit(
        out,
        "duplicate_student",
        per.loc[(per[["n_both", "n_week_1", "n_week_2"]] > 1).any(axis=1)],
        "more than one row for the same weeks",
    )
    emit(
        out,
        "overlap",
        per.loc[(per["n_both"] > 0) & (per["n_week_1"] + per["n_week_2"] > 0)],
        "a full-time row and a one-week row overlap",
    )
    need = per.loc[(per["asks"] == "both") & (per["n_both"] == 0)]
    emit(
        out,
        "weeks",
        need.loc[(need["n_week_1"] > 0) != (need["n_week_2"] > 0)],
        "a full-time student placed for one week only",
    )
    split = need.loc[(need["n_week_1"] > 0) & (need["n_week_2"] > 0)]
    emit(out, "split_not_ok", split.loc[~split["split_ok"].astype(bool)], "split although split_ok is false")
    same = split.loc[split["week_1"] == split["week_2"]]
    emit(
        out,
        "split_same_site",
        same.assign(site_id=sites["site_id"].to_numpy()[same["week_1"].to_numpy()]),
        "both split weeks at the same site",
    )


def _check_capacity(rows: pd.DataFrame, sites: pd.DataFrame, out: list[Violation]) -> None:
    """Per site and week, rows using the week (``both`` uses both) within ``capacity_week_<w>``."""
    for week in _WEEKS[1:]:
        mask = np.isin(rows["weeks"].to_numpy(object), ("both", week))
        used = np.bincount(rows["t"].to_numpy()[mask], minlength=len(sites))
        over = sites.assign(used=used)
        over = over[over["used"] > over[f"capacity_{week}"]]
        emit(
            out,
            "capacity",
            over,
            f"{week}: " + over["used"].astype(str) + " rows > capacity " + over[f"capacity_{week}"].astype(str),
        )


def _check_copies(rows: pd.DataFrame, config: Config, out: list[Violation]) -> None:
    """Dates of the row's weeks, and the columns copied from the input tables."""
    period = period_for(config.year, config.week_1_start)
    which = pd.Index(_WEEKS).get_indexer(rows["weeks"])  # -1: weeks without dates
    for i, column in enumerate(("start_date", "end_date")):
        expected = pd.Series(
            np.array([period.dates(w)[i].isoformat() for w in _WEEKS] + [np.nan], object)[which],
            index=rows.index,
            dtype="str",
        )
        got = _iso(rows[column])
        bad = rows.loc[(which >= 0) & (got.to_numpy(object) != expected.to_numpy(object))]
        emit(out, "dates", bad, f"{column} " + got[bad.index] + ", expected " + expected[bad.index].astype(str))
    for column, source in (
        ("company", "t_company"),
        ("student_academie", "s_academie"),
        ("site_academie", "t_academie"),
        ("group_id", "s_group_id"),
    ):
        got, expected = text(rows[column]), text(rows[source])
        bad = rows.loc[got.to_numpy(object) != expected.to_numpy(object)]  # text: no missing values
        emit(out, column, bad, f"{column} " + got[bad.index] + ", expected " + expected[bad.index])


def _iso(series: pd.Series) -> pd.Series:
    """Dates as ``YYYY-MM-DD`` strings: strings are kept as written (the contract), ``date`` objects are
    rendered by ``str``, datetimes are formatted."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%Y-%m-%d").fillna("")
    return text(series)


def _check_groups(rows: pd.DataFrame, students: pd.DataFrame, layout: pd.DataFrame, out: list[Violation]) -> None:
    """Placed members of a group share sites and weeks, a group is placed whole, within ``max_group_size``."""
    gid = text(students["group_id"])
    code, _ = pd.factorize(gid)
    grouped = (gid != "").to_numpy()
    if not grouped.any():
        return
    placed = grouped & (layout[["n_both", "n_week_1", "n_week_2"]].sum(axis=1) > 0).to_numpy()
    members, n_placed = np.bincount(code[grouped]), np.bincount(code[placed], minlength=code.max() + 1)
    first = pd.Series(np.flatnonzero(placed)).groupby(code[placed]).min()  # a placed member, per group
    groups = pd.DataFrame(
        {
            "group_id": gid.to_numpy()[first.to_numpy()],
            "members": members[first.index],
            "placed": n_placed[first.index],
            "student_id": students["student_id"].to_numpy()[first.to_numpy()],
        },
        index=first.index,
    )
    part = groups.loc[groups["placed"] < groups["members"]]
    emit(
        out,
        "group_partial",
        part,
        "group "
        + part["group_id"]
        + ": "
        + part["placed"].astype(str)
        + " of "
        + part["members"].astype(str)
        + " members placed",
    )
    sites_used = layout.loc[placed, list(_WEEKS)].groupby(code[placed])
    spread = (sites_used.min() != sites_used.max()).any(axis=1)
    split = groups.loc[spread.reindex(groups.index, fill_value=False).to_numpy()]
    emit(out, "group_split", split, "group " + split["group_id"] + ": members at different sites or weeks")
    g = code[rows["s"].to_numpy()]
    big = rows.assign(g=g, size=n_placed[g]).loc[grouped[rows["s"].to_numpy()]].drop_duplicates(["g", "t"])
    big = big.loc[big["size"] > big["t_max_group_size"]]
    emit(
        out,
        "group_size",
        big,
        "group "
        + text(big["s_group_id"])
        + " of "
        + big["size"].astype(str)
        + " students > max_group_size "
        + big["t_max_group_size"].astype(str),
    )
