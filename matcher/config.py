"""Configuration: every option in one frozen dataclass, read from a TOML policy file.

Defaults are documented in ``datasets/policy.toml`` (shipped), which is also a template for officers.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from matcher.errors import InputError, Problem
from matcher.limits import MAX_SMALL_FILE_BYTES, option_problems, read_regular, regular_problem

__all__ = [
    "Config",
    "Objective",
    "load_config",
    "read_toml",
    "coerce_option",
    "read_objective",
    "OPTIONS",
    "LEVELS",
    "HOST_CRITERIA",
    "config_problems",
    "check_config",
]

#: Objective levels known to the engine, in the default lexicographic order.
LEVELS: tuple[str, ...] = ("placed", "floors", "priority", "gender", "preference", "distance", "splits")
#: Criteria hosts may rank students by in the stable mode (``Config.host_priority``).
HOST_CRITERIA: tuple[str, ...] = ("priority", "distance", "lottery")


@dataclass(frozen=True)
class Objective:
    """Lexicographic objective: ``order`` lists the levels, the first is optimised first."""

    order: tuple[str, ...] = LEVELS


@dataclass(frozen=True)
class Config:
    """All options of a run.

    Attributes
    ----------
    year : int
        Year of the placement period; the two weeks are computed from it unless ``week_1_start`` is set.
    week_1_start : date or None
        Monday of the first week, for an académie with its own calendar; week 2 starts 7 days later.
    default_max_km : float
        Furthest distance for students whose ``max_km`` is empty.
    sectors : tuple of str or None
        Known trade codes; when set, unknown codes in the files are reported as errors.
    other_sectors_rank_penalty : int or None
        None: a student who lists trades only gets those trades. An integer: other trades are allowed, at this
        many preference ranks worse than the student's last listed trade.
    max_minutes : float
        Longest acceptable travel time when a user-supplied pairs table gives ``minutes`` instead of ``km``.
    candidate_k : int
        Nearest sites kept per student and trade pool when all sites in range would make more than
        ``max_pairs`` pairs (0: never cap).
    max_pairs : int
        Largest number of student–site pairs in range for which every pair is kept (no cap, full proof).
    max_widen_pairs : int
        With capped lists, largest number of eligible pairs of the capped students (estimated first) for which
        they are widened (:mod:`matcher.solve.widen`: the ``placed`` level then holds over all eligible pairs);
        0: never.
    regional_pairs : int
        Above this many candidate pairs, the repair's flows (which prove the ``placed`` level only) are solved
        académie by académie on shares of the sites' places taken from one maximum flow
        (:mod:`matcher.solve.regions`): as many placed, the cost levels optimised within each share; 0: never.
    processes : int
        Processes solving the académies' regional flows at once; 0: one per CPU core this process may use.
    stay_in_academie : bool
        Students only go to sites of their own académie; the problem then splits exactly by académie.
    mode : str
        ``optimal`` or ``stable``.
    host_priority : tuple of str
        Stable mode: how hosts rank students, among ``priority`` (priority students first), ``distance`` (nearer
        first) and ``lottery`` (seeded draw); the lottery always breaks the remaining ties.
    price_of_stability : bool
        Stable mode: also run the optimal mode on the same input and report what stability costs.
    time_limit : float
        Seconds after which the repair of full-time rules stops solving again: students still breaking a rule
        are placed where they fit in the places left, or not at all (the status and gap say what it cost).
    seed : int
        Seed for anything random (lotteries, synthetic data).
    gender_target : float or None
        Soft target: at least this share of girls among each week's places of every site with at least
        ``gender_site_min`` places that week (boys beyond the rest cost on the ``gender`` level). None: no target.
    gender_site_min : int
        Smallest number of places in a week for a site to carry the gender target.
    academie_floors : str
        ``none``, ``proportional`` (``coverage_target`` shared by seconde enrolment) or a CSV file
        ``academie,floor``: how many of each académie's students the ``floors`` level tries to place.
    coverage_target : int
        Places the partner promised nationally (reported against places offered and used).
    memory_limit_mb : float
        Largest estimated memory of an allocation (:mod:`matcher.candidates.budget`); a larger run is refused with
        advice,
        one above half of it warns.
    objective : Objective
        Order of the lexicographic levels.
    """

    year: int = 2026
    week_1_start: date | None = None
    default_max_km: float = 30.0
    sectors: tuple[str, ...] | None = None
    other_sectors_rank_penalty: int | None = None
    max_minutes: float = 60.0
    candidate_k: int = 40
    max_pairs: int = 2_000_000
    max_widen_pairs: int = 20_000_000
    regional_pairs: int = 150_000
    processes: int = 0
    stay_in_academie: bool = False
    mode: str = "optimal"
    host_priority: tuple[str, ...] = ("priority", "distance", "lottery")
    price_of_stability: bool = True
    time_limit: float = 60.0
    seed: int = 0
    gender_target: float | None = None
    gender_site_min: int = 2
    academie_floors: str = "none"
    coverage_target: int = 1000
    memory_limit_mb: float = 8000.0
    objective: Objective = field(default_factory=Objective)

    def with_options(self, **changes: Any) -> Config:
        """A copy with the given options changed (None values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


#: The options a policy file may set directly (all but ``objective``, a table of its own), by name.
OPTIONS = {f.name: f for f in fields(Config) if f.name != "objective"}


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The TOML file at ``path`` as a dict; an InputError naming ``what`` when it cannot be read."""
    try:
        return tomllib.loads(read_regular(path, what, MAX_SMALL_FILE_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            [Problem(Path(path).name, None, None, "", f"cannot read {what}: {exc}", "give a readable UTF-8 TOML file")]
        ) from None


def load_config(path: str | Path | None) -> Config:
    """Read a TOML policy file into a Config; raise InputError listing every unknown or ill-typed option."""
    if path is None:
        return Config()
    name = Path(path).name
    data = read_toml(path, "the configuration")
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "objective" and isinstance(value, dict):
            values["objective"] = read_objective(value, name, problems)
        elif key in OPTIONS:
            values[key] = coerce_option(key, value, name, problems)
        else:
            problems.append(
                Problem(
                    name,
                    None,
                    key,
                    str(value),
                    "unknown option",
                    "remove it or check its spelling against datasets/policy.toml",
                )
            )
    if problems:
        raise InputError(problems)
    return check_config(Config(**values), name)


def config_problems(config: Config, file: str = "options") -> list[Problem]:
    """Every option of ``config`` out of its range (:data:`matcher.limits.OPTION_RANGES`: no NaN or infinity,
    years and dates in sensible windows, penalties bounded), and a floors file that is not a regular file."""
    problems = option_problems({f.name: getattr(config, f.name) for f in fields(config)}, file)
    if config.academie_floors not in ("none", "proportional"):
        irregular = regular_problem(config.academie_floors, f"the floors file {config.academie_floors}")
        if irregular:
            problems.append(Problem(file, None, "academie_floors", "", irregular.message, irregular.fix))
    return problems


def check_config(config: Config, file: str = "options") -> Config:
    """``config`` itself when every option is valid (:func:`config_problems`); else InputError listing them."""
    problems = config_problems(config, file)
    if problems:
        raise InputError(problems)
    return config


def coerce_option(key: str, value: Any, name: str, problems: list[Problem]) -> Any:
    """``value`` (as read from TOML) checked and converted for option ``key``; a problem added when it is not
    valid (the returned value is then meaningless)."""

    def bad(what: str) -> None:
        problems.append(Problem(name, None, key, str(value), f"expected {what}", f"set {key} to {what}"))

    if key == "week_1_start":
        if isinstance(value, date) and value.weekday() == 0:
            return value
        return bad("a Monday date such as 2026-06-15")
    if key == "sectors":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip().lower() for v in value)
        return bad("a list of trade codes")
    if key == "host_priority":
        if (
            isinstance(value, list)
            and value
            and all(v in HOST_CRITERIA for v in value)
            and len(set(value)) == len(value)
        ):
            return tuple(value)
        return bad("a list among " + ", ".join(HOST_CRITERIA) + ", each once")
    if key in ("price_of_stability", "stay_in_academie"):
        return value if isinstance(value, bool) else bad("true or false")
    if key == "gender_target":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1:
            return float(value)
        return bad("a share between 0 and 1, such as 0.4")
    if key == "academie_floors":
        if isinstance(value, str) and value.strip():
            return value.strip()
        return bad("'none', 'proportional' or the path of a CSV file academie,floor")
    if key == "mode":
        if value in ("optimal", "stable"):
            return value
        return bad("'optimal' or 'stable'")
    if key in (
        "year",
        "candidate_k",
        "seed",
        "other_sectors_rank_penalty",
        "coverage_target",
        "gender_site_min",
        "max_pairs",
        "max_widen_pairs",
        "regional_pairs",
        "processes",
    ):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        return bad("a non-negative integer")
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return bad("a positive number")


def read_objective(value: dict[str, Any], name: str, problems: list[Problem]) -> Objective:
    """The ``[objective]`` table as an Objective; problems added for unknown or misplaced levels."""
    order = value.get("order", list(LEVELS))
    if not (isinstance(order, list) and order and set(order) <= set(LEVELS) and len(set(order)) == len(order)):
        problems.append(
            Problem(
                name,
                None,
                "objective.order",
                str(order),
                "unknown or repeated level",
                f"list levels among {', '.join(LEVELS)}, each once",
            )
        )
        order = list(LEVELS)
    elif not (order[0] == "placed" or order[:2] == ["floors", "placed"]) or (
        "splits" in order and order[-1] != "splits"
    ):
        problems.append(
            Problem(
                name,
                None,
                "objective.order",
                str(order),
                "'placed' must come first (or right after 'floors') and 'splits' (when listed) last",
                "reorder the levels, e.g. " + ", ".join(LEVELS),
            )
        )
        order = list(LEVELS)
    unknown = set(value) - {"order"}
    for key in sorted(unknown):
        problems.append(
            Problem(
                name,
                None,
                f"objective.{key}",
                str(value[key]),
                "unknown option",
                "remove it or check its spelling against datasets/policy.toml",
            )
        )
    return Objective(order=tuple(order))
