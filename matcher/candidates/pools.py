"""The sites' search trees: one k-d tree per *pool* — a trade (or ``'*'``: any trade), all sites or accessible ones,
reserved sites apart — built once by ``site_index`` and shared by the searches on the same sites."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.spatial import cKDTree

from matcher.domain.geo import unit_vectors

__all__ = ["SiteIndex", "SitePool", "site_index"]


@dataclass(frozen=True)
class SitePool:
    """The sites of one pool and their search tree (on 3-D unit vectors)."""

    sites: npt.NDArray[np.int64]  # site positions
    tree: cKDTree


@dataclass(frozen=True)
class SiteIndex:
    """The search trees of the sites, one per pool (see the module docstring), built by ``site_index``: calls of
    ``candidates`` on the same sites can share one."""

    pools: dict[tuple[str, bool, bool], SitePool]


def site_index(sites: pd.DataFrame) -> SiteIndex:
    """The search trees of ``sites`` (clean located table)."""
    return SiteIndex(_pools(sites, unit_vectors(sites["lat"], sites["lon"])))


def _pools(sites: pd.DataFrame, xyz: npt.NDArray[np.float64]) -> dict[tuple[str, bool, bool], SitePool]:
    """Trees per (sector or '*', accessible only, reserved)."""
    site_sec = pd.DataFrame(
        {
            "site": np.arange(len(sites)),
            "sector": sites["sectors"].to_numpy(),
            "acc": sites["accessible"].to_numpy(bool),
            "res": (sites["reserved_priority"].to_numpy(bool) | (sites["reserved_lycees"].map(len).to_numpy() > 0)),
        }
    )
    by_sector = site_sec.explode("sector").dropna(subset=["sector"])
    by_sector = pd.concat([by_sector, site_sec.assign(sector="*")], ignore_index=True)
    pools: dict[tuple[str, bool, bool], SitePool] = {}
    for (sector, res), group in by_sector.groupby(["sector", "res"], sort=True):
        for acc_only in (False, True):
            sel = group["site"].to_numpy()[group["acc"].to_numpy()] if acc_only else group["site"].to_numpy()
            if len(sel):
                pools[(str(sector), acc_only, bool(res))] = SitePool(sel, cKDTree(xyz[sel]))
    return pools
