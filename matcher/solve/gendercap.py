"""A soft gender target in the flow network: at large enough sites, boys beyond a share of each week's places cost.

``Config.gender_target`` (e.g. 0.4: at least 40 % girls) gives, at each site with at least ``gender_site_min``
places in a week, a *free* number of boys' places that week, ``floor((1 - target) × places)``. The boys' pair arcs
of such a site and week are routed through a node of their own, fed by two arcs: one free (capacity: the free
boys' places), one costing 1 per boy-week (the rest). The ``gender`` level (minimised) is the number of boy-weeks
over those free places; it is a network layer, so the level is exact on the relaxed network.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from matcher.solve.network import Network

__all__ = ["with_gender_caps", "boys_over", "free_boys"]


def free_boys(cap: np.ndarray, target: float, site_min: int) -> tuple[np.ndarray, np.ndarray]:
    """Per site, for one week's places ``cap``: the free boys' places, and whether the target applies there."""
    free = np.floor((1.0 - target) * cap + 1e-9).astype(np.int64)
    return free, (cap >= site_min) & (free < cap)


def with_gender_caps(
    net: Network,
    pairs: pd.DataFrame,
    boys: np.ndarray,
    cap1: np.ndarray,
    cap2: np.ndarray,
    target: float,
    site_min: int,
) -> tuple[Network, np.ndarray]:
    """``net`` with the boys' layer at the sites concerned, and per arc its ``gender`` cost (0 or 1)."""
    tails, heads, caps = [net.tails], [net.heads], [net.capacities]
    pair, week, cost, n_nodes = [net.pair], [net.week], [np.zeros(len(net.tails), np.int64)], net.n_nodes
    tails_new, heads_new = net.tails.copy(), net.heads.copy()
    for w, cap in ((1, cap1), (2, cap2)):
        free, concerned = free_boys(cap, target, site_min)
        site = np.flatnonzero(concerned)
        if len(site) == 0:
            continue
        node = np.full(len(cap), -1, np.int64)
        node[site] = n_nodes + np.arange(len(site))
        n_nodes += len(site)
        arcs = np.flatnonzero((net.week == w) & (net.pair >= 0))
        rows = net.pair[arcs]
        s, j = pairs["student"].to_numpy(np.int64)[rows], pairs["site"].to_numpy(np.int64)[rows]
        hit = boys[s] & (node[j] >= 0)
        site_node = net.week_nodes[w - 1][site]
        if w == 1:  # W1[j] → boys' node → student
            tails_new[arcs[hit]] = node[j[hit]]
            pieces = [(site_node, node[site], free[site], 0), (site_node, node[site], cap[site] - free[site], 1)]
        else:  # student → boys' node → W2[j]
            heads_new[arcs[hit]] = node[j[hit]]
            pieces = [(node[site], site_node, free[site], 0), (node[site], site_node, cap[site] - free[site], 1)]
        for t, h, c, k in pieces:
            tails.append(t)
            heads.append(h)
            caps.append(c)
            pair.append(np.full(len(t), -1, np.int64))
            week.append(np.zeros(len(t), np.int8))
            cost.append(np.full(len(t), k, np.int64))
    tails[0], heads[0] = tails_new, heads_new
    out = replace(
        net,
        tails=np.concatenate(tails),
        heads=np.concatenate(heads),
        capacities=np.concatenate(caps),
        pair=np.concatenate(pair),
        week=np.concatenate(week),
        n_nodes=n_nodes,
    )
    return out, np.concatenate(cost)


def boys_over(
    placements: pd.DataFrame, boys: np.ndarray, cap1: np.ndarray, cap2: np.ndarray, target: float, site_min: int
) -> int:
    """The ``gender`` level of ``placements``: boy-weeks beyond the free boys' places, over sites and weeks."""
    total = 0
    for w, cap in ((1, cap1), (2, cap2)):
        rows = placements[placements["week"].to_numpy() == w]
        n = np.bincount(rows["site"].to_numpy()[boys[rows["student"].to_numpy()]], minlength=len(cap))
        free, _ = free_boys(cap, target, site_min)
        total += int(np.maximum(n - free, 0)[cap >= site_min].sum())
    return total
