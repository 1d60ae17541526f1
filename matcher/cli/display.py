"""Plain-text tables of a summary for the terminal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from matcher.report.coverage import RADII_KM, Coverage

__all__ = ["render_summary", "render_inputs"]


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    """First column left-aligned, the others right-aligned; numbers with thousands separators (one decimal if not
    whole)."""
    cells = [header] + [
        [
            f"{c:,.1f}"
            if isinstance(c, float) and c != int(c)
            else (f"{int(c):,}" if isinstance(c, (int, float)) else str(c))
            for c in row
        ]
        for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def fmt(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]])


def render_summary(summary: dict[str, Any]) -> str:
    """Counts, objective levels, places against the target, and per-académie figures."""
    c, cov = summary["counts"], summary["coverage"]
    lines = [
        f"Students {c['students']:,}: placed {c['placed']:,} (full time {c['placed_full_time']:,}, split "
        f"{c['placed_split']:,}, one week {c['placed_one_week']:,}), not placed {c['not_placed']:,}",
        f"Places: offered {c['places_offered']:,.1f} on {c['sites']:,} sites (target {cov['target_places']:,}: "
        f"{'met' if cov['offered_attains_target'] else 'NOT met'}), used {c['places_used']:,.1f}",
    ]
    unused = summary.get("unused_places", {})
    if unused:
        lines.append("Places not used: " + "; ".join(f"{v:,.1f} {k.replace('_', ' ')}" for k, v in unused.items()))
    if summary["unassigned_reasons"]:
        lines.append("Not placed: " + "; ".join(f"{v:,} {k}" for k, v in summary["unassigned_reasons"].items()))
    s = summary["solver"]
    lines += [
        "",
        f"Solver: {s['status']} (gap {s['gap']:.4%}"
        + (f" on {s['gap_level']}" if s["gap_level"] else "")
        + f"), {s['method']}",
        *_scope_lines(s),
        "",
    ]
    rows = [
        [
            o["level"],
            o["sense"],
            o["value"],
            "-" if o["bound"] is None else o["bound"],
            "-" if o["gap"] is None else f"{o['gap']:.4%}",
            o["unit"],
        ]
        for o in summary["objective"]
    ]
    lines += [_table(["level", "sense", "value", "bound", "gap", "unit"], rows), ""]
    rows = [
        [a["academie"], a["students"], a["placed"], a["not_placed"], a["places_offered"], a["places_used"]]
        for a in summary["academies"]
    ]
    header = ["académie", "students", "placed", "not placed", "places offered", "places used"]
    floors = summary.get("floors")
    if floors:
        per = {f["academie"]: f for f in floors["academies"]}
        rows = [
            r
            + (
                [per[r[0]]["floor"], per[r[0]]["shortfall"], per[r[0]]["held_back"] or "-"]
                if r[0] in per
                else ["-", "-", "-"]
            )
            for r in rows
        ]
        header += ["floor", "short", "held back by"]
        lines.append(
            f"Floors ({floors['source']}): {floors['placed_towards_floors']:,} of {floors['total_floor']:,} "
            f"students placed towards them; {floors['academies_below_floor']} académie(s) below floor"
        )
    lines.append(_table(header, rows))
    return "\n".join(lines + _gender_lines(summary.get("gender")) + _target_lines(summary.get("gender_target")))


def _scope_lines(solver: dict[str, Any]) -> list[str]:
    """What the bounds hold over, and what widening capped candidate lists did."""
    if "bounds_over" not in solver:
        return []
    lines = [f"Bounds proven over: {solver['bounds_over']}"]
    w = solver.get("widening")
    if w and w["skipped"]:
        lines.append(f"Capped candidate lists not widened: {w['skipped']}")
    elif w:
        lines.append(
            f"Capped candidate lists widened: {w['pairs_added']:,} pairs added; most placed over all "
            f"eligible pairs {w['placed_bound_all_pairs']:,} (over the kept pairs "
            f"{w['placed_bound_kept_pairs']:,})"
        )
    return lines


def _gender_lines(gender: dict[str, Any] | None) -> list[str]:
    if not gender:
        return []
    rows = [[t["trade"], t["placed"], t["girls"], f"{t['girls_share']:.0%}"] for t in gender["per_trade"]]
    share = "-" if gender["girls_share"] is None else f"{gender['girls_share']:.0%}"
    return [
        "",
        f"Girls among placed students of known gender: {share} ({gender['girls']:,} of "
        f"{gender['placed_with_gender']:,})",
        _table(["trade", "placed", "girls", "girls' share"], rows),
    ]


def _target_lines(target: dict[str, Any] | None) -> list[str]:
    if not target:
        return []
    head = f"Gender target (at least {target['target']:.0%} girls at sites with {target['site_min']}+ places a week): "
    if not target["site_weeks_short"]:
        return ["", head + "met everywhere"]
    why = "; ".join(f"{n} {w}" for w, n in target["why"].items() if n)
    return [
        "",
        head + f"{target['boy_weeks_over']:,} boy-weeks over it at {target['site_weeks_short']:,} "
        f"site-weeks ({why}); the list is in summary.json, gender_target",
    ]


def render_inputs(students: pd.DataFrame, sites: pd.DataFrame) -> str:
    """Per-académie counts of located students and sites' places (before any allocation)."""
    req = students.groupby("academie").size()
    places = sites.assign(p=(sites["capacity_week_1"] + sites["capacity_week_2"]) / 2).groupby("academie")["p"].sum()
    names = sorted(set(req.index) | set(places.index))
    rows = [[a or "(none)", int(req.get(a, 0)), float(places.get(a, 0.0))] for a in names]
    return _table(["académie", "students", "places offered"], rows)


def render_coverage(cov: Coverage) -> str:
    """Plain-text coverage for the terminal: target attainment, shares, per académie, and every white zone."""
    n = cov.national
    shares = " / ".join(f"{n[f'share_within_{r}km']:.1%}" for r in RADII_KM)
    lines = [
        f"Places offered: {n['places_offered']:,.1f} on {n['sites']:,} sites; target {n['target_places']:,}: "
        f"{n['target_attainment']:.1%} ({'met' if n['target_met'] else 'NOT met'})",
        f"Seconde students ({n['seconde_students']:,}) with a place within "
        f"{' / '.join(f'{r}' for r in RADII_KM)} km: {shares}",
        f"White zones (no place within {n['white_zone_km']:g} km): {n['white_zone_lycees']:,} lycées, "
        f"{n['white_zone_students']:,} seconde students",
        "",
    ]
    rows = [
        [
            a.academie or "(none)",
            a.sites,
            a.places_offered,
            a.fair_share_places,
            a.seconde_students,
            *(f"{getattr(a, f'share_within_{r}km'):.1%}" for r in RADII_KM),
            a.white_zone_lycees,
        ]
        for a in cov.academies.fillna(0).itertuples(index=False)
    ]
    lines += [
        _table(
            [
                "académie",
                "sites",
                "places",
                "fair share",
                "seconde students",
                *(f"≤{r} km" for r in RADII_KM),
                "white zones",
            ],
            rows,
        ),
        "",
    ]
    if len(cov.white_zones):
        rows = [
            [w.academie, w.uai, str(w.name)[:40], w.seconde_gt_students, w.nearest_place_km]
            for w in cov.white_zones.itertuples(index=False)
        ]
        lines += ["White zones:", _table(["académie", "uai", "lycée", "seconde students", "nearest place km"], rows)]
    return "\n".join(lines)
