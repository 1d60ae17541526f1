"""Secondary suppression, the one rule every published table with totals uses (the committee table in
``report/secrecy``, the recruitment files in ``tables/recruitment``).

A *line* is cells that add up to a total. When exactly one cell of a line is hidden and the total is shown, it is
the total minus the others: the smallest other cell is hidden with it (a non-zero one first), or, when there is
none, the total. When the total is hidden and every cell shown, the total is their sum: the smallest non-zero cell
is hidden with it. ``hide_nested`` applies this to cells nested in groups (communes in académies) whose group
totals add up to a grand total, until nothing more changes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["secondary", "hide_nested", "SMALL"]

#: Counts from 1 to ``SMALL - 1`` are hidden (primary suppression).
SMALL = 5

_Bools = npt.NDArray[np.bool_]


def secondary(mask: _Bools, size: np.ndarray, local: _Bools) -> _Bools:
    """``mask`` (cells of one line, ``local`` the cells, the other the total) plus what keeps a lone hidden cell
    from being the total minus the others; ``size`` orders the candidates (smallest first, a non-zero one first)."""
    mask = mask.copy()
    if (mask & local).sum() != 1 or mask[~local].all():
        return mask
    free = local & ~mask
    if free.any():
        candidates = np.flatnonzero(free)
        order = np.lexsort((size[candidates], size[candidates] <= 0))
        mask[candidates[order[0]]] = True
    else:
        mask[~local] = True
    return mask


def _line(mask: _Bools, size: np.ndarray, local: _Bools) -> _Bools:
    """``secondary``, and a hidden total never the sum of shown cells alone."""
    mask = secondary(mask, size, local)
    if mask[~local].all() and not (mask & local).any():
        candidates = np.flatnonzero(local & (size > 0))
        if len(candidates):
            mask[candidates[np.argmin(size[candidates])]] = True
    return mask


def hide_nested(
    cells: np.ndarray, group: npt.NDArray[np.int64], totals: np.ndarray, grand: float
) -> tuple[_Bools, _Bools, bool]:
    """Which cells, group totals and grand total to hide: counts from 1 to 4 first, then ``secondary`` on each
    group (its cells and total) and on the groups (their totals and the grand total), until nothing changes.

    ``cells[i]`` belongs to group ``group[i]``; the cells of a group add up to ``totals[group]``, the totals to
    ``grand``."""
    cells, totals = np.asarray(cells, float), np.asarray(totals, float)
    hide_c, hide_t = (cells > 0) & (cells < SMALL), (totals > 0) & (totals < SMALL)
    hide_g = 0 < grand < SMALL
    while True:
        before = (hide_c.copy(), hide_t.copy(), hide_g)
        for g in np.unique(group):
            at = np.flatnonzero(group == g)
            line = _line(
                np.append(hide_c[at], hide_t[g]), np.append(cells[at], totals[g]), np.arange(len(at) + 1) < len(at)
            )
            hide_c[at], hide_t[g] = line[:-1], line[-1]
        top = _line(np.append(hide_t, hide_g), np.append(totals, grand), np.arange(len(totals) + 1) < len(totals))
        hide_t, hide_g = top[:-1], bool(top[-1])
        if np.array_equal(before[0], hide_c) and np.array_equal(before[1], hide_t) and before[2] == hide_g:
            return hide_c, hide_t, hide_g
