"""Benchmark académie batches (``stay_in_academie``: one independent problem per académie) on the local engine
and on a Dask LocalCluster, with wall time and peak memory per stage (run on demand, not a test).

From the repository root::

    python benchmarks/batch.py                                  # national2024 (local, then dask) and cohort (local)
    python benchmarks/batch.py --scenario national2024          # local engine and a 2-worker LocalCluster
    python benchmarks/batch.py --scenario cohort --cap 1200     # the full cohort, stopped after 20 minutes
    python benchmarks/batch.py --sizes 3000,900                 # smoke test of the code path (seconds)

Each step runs in a fresh child process (this script with ``--child STEP``) so that memory peaks do not mix:
``generate`` (generate + write the CSV files), then per engine ``local`` or ``dask``: ``load_inputs`` →
``allocate_by_academie`` (the parts one after the other in the process, or as tasks on the cluster) →
``write_outputs``. Each child writes ``<step>.json`` after every stage and every académie part, so a child
stopped by ``--cap`` still tells how far it got. Columns are explained in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _stages import Recorder, memory_mb, run_generate

HERE = Path(__file__).resolve().parent
SCENARIOS = {
    "national2024": dict(n_students=70_000, n_sites=19_000, seed=1, places=67_000),
    "cohort": dict(n_students=560_000, n_sites=160_000, seed=1, places=600_000),
}
ENGINES = {"national2024": ("local", "dask"), "cohort": ("local",)}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scenario", action="append", choices=list(SCENARIOS), help="repeatable; default: both")
    p.add_argument(
        "--engine",
        action="append",
        choices=("local", "dask"),
        help="repeatable; default: local and dask for national2024, local for cohort",
    )
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers of the dask engine (default 2)")
    p.add_argument("--cap", type=float, metavar="S", help="stop a scenario after S seconds in all")
    p.add_argument("--workdir", type=Path, metavar="DIR", help="keep files under DIR/<scenario>/")
    p.add_argument("--sizes", help="STUDENTS,SITES[,PLACES]: override the sizes (smoke test)")
    p.add_argument("--child", choices=("generate", "local", "dask"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def spec_of(name: str, sizes: str | None) -> dict:
    if not sizes:
        return SCENARIOS[name]
    n = [int(x) for x in sizes.split(",")]
    return dict(n_students=n[0], n_sites=n[1], seed=1, places=n[2] if len(n) > 2 else None)


def run_batch(workdir: Path, kind: str, workers: int) -> None:
    """Child: load → allocate by académie on the engine → export, one row per stage and per part."""
    import matcher.pipeline.batch as batch
    from matcher import Config, load_inputs, write_outputs
    from matcher.pipeline.compute import Engine, open_engine

    rec, config = Recorder(workdir / f"{kind}.json"), Config(stay_in_academie=True)
    with rec.stage("load"):
        students, sites = load_inputs(workdir / "students.csv", workdir / "sites.csv", config)
    engine = Engine("dask", workers=workers) if kind == "dask" else Engine()
    start = rec.begin("start engine")
    with open_engine(engine) as runner:
        rec.mark("start engine", time.perf_counter() - start)
        rec.facts["parts_total"] = len(batch.academies_of(students, sites))
        if kind == "local":
            _record_parts(batch, rec)
        with rec.stage("allocate by académie"):
            result = batch.allocate_by_academie(students, sites, config, runner=runner)
        if kind == "dask":
            rec.facts["workers_peak_mb"] = sorted(runner.client.run(_worker_peak_mb).values())
    with rec.stage("export"):
        write_outputs(result, workdir / f"out-{kind}")
    s = result.summary
    rec.facts.update(
        students=s["counts"]["students"],
        sites=s["counts"]["sites"],
        placed=s["counts"]["placed"],
        parts=s["solver"]["parts"],
        candidate_pairs=s["solver"]["candidate_pairs"],
        status=s["solver"]["status"],
        gap=s["solver"]["gap"],
        gap_level=s["solver"]["gap_level"],
        truncated_students=s["solver"].get("truncated_students"),
        timings=result.timings,
        objective=[(o["level"], o["value"], o["bound"]) for o in s["objective"]],
    )
    rec.save()


def _worker_peak_mb() -> float:
    return round(memory_mb()[0], 1)


def _record_parts(batch, rec: Recorder) -> None:
    """Local engine: one row per académie part as it ends (seconds, the process's peak and current memory)."""
    inner = batch.allocate_part
    rec.facts["parts_done"] = []

    def wrapped(part, config):
        start = time.perf_counter()
        out = inner(part, config)
        peak, rss = memory_mb()
        rec.facts["parts_done"].append(
            {
                "academie": part.academie,
                "students": len(part.students),
                "sites": len(part.sites),
                "seconds": round(time.perf_counter() - start, 2),
                "peak_mb": round(peak),
                "rss_mb": round(rss or 0),
            }
        )
        rec.save()
        return out

    batch.allocate_part = wrapped


def run_child(args, name: str, step: str, workdir: Path, deadline: float | None) -> dict:
    cmd = [
        sys.executable,
        str(HERE / "batch.py"),
        "--scenario",
        name,
        "--child",
        step,
        "--workdir",
        str(workdir),
        "--workers",
        str(args.workers),
    ] + (["--sizes", args.sizes] if args.sizes else [])
    timeout = None if deadline is None else max(deadline - time.monotonic(), 1.0)
    print(f"[{name}] {step} ...", file=sys.stderr, flush=True)
    stopped = None
    with open(workdir / f"{step}.stderr", "w") as err:
        try:
            rc = subprocess.run(cmd, stderr=err, timeout=timeout).returncode
            stopped = f"exit status {rc}" if rc else None
        except subprocess.TimeoutExpired:
            stopped = "cap reached"
    path = workdir / f"{step}.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    if stopped:
        data["stopped"] = stopped + (f" during stage '{data['running']}'" if data.get("running") else "")
    return data


def report(name: str, spec: dict, steps: dict) -> str:
    lines = [
        f"### {name}: generate({spec['n_students']:_}, {spec['n_sites']:_}, seed=1, places={spec['places']})"
        ", stay_in_academie = true",
        "",
        "| process | stage | wall s | peak RSS MB | RSS MB |",
        "|---|---|--:|--:|--:|",
    ]
    for step, data in steps.items():
        for row in data.get("stages", []):
            lines.append(
                f"| {step} | {row['stage']} | {row['seconds']:,.3f} | {row['peak_mb']:,.0f} | "
                f"{'' if row['rss_mb'] is None else format(row['rss_mb'], ',.0f')} |"
            )
        if data.get("stopped"):
            lines.append(f"| {step} | **stopped: {data['stopped']}** | | | |")
    lines.append("")
    for step, data in steps.items():
        f = data.get("facts", {})
        if step == "generate" or not f:
            continue
        wall = sum(r["seconds"] for r in data["stages"] if r["stage"] != "start (imports)")
        peak = max((r["peak_mb"] for r in data["stages"]), default=0)
        workers = f.get("workers_peak_mb")
        mem = f"peak RSS {peak:,.0f} MB" + (
            f" (client) + workers {' + '.join(f'{w:,.0f}' for w in workers)} MB = {peak + sum(workers):,.0f} MB"
            if workers
            else ""
        )
        if "placed" in f:
            lines.append(
                f"- **{step}**: wall {wall:,.1f} s (load → export), {mem}; {f['parts']} parts, "
                f"{f['students']:,} students, {f['sites']:,} sites, {f['candidate_pairs']:,} candidate "
                f"pairs, placed {f['placed']:,}, status {f['status']}, gap {f['gap']:.4%} "
                f"({f['gap_level']}); truncated students {f['truncated_students']:,}"
            )
            lines.append(f"  - timings: {json.dumps(f['timings'])}")
        parts = f.get("parts_done") or []
        if parts:
            big = max(parts, key=lambda p: p["seconds"])
            total = f" of {f['parts_total']}" if f.get("parts_total") else ""
            lines.append(
                f"  - {len(parts)}{total} parts done ({sum(p['students'] for p in parts):,} students, "
                f"{sum(p['seconds'] for p in parts):,.0f} s); slowest {big['academie']} ({big['students']:,} students, "
                f"{big['sites']:,} sites) {big['seconds']:,.1f} s; peak RSS after the parts "
                f"{max(p['peak_mb'] for p in parts):,} MB"
            )
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    args = parse_args(argv)
    if args.child:
        workdir = args.workdir
        if args.child == "generate":
            return run_generate(spec_of(args.scenario[0], args.sizes), workdir)
        return run_batch(workdir, args.child, args.workers)
    root = args.workdir or Path(tempfile.mkdtemp(prefix="matcher-batch-"))
    for name in args.scenario or list(SCENARIOS):
        workdir = root / name
        workdir.mkdir(parents=True, exist_ok=True)
        deadline = None if args.cap is None else time.monotonic() + args.cap
        steps = (
            {"generate": run_child(args, name, "generate", workdir, deadline)}
            if args.sizes or not (workdir / "students.csv").exists()
            else {}
        )
        for kind in args.engine or ENGINES[name]:
            if any("stopped" in s for s in steps.values()):
                break
            steps[kind] = run_child(args, name, kind, workdir, deadline)
        print(report(name, spec_of(name, args.sizes), steps), flush=True)


if __name__ == "__main__":
    main()
