"""Scenario sweeps: the allocation for every combination of policy options in a grid, side by side.

A grid file (TOML) gives each policy option to vary a list of values; every combination (the cartesian product,
in file order, the last option varying fastest) is one run. Options not in the grid keep the base policy's
values. ``seed`` is an option like the others::

    default_max_km = [15, 30]
    mode = ["optimal", "stable"]
    seed = [0, 1, 2]          # 2 × 2 × 3 = 12 runs

The runs are independent tasks for an engine (:mod:`matcher.pipeline.compute`); each returns one row of the comparison
table and its ``summary.json``. See ``datasets/sweep_example.toml``.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from matcher.config import OPTIONS, Config, Objective, coerce_option, read_objective, read_toml
from matcher.errors import InputError, Problem
from matcher.export.outputs import write_atomic
from matcher.export.safecells import neutralize_frame
from matcher.pipeline.compute import Engine, Runner
from matcher.result import Result
from matcher.util.i18n import mark, tr

__all__ = ["Grid", "Run", "read_grid", "plan", "sweep", "run_figures", "write_sweep"]

#: Columns of the comparison table after the run name and the options.
FIGURES: tuple[str, ...] = (
    "status",
    "gap",
    "students",
    "placed",
    "priority_placed",
    "floors_met",
    "girls_share_placed",
    "mean_distance_km",
    "runtime_s",
)
_FIXED = {"sectors": mark("trade codes are checked while loading the files: set them in the policy file (--config)")}


@dataclass(frozen=True)
class Grid:
    """Policy options to vary: option name → list of (checked) values, in file order."""

    options: dict[str, list[Any]]

    def combinations(self) -> list[dict[str, Any]]:
        """Every combination, the last option varying fastest."""
        names = list(self.options)
        return [dict(zip(names, values)) for values in itertools.product(*self.options.values())]


@dataclass(frozen=True)
class Run:
    """One run of a sweep: its folder name, the grid's values for it, and its full configuration."""

    name: str
    options: dict[str, Any]
    config: Config


def read_grid(path: str | Path) -> Grid:
    """Read a grid file; raise InputError listing every unknown option, non-list or ill-typed value."""
    name = Path(path).name
    data = read_toml(path, "the grid")
    problems: list[Problem] = []
    options: dict[str, list[Any]] = {}
    for key, values in data.items():
        if key == "objective":
            values = values.get("order") if isinstance(values, dict) and set(values) == {"order"} else None
            if _is_list(values, name, "objective.order", problems):
                options[key] = [read_objective({"order": v}, name, problems) for v in values]
        elif key in _FIXED:
            problems.append(Problem(name, None, key, str(values), tr("cannot vary in a sweep"), tr(_FIXED[key])))
        elif key not in OPTIONS:
            problems.append(
                Problem(name, None, key, str(values), tr("unknown option"), tr("use an option of datasets/policy.toml"))
            )
        elif _is_list(values, name, key, problems):
            options[key] = [coerce_option(key, v, name, problems) for v in values]
    if problems:
        raise InputError(problems)
    return Grid(options)


def _is_list(values: object, name: str, key: str, problems: list[Problem]) -> TypeGuard[list[Any]]:
    if isinstance(values, list) and values:
        return True
    problems.append(
        Problem(
            name,
            None,
            key,
            str(values),
            tr("expected a non-empty list of values"),
            tr("write {key} = [value, ...]: one run per value").format(key=key),
        )
    )
    return False


def plan(grid: Grid, base: Config) -> list[Run]:
    """The runs of ``grid`` over the ``base`` policy, named ``run-01``, ``run-02``, …"""
    combos = grid.combinations()
    width = max(2, len(str(len(combos))))
    return [Run(f"run-{i:0{width}d}", combo, base.replace(**combo)) for i, combo in enumerate(combos, 1)]


def run_figures(result: Result, students: pd.DataFrame, seconds: float) -> dict[str, Any]:
    """The comparison table's figures of one allocation (``FIGURES``)."""
    a, s = result.assignments, result.summary
    placed = pd.Index(students["student_id"]).get_indexer(a["student_id"].drop_duplicates())
    weeks = np.where(a["weeks"].to_numpy() == "both", 2, 1)
    gender = students["gender"].fillna("").astype(str).str.upper().to_numpy()[placed]
    known = np.isin(gender, ("F", "M"))
    return {
        "status": s["solver"]["status"],
        "gap": s["solver"].get("gap"),
        "students": s["counts"]["students"],
        "placed": s["counts"]["placed"],
        "priority_placed": int(students["priority"].to_numpy(bool)[placed].sum()),
        "floors_met": _floors_met(s),
        "girls_share_placed": round(float((gender[known] == "F").mean()), 4) if known.any() else None,
        "mean_distance_km": round(float((a["distance_km"].to_numpy(float) * weeks).sum() / weeks.sum()), 3)
        if len(a)
        else None,
        "runtime_s": round(seconds, 3),
    }


def _floors_met(summary: dict[str, Any]) -> str | None:
    """``met/with a floor``: académies placed up to their floor, of those with one; None without floors."""
    floors = summary.get("floors") or {}
    rows = [r for r in floors.get("academies", []) if r.get("floor") is not None]
    if not rows:
        return None
    return f"{sum(r['placed'] >= r['floor'] for r in rows)}/{len(rows)}"


def _one_run(
    run: Run, students: pd.DataFrame, sites: pd.DataFrame, pairs: pd.DataFrame | None, inputs: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """One run (a task): its figures and its summary."""
    from matcher.pipeline.allocate import allocate

    start = time.perf_counter()
    result = allocate(students, sites, run.config, pairs=pairs, inputs=inputs)
    return run_figures(result, students, time.perf_counter() - start), result.summary


def sweep(
    students: pd.DataFrame,
    sites: pd.DataFrame,
    runs: list[Run],
    *,
    pairs: pd.DataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    runner: Runner | None = None,
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Every run on the engine: the comparison table (one row per run, in ``runs`` order) and the summaries."""
    runner = runner or Runner(Engine())
    done = runner.map(_one_run, runs, inputs or {}, shared=(students, sites, pairs))
    options = list(dict.fromkeys(k for r in runs for k in r.options))
    rows = [
        {"run": r.name, **{k: _cell(r.options.get(k)) for k in options}, **figures}
        for r, (figures, _) in zip(runs, done)
    ]
    table = pd.DataFrame(rows, columns=["run", *options, *FIGURES])
    return table, [summary for _, summary in done]


def _cell(value: object) -> object:
    """A grid value as a table cell (lists joined with ``|``, as in the input files)."""
    if isinstance(value, Objective):
        value = value.order
    if isinstance(value, (list, tuple)):
        return "|".join(str(v) for v in value)
    return value


def write_sweep(table: pd.DataFrame, summaries: list[dict[str, Any]], out_dir: str | Path) -> dict[str, Path]:
    """``sweep.csv`` and ``<run>/summary.json`` for every run into ``out_dir``; the written paths by name."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError([Problem(str(out), None, None, "", tr("--out is a file"), tr("give a folder"))])
    paths: dict[str, Path] = {}
    for name, summary in zip(table["run"], summaries):
        (out / name).mkdir(parents=True, exist_ok=True)
        paths[name] = out / name / "summary.json"
        write_atomic(paths[name], (json.dumps(summary, indent=2, ensure_ascii=False) + "\n").encode())
    paths["sweep.csv"] = out / "sweep.csv"
    write_atomic(paths["sweep.csv"], neutralize_frame(table).to_csv(index=False, lineterminator="\n").encode())
    return paths
