"""Académie batches: with ``stay_in_academie`` the allocation splits exactly into one problem per académie.

No candidate pair joins two académies, so the students and sites of each académie make an independent problem.
:func:`allocate_by_academie` allocates every part as a task of its own (one after the other in this process, or
on a Dask cluster: :mod:`matcher.pipeline.compute`) and merges the parts into the one result ``allocate`` returns
(:mod:`matcher.pipeline.merge`). Every part passes the independent checker, and the merged result passes it once more.
``allocate`` itself takes this path whenever ``stay_in_academie`` is set and there is more than one académie,
so the files are the same whichever engine ran the parts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd

from matcher.check.checker import verify
from matcher.config import Config
from matcher.load.instance import build_instance
from matcher.pipeline.compute import Engine, Runner
from matcher.pipeline.merge import merge_results
from matcher.pipeline.run import allocate_one
from matcher.result import Result

__all__ = ["Part", "academies_of", "split_by_academie", "allocate_part", "allocate_by_academie"]


@dataclass(frozen=True)
class Part:
    """The students and sites of one académie (and their rows of a user-supplied pairs table)."""

    academie: str
    students: pd.DataFrame
    sites: pd.DataFrame
    pairs: pd.DataFrame | None = None


def academie_keys(table: pd.DataFrame) -> np.ndarray:
    """Each row's académie as a string ("" when unknown)."""
    return table["academie"].fillna("").astype(str).to_numpy(object)


def part_keys(students: pd.DataFrame) -> np.ndarray:
    """Each student's part: their académie, or for a group member the académie of the group's first member.

    A group spread over académies thus stays in one part, where (as in one run) no site is eligible for all
    its members, instead of being placed in pieces.
    """
    keys = academie_keys(students)
    if "group_id" not in students.columns:
        return keys
    gid = students["group_id"].fillna("").astype(str).to_numpy(object)
    member = gid != ""
    if member.any():
        keys[member] = pd.Series(keys[member]).groupby(gid[member]).transform("first").to_numpy(object)
    return keys


def academies_of(students: pd.DataFrame, sites: pd.DataFrame) -> list[str]:
    """The parts of the students (:func:`part_keys`) and the académies of the sites, sorted."""
    return sorted(set(part_keys(students)) | set(academie_keys(sites)))


def split_by_academie(students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame | None = None) -> Iterator[Part]:
    """One part per académie, the largest (most students) first; made one at a time.

    Rows keep their relative order inside a part; a group stays whole (:func:`part_keys`). Pairs rows whose
    student and site are in different académies are dropped (with ``stay_in_academie`` they are never
    candidates).
    """
    s_key, t_key = part_keys(students), academie_keys(sites)
    s_rows, t_rows = _positions(s_key), _positions(t_key)
    names = sorted(set(s_rows) | set(t_rows), key=lambda a: (-len(s_rows.get(a, ())), a))
    p_key = np.zeros(0, object)  # one part key per pairs row (unused without pairs)
    if pairs is not None:
        ids = pairs["student_id"].to_numpy()
        p_own = pd.Series(academie_keys(students), index=students["student_id"].to_numpy()).reindex(ids)
        p_part = pd.Series(s_key, index=students["student_id"].to_numpy()).reindex(ids).to_numpy(object)
        p_site = (
            pd.Series(t_key, index=sites["site_id"].to_numpy()).reindex(pairs["site_id"].to_numpy()).to_numpy(object)
        )
        same = (p_own.to_numpy(object) == p_site) & (p_part == p_site)
        p_key = np.where(same, p_site, np.array(None, object))  # None: the pair joins two académies
    empty = np.zeros(0, np.int64)
    for name in names:
        part_pairs = None if pairs is None else pairs[p_key == name].reset_index(drop=True)
        yield Part(
            name,
            students.iloc[s_rows.get(name, empty)].reset_index(drop=True),
            sites.iloc[t_rows.get(name, empty)].reset_index(drop=True),
            part_pairs,
        )


def _positions(keys: np.ndarray) -> dict[str, np.ndarray]:
    """Row positions per key, ascending."""
    if len(keys) == 0:
        return {}
    indices = cast(dict[str, np.ndarray], pd.Series(np.arange(len(keys))).groupby(keys, sort=True).indices)
    return {k: v for k, v in indices.items()}


def allocate_part(part: Part, config: Config) -> tuple[str, Result]:
    """The allocation of one part (a task: runs where the engine puts it): ``(academie, Result)``."""
    return part.academie, allocate_one(part.students, part.sites, config, pairs=part.pairs)


def allocate_by_academie(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config,
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    runner: Runner | None = None,
) -> Result:
    """Allocate each académie as an independent task and merge the parts into one ``Result``.

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables (``matcher.load.load_inputs``).
    config : Config
        Must have ``stay_in_academie`` set: otherwise the problem does not split.
    pairs : DataFrame, optional
        User-supplied ``student_id, site_id, km|minutes``.
    inputs : dict, optional
        Input file names and hashes for the summary.
    runner : Runner, optional
        From :func:`matcher.pipeline.compute.open_engine`; default: this process, one part after the other.

    Raises
    ------
    ValueError
        ``config.stay_in_academie`` is not set.
    """
    if not config.stay_in_academie:
        raise ValueError("splitting by académie needs the policy option stay_in_academie = true")
    runner = runner or Runner(Engine())
    timings: dict[str, float] = {}
    start = time.perf_counter()
    parts = runner.map(allocate_part, split_by_academie(students, sites, pairs), config)
    timings["parts_wall"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    result = merge_results(build_instance(students, sites, config), parts, inputs or {})
    timings["merge"] = round(time.perf_counter() - start, 3)
    start = time.perf_counter()
    verify(students, sites, result.assignments, result.unassigned, config, pairs, groups=config.mode == "optimal")
    timings["check_merged"] = round(time.perf_counter() - start, 3)
    return Result(result.assignments, result.unassigned, result.summary, {**result.timings, **timings})
