"""Policy files: a TOML file of options read into a :class:`Config`, every bad option reported at once.

Defaults are documented in ``datasets/policy.toml`` (shipped), which is also a template for officers.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

from matcher.config.options import HOST_CRITERIA, OPTIONS, Config, Objective
from matcher.errors import InputError, Problem
from matcher.limits import MAX_SMALL_FILE_BYTES, option_problems, read_regular, regular_problem
from matcher.objective import LEVELS
from matcher.util.i18n import mark, tr

__all__ = ["load_config", "read_toml", "coerce_option", "read_objective", "config_problems", "check_config"]


def read_toml(path: str | Path, what: str) -> dict[str, Any]:
    """The TOML file at ``path`` as a dict; an InputError naming ``what`` when it cannot be read."""
    try:
        return tomllib.loads(read_regular(path, what, MAX_SMALL_FILE_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        said = tr("cannot read {what}: {error}").format(what=tr(what), error=exc)
        raise InputError(
            [Problem(Path(path).name, None, None, "", said, tr("give a readable UTF-8 TOML file"))]
        ) from None


def load_config(path: str | Path | None) -> Config:
    """Read a TOML policy file into a Config; raise InputError listing every unknown or ill-typed option."""
    if path is None:
        return Config()
    name = Path(path).name
    data = read_toml(path, mark("the configuration"))
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
                    tr("unknown option"),
                    tr("remove it or check its spelling against datasets/policy.toml"),
                )
            )
    if problems:
        raise InputError(problems)
    return check_config(Config(**values), name)


def config_problems(config: Config, file: str = "options") -> list[Problem]:
    """Every option of ``config`` out of its range (:data:`matcher.limits.OPTION_RANGES`: no NaN or infinity,
    years and dates in sensible windows, penalties bounded), and a floors file that is not a regular file."""
    problems = option_problems(config.options() | {"lang": config.lang}, file)
    if config.academie_floors not in ("none", "proportional"):
        irregular = regular_problem(config.academie_floors, mark("the floors file"))
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
        what = tr(what)
        said, fix = tr("expected {what}").format(what=what), tr("set {key} to {what}").format(key=key, what=what)
        problems.append(Problem(name, None, key, str(value), said, fix))

    if key == "week_1_start":
        if isinstance(value, date) and value.weekday() == 0:
            return value
        return bad(mark("a Monday date such as 2026-06-15"))
    if key == "sectors":
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(v.strip().lower() for v in value)
        return bad(mark("a list of trade codes"))
    if key == "host_priority":
        if (
            isinstance(value, list)
            and value
            and all(v in HOST_CRITERIA for v in value)
            and len(set(value)) == len(value)
        ):
            return tuple(value)
        return bad(tr("a list among {criteria}, each once").format(criteria=", ".join(HOST_CRITERIA)))
    if key in ("price_of_stability", "stay_in_academie"):
        return value if isinstance(value, bool) else bad(mark("true or false"))
    if key == "gender_target":
        if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < 1:
            return float(value)
        return bad(mark("a share between 0 and 1, such as 0.4"))
    if key == "academie_floors":
        if isinstance(value, str) and value.strip():
            return value.strip()
        return bad(mark("'none', 'proportional' or the path of a CSV file academie,floor"))
    if key == "lang":
        return value if value in ("fr", "en") else bad("'fr' or 'en'")
    if key == "mode":
        if value in ("optimal", "stable"):
            return value
        return bad(mark("'optimal' or 'stable'"))
    if key in (
        "year",
        "default_capacity",
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
        return bad(mark("a non-negative integer"))
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    return bad(mark("a positive number"))


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
                tr("unknown or repeated level"),
                tr("list levels among {levels}, each once").format(levels=", ".join(LEVELS)),
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
                tr("'placed' must come first (or right after 'floors') and 'splits' (when listed) last"),
                tr("reorder the levels, e.g. {levels}").format(levels=", ".join(LEVELS)),
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
                tr("unknown option"),
                tr("remove it or check its spelling against datasets/policy.toml"),
            )
        )
    return Objective(order=tuple(order))
