"""Why a student was not placed: one reason code and a sentence an officer can act on.

A student with eligible sites who is not placed lost to capacity (``CAPACITY_TAKEN``). A student with none is
diagnosed by counting, with the same spatial pools as the candidate stage, the sites in range, those offering a
wanted trade, and the accessible ones among them.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from matcher.domain.geo import chord, unit_vectors
from matcher.load.instance import Instance
from matcher.util.i18n import mark
from matcher.util.runs import items, lengths

__all__ = ["reasons", "REASONS", "REASON_LABELS", "IN_ACADEMIE", "reason_texts"]

REASONS: dict[str, str] = {
    "NO_LOCATION": mark("the student's location is unknown"),
    "NO_SITE_IN_RANGE": mark("no site within {km:g} km"),
    "NO_SECTOR_MATCH": mark("no site within {km:g} km offers a trade the student asked for"),
    "NO_ACCESSIBLE_SITE": mark("no accessible site within {km:g} km offers a trade the student asked for"),
    "NO_ELIGIBLE_SITE": mark("the sites in range are reserved to other students or have no place in the weeks needed"),
    "CAPACITY_TAKEN": mark("all places at the student's {n} eligible site(s) went to students placed first"),
    "GROUP_TOO_LARGE": mark("no eligible site in range takes the whole group (max_group_size, places per week)"),
    "GROUP_NO_ROOM": mark("the {n} site(s) that could host the whole group had no room left for all its members"),
}
#: Added to a reason about the sites in range when only the student's own académie was searched.
IN_ACADEMIE = mark(" in the student's académie")

#: Short labels of the reasons, for charts and summaries (the codes stay in unassigned.csv).
REASON_LABELS: dict[str, str] = {
    "NO_LOCATION": mark("location unknown"),
    "NO_SITE_IN_RANGE": mark("no site in range"),
    "NO_SECTOR_MATCH": mark("no site of the trades asked for"),
    "NO_ACCESSIBLE_SITE": mark("no accessible site"),
    "NO_ELIGIBLE_SITE": mark("sites in range reserved or full in those weeks"),
    "CAPACITY_TAKEN": mark("places taken by students placed first"),
    "GROUP_TOO_LARGE": mark("no site takes the whole group"),
    "GROUP_NO_ROOM": mark("no room left for the whole group"),
}


def reasons(
    instance: Instance, unplaced: np.ndarray, n_eligible: np.ndarray, alone: np.ndarray | None = None
) -> pd.DataFrame:
    """``student_id, reason_code, reason`` for the students at positions ``unplaced``.

    ``n_eligible`` counts each student's eligible candidate sites; ``alone`` the same before the group rule
    (a member of a group with eligible sites of their own, none of which takes the whole group, gets
    ``GROUP_TOO_LARGE``; a member whose group had sites but no room, ``GROUP_NO_ROOM``).
    """
    students, sites, config, limit = instance.students, instance.sites, instance.config, instance.max_km
    member = (instance.groups.code >= 0)[unplaced]
    code = np.where(n_eligible[unplaced] > 0, np.where(member, "GROUP_NO_ROOM", "CAPACITY_TAKEN"), "").astype(object)
    if alone is not None:
        code[member & (n_eligible[unplaced] == 0) & (alone[unplaced] > 0)] = "GROUP_TOO_LARGE"
    todo = unplaced[code == ""]
    code[code == ""] = (
        _diagnose_within_academie(students.iloc[todo], sites, limit[todo])
        if config.stay_in_academie
        else _diagnose(students.iloc[todo], sites, limit[todo])
    )
    text = _texts(code, limit[unplaced], n_eligible[unplaced], config.stay_in_academie)
    return pd.DataFrame(
        {"student_id": students["student_id"].to_numpy(object)[unplaced], "reason_code": code, "reason": text}
    )


_WHERE = ("NO_SITE_IN_RANGE", "NO_SECTOR_MATCH", "NO_ACCESSIBLE_SITE")


def _texts(code: np.ndarray, km: np.ndarray, n: np.ndarray, within: bool) -> list[str]:
    """Each reason's sentence (``IN_ACADEMIE`` added where only the student's académie was searched, ``within``),
    written once per distinct code, km and count."""
    frame = pd.DataFrame({"code": code, "km": km, "n": n})
    group = frame.groupby(list(frame), sort=False, dropna=False).ngroup().to_numpy()  # numbered as first seen
    first = np.flatnonzero(~frame.duplicated().to_numpy())
    said = [REASONS[c].format(km=k, n=m) for c, k, m in zip(code[first], km[first], n[first])]
    if within:  # only the sites of the student's own académie were candidates
        said = [t + IN_ACADEMIE if c in _WHERE else t for t, c in zip(said, code[first])]
    text: list[str] = np.array(said, dtype=object)[group].tolist()
    return text


def _pattern(template: str) -> re.Pattern[str]:
    """A reason's sentence as written by :func:`reasons` (English), its figures captured."""
    text = re.escape(template).replace(r"\{km:g\}", "(?P<km>[0-9.e+-]+)").replace(r"\{n\}", "(?P<n>[0-9]+)")
    return re.compile(text + f"(?P<where>{re.escape(IN_ACADEMIE)})?")


def reason_texts(codes: pd.Series, texts: pd.Series, tr: Callable[[str], str]) -> pd.Series:
    """The reasons' sentences of ``unassigned.csv`` (written in English: a contract) in ``tr``'s language.

    Each distinct (code, sentence) is read back with its code's template and written again from the translated
    template; a sentence of no known shape is kept as it is.
    """
    pairs = pd.DataFrame({"code": codes.astype(str).to_numpy(), "text": texts.astype(str).to_numpy()})
    shown: dict[tuple[str, str], str] = {}
    for code, text in pairs.drop_duplicates().itertuples(index=False):
        found = _pattern(REASONS[code]).fullmatch(text) if code in REASONS else None
        if found is None:
            shown[(code, text)] = text
            continue
        figures = found.groupdict()
        km, n = float(figures.get("km") or 0), int(figures.get("n") or 0)
        shown[(code, text)] = tr(REASONS[code]).format(km=km, n=n) + (tr(IN_ACADEMIE) if found["where"] else "")
    return pd.Series([shown[k] for k in zip(pairs["code"], pairs["text"])], index=texts.index, dtype=object)


def _diagnose_within_academie(students: pd.DataFrame, sites: pd.DataFrame, limit: np.ndarray) -> np.ndarray:
    """``_diagnose`` against the sites of each student's own académie (``stay_in_academie``)."""
    out = np.full(len(students), "NO_ELIGIBLE_SITE", dtype=object)
    academie = students["academie"].astype(str).to_numpy()
    site_academie = sites["academie"].astype(str).to_numpy()
    for name in np.unique(academie):
        mine = academie == name
        out[mine] = _diagnose(students[mine], sites[site_academie == name], limit[mine])
    return out


def _diagnose(students: pd.DataFrame, sites: pd.DataFrame, limit: np.ndarray) -> np.ndarray:
    """Reason codes for students without any eligible site."""
    out = np.full(len(students), "NO_ELIGIBLE_SITE", dtype=object)
    if len(students) == 0:
        return out
    located = students["lat"].notna().to_numpy()
    xyz = unit_vectors(students["lat"].fillna(0), students["lon"].fillna(0))
    site_xyz = unit_vectors(sites["lat"], sites["lon"])
    any_site = _count(site_xyz, np.ones(len(sites), bool), xyz, limit)
    (wants, w_row), (offers, o_row) = items(students["sectors"]), items(sites["sectors"])
    trade = np.zeros(len(students), np.int64)
    trade_acc = np.zeros(len(students), np.int64)
    accessible = sites["accessible"].to_numpy(bool)
    for sector in sorted(set(wants)):
        who, has = _flags(w_row[wants == sector], len(students)), _flags(o_row[offers == sector], len(sites))
        trade[who] += _count(site_xyz, has, xyz[who], limit[who])
        trade_acc[who] += _count(site_xyz, has & accessible, xyz[who], limit[who])
    no_list = lengths(students["sectors"].to_numpy(object)) == 0
    trade[no_list] = any_site[no_list]
    trade_acc[no_list] = _count(site_xyz, accessible, xyz[no_list], limit[no_list])
    acc_needed = students["needs_accessible"].to_numpy(bool)
    out[acc_needed & (trade_acc == 0)] = "NO_ACCESSIBLE_SITE"
    out[trade == 0] = "NO_SECTOR_MATCH"
    out[any_site == 0] = "NO_SITE_IN_RANGE"
    out[~located] = "NO_LOCATION"
    return out


def _flags(rows: np.ndarray, n: int) -> npt.NDArray[np.bool_]:
    """``n`` flags, set at ``rows``."""
    flags = np.zeros(n, bool)
    flags[rows] = True
    return flags


def _count(
    site_xyz: npt.NDArray[np.float64],
    mask: npt.NDArray[np.bool_],
    xyz: npt.NDArray[np.float64],
    limit: npt.NDArray[np.float64],
) -> npt.NDArray[np.intp]:
    """Sites of ``mask`` within each student's limit."""
    if not mask.any() or len(xyz) == 0:
        return np.zeros(len(xyz), np.int64)
    tree = cKDTree(site_xyz[mask])  # scipy is untyped: query_ball_point's lengths are an intp array
    lengths: npt.NDArray[np.intp] = tree.query_ball_point(xyz, chord(limit) * (1 + 1e-12), return_length=True)
    return lengths
