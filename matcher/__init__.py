"""matcher: placement optimizer for the seconde observation placements.

The stages, each a function from tables to tables::

    students, sites = load_inputs("students.csv", "sites.csv", config)   # load → validate → locate
    result = allocate(students, sites, config)                            # candidates → solve → check
    write_outputs(result, "out/")                                          # export

``result.assignments`` and ``result.unassigned`` are DataFrames; ``result.summary`` is the ``summary.json`` dict.
This module is the public API only (``__all__``); docs/architecture.md says where everything else lives.
"""

from __future__ import annotations

from matcher.candidates import Candidates, candidates
from matcher.check import Violation, check, verify
from matcher.config import Config, Objective, load_config
from matcher.domain.period import Period, period_for
from matcher.errors import CheckError, InputError, MatcherError, Problem, ResourceLimit, SolverError
from matcher.export.outputs import write_outputs
from matcher.generate import embedded_scenario, generate, write_scenario
from matcher.load import load_inputs, read_table
from matcher.load.locate import locate
from matcher.pipeline.allocate import allocate
from matcher.pipeline.previous import read_previous
from matcher.pipeline.reallocate import Reallocation, reallocate
from matcher.result import Level, Result, Status
from matcher.version import __version__

__all__ = [
    "allocate",
    "reallocate",
    "read_previous",
    "load_inputs",
    "read_table",
    "locate",
    "candidates",
    "check",
    "verify",
    "write_outputs",
    "generate",
    "write_scenario",
    "embedded_scenario",
    "load_config",
    "period_for",
    "Config",
    "Objective",
    "Result",
    "Reallocation",
    "Candidates",
    "Status",
    "Level",
    "Violation",
    "Period",
    "Problem",
    "MatcherError",
    "InputError",
    "ResourceLimit",
    "SolverError",
    "CheckError",
    "__version__",
]
