"""The attacker of the secrecy tests: which hidden cells the published sums determine (linear algebra)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def determined(relations: Sequence[dict[Hashable, float]], unknown: Sequence[Hashable]) -> list[Hashable]:
    """The ``unknown`` cells fixed by ``relations`` (each a linear relation ``sum(coef × cell) = known``, shown
    cells left out): a cell is fixed when its unit vector lies in the row space of the relations on the unknowns."""
    col = {u: i for i, u in enumerate(unknown)}
    a = np.zeros((len(relations), len(unknown)))
    for r, rel in enumerate(relations):
        for cell, coef in rel.items():
            if cell in col:
                a[r, col[cell]] = coef
    rank = np.linalg.matrix_rank(a) if len(unknown) else 0
    found = []
    for u, i in col.items():
        e = np.zeros((1, len(unknown)))
        e[0, i] = 1.0
        if np.linalg.matrix_rank(np.vstack([a, e])) == rank:
            found.append(u)
    return found
