"""matcher: placement optimizer for the seconde observation placements.

The stages, each a function from tables to tables::

    students, sites = load_inputs("students.csv", "sites.csv", config)   # load → validate → locate
    result = allocate(students, sites, config)                            # candidates → solve → check
    write_outputs(result, "out/")                                          # export

``result.assignments`` and ``result.unassigned`` are DataFrames; ``result.summary`` is the ``summary.json`` dict.
"""

from __future__ import annotations

from matcher.candidates.search import Candidates, candidates
from matcher.check.checker import Violation, check, verify
from matcher.config import Config, Objective, load_config
from matcher.domain.period import Period, period_for
from matcher.errors import CheckError, InputError, Problem
from matcher.export.outputs import write_outputs
from matcher.generate.scenario import embedded_scenario, generate, write_scenario
from matcher.load import load_inputs, read_table
from matcher.load.locate import locate
from matcher.pipeline.allocate import allocate
from matcher.pipeline.reallocate import Reallocation, read_previous, reallocate
from matcher.result import Result, Status
from matcher.version import __version__

__all__ = [
    "Result",
    "allocate",
    "Candidates",
    "candidates",
    "Violation",
    "check",
    "verify",
    "Config",
    "Objective",
    "load_config",
    "CheckError",
    "InputError",
    "Problem",
    "write_outputs",
    "embedded_scenario",
    "generate",
    "write_scenario",
    "load_inputs",
    "read_table",
    "locate",
    "Period",
    "period_for",
    "Status",
    "__version__",
    "Reallocation",
    "read_previous",
    "reallocate",
]
