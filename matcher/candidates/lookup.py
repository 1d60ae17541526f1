"""Finding candidate pairs by student and site: the row of each (student, site) in a pairs table, without a join."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["pair_rows"]

#: Most distinct sites asked for one student for which ``pair_rows`` compares instead of sorting.
_FEW = 4


def pair_rows(pairs: pd.DataFrame, student: np.ndarray, site: np.ndarray) -> np.ndarray:
    """Row position in ``pairs`` of each (``student``, ``site``) (the first such row); -1 where there is none.

    With at most ``_FEW`` distinct sites asked per student (placements: one or two), the sites asked are numbered
    per student and, for each number, every pair's site is compared with that student's site of that number: no
    sort of the pairs. Otherwise (or with negative positions), a sorted key and a binary search.
    """
    student, site = np.asarray(student, np.int64), np.asarray(site, np.int64)
    ps, pj = pairs["student"].to_numpy(np.int64), pairs["site"].to_numpy(np.int64)
    if len(student) == 0 or min(student.min(), site.min()) < 0:
        return _sorted_rows(ps, pj, student, site)
    width = int(max(pj.max(initial=-1), site.max())) + 1
    wanted, inverse = np.unique(student * width + site, return_inverse=True)
    ws, wj = wanted // width, wanted % width
    number = np.arange(len(wanted)) - np.searchsorted(ws, ws)
    if number.max() >= _FEW:
        return _sorted_rows(ps, pj, student, site)
    n = int(max(ps.max(initial=-1), ws.max())) + 1
    first = np.full(len(wanted), len(ps))
    for k in range(number.max() + 1):
        mine = np.flatnonzero(number == k)
        target, which = np.full(n, -1), np.full(n, -1)
        target[ws[mine]], which[ws[mine]] = wj[mine], mine
        rows = np.flatnonzero(pj == target[ps])
        np.minimum.at(first, which[ps[rows]], rows)
    return np.where(first < len(ps), first, -1)[inverse]


def _sorted_rows(ps: np.ndarray, pj: np.ndarray, student: np.ndarray, site: np.ndarray) -> np.ndarray:
    """``pair_rows`` by a sorted key (pairs ``ps, pj``) and a binary search."""
    width = int(max(pj.max(initial=-1), site.max(initial=-1))) + 1
    key = ps * width + pj
    order = np.argsort(key, kind="stable")
    wanted = student * width + site
    if len(key) == 0:
        return np.full(len(wanted), -1, np.int64)
    at = np.minimum(np.searchsorted(key[order], wanted), len(key) - 1)
    return np.where(key[order][at] == wanted, order[at], -1)
