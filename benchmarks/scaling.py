"""How matcher scales: one pipeline run per size, 10k → 560k students, in a table (run on demand, not a test).

From the repository root::

    python benchmarks/scaling.py                          # 10k, 35k, 70k, 140k, 280k, 560k students
    python benchmarks/scaling.py --sizes 10000,35000      # some sizes only
    python benchmarks/scaling.py --config benchmarks/cohort.toml --out scaling.md

Each size is ``generate(n, sites, seed=1, places)`` with the national scenario's proportions (19,000 sites and
67,000 places for 70,000 students), run through ``benchmarks/run.py`` (``pipeline`` step only, its own fresh
process, the default policy unless ``--config``). Columns: end-to-end seconds (load → export), the peak memory of
all its processes together (PSS), placed, the proven bound on placed and the gap, and the exponent of time
against the previous row (``t ∝ n^k``).
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (10_000, 35_000, 70_000, 140_000, 280_000, 560_000)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", help="comma-separated numbers of students (default: 10k to 560k)")
    p.add_argument("--config", type=Path, metavar="FILE.toml", help="policy file (default: the defaults)")
    p.add_argument("--cap", type=float, default=900.0, metavar="S", help="stop one size after S seconds")
    p.add_argument("--out", type=Path, metavar="FILE.md", help="also write the table to this markdown file")
    return p.parse_args(argv)


def one_size(n: int, args: argparse.Namespace, root: Path) -> dict:
    """Run the pipeline on ``n`` students; its figures (or why it stopped)."""
    sizes = f"{n},{round(n * 19_000 / 70_000)},{round(n * 67_000 / 70_000)}"
    work = root / str(n)
    cmd = [sys.executable, str(HERE / "run.py"), "--scenario", "national2024", "--sizes", sizes]
    cmd += ["--no-baseline", "--no-peers", "--cap", str(args.cap), "--workdir", str(work)]
    if args.config:
        cmd += ["--config", str(args.config.resolve())]
    print(f"[{n:,} students] ...", file=sys.stderr, flush=True)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=False)
    path = work / "national2024" / "pipeline.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    stages = [r for r in data.get("stages", []) if r["stage"] != "start (imports)"]
    facts = data.get("facts", {})
    placed = next((lv for lv in facts.get("objective", []) if lv["level"] == "placed"), {})
    finished = "students" in facts
    return {
        "n": n,
        "sizes": sizes,
        "seconds": sum(r["seconds"] for r in stages) if finished else None,
        "tree_mb": max((r.get("tree_mb") or 0 for r in stages), default=None),
        "pairs": facts.get("candidate_pairs"),
        "placed": placed.get("value"),
        "bound": placed.get("bound"),
        "gap": placed.get("gap"),
        "stopped": None if finished else (data.get("running") or _why(work)),
    }


def _why(work: Path) -> str:
    log = work / "national2024" / "pipeline.stderr"
    lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()] if log.exists() else []
    return lines[-1][:160] if lines else "no result"


def table(rows: list[dict]) -> str:
    lines = [
        "| students, sites, places | candidate pairs | end to end s | peak memory MB | placed | bound | gap "
        "| time ∝ n^k |",
        "|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    previous = None
    for row in rows:
        if row["stopped"]:
            lines.append(f"| {row['sizes']} | | **stopped**: {row['stopped']} | | | | | |")
            continue
        k = "–"
        if previous:
            k = f"{math.log(row['seconds'] / previous['seconds']) / math.log(row['n'] / previous['n']):.2f}"
        lines.append(
            f"| {row['sizes']} | {row['pairs']:,} | {row['seconds']:.1f} | {row['tree_mb']:,.0f} "
            f"| {row['placed']:,.0f} | {row['bound']:,.0f} | {row['gap']:.3%} | {k} |"
        )
        previous = row
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    args = parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",")] if args.sizes else list(SIZES)
    with tempfile.TemporaryDirectory(prefix="matcher-scaling-") as root:
        rows = [one_size(n, args, Path(root)) for n in sizes]
    text = table(rows)
    print(text)
    if args.out:
        args.out.write_text(text)


if __name__ == "__main__":
    main()
