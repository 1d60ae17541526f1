"""One allocation's inputs, resolved once after loading: the :class:`Instance` every later stage takes.

It holds the located tables with the id ↔ position index both ways, each student's distance limit, the groups,
the placement period and the académie floors (read and checked here, so ``matcher validate`` reports a bad floors
file as ``allocate`` would, before any solving).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from matcher.config import Config
from matcher.domain.groups import Groups, find_groups
from matcher.domain.period import Period, period_for
from matcher.load.floors import academie_floors

__all__ = ["Instance", "build_instance"]


@dataclass(frozen=True)
class Instance:
    """The located students and sites of one allocation, and what is derived from them once.

    Attributes
    ----------
    students, sites : DataFrame
        Clean located tables (``load_inputs``); a student's or site's *position* is its row number.
    config : Config
        The options of the run.
    student_ids, site_ids : Index
        Position → id; :meth:`student_positions` and :meth:`site_positions` go back.
    max_km : ndarray of float64
        Per student, the distance limit (the student's own, else ``config.default_max_km``).
    groups : Groups
        Which students are hosted together.
    period : Period
        The two weeks' dates.
    floors : Series
        Floor per académie (empty without floors).
    """

    students: pd.DataFrame
    sites: pd.DataFrame
    config: Config
    student_ids: pd.Index
    site_ids: pd.Index
    max_km: npt.NDArray[np.float64]
    groups: Groups
    period: Period
    floors: pd.Series

    def student_positions(self, ids: pd.Series | pd.Index) -> npt.NDArray[np.intp]:
        """Positions of the students ``ids`` (-1 for an id not in the instance)."""
        return np.asarray(self.student_ids.get_indexer(pd.Index(ids)), dtype=np.intp)

    def site_positions(self, ids: pd.Series | pd.Index) -> npt.NDArray[np.intp]:
        """Positions of the sites ``ids`` (-1 for an id not in the instance)."""
        return np.asarray(self.site_ids.get_indexer(pd.Index(ids)), dtype=np.intp)


def build_instance(students: pd.DataFrame, sites: pd.DataFrame, config: Config) -> Instance:
    """The instance of ``students`` and ``sites`` under ``config``.

    Raises
    ------
    InputError
        When the floors file named by ``config.academie_floors`` cannot be read or holds bad rows.
    """
    max_km = students["max_km"].fillna(config.default_max_km).to_numpy(np.float64)
    max_km.flags.writeable = False
    return Instance(
        students,
        sites,
        config,
        pd.Index(students["student_id"]),
        pd.Index(sites["site_id"]),
        max_km,
        find_groups(students),
        period_for(config.year, config.week_1_start),
        academie_floors(config),
    )
