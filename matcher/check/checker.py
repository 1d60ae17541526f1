"""The independent checker: re-implements docs/rules.md and verifies an allocation, vectorised with numpy/pandas.

It shares no code with the candidate stage or the solver; it reads only the clean input tables, the output
tables (DESIGN.md §5) and the configuration. ``check`` lists every violation; ``verify`` raises on any.
Ids are turned into row positions of the input tables once, so every rule is an array operation.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.check.copies import check_copies
from matcher.check.groups import check_groups
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
from matcher.check.weeks import check_capacity, check_weeks, week_layout
from matcher.config import Config
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
    layout = week_layout(rows, len(students))
    check_weeks(rows, students, sites, layout, out)
    check_capacity(rows, sites, out)
    rows = with_positions(rows, sites)
    check_distance(rows, config, pairs, student_index, site_index, out)
    check_eligibility(rows, sites, config, out)
    check_rank(rows, config, out)
    check_copies(rows, config, out)
    if groups:
        check_groups(rows, students, layout, out)
    return out


def _missing_columns(assignments: pd.DataFrame, unassigned: pd.DataFrame, pairs: pd.DataFrame | None) -> list[str]:
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
    students: pd.DataFrame,
    a: pd.DataFrame,
    s: npt.NDArray[np.intp],
    u: pd.DataFrame,
    su: npt.NDArray[np.intp],
    out: list[Violation],
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


def _join(
    a: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, s: npt.NDArray[np.intp], t: npt.NDArray[np.intp]
) -> pd.DataFrame:
    """Assignment rows with positions ``s``/``t`` and their student's (``s_``) and site's (``t_``) fields."""
    rows = a[list(_ASSIGNMENT_COLUMNS)].reset_index(drop=True)
    fields = {f"s_{c}": students[c].to_numpy()[s] for c in _STUDENT_FIELDS}
    fields |= {f"t_{c}": sites[c].to_numpy()[t] for c in _SITE_FIELDS}
    return rows.assign(s=s, t=t, **fields)
