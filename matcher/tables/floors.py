"""Per-académie floors in the summary: floor, requests, placed, shortfall and what held each académie back.

The floors themselves are read once, with the other inputs (:mod:`matcher.load.floors`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

from matcher.util.i18n import mark

__all__ = ["floors_table", "TOO_FEW"]

#: What held an académie below its floor when it had fewer requests than the floor.
TOO_FEW = mark("too few requests")


def floors_table(
    students: pd.DataFrame, unassigned: pd.DataFrame, placed_ids: Iterable[Hashable], floors: pd.Series
) -> pd.DataFrame:
    """Per académie with a floor: ``floor, requests, placed, shortfall`` and what held it back.

    ``held_back`` is the main cause of a shortfall: ``too few requests`` (fewer requests than the floor), else the
    commonest reason code among the académie's unplaced students (``NO_SITE_IN_RANGE``, ``CAPACITY_TAKEN``...).
    """
    acad = students["academie"].astype(str)
    requests = acad.value_counts()
    placed = acad[students["student_id"].isin(placed_ids).to_numpy()].value_counts()
    why = unassigned.assign(academie=unassigned["student_id"].map(dict(zip(students["student_id"], acad))))
    top = why.groupby("academie")["reason_code"].agg(_commonest)
    out = pd.DataFrame({"floor": floors}).rename_axis("academie")
    out["requests"] = requests.reindex(out.index, fill_value=0).astype(np.int64)
    out["placed"] = placed.reindex(out.index, fill_value=0).astype(np.int64)
    out["shortfall"] = np.maximum(out["floor"] - out["placed"], 0)
    cause = np.where(out["requests"] < out["floor"], TOO_FEW, top.reindex(out.index).fillna("").to_numpy())
    out["held_back"] = np.where(out["shortfall"] > 0, cause, "")
    return out.reset_index()


def _commonest(codes: pd.Series) -> str:
    """The commonest reason code (the first by name among equals)."""
    return str(codes.value_counts().sort_index().idxmax())
