"""Markdown tables for ``benchmarks/run.py`` from the JSON files its child processes write."""

from __future__ import annotations


def _num(x, digits: int = 0) -> str:
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def stage_table(steps: dict[str, dict]) -> list[str]:
    """One row per stage of each child process, with its wall time and memory at the stage's end."""
    lines = [
        "| process | stage | wall s | peak RSS MB | RSS MB | forked peak MB | peak PSS, all processes MB |",
        "|---|---|--:|--:|--:|--:|--:|",
    ]
    for step, data in steps.items():
        for row in data.get("stages", []):
            lines.append(
                f"| {step} | {row['stage']} | {row['seconds']:.3f} | {_num(row['peak_mb'])} "
                f"| {_num(row['rss_mb'])} | {_num(row.get('child_mb'))} | {_num(row.get('tree_mb'))} |"
            )
        if data.get("unfinished_seconds") is not None:
            lines.append(
                f"| {step} | {data['running']} (**unfinished**) | > {data['unfinished_seconds']:,.0f} | | | | |"
            )
        if step == "pipeline" and data.get("stages"):
            run = [r for r in data["stages"] if r["stage"] != "start (imports)"]
            what = "total of the finished stages" if data.get("stopped") else "total load → export"
            lines.append(
                f"| pipeline | **{what}** | **{sum(r['seconds'] for r in run):.3f}** "
                f"| **{_num(max(r['peak_mb'] for r in data['stages']))}** | "
                f"| **{_num(max(r.get('child_mb') or 0 for r in data['stages']))}** "
                f"| **{_num(max(r.get('tree_mb') or 0 for r in data['stages']))}** |"
            )
        if data.get("stopped"):
            lines.append(f"| {step} | **stopped: {data['stopped']}** | | | | | |")
    return lines


def facts_lines(facts: dict) -> list[str]:
    if "students" not in facts:  # stopped before the summary
        return [f"- candidate pairs {facts['candidate_pairs']:,}"] if "candidate_pairs" in facts else []
    gap = f"{facts['gap']:.6g}" + (
        f" (first level short of its bound: {facts['gap_level']})" if facts.get("gap_level") else ""
    )
    return [
        f"- students {facts['students']:,}, sites {facts['sites']:,}, candidate pairs {facts['candidate_pairs']:,}",
        f"- placed {facts['placed']:,}; status **{facts['status']}**; gap {gap}; flow solves "
        f"{facts['flow_solves']}, restriction rounds {facts['restriction_rounds']}",
    ] + _widening_lines(facts)


def _widening_lines(facts: dict) -> list[str]:
    w = facts.get("widening")
    if not w:
        return [f"- bounds over {facts['bounds_over']}"] if "bounds_over" in facts else []
    if w["skipped"]:
        return [f"- capped lists not widened ({w['skipped']}); bounds over {facts['bounds_over']}"]
    return [
        f"- capped lists widened: {w['pairs_listed']:,} eligible pairs beyond the cap found by the "
        f"searches, {w['pairs_added']:,} added; "
        f"placed bound over all eligible pairs {w['placed_bound_all_pairs']:,} (over the kept pairs "
        f"{w['placed_bound_kept_pairs']:,})"
    ]


def _same(a, b) -> str:
    if a is None or b is None:
        return "–"
    return "yes" if abs(a - b) < 0.5 else "**no**"


def relaxation_lines(rel: dict) -> list[str]:
    """Flow vs LP on the relaxed network: times, ratio, per-level values and equality."""
    lp = rel["lp"]
    ratio = lp["seconds"] / rel["flow_seconds"] if rel["flow_seconds"] else float("inf")
    done = (
        ""
        if lp["complete"]
        else " — **LP stopped early**: " + "; ".join(f"{k}: {v}" for k, v in lp["statuses"].items())
    )
    lines = [
        f"Relaxation (students may split anywhere; network of {rel['arcs']:,} arcs, {rel['nodes']:,} nodes): "
        f"flow `build_network` + `solve_lexicographic` **{rel['flow_seconds']:.3f} s**; HiGHS LP "
        f'(`linprog(method="highs-ipm")`, {lp["variables"]:,} pair-week variables, one solve per level) '
        f"**{lp['seconds']:.3f} s**; ratio LP/flow **{'' if lp['complete'] else '≥ '}{ratio:,.1f}×**{done}",
        "",
        "| level | flow | HiGHS LP | equal |",
        "|---|--:|--:|:-:|",
    ]
    for name, value in rel["flow"].items():
        got = lp["values"].get(name)
        lines.append(f"| {name} | {_num(value)} | {_num(got, 2)} | {_same(value, got)} |")
    return lines


def _mip_outcome(data: dict) -> dict | None:
    """The MIP facts; rebuilt from the per-level records when the process was ended before ``solve_mip`` returned."""
    facts = data.get("facts", {})
    if facts.get("mip"):
        return {**facts["mip"], "per_level": facts.get("mip_levels", [])}
    rows = facts.get("mip_levels")
    if not rows:
        return None
    return {
        "seconds": data.get("unfinished_seconds") or sum(r["seconds"] or 0 for r in rows),
        "proven": False,
        "time_limit": None,
        "per_level": rows,
        "values": {r["level"]: r["value"] for r in rows if r["value"] is not None},
        "levels": None,
        "ended": data.get("stopped"),
    }


def mip_lines(mip: dict, facts: dict, engine_solve_s: float) -> list[str]:
    """Engine (final values and bounds) vs ``solve_mip``: times, ratio, per-level values and equality."""
    names = mip["levels"] or [row["level"] for row in facts["objective"] if row["level"] != "splits"]
    ratio = mip["seconds"] / engine_solve_s if engine_solve_s else float("inf")
    missing = [n for n in names if n not in mip["values"]]
    if mip.get("ended"):
        proof = f"**ended early** ({mip['ended']}); values of the finished levels only, not proven"
    elif mip["proven"]:
        proof = "proven optimal on every level"
    else:
        proof = (
            "**not proven**: at least one level's HiGHS solve stopped at its time limit, so its values are the "
            "best found, not optima"
            + (f"; no solution at all for `{missing[0]}`, hence no value from there on" if missing else "")
        )
    engine = {row["level"]: row for row in facts["objective"]}
    per = {row["level"]: row for row in mip.get("per_level", [])}
    lines = [
        f"Full rules: engine solve (`optimise`) **{engine_solve_s:.3f} s**, MIP baseline (`solve_mip`, HiGHS) "
        f"**{mip['seconds']:.3f} s**, ratio MIP/engine **{'' if mip['proven'] else '≥ '}{ratio:,.1f}×**; "
        f"MIP {proof}.",
        "",
        "| level | engine value | engine bound | MIP value | equal | HiGHS on this level |",
        "|---|--:|--:|--:|:-:|---|",
    ]
    for name in names:
        row, got, hi = engine.get(name, {}), mip["values"].get(name), per.get(name)
        how = "–" if hi is None else f"{hi['status']}, {_num(hi['seconds'], 1)} s"
        lines.append(
            f"| {name} | {_num(row.get('value'))} | {_num(row.get('bound'))} | {_num(got)} "
            f"| {_same(row.get('value'), got)} | {how} |"
        )
    return lines + _first_difference(names, engine, mip["values"])


def _first_difference(names: list[str], engine: dict, values: dict) -> list[str]:
    first = next((n for n in names if _same(engine.get(n, {}).get("value"), values.get(n)) != "yes"), None)
    if first is None or values.get(first) is None:
        return []
    better = (values[first] > engine[first]["value"]) == (engine[first]["sense"] == "max")
    return [
        "",
        f"First difference at `{first}`: {'the MIP is better' if better else 'the engine is better'}"
        " (later levels are then not comparable: the objective is lexicographic).",
    ]


def peer_lines(peers: dict, total_s: float) -> list[str]:
    """matcher against one bare OR-Tools flow on the same pairs, and against greedy and deferred acceptance."""
    bare = peers["bare"]
    lines = [
        f"Against one bare OR-Tools solve on the same relaxed network ({bare['arcs']:,} arcs, built in "
        f"{bare['build_seconds']:.2f} s): max flow **{bare['max_flow_seconds']:.2f} s** (value "
        f"{_num(bare['max_flow_value'])}), min-cost flow (`solve_max_flow_with_min_cost`, cost = metres) "
        f"**{bare['min_cost_flow_seconds']:.2f} s**; matcher end to end (load → export) **{total_s:.2f} s** = "
        f"**{total_s / bare['max_flow_seconds']:.1f}×** the bare max flow, "
        f"**{total_s / bare['min_cost_flow_seconds']:.2f}×** the bare min-cost flow.",
        "",
        "| who | placed | priority placed | mean km | seconds |",
        "|---|--:|--:|--:|--:|",
    ]
    for key, who in (
        ("ours", "matcher (optimal mode)"),
        ("greedy", "greedy nearest-first (priority first)"),
        ("deferred_acceptance", "students-propose deferred acceptance (stable mode)"),
    ):
        row = peers.get(key)
        if row:
            seconds = total_s if key == "ours" else row["seconds"]
            lines.append(
                f"| {who} | {_num(row['placed'])} | {_num(row['priority_placed'])} "
                f"| {_num(row['mean_km'], 2)} | {_num(seconds, 2)} |"
            )
    return lines


def level_table(objective: list[dict]) -> list[str]:
    """The summary's objective levels: value, bound and gap (``-`` where there is none)."""
    lines = ["| level | value | bound | gap |", "|---|--:|--:|--:|"]
    for row in objective:
        bound = "-" if row["bound"] is None else _num(row["bound"])
        gap = "-" if row["gap"] is None else f"{row['gap']:.4%}"
        lines.append(f"| {row['level']} | {_num(row['value'])} | {bound} | {gap} |")
    return lines


def scenario_report(name: str, label: str, steps: dict[str, dict]) -> str:
    """The markdown block of one scenario."""
    facts = steps.get("pipeline", {}).get("facts", {})
    out = [f"### {name}: {label}", "", *stage_table(steps), "", *facts_lines(facts)]
    if facts.get("objective"):
        out += ["", *level_table(facts["objective"])]
    peers = steps.get("peers", {}).get("facts", {})
    if peers.get("bare") and steps.get("pipeline", {}).get("stages"):
        total = sum(r["seconds"] for r in steps["pipeline"]["stages"] if r["stage"] != "start (imports)")
        out += ["", *peer_lines(peers, total)]
    relaxation = steps.get("relaxation", {}).get("facts", {}).get("relaxation")
    if relaxation:
        out += ["", *relaxation_lines(relaxation)]
    mip = _mip_outcome(steps.get("mip", {}))
    if mip and "objective" in facts:
        solve_s = next(r["seconds"] for r in steps["pipeline"]["stages"] if r["stage"] == "solve")
        out += ["", *mip_lines(mip, facts, solve_s)]
    return "\n".join(out) + "\n"
