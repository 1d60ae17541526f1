"""The optimal mode's repair rounds (``engine.optimise``): who breaks a rule in a flow, one round restricting them
and solving again on the places left, and a round's flow settled into an allocation keeping every rule."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.domain.groups import Groups
from matcher.solve.groups import broken_groups, place_groups
from matcher.solve.regions import Regional
from matcher.solve.relaxed import relaxed_flow
from matcher.solve.repair import fill, restrict, violations

__all__ = ["State", "Breaks", "find_breaks", "settle", "repair_round"]


@dataclass
class State:
    """What the repair rounds carry: placements fixed so far, the pairs still open, restriction stages."""

    fixed: pd.DataFrame
    current: pd.DataFrame
    stage: np.ndarray
    solves: int
    groups: Groups
    open_: npt.NDArray[np.bool_] | None = None
    gender: tuple[float, int] | None = None
    regional: Regional = Regional()
    rounds: int = 0


@dataclass(frozen=True)
class Breaks:
    """Who breaks a rule: split students on their own (``student, site_1, site_2``) and groups not placed whole
    and together (a group with a member breaking a full-time rule included)."""

    split: pd.DataFrame
    groups: npt.NDArray[np.int64]

    @property
    def any(self) -> bool:
        return len(self.split) > 0 or len(self.groups) > 0

    def students(self, groups: Groups) -> npt.NDArray[np.int64]:
        """Every student concerned: the split students and all members of the broken groups."""
        return np.union1d(self.split["student"].to_numpy(np.int64), np.flatnonzero(np.isin(groups.code, self.groups)))


def find_breaks(placements: pd.DataFrame, students: pd.DataFrame, sites: pd.DataFrame, groups: Groups) -> Breaks:
    """The rules ``placements`` break (see ``Breaks``)."""
    split = violations(placements, students["split_ok"].to_numpy(bool), sites["full_time_only"].to_numpy(bool))
    in_group = groups.code[split["student"].to_numpy()]
    bad = np.union1d(broken_groups(placements, groups, len(students)), in_group[in_group >= 0])
    return Breaks(split[in_group < 0], bad.astype(np.int64))


def settle(
    placements: pd.DataFrame,
    broken: Breaks,
    state: State,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
    alone: pd.DataFrame,
) -> pd.DataFrame:
    """An allocation keeping every rule from a round's ``placements``: the students breaking a rule taken out,
    broken groups placed whole where they fit, then ``fill`` on the pairs ``alone`` of students in no group (which
    adds no one to a maximum flow that breaks no rule: such a student would be an augmenting path)."""
    keep = pd.concat(
        [state.fixed, placements[~placements["student"].isin(broken.students(state.groups))]], ignore_index=True
    )
    whole = place_groups(broken.groups, state.current, students, places_left(sites, keep), state.groups, order)
    out = pd.concat([keep, whole], ignore_index=True).sort_values(["student", "week"], kind="stable")
    return fill(out, alone, students, sites)


def repair_round(
    placements: pd.DataFrame,
    broken: Breaks,
    state: State,
    students: pd.DataFrame,
    sites: pd.DataFrame,
    order: tuple[str, ...],
) -> pd.DataFrame:
    """One repair round (see ``engine.optimise``) on what ``broken`` found; returns the new flow's placements and
    updates ``state``."""
    groups, split, bad_groups = state.groups, broken.split, broken.groups
    out = np.isin(groups.code, bad_groups)  # members of broken groups leave the flow
    group_sites = state.current.loc[out[state.current["student"].to_numpy()], "site"].to_numpy()
    near = np.union1d(np.union1d(split["site_1"].to_numpy(), split["site_2"].to_numpy()), group_sites)
    who = placements["student"].to_numpy()
    moving = out[who] | np.isin(who, split["student"]) | np.isin(who, who[placements["site"].isin(near)])
    fixed = pd.concat([state.fixed, placements[~moving]], ignore_index=True)
    fixed = pd.concat(
        [fixed, place_groups(bad_groups, state.current, students, places_left(sites, fixed), groups, order)],
        ignore_index=True,
    )
    left = places_left(sites, fixed)
    open_ = state.current[~(np.isin(state.current["student"], fixed["student"]) | out[state.current["student"]])]
    others = placements[moving & ~np.isin(who, split["student"]) & ~out[who]]
    r = restrict(open_, split, left, state.stage, students["split_ok"].to_numpy(bool), others)
    state.fixed, state.current, state.stage, state.rounds = fixed, r.pairs, r.stage, state.rounds + 1
    placements, outcome = relaxed_flow(
        state.current, students, left, order, False, state.open_, state.gender, state.regional
    )
    state.solves += outcome.solves
    return placements


def places_left(sites: pd.DataFrame, fixed: pd.DataFrame) -> pd.DataFrame:
    """``sites`` with each week's capacity less the places ``fixed`` takes."""
    week = fixed["week"].to_numpy()
    used = {w: np.bincount(fixed["site"].to_numpy()[week == w], minlength=len(sites)) for w in (1, 2)}
    return sites.assign(
        capacity_week_1=sites["capacity_week_1"].to_numpy(np.int64) - used[1],
        capacity_week_2=sites["capacity_week_2"].to_numpy(np.int64) - used[2],
    )
