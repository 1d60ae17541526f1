"""The child-process side of ``benchmarks/run.py``: one step per fresh process, timed and measured per stage.

Steps (each writes ``<workdir>/<step>.json`` after every stage, so a killed child still says how far it got):

- ``generate``: ``generate(...)`` then ``write_scenario(...)`` into the work folder; with ``offers`` in the
  arguments, the sites file is ``platform_extract.build_extract(offers, seed)`` in the platform's layout instead,
  and the students ask for its sectors (``platform_extract.platform_students``);
- ``pipeline``: ``load_inputs`` → ``allocate`` (its inner stages timed by wrapping the functions it calls: the
  same code path as ``matcher allocate``) → ``write_outputs``; with ``keep`` it also pickles the located tables
  and the candidate pairs for the baseline steps;
- ``relaxation`` and ``mip``: the baselines of ``_baseline`` on those pickled pairs, one process each.

Memory is the operating system's view, no tracemalloc (which would slow every allocation): ``peak_mb`` is
``getrusage(RUSAGE_SELF).ru_maxrss`` when the stage ends (the process's high-water mark so far), ``rss_mb``
the resident set size at that moment (``/proc/self/statm``), and ``child_mb`` the largest peak RSS of the
processes it forked so far (``RUSAGE_CHILDREN``: the regional flows and the candidate search run in forked
processes; their RSS counts the pages they share with this one). ``tree_mb`` is the measure of the memory in use
at once: the highest sum so far of the PSS (proportional set size: a shared page is split between the processes
sharing it) of this process and every process it forked, sampled every 0.5 s (``TreeMemory``; Linux only).
"""

from __future__ import annotations

import csv
import json
import os
import pickle
import resource
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path


def _mb(maxrss: int) -> float:
    return maxrss / 2**20 if sys.platform == "darwin" else maxrss / 1024  # bytes on macOS, KiB on Linux


def memory_mb() -> tuple[float, float | None, float]:
    """(peak RSS so far, current RSS, largest peak RSS of the forked processes) in MB; current is None where
    /proc is missing."""
    peak_mb = _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    child_mb = _mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return peak_mb, pages * os.sysconf("SC_PAGE_SIZE") / 2**20, child_mb
    except OSError:
        return peak_mb, None, child_mb


class TreeMemory:
    """Highest sum of PSS over this process and its descendants, sampled by a daemon thread (None without /proc)."""

    def __init__(self, every: float = 0.5):
        self.peak_mb = self._sample()
        if self.peak_mb is not None:
            threading.Thread(target=self._run, args=(every,), daemon=True).start()

    def _run(self, every: float) -> None:
        while True:
            time.sleep(every)
            self.peak_mb = max(self.peak_mb, self._sample() or 0.0)

    def _sample(self) -> float | None:
        total, pending = 0, [os.getpid()]
        while pending:
            pid = pending.pop()
            try:
                rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:  # no /proc here, or a process that just ended (then it holds nothing)
                if pid == os.getpid():
                    return None
                continue
            total += sum(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
            pending += [int(c) for c in children]
        return total / 1024


class Recorder:
    """Stage rows (seconds, peak and current RSS) and facts, saved as JSON after every change."""

    def __init__(self, path: Path):
        self.path, self.stages, self.facts, self.running, self.since = path, [], {}, None, None
        self.tree = TreeMemory()
        self.mark("start (imports)", 0.0)

    def mark(self, stage: str, seconds: float) -> None:
        peak, rss, child = memory_mb()
        tree = self.tree.peak_mb
        self.stages.append(
            {
                "stage": stage,
                "seconds": round(seconds, 3),
                "peak_mb": round(peak, 1),
                "rss_mb": None if rss is None else round(rss, 1),
                "child_mb": round(child, 1),
                "tree_mb": None if tree is None else round(max(tree, self.tree._sample() or 0), 1),
            }
        )
        self.running = None
        self.save()

    def begin(self, stage: str) -> float:
        self.running, self.since = stage, time.time()
        self.save()
        return time.perf_counter()

    @contextmanager
    def stage(self, name: str):
        start = self.begin(name)
        yield
        self.mark(name, time.perf_counter() - start)

    def save(self) -> None:
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(
            json.dumps(
                {"stages": self.stages, "running": self.running, "running_since": self.since, "facts": self.facts},
                indent=1,
                default=str,
            )
        )
        os.replace(tmp, self.path)


class AllocateProbe:
    """Records ``allocate``'s stages as its observer (``allocate(..., observer=probe)``): no patching of its code.

    Rows: candidates, widen, solve, tables, check, summary (summary sections, unused places, blocking pairs).
    ``outputs`` keeps what each stage returned when it returns a value (the widened candidate pairs are reused by
    the baseline).
    """

    ROWS = ("candidates", "widen", "solve", "tables", "check", "summary")

    def __init__(self, rec: Recorder):
        self.rec, self.outputs = rec, {}

    def begin(self, stage: str) -> None:
        if stage in self.ROWS:
            self.rec.begin(stage)

    def end(self, stage: str, seconds: float, value: object) -> None:
        if stage not in self.ROWS:
            return
        self.rec.mark(stage, seconds)
        self.outputs[stage] = value
        if stage == "candidates":  # known early, for a run stopped before the summary
            self.rec.facts["candidate_pairs"] = len(value.pairs)


def run_generate(spec: dict, workdir: Path) -> None:
    from matcher.generate.scenario import generate, write_scenario

    rec = Recorder(workdir / "generate.json")
    spec = dict(spec)
    offers = spec.pop("offers", None)
    with rec.stage("generate"):
        students, sites = generate(**spec)
        if offers is not None:
            from platform_extract import build_extract, platform_students

            sites = build_extract(offers, spec["seed"])
            students = platform_students(students, sites, spec["seed"])
    with rec.stage("write"):
        if offers is None:
            write_scenario(students, sites, workdir)
        else:  # the extract as the platform exports it: ``;``, every cell quoted
            students.to_csv(workdir / "students.csv", index=False, lineterminator="\n")
            sites.to_csv(workdir / "sites.csv", sep=";", index=False, quoting=csv.QUOTE_ALL, lineterminator="\n")
    rec.facts.update(students=len(students), sites=len(sites))
    rec.save()


def run_pipeline(
    paths: tuple[Path, Path],
    workdir: Path,
    keep: bool,
    config_path: Path | None = None,
    drop_groups: bool = False,
    capacity: int | None = None,
) -> None:
    """``capacity``: the places of each site of a file without a capacity column, unless the policy gives them."""
    from matcher import allocate, load_config, load_inputs, write_outputs

    rec, config = Recorder(workdir / "pipeline.json"), load_config(config_path)
    if capacity is not None and config.default_capacity is None:
        config = config.with_options(default_capacity=capacity)
    with rec.stage("load"):
        students, sites = load_inputs(paths[0], paths[1], config)
        if drop_groups:  # every student on their own: against a run with groups, what groups cost
            students = students.assign(group_id="")
    probe = AllocateProbe(rec)
    result = allocate(students, sites, config, observer=probe)
    with rec.stage("export"):
        write_outputs(result, workdir / "out")
    rec.facts.update(pipeline_facts(result, config))
    rec.save()
    if keep:
        with open(workdir / "inputs.pkl", "wb") as fh:
            pickle.dump((students, sites, probe.outputs["widen"].candidates.pairs, config.objective.order), fh)


def pipeline_facts(result, config) -> dict:
    s = result.summary
    return {
        "students": s["counts"]["students"],
        "sites": s["counts"]["sites"],
        "candidate_pairs": s["solver"]["candidate_pairs"],
        "placed": s["counts"]["placed"],
        "bounds_over": s["solver"]["bounds_over"],
        "widening": s["solver"].get("widening"),
        "status": s["solver"]["status"],
        "gap": s["solver"]["gap"],
        "gap_level": s["solver"]["gap_level"],
        "flow_solves": s["solver"].get("flow_solves"),
        "restriction_rounds": s["solver"].get("restriction_rounds"),
        "objective": s["objective"],
        "order": list(config.objective.order),
        "allocate_timings": result.timings,
    }


def _unpickle(workdir: Path, rec: Recorder):
    with rec.stage("unpickle inputs"):
        with open(workdir / "inputs.pkl", "rb") as fh:
            return pickle.load(fh)


def run_relaxation(workdir: Path, time_limit: float) -> None:
    import _baseline

    rec = Recorder(workdir / "relaxation.json")
    students, sites, pairs, order = _unpickle(workdir, rec)
    with rec.stage("flow vs HiGHS LP"):
        rec.facts["relaxation"] = _baseline.relaxation(pairs, students, sites, order, time_limit)
    rec.save()


def run_mip(workdir: Path, time_limit: float) -> None:
    import _baseline

    rec = Recorder(workdir / "mip.json")
    students, sites, pairs, order = _unpickle(workdir, rec)

    def save(rows: list[dict]) -> None:
        rec.facts["mip_levels"] = rows
        rec.save()

    with rec.stage("solve_mip"), _baseline.MipLevels(_baseline.levels(order), time_limit, save).installed():
        rec.facts["mip"] = _baseline.mip(pairs, students, sites, order, time_limit)
    rec.save()


def run_peers(workdir: Path, config_path: Path | None = None) -> None:
    """Bare OR-Tools flows, greedy and deferred acceptance on the pipeline's pickled tables and pairs."""
    import _peers
    import pandas as pd

    from matcher import load_config

    rec = Recorder(workdir / "peers.json")
    students, sites, pairs, _ = _unpickle(workdir, rec)
    with rec.stage("bare OR-Tools flows"):
        rec.facts["bare"] = _peers.bare_flows(students, sites, pairs)
    rec.save()
    assignments = pd.read_csv(workdir / "out" / "assignments.csv", dtype={"student_id": str})
    rec.facts["ours"] = _peers.ours(students, assignments)
    with rec.stage("greedy nearest-first"):
        rec.facts["greedy"] = _peers.greedy(students, sites, pairs)
    rec.save()
    with rec.stage("deferred acceptance (stable mode)"):
        rec.facts["deferred_acceptance"] = _peers.deferred_acceptance(students, sites, load_config(config_path))
    rec.save()
