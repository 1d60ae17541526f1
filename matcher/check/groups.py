"""Group rules of the independent checker: placed members of a group share sites and weeks, a group is placed
whole, and no site hosts more of a group than its ``max_group_size``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from matcher.check.pairs import Violation, emit, text
from matcher.check.weeks import WEEKS

__all__ = ["check_groups"]


def check_groups(rows: pd.DataFrame, students: pd.DataFrame, layout: pd.DataFrame, out: list[Violation]) -> None:
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
    sites_used = layout.loc[placed, list(WEEKS)].groupby(code[placed])
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
