"""Benchmark the matcher pipeline stage by stage on scenarios on the real map (run on demand, not a test).

From the repository root::

    python benchmarks/run.py                                    # partner and 10k, with both baselines
    python benchmarks/run.py --out bench.md                     # the same tables also written as markdown
    python benchmarks/run.py --scenario national2024 --cap 1200 # opt-in big scenario, stopped after 20 min
    python benchmarks/run.py --scenario 10k --time-limit 60     # shorter LP and MIP baselines
    python benchmarks/run.py --scenario national2024 --seed 2024 # the same sizes, another draw
    python benchmarks/run.py --scenario national2024 --config benchmarks/all-rules.toml  # floors, gender, groups
    python benchmarks/run.py --scenario platform                # the platform's offers and 70,000 students

Scenarios: ``partner`` (the embedded demo), ``10k``, ``national2024``, ``platform`` and ``cohort`` (see
``SCENARIOS``). ``platform`` is the other national scenario: the offers extract of ``platform_extract.py`` in the
national platform's layout, as ``matcher allocate`` reads it with three places a week per offer
(``PLATFORM_CAPACITY``), and the 70,000 students of ``national2024`` (drawn from the lycée directory) asking for
the platform's sectors (``platform_extract.platform_students``). Each
one runs in fresh child processes (this script with ``--child STEP``), so memory peaks do not mix: ``generate``
(generate + write the CSV files), ``pipeline`` (load → candidates → solve → tables → check → summary →
export, the same code path as ``matcher allocate``) and, with the baselines, ``relaxation`` (the relaxed
network as a HiGHS LP against the engine's flow) and ``mip`` (the full problem as a HiGHS MIP against the
engine's result), both on the engine's own candidate pairs. Columns are explained in ``benchmarks/README.md``.

``--sizes STUDENTS,SITES[,PLACES]`` (hidden, for smoke tests) replaces a scenario's sizes with a
``generate(..., seed=1)`` call: ``--scenario cohort --sizes 2000,600`` runs cohort's code path in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib import metadata, util
from pathlib import Path

from _report import scenario_report

HERE = Path(__file__).resolve().parent
SCENARIOS = {  # name: generate() arguments, None for the shipped demo files
    "partner": None,
    "10k": dict(n_students=10_000, n_sites=3_000, seed=1, places=10_500),
    "national2024": dict(n_students=70_000, n_sites=19_000, seed=1, places=67_000),
    "platform": dict(n_students=70_000, n_sites=19_000, seed=1, places=67_000, offers=27_206),
    "cohort": dict(n_students=560_000, n_sites=160_000, seed=1, places=600_000),
}
#: Places a week of each offer of the ``platform`` scenario (its extract has no capacity: ``--default-capacity``).
PLATFORM_CAPACITY = 3
DEFAULT = ("partner", "10k")
BASELINE_DEFAULT = ("partner", "10k")
STEPS = ("generate", "pipeline", "peers", "relaxation", "mip")
BASELINES = ("relaxation", "mip")


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--scenario",
        action="append",
        choices=list(SCENARIOS),
        help=f"scenario to run (repeatable; default: {' and '.join(DEFAULT)})",
    )
    p.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"run the LP and MIP baselines (default: on for {' and '.join(BASELINE_DEFAULT)} only)",
    )
    p.add_argument(
        "--no-mip",
        action="store_true",
        help="with the baselines, run the LP cross-check of the relaxation only (the MIP baseline takes long)",
    )
    p.add_argument(
        "--peers",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="time one bare OR-Tools max flow and min-cost flow on the same pairs, and place the students greedily "
        "(nearest first) and by deferred acceptance, beside ours (default: on, but for cohort)",
    )
    p.add_argument(
        "--time-limit",
        type=float,
        default=600.0,
        metavar="S",
        help="seconds for each HiGHS solve of the baselines (one per level; default 600)",
    )
    p.add_argument(
        "--cap",
        type=float,
        default=None,
        metavar="S",
        help="stop a scenario after S seconds in all (its table says how far it got)",
    )
    p.add_argument(
        "--config",
        type=Path,
        metavar="FILE.toml",
        help="policy file for the pipeline, e.g. benchmarks/all-rules.toml (default: the defaults)",
    )
    p.add_argument(
        "--drop-groups",
        action="store_true",
        help="clear every group_id after loading: against a run without it, what groups cost",
    )
    p.add_argument("--out", type=Path, metavar="FILE.md", help="also write the tables to this markdown file")
    p.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="keep generated files and outputs under DIR (default: a temporary folder, deleted)",
    )
    p.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="generate the scenario with this seed instead of its own (1); not for partner, whose files are shipped",
    )
    p.add_argument("--child", choices=STEPS, help=argparse.SUPPRESS)
    p.add_argument("--sizes", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def spec_of(name: str, sizes: str | None, seed: int | None = None) -> dict | None:
    """The ``generate`` arguments of a scenario (None: the embedded demo files), with ``seed`` when given."""
    spec = SCENARIOS[name]
    if sizes:
        numbers = [int(x) for x in sizes.split(",")]
        smoke = dict(n_students=numbers[0], n_sites=numbers[1], seed=1, places=numbers[2] if len(numbers) > 2 else None)
        if spec is not None and "offers" in spec:  # as many offers per student as the scenario's own
            smoke["offers"] = max(1, round(spec["offers"] * numbers[0] / spec["n_students"]))
        spec = smoke
    return spec if spec is None or seed is None else {**spec, "seed": seed}


def label_of(name: str, sizes: str | None, seed: int | None = None) -> str:
    spec = spec_of(name, sizes, seed)
    if spec is None:
        return "embedded demo, `matcher.generate.embedded_scenario()` (3,000 students, 900 sites)"
    places = "" if spec["places"] is None else f", places={spec['places']:_}"
    smoke = " — **smoke test, sizes overridden with --sizes**" if sizes else ""
    made = f"`generate({spec['n_students']:_}, {spec['n_sites']:_}, seed={spec['seed']}{places})`"
    if "offers" in spec:
        return (
            f"the platform's offers extract `platform_extract.build_extract({spec['offers']:_}, seed={spec['seed']})`, "
            f"{PLATFORM_CAPACITY} places a week per offer, and the students of {made} asking for its sectors{smoke}"
        )
    return made + smoke


def child_main(args: argparse.Namespace) -> None:
    """One step of one scenario, in this (fresh) process."""
    import _stages

    name, workdir = args.scenario[0], args.workdir
    spec = spec_of(name, args.sizes, args.seed)
    if args.child == "generate":
        _stages.run_generate(spec, workdir)
    elif args.child == "pipeline":
        if spec is None:
            from matcher.generate.scenario import embedded_scenario

            paths = tuple(Path(str(p)) for p in embedded_scenario())
        else:
            paths = (workdir / "students.csv", workdir / "sites.csv")
        keep = bool(args.baseline) or bool(args.peers)
        capacity = PLATFORM_CAPACITY if spec is not None and "offers" in spec else None
        _stages.run_pipeline(
            paths, workdir, keep=keep, config_path=args.config, drop_groups=args.drop_groups, capacity=capacity
        )
    elif args.child == "peers":
        _stages.run_peers(workdir, args.config)
    elif args.child == "relaxation":
        _stages.run_relaxation(workdir, args.time_limit)
    else:
        _stages.run_mip(workdir, args.time_limit)


def run_child(name: str, step: str, workdir: Path, args, baseline: bool, peers: bool, deadline: float | None) -> dict:
    """Run one step in a child process; its JSON, plus ``stopped`` when it did not finish."""
    cmd = [
        sys.executable,
        str(HERE / "run.py"),
        "--scenario",
        name,
        "--child",
        step,
        "--workdir",
        str(workdir),
        "--time-limit",
        str(args.time_limit),
        "--baseline" if baseline else "--no-baseline",
        "--peers" if peers else "--no-peers",
    ]
    if args.sizes:
        cmd += ["--sizes", args.sizes]
    if args.seed is not None:
        cmd += ["--seed", str(args.seed)]
    if args.config:
        cmd += ["--config", str(args.config.resolve())]
    if args.drop_groups:
        cmd += ["--drop-groups"]
    log = workdir / f"{step}.stderr"
    timeout = None if deadline is None else max(deadline - time.monotonic(), 1.0)
    print(f"[{name}] {step} ...", file=sys.stderr, flush=True)
    start, stopped = time.monotonic(), None
    with open(log, "w") as err:
        try:
            rc = subprocess.run(cmd, stderr=err, timeout=timeout).returncode
            if rc != 0:
                stopped = f"exit status {rc}: {_last_line(log)}"
        except subprocess.TimeoutExpired:
            stopped = f"cap reached after {time.monotonic() - start:,.0f} s in this process"
    data = _read_json(workdir / f"{step}.json")
    if stopped:
        data["stopped"] = stopped + (f", during stage '{data['running']}'" if data.get("running") else "")
        if data.get("running_since"):
            data["unfinished_seconds"] = time.time() - data["running_since"]
        print(f"[{name}] {step} stopped: {data['stopped']}", file=sys.stderr, flush=True)
    return data


def _last_line(path: Path) -> str:
    lines = [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
    return lines[-1].strip() if lines else "(no message)"


def _read_json(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def run_scenario(name: str, args, root: Path) -> str:
    """All steps of one scenario (each in its own process); its markdown block."""
    workdir = root / name
    workdir.mkdir(parents=True, exist_ok=True)
    baseline = name in BASELINE_DEFAULT if args.baseline is None else args.baseline
    peers = name != "cohort" if args.peers is None else args.peers
    deadline = None if args.cap is None else time.monotonic() + args.cap
    steps = {}
    wanted = [
        s
        for s in STEPS
        if (s != "generate" or spec_of(name, args.sizes, args.seed) is not None)
        and (s not in BASELINES or baseline)
        and (s != "mip" or not args.no_mip)
        and (s != "peers" or peers)
    ]
    for step in wanted:
        steps[step] = run_child(name, step, workdir, args, baseline, peers, deadline)
        if "stopped" in steps[step] and step not in (*BASELINES, "peers"):
            break
    policy = f", policy `{args.config.name}`" if args.config else ""
    policy += ", groups dropped" if args.drop_groups else ""
    return scenario_report(name, label_of(name, args.sizes, args.seed) + policy, steps)


def header() -> str:
    """Date, machine and versions, for the record."""
    versions = ", ".join(
        f"{pkg} {metadata.version(pkg)}" for pkg in ("matcher", "numpy", "pandas", "scipy", "highspy", "ortools")
    )
    origin = Path(util.find_spec("matcher").origin).parent.parent
    commit = (
        subprocess.run(
            ["git", "-C", str(origin), "describe", "--always", "--dirty"], capture_output=True, text=True
        ).stdout.strip()
        or "not a git checkout"
    )
    return (
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
        f"{_cpus()} CPU cores, {_memory_gb()} GB RAM, Python {platform.python_version()}; {versions}; "
        f"matcher at commit {commit}.\n"
    )


def _cpus() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def _memory_gb() -> str:
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        return f"{kb / 2**20:.0f}"
    except (OSError, ValueError, IndexError):
        return "?"


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        return child_main(args)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="matcher-bench-"))
    blocks = [header()]
    print(blocks[0], flush=True)
    try:
        for name in args.scenario or DEFAULT:
            blocks.append(run_scenario(name, args, root))
            print(blocks[-1], flush=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(root, ignore_errors=True)
    if args.out:
        args.out.write_text("\n".join(blocks))


if __name__ == "__main__":
    main()
