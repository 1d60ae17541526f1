"""The optimal mode's flow on the relaxed network: built (with the gender layer), solved lexicographically and
its week 2 polished; a flow proving only ``placed`` on many pairs is solved académie by académie (``regions``)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.solve.flow import FlowOutcome, solve_lexicographic
from matcher.solve.gendercap import with_gender_caps
from matcher.solve.network import build_network
from matcher.solve.polish import polish_week_2
from matcher.solve.regions import Maximum, Region, Regional, by_region

__all__ = ["relaxed_flow", "by_academie"]


def relaxed_flow(
    pairs: pd.DataFrame,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    prove: bool = True,
    open_: npt.NDArray[np.bool_] | None = None,
    gender: tuple[float, int] | None = None,
    regional: Regional = Regional(),
    known: Maximum | None = None,
) -> tuple[pd.DataFrame, FlowOutcome]:
    """Placements and outcome of the relaxed network's flow; with ``prove=False`` and as many pairs as
    ``regional`` says, solved académie by académie (``regions.by_region``; ``known``: a maximum flow over ``pairs``
    already solved)."""
    if by_academie(prove, regional, pairs, students, order):

        def one(
            p: pd.DataFrame, st: pd.DataFrame, si: pd.DataFrame, region: Region | None
        ) -> tuple[pd.DataFrame, FlowOutcome]:
            mask = open_ if open_ is None or region is None else open_[region.students]
            return relaxed_flow(p, st, si, order, False, mask, gender)

        return by_region(pairs, students, sites, students["academie"].to_numpy(object), one, regional.processes, known)
    cap1, cap2 = sites["capacity_week_1"].to_numpy(np.int64), sites["capacity_week_2"].to_numpy(np.int64)
    net = build_network(pairs, students["weeks"].to_numpy(object), cap1, cap2)
    cost = None
    if gender is not None:  # a soft target of girls' share at large sites: a layer of the network
        net, cost = with_gender_caps(net, pairs, students["gender"].to_numpy(object) == "M", cap1, cap2, *gender)
    outcome = solve_lexicographic(net, pairs, students["priority"].to_numpy(bool), order, prove, open_, cost)
    return polish_week_2(
        net.read(outcome.flows, pairs), pairs, students, sites, order, gender, rules_first=not prove
    ), outcome


def by_academie(
    prove: bool, regional: Regional, pairs: pd.DataFrame, students: pd.DataFrame, order: tuple[str, ...]
) -> bool:
    """Whether a flow is solved académie by académie (see ``relaxed_flow``): not with ``floors`` first (the shares
    come from a maximum flow)."""
    return not prove and regional.applies(len(pairs)) and "academie" in students and order[0] == "placed"
