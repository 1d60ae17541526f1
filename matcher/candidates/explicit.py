"""Explicit pairs: the students' own site choices, and a user's pairs table (``student_id, site_id, km|minutes``,
e.g. from a routing engine) that replaces the built-in distances."""

from __future__ import annotations

from itertools import chain

import numpy as np
import pandas as pd

from matcher.candidates.eligibility import trade_rank
from matcher.config import Config
from matcher.domain.geo import great_circle_km
from matcher.util.runs import lengths, nth

__all__ = ["choice_pairs", "given_pairs", "limits"]


def limits(students: pd.DataFrame, config: Config) -> np.ndarray:
    """Per student, the longest distance in km (``max_km``, else the configuration's default)."""
    return students["max_km"].fillna(config.default_max_km).to_numpy(float)


def choice_pairs(
    students: pd.DataFrame, sites: pd.DataFrame, who: np.ndarray, pairs_table: pd.DataFrame | None
) -> pd.DataFrame:
    """Explicit site choices: rank = position in the list; exempt from distance and trade."""
    listed = students["site_choices"].to_numpy(object)[who]
    n = lengths(listed)
    ch = pd.DataFrame(
        {"student": np.repeat(who, n), "site_id": np.fromiter(chain.from_iterable(listed), object, n.sum())}
    ).dropna()
    ch["rank"] = nth(ch["student"].to_numpy()) + 1
    pos = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    ch = ch[ch["site_id"].isin(pos.index)]
    ch["site"] = pos.loc[ch["site_id"].to_numpy()].to_numpy()
    s, j = ch["student"].to_numpy(int), ch["site"].to_numpy(int)
    if pairs_table is not None:
        given, _ = _table_pairs(students, sites, pairs_table)
        ch = ch.merge(given[["student", "site", "km"]], on=["student", "site"])  # only the table's pairs exist
    else:
        ch["km"] = great_circle_km(
            students["lat"].to_numpy()[s],
            students["lon"].to_numpy()[s],
            sites["lat"].to_numpy()[j],
            sites["lon"].to_numpy()[j],
        )
    return ch[["student", "site", "km", "rank"]]


def given_pairs(students: pd.DataFrame, sites: pd.DataFrame, config: Config, table: pd.DataFrame) -> pd.DataFrame:
    """Pairs from a user table; its ``km`` or ``minutes`` value is the distance, within each student's limit, ranked
    by trade, pairs no trade rule allows dropped."""
    out, unit = _table_pairs(students, sites, table)
    limit = limits(students, config) if unit == "km" else np.full(len(students), config.max_minutes)
    out = out[out["km"].to_numpy() <= limit[out["student"].to_numpy()]]
    return _with_trade_rank(out, students, sites, config)


def _table_pairs(students: pd.DataFrame, sites: pd.DataFrame, table: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The pairs of a user table between known students and sites (``km``: the table's ``km`` or ``minutes``
    value), and which of the two units it gives."""
    unit = "km" if "km" in table.columns else "minutes"
    spos = pd.Series(np.arange(len(students)), index=students["student_id"].to_numpy())
    tpos = pd.Series(np.arange(len(sites)), index=sites["site_id"].to_numpy())
    t = table[table["student_id"].isin(spos.index) & table["site_id"].isin(tpos.index)]
    out = pd.DataFrame(
        {
            "student": spos.loc[t["student_id"]].to_numpy(),
            "site": tpos.loc[t["site_id"]].to_numpy(),
            "km": t[unit].to_numpy(float),
        }
    )
    return out, unit


def _with_trade_rank(pairs: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> pd.DataFrame:
    """Rank pairs by trade (given pairs carry no rank of their own); drop pairs no trade rule allows."""
    rank = trade_rank(
        pairs["student"].to_numpy(np.int64),
        pairs["site"].to_numpy(np.int64),
        students,
        sites,
        config.other_sectors_rank_penalty,
    )
    return pairs.assign(rank=rank)[rank > 0].reset_index(drop=True)
