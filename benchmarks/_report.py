"""Markdown tables for ``benchmarks/run.py`` from the JSON files its child processes write."""
from __future__ import annotations


def _num(x, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def stage_table(steps: dict[str, dict]) -> list[str]:
    """One row per stage of each child process, with its wall time and memory at the stage's end."""
    lines = ["| process | stage | wall s | peak RSS MB | RSS MB |", "|---|---|--:|--:|--:|"]
    for step, data in steps.items():
        for row in data.get("stages", []):
            lines.append(f"| {step} | {row['stage']} | {row['seconds']:.3f} | {_num(row['peak_mb'])} "
                         f"| {_num(row['rss_mb'])} |")
        if data.get("unfinished_seconds") is not None:
            lines.append(f"| {step} | {data['running']} (**unfinished**) | > {data['unfinished_seconds']:,.0f} | | |")
        if step == "pipeline" and data.get("stages"):
            run = [r for r in data["stages"] if r["stage"] != "start (imports)"]
            what = "total of the finished stages" if data.get("stopped") else "total load → export"
            lines.append(f"| pipeline | **{what}** | **{sum(r['seconds'] for r in run):.3f}** "
                         f"| **{_num(max(r['peak_mb'] for r in data['stages']))}** | |")
        if data.get("stopped"):
            lines.append(f"| {step} | **stopped: {data['stopped']}** | | | |")
    return lines


def facts_lines(facts: dict) -> list[str]:
    if "students" not in facts:  # stopped before the summary
        return [f"- candidate pairs {facts['candidate_pairs']:,}"] if "candidate_pairs" in facts else []
    gap = f"{facts['gap']:.6g}" + (f" (first level short of its bound: {facts['gap_level']})"
                                    if facts.get("gap_level") else "")
    return [f"- students {facts['students']:,}, sites {facts['sites']:,}, candidate pairs "
            f"{facts['candidate_pairs']:,}",
            f"- placed {facts['placed']:,}; status **{facts['status']}**; gap {gap}; flow solves "
            f"{facts['flow_solves']}, restriction rounds {facts['restriction_rounds']}"]


def _same(a, b) -> str:
    if a is None or b is None:
        return "–"
    return "yes" if abs(a - b) < 0.5 else "**no**"


def relaxation_lines(rel: dict) -> list[str]:
    """Flow vs LP on the relaxed network: times, ratio, per-level values and equality."""
    lp = rel["lp"]
    ratio = lp["seconds"] / rel["flow_seconds"] if rel["flow_seconds"] else float("inf")
    done = "" if lp["complete"] else " — **LP stopped early**: " + "; ".join(
        f"{k}: {v}" for k, v in lp["statuses"].items())
    lines = [f"Relaxation (students may split anywhere; network of {rel['arcs']:,} arcs, {rel['nodes']:,} nodes): "
             f"flow `build_network` + `solve_lexicographic` **{rel['flow_seconds']:.3f} s**; HiGHS LP "
             f"(`linprog(method=\"highs\")`, {lp['variables']:,} pair-week variables, one solve per level) "
             f"**{lp['seconds']:.3f} s**; ratio LP/flow **{'' if lp['complete'] else '≥ '}{ratio:,.1f}×**{done}",
             "", "| level | flow | HiGHS LP | equal |", "|---|--:|--:|:-:|"]
    for name, value in rel["flow"].items():
        got = lp["values"].get(name)
        lines.append(f"| {name} | {_num(value)} | {_num(got, 2)} | {_same(value, got)} |")
    return lines


def mip_lines(mip: dict, facts: dict, engine_solve_s: float) -> list[str]:
    """Engine (final values and bounds) vs ``solve_mip``: times, ratio, per-level values and equality."""
    ratio = mip["seconds"] / engine_solve_s if engine_solve_s else float("inf")
    prefix = "≥ " if not mip["proven"] else ""
    missing = [n for n in mip["levels"] if n not in mip["values"]]
    proof = ("proven optimal on every level" if mip["proven"] else
             f"**not proven**: at least one level's HiGHS solve stopped at its time limit ({mip['time_limit']:g} s "
             "per level), so its values are the best found, not optima"
             + (f"; no solution at all for `{missing[0]}`, hence no value from there on" if missing else ""))
    engine = {row["level"]: row for row in facts["objective"]}
    lines = [f"Full rules: engine solve (`optimise`) **{engine_solve_s:.3f} s**, MIP baseline (`solve_mip`, "
             f"HiGHS) **{mip['seconds']:.3f} s**, ratio MIP/engine **{prefix}{ratio:,.1f}×**; MIP {proof}.", "",
             "| level | engine value | engine bound (relaxation) | MIP value | equal |", "|---|--:|--:|--:|:-:|"]
    for name in mip["levels"]:
        row, got = engine.get(name, {}), mip["values"].get(name)
        lines.append(f"| {name} | {_num(row.get('value'))} | {_num(row.get('bound'))} | {_num(got)} "
                     f"| {_same(row.get('value'), got)} |")
    first = next((n for n in mip["levels"] if _same(engine.get(n, {}).get("value"), mip["values"].get(n)) != "yes"),
                 None)
    if first is not None and mip["values"].get(first) is not None:
        better = (mip["values"][first] > engine[first]["value"]) == (engine[first]["sense"] == "max")
        lines += ["", f"First difference at `{first}`: {'the MIP is better' if better else 'the engine is better'}"
                  " (later levels are then not comparable: the objective is lexicographic)."]
    return lines


def scenario_report(name: str, label: str, steps: dict[str, dict]) -> str:
    """The markdown block of one scenario."""
    facts = steps.get("pipeline", {}).get("facts", {})
    out = [f"### {name}: {label}", "", *stage_table(steps), "", *facts_lines(facts)]
    base = steps.get("baseline", {}).get("facts", {})
    if base.get("relaxation"):
        out += ["", *relaxation_lines(base["relaxation"])]
    if base.get("mip") and facts:
        solve_s = next(r["seconds"] for r in steps["pipeline"]["stages"] if r["stage"] == "solve")
        out += ["", *mip_lines(base["mip"], facts, solve_s)]
    return "\n".join(out) + "\n"
