"""Every option of a run, in a few frozen sections: calendar, geography, fairness, solver, resources, objective.

``Config(default_max_km=25)`` takes any option by its flat name (as policy files and the command line do) and
files it in its section; ``config.geography.default_max_km`` and ``config.default_max_km`` read it back.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any, Generic, TypeVar, overload

from matcher.objective import LEVELS

__all__ = [
    "Calendar",
    "Config",
    "Fairness",
    "Geography",
    "HOST_CRITERIA",
    "OPTIONS",
    "Objective",
    "Reporting",
    "Resources",
    "Solver",
]

T = TypeVar("T")

#: Criteria hosts may rank students by in the stable mode (``Fairness.host_priority``).
HOST_CRITERIA: tuple[str, ...] = ("priority", "distance", "lottery")


@dataclass(frozen=True)
class Objective:
    """Lexicographic objective: ``order`` lists the levels, the first is optimised first."""

    order: tuple[str, ...] = LEVELS


@dataclass(frozen=True)
class Calendar:
    """When the placements happen.

    year: the two weeks end on the last Friday before 1 July of this year, unless ``week_1_start`` (the Monday of
    the first week, for an académie with its own calendar) is set.
    """

    year: int = 2026
    week_1_start: date | None = None


@dataclass(frozen=True)
class Geography:
    """The inputs, and who may go where.

    default_max_km: furthest distance for students whose ``max_km`` is empty. max_minutes: longest travel time
    when a pairs table gives ``minutes``. stay_in_academie: students only go to sites of their own académie (the
    problem then splits exactly). sectors: known trade codes (unknown codes in the files are problems).
    other_sectors_rank_penalty: None, a student who lists trades only gets those; an integer, other trades are
    allowed at this many ranks after the student's last listed trade. default_capacity: places of each site of a
    sites file without a capacity column (the national platform's extracts).
    """

    default_max_km: float = 30.0
    max_minutes: float = 60.0
    stay_in_academie: bool = False
    sectors: tuple[str, ...] | None = None
    default_capacity: int | None = None
    other_sectors_rank_penalty: int | None = None


@dataclass(frozen=True)
class Fairness:
    """Fairness across the territory and between students.

    academie_floors: ``none``, ``proportional`` (``coverage_target`` shared by seconde enrolment) or a CSV file
    ``academie,floor``. coverage_target: places the partner promised nationally. gender_target: at least this share
    of girls among each week's places of every site with at least ``gender_site_min`` places (None: no target).
    host_priority: in the stable mode, how hosts rank students (``priority``, ``distance``, ``lottery``).
    """

    academie_floors: str = "none"
    coverage_target: int = 1000
    gender_target: float | None = None
    gender_site_min: int = 2
    host_priority: tuple[str, ...] = HOST_CRITERIA


@dataclass(frozen=True)
class Solver:
    """How the allocation is computed.

    mode: ``optimal`` or ``stable``. time_limit: seconds after which the repair of the full-time rules stops
    solving again. seed: for anything random (lotteries). price_of_stability: the stable mode also runs the optimal
    one and reports what stability costs. regional_pairs: above this many pairs the repair's flows are solved
    académie by académie (0: never). processes: processes at once (0: one per core).
    """

    mode: str = "optimal"
    time_limit: float = 60.0
    seed: int = 0
    price_of_stability: bool = True
    regional_pairs: int = 150_000
    processes: int = 0


@dataclass(frozen=True)
class Reporting:
    """How the outputs read (not how the allocation is made: not recorded in ``summary.json``).

    lang: language of the report, workbook and PDF, ``fr`` (default) or ``en`` (``MATCHER_LANG`` and ``--lang``
    take precedence).
    """

    lang: str = "fr"


@dataclass(frozen=True)
class Resources:
    """What a run may use.

    candidate_k: nearest sites kept per student and trade pool when all in range would make more than ``max_pairs``
    pairs (0: never cap); fewer when the run would not fit in half of ``memory_limit_mb``
    (``candidates.budget.fitted_k``). max_widen_pairs: largest estimated number of the capped students' eligible
    pairs for which they are widened (0: never). memory_limit_mb: largest estimated memory of a run (a larger one
    is refused).
    """

    candidate_k: int = 40
    max_pairs: int = 2_000_000
    max_widen_pairs: int = 20_000_000
    memory_limit_mb: float = 8000.0


_SECTIONS: dict[str, type[Any]] = {
    "calendar": Calendar,
    "geography": Geography,
    "fairness": Fairness,
    "solver": Solver,
    "resources": Resources,
    "reporting": Reporting,
}
#: Every option a policy file may set directly (all but ``objective``, a table of its own) → its section.
OPTIONS: dict[str, str] = {f.name: section for section, kind in _SECTIONS.items() for f in fields(kind)}
#: Options that do not change the allocation, left out of ``summary.json``'s ``parameters``.
_NOT_RECORDED = frozenset({"lang"})
#: The options in the order ``summary.json``'s ``parameters`` lists them.
_ORDER = (
    "year week_1_start default_max_km sectors default_capacity other_sectors_rank_penalty max_minutes candidate_k "
    "max_pairs max_widen_pairs regional_pairs processes stay_in_academie mode host_priority price_of_stability "
    "time_limit seed gender_target gender_site_min academie_floors coverage_target memory_limit_mb"
).split()


class _Flat(Generic[T]):
    """Reads an option by its flat name from its section (``config.default_max_km``)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, objtype: type | None = None) -> _Flat[T]: ...
    @overload
    def __get__(self, obj: Config, objtype: type | None = None) -> T: ...
    def __get__(self, obj: Config | None, objtype: type | None = None) -> T | _Flat[T]:
        if obj is None:
            return self
        value: T = getattr(getattr(obj, OPTIONS[self.name]), self.name)
        return value


@dataclass(frozen=True, init=False)
class Config:
    """All options of a run, in sections (see each section's docstring for its options).

    Build it from flat option names, ``Config(default_max_km=25, mode="stable")``, or from sections,
    ``Config(geography=Geography(default_max_km=25))``; a flat option wins over its section's value.
    """

    calendar: Calendar
    geography: Geography
    fairness: Fairness
    solver: Solver
    resources: Resources
    reporting: Reporting
    objective: Objective

    def __init__(
        self,
        *,
        calendar: Calendar | None = None,
        geography: Geography | None = None,
        fairness: Fairness | None = None,
        solver: Solver | None = None,
        resources: Resources | None = None,
        reporting: Reporting | None = None,
        objective: Objective | None = None,
        **options: Any,
    ) -> None:
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise TypeError(f"Config() got unknown options: {', '.join(unknown)}")
        given: dict[str, Any] = {"calendar": calendar, "geography": geography, "fairness": fairness}
        given |= {"solver": solver, "resources": resources, "reporting": reporting}
        for section, kind in _SECTIONS.items():
            mine = {k: v for k, v in options.items() if OPTIONS[k] == section}
            base = given[section] or kind()
            object.__setattr__(self, section, replace(base, **mine) if mine else base)
        object.__setattr__(self, "objective", objective or Objective())

    def options(self) -> dict[str, Any]:
        """Every option that changes the allocation, by its flat name (``summary.json``'s order), then
        ``objective``."""
        return {name: getattr(self, name) for name in _ORDER} | {"objective": self.objective}

    def replace(self, **changes: Any) -> Config:
        """A copy with the given options (flat names, sections or ``objective``) changed."""
        sections = {name: getattr(self, name) for name in (*_SECTIONS, "objective")}
        flat = {k: v for k, v in changes.items() if k not in sections}
        return Config(**(sections | {k: v for k, v in changes.items() if k in sections}), **flat)

    def with_options(self, **changes: Any) -> Config:
        """A copy with the given options changed (None values are ignored)."""
        return self.replace(**{k: v for k, v in changes.items() if v is not None})

    year = _Flat[int]()
    week_1_start = _Flat[date | None]()
    default_max_km = _Flat[float]()
    max_minutes = _Flat[float]()
    stay_in_academie = _Flat[bool]()
    sectors = _Flat[tuple[str, ...] | None]()
    default_capacity = _Flat[int | None]()
    other_sectors_rank_penalty = _Flat[int | None]()
    academie_floors = _Flat[str]()
    coverage_target = _Flat[int]()
    gender_target = _Flat[float | None]()
    gender_site_min = _Flat[int]()
    host_priority = _Flat[tuple[str, ...]]()
    mode = _Flat[str]()
    time_limit = _Flat[float]()
    seed = _Flat[int]()
    price_of_stability = _Flat[bool]()
    regional_pairs = _Flat[int]()
    processes = _Flat[int]()
    candidate_k = _Flat[int]()
    max_pairs = _Flat[int]()
    max_widen_pairs = _Flat[int]()
    memory_limit_mb = _Flat[float]()
    lang = _Flat[str]()


_missing = set(OPTIONS) - {n for n, v in vars(Config).items() if isinstance(v, _Flat)}
_unordered = (set(_ORDER) | _NOT_RECORDED) ^ set(OPTIONS)
if _missing or _unordered:  # a field without its flat reader, or neither in the summary's order nor left out of it
    raise ImportError(f"Config's flat options and sections disagree: {sorted(_missing | _unordered)}")
