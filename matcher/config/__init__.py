"""Configuration: every option of a run in a few frozen sections, read from a TOML policy file."""

from matcher.config.options import (
    HOST_CRITERIA,
    OPTIONS,
    Calendar,
    Config,
    Fairness,
    Geography,
    Objective,
    Reporting,
    Resources,
    Solver,
)
from matcher.config.policy import check_config, coerce_option, config_problems, load_config, read_objective, read_toml
from matcher.objective import LEVELS

__all__ = [
    "Calendar",
    "Config",
    "Fairness",
    "Geography",
    "HOST_CRITERIA",
    "LEVELS",
    "OPTIONS",
    "Objective",
    "Reporting",
    "Resources",
    "Solver",
    "check_config",
    "coerce_option",
    "config_problems",
    "load_config",
    "read_objective",
    "read_toml",
]
