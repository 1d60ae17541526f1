"""The searches of widening (``widen``, step 2): the eligible pairs whose arcs cross a maximum flow's minimum cut,
found by the candidate search on the capped students and the sites across the cut, not by listing every pair."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.candidates.search import candidates
from matcher.config import Config
from matcher.domain.groups import Groups
from matcher.solve.mincut import CutFlow

__all__ = ["CrossingSearch"]


class CrossingSearch:
    """Searches for the eligible pairs crossing a flow's minimum cut (see ``widen``'s module docstring, step 2)."""

    def __init__(
        self, students: pd.DataFrame, sites: pd.DataFrame, config: Config, truncated: np.ndarray, groups: Groups
    ):
        self.students, self.sites, self.config, self.groups = students, sites, config, groups
        self.truncated = truncated  # capped students and their group mates, sorted
        self.found = 0
        self.weeks = students["weeks"].to_numpy(object)

    def crossing(self, flow: CutFlow, seen: npt.NDArray[np.bool_] | None = None) -> pd.DataFrame | None:
        """``student, site`` of the eligible pairs whose arcs cross ``flow``'s cut, none in ``flow.pairs``; None
        once the searches have found more than ``max_widen_pairs`` pairs.

        ``seen``: the cut (source side per node) of the last search, whose crossing pairs are all in
        ``flow.pairs``; only pairs with an end on another side than there are searched (the others crossed that
        cut too). None: every pair is searched."""
        m, n, side, who = len(self.sites), len(self.students), flow.side, self.truncated
        cap1 = self.sites["capacity_week_1"].to_numpy(np.int64) > 0
        cap2 = self.sites["capacity_week_2"].to_numpy(np.int64) > 0
        s_in, w1 = 2 + 2 * m + who, 2 + np.arange(m)
        one = (self.weeks[who] != "week_2") & ~side[s_in], np.flatnonzero(side[w1] & cap1)
        two = (self.weeks[who] != "week_1") & side[s_in + n], np.flatnonzero(~side[w1 + m] & cap2)
        parts = [flow.pairs.iloc[:0][["student", "site"]]]
        key = np.sort(flow.pairs["student"].to_numpy(np.int64) * m + flow.pairs["site"].to_numpy(np.int64))
        for (mask, among), s_node, j_node in ((one, s_in, w1), (two, s_in + n, w1 + m)):
            if seen is None:
                searches = [(who[mask], among)]
            else:  # a student or a site that changed sides, against every site or student across the cut
                searches = [
                    (who[mask & (seen[s_node] != side[s_node])], among),
                    (who[mask], among[seen[j_node[among]] != side[j_node[among]]]),
                ]
            for students, sites in searches:
                found = self._every(students, sites, key)
                if found is None:
                    return None
                parts.append(found)
        return pd.concat(parts, ignore_index=True).drop_duplicates(ignore_index=True)

    def _every(
        self, who: npt.NDArray[np.int64], among: npt.NDArray[np.int64], known: npt.NDArray[np.int64]
    ) -> pd.DataFrame | None:
        """Every eligible pair of the students ``who`` at the sites ``among`` (positions) whose key (student times
        sites plus site) is not in ``known`` (sorted); None once the searches have found more than
        ``max_widen_pairs`` pairs."""
        if len(who) == 0 or len(among) == 0:
            return pd.DataFrame({"student": np.zeros(0, np.int64), "site": np.zeros(0, np.int64)})
        mine = self.sites.iloc[among].reset_index(drop=True)
        found = candidates(self.students, mine, self.config, k=0, only=self.groups.with_mates(who), ranked=False)
        pairs = found.pairs[np.isin(found.pairs["student"].to_numpy(), who)]
        s, j = pairs["student"].to_numpy(np.int64), among[pairs["site"].to_numpy(np.int64)]
        new = ~_isin_sorted(s * len(self.sites) + j, known)
        self.found += int(new.sum())
        if self.found > self.config.max_widen_pairs:
            return None
        return pd.DataFrame({"student": s[new], "site": j[new]})


def _isin_sorted(values: npt.NDArray[np.int64], sorted_keys: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """``np.isin(values, sorted_keys)`` with a binary search (``sorted_keys`` sorted)."""
    if len(sorted_keys) == 0:
        return np.zeros(len(values), bool)
    at = np.minimum(np.searchsorted(sorted_keys, values), len(sorted_keys) - 1)
    hit: npt.NDArray[np.bool_] = sorted_keys[at] == values
    return hit
