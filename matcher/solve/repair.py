"""Restore the full-time rules the flow network relaxes, by restricting candidate lists and solving again.

The network lets every both-weeks student take week 1 and week 2 at different sites. A student who may not split,
or a split that touches a ``full_time_only`` site, breaks the rules. For such a student a single site is kept —
the split's site with the better (rank, distance) among those offering both weeks, the full-time-only one when
there is one — so that the flow can only place them full time there, or not at all. The flow is solved again on
the restricted pairs, until no student breaks a rule. Restrictions only grow, so this ends. The first,
unrestricted flow's level values remain valid bounds; the gap to them is what the rules cost.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["violations", "restrict", "Restriction"]


@dataclass(frozen=True)
class Restriction:
    """Pairs after restriction and the students restricted so far."""

    pairs: pd.DataFrame
    students: np.ndarray


def violations(placements: pd.DataFrame, split_ok: np.ndarray, full_time_only: np.ndarray) -> pd.DataFrame:
    """Split students who break a rule: ``student``, ``site_1``, ``site_2``."""
    p = placements.pivot_table(index="student", columns="week", values="site", aggfunc="first")
    if 1 not in p.columns or 2 not in p.columns:
        return pd.DataFrame({"student": [], "site_1": [], "site_2": []}, dtype=np.int64)
    p = p.dropna(subset=[1, 2]).astype(np.int64)
    p = p[p[1] != p[2]]
    s, j, k = p.index.to_numpy(np.int64), p[1].to_numpy(np.int64), p[2].to_numpy(np.int64)
    bad = ~split_ok[s] | full_time_only[j] | full_time_only[k]
    return pd.DataFrame({"student": s[bad], "site_1": j[bad], "site_2": k[bad]})


def restrict(pairs: pd.DataFrame, broken: pd.DataFrame, sites: pd.DataFrame, done: np.ndarray) -> Restriction:
    """Keep one site for each student in ``broken`` (see the module docstring)."""
    ft_only = sites["full_time_only"].to_numpy(bool)
    both = (sites["capacity_week_1"].to_numpy() > 0) & (sites["capacity_week_2"].to_numpy() > 0)
    cand = pd.concat([broken[["student", "site_1"]].rename(columns={"site_1": "site"}),
                      broken[["student", "site_2"]].rename(columns={"site_2": "site"})])
    cand = cand.merge(pairs, on=["student", "site"])
    cand = cand[both[cand["site"].to_numpy()]]
    cand = cand.assign(ft=~ft_only[cand["site"].to_numpy()])  # False sorts first: full-time-only site wins
    keep = cand.sort_values(["student", "ft", "rank", "km", "site"]).drop_duplicates("student")
    restricted = np.union1d(done, broken["student"].to_numpy(np.int64))
    others = pairs[~pairs["student"].isin(broken["student"])]
    out = pd.concat([others, keep[pairs.columns]]).sort_values(["student", "rank", "km", "site"], kind="stable")
    return Restriction(out.reset_index(drop=True), restricted)
