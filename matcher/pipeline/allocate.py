"""The allocation pipeline's entry point: one problem, or one per académie when students stay in their académie.

``allocate`` works on clean located tables (``matcher.load.load_inputs``) and returns a :class:`Result` whose
DataFrames an analyst can use directly. Every result passes the independent checker before it is returned.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from matcher.config import Config, check_config
from matcher.pipeline.batch import academies_of, allocate_by_academie
from matcher.pipeline.run import allocate_one
from matcher.result import Result
from matcher.util.stages import StageObserver

__all__ = ["allocate"]


def allocate(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    config: Config | None = None,
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    observer: StageObserver | None = None,
) -> Result:
    """Allocate the placement weeks.

    Parameters
    ----------
    students, sites : DataFrame
        Clean located tables, as returned by ``matcher.load.load_inputs``.
    config : Config, optional
        Options; defaults to ``Config()``.
    pairs : DataFrame, optional
        User-supplied ``student_id, site_id, km|minutes`` replacing the built-in distances.
    inputs : dict, optional
        Input file names and hashes to record in the summary.
    observer : StageObserver, optional
        Told when each stage begins and ends (a progress display, a benchmark).

    With ``config.stay_in_academie`` and more than one académie, each académie is allocated on its own and the
    parts merged (``matcher.pipeline.batch.allocate_by_academie``): the problem splits exactly.
    """
    config = check_config(config or Config())  # every option in its range (matcher.limits)
    if config.stay_in_academie and len(academies_of(students, sites)) > 1:
        return allocate_by_academie(students, sites, config, pairs=pairs, inputs=inputs)
    return allocate_one(students, sites, config, pairs=pairs, inputs=inputs, observer=observer)
