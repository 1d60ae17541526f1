"""Plain-text tables of a summary for the terminal, in the ambient language (:func:`matcher.util.i18n.tr`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from matcher.domain.crosswalk import label
from matcher.objective import LEVELS, spec
from matcher.report.coverage import RADII_KM, Coverage, white_zone_counts
from matcher.solve.widen import NOT_WIDENED
from matcher.tables.reasons import REASON_LABELS
from matcher.util.i18n import Lang, mark, num, tr

__all__ = ["render_summary", "render_inputs"]

#: A level's sense (``summary.json``'s ``sense``) → the table's words.
_SENSES = {"max": mark("maximise"), "min": mark("minimise")}

#: ``summary.json``'s ``floors.source`` when the floors are not read from a file → what the line says.
_FLOOR_SOURCES = {"proportional": mark("the national target shared by seconde enrolment")}

#: The kinds of places not used (``summary.json``'s ``unused_places`` keys).
_UNUSED = {
    "no_eligible_request_in_range": mark("no eligible request in range"),
    "free_week_or_full_time_rule_mismatch": mark("free week or full-time rule mismatch"),
    "eligible_students_placed_elsewhere": mark("eligible students placed elsewhere"),
}


def _table(header: list[str], rows: Sequence[Sequence[object]]) -> str:
    """First column left-aligned, the others right-aligned; numbers the language's way (one decimal if not
    whole)."""
    lang = Lang()
    cells = [header] + [
        [lang.num(c, 1) if isinstance(c, (int, float)) and not isinstance(c, bool) else str(c) for c in row]
        for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]

    def fmt(r: list[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))

    return "\n".join([fmt(cells[0]), fmt(["-" * w for w in widths])] + [fmt(r) for r in cells[1:]])


def render_summary(summary: dict[str, Any]) -> str:
    """Counts, objective levels, places against the target, and per-académie figures."""
    lines = _count_lines(summary) + _reason_lines(summary)
    s, lang = summary["solver"], Lang()
    at = s["gap_level"]
    gap = lang.pct(s["gap"], 4) + (tr(" on “{level}”").format(level=_level_label(at)) if at else "")
    lines += [
        "",
        tr("Solver: {status} (gap {gap}), {method}").format(status=tr(s["status"]), gap=gap, method=tr(s["method"])),
        *_scope_lines(s, summary.get("parameters", {})),
        "",
    ]
    rows = [
        [
            _level_label(o["level"]),
            tr(_SENSES.get(o["sense"], o["sense"])),
            o["value"],
            "-" if o["bound"] is None else o["bound"],
            "-" if o["gap"] is None else lang.pct(o["gap"], 4),
            tr(o["unit"]),
            o["level"],
        ]
        for o in summary["objective"]
    ]
    header = [tr("level"), tr("sense"), tr("value"), tr("bound"), tr("gap"), tr("unit"), tr("name in policy.toml")]
    lines += [_table(header, rows), ""]
    lines += _academie_lines(summary)
    return "\n".join(lines + _gender_lines(summary.get("gender")) + _target_lines(summary.get("gender_target")))


def _level_label(name: str) -> str:
    """An objective level's label in the ambient language (its name for a level matcher does not know)."""
    return tr(spec(name).label) if name in LEVELS else name


def _count_lines(summary: dict[str, Any]) -> list[str]:
    """Students placed and not, and the place-weeks offered against the target."""
    c, cov, lang = summary["counts"], summary["coverage"], Lang()
    n = {k: lang.num(v) for k, v in c.items() if isinstance(v, int)}
    students = tr(
        "Students {students}: placed {placed} (full time {full}, split {split}, one week {one}), "
        "not placed {not_placed}"
    ).format(
        students=n["students"],
        placed=n["placed"],
        full=n["placed_full_time"],
        split=n["placed_split"],
        one=n["placed_one_week"],
        not_placed=n["not_placed"],
    )
    places = tr("Place-weeks: offered {offered} on {sites} sites (target {target} places: {met}), used {used}").format(
        offered=lang.num(round(2 * c["places_offered"])),
        sites=n["sites"],
        target=lang.num(cov["target_places"]),
        met=tr("met") if cov["offered_attains_target"] else tr("NOT met"),
        used=lang.num(round(2 * c["places_used"])),
    )
    return [students, places]


def _academie_lines(summary: dict[str, Any]) -> list[str]:
    """Per académie: students, placed, place-weeks; with floors, each académie's floor and what held it back."""
    rows: list[list[object]] = [
        [a["academie"], a["students"], a["placed"], a["not_placed"], round(2 * a["places_offered"])]
        + [round(2 * a["places_used"])]
        for a in summary["academies"]
    ]
    header = [tr("académie"), tr("students"), tr("placed"), tr("not placed"), tr("place-weeks offered")]
    header.append(tr("place-weeks used"))
    floors, lines = summary.get("floors"), []
    if floors:
        per = {f["academie"]: f for f in floors["academies"]}
        for r in rows:
            f = per.get(str(r[0]))
            r += [f["floor"], f["shortfall"], _held_back(f["held_back"])] if f else ["-", "-", "-"]
        header += [tr("floor"), tr("short"), tr("held back by")]
        line = tr(
            "Floors ({source}): {placed} of {total} students placed towards them; {below} académie(s) below floor"
        )
        lines.append(
            line.format(
                source=tr(_FLOOR_SOURCES[floors["source"]]) if floors["source"] in _FLOOR_SOURCES else floors["source"],
                placed=num(floors["placed_towards_floors"]),
                total=num(floors["total_floor"]),
                below=floors["academies_below_floor"],
            )
        )
    return lines + [_table(header, rows)]


def _held_back(cause: str) -> str:
    """What held an académie below its floor: a reason code or ``too few requests``, said in the language."""
    return tr(REASON_LABELS.get(cause, cause)) if cause else "-"


def _reason_lines(summary: dict[str, Any]) -> list[str]:
    """Places not used and the reasons for not placing, counted."""
    lang, lines = Lang(), []
    unused = summary.get("unused_places", {})
    if unused:
        said = lang.semicolon.join(f"{lang.num(round(2 * v))} {tr(_UNUSED.get(k, k))}" for k, v in unused.items())
        lines.append(tr("Place-weeks not used: {list}").format(list=said))
    if summary["unassigned_reasons"]:
        said = lang.semicolon.join(
            f"{lang.num(v)} {tr(REASON_LABELS.get(k, k))}" for k, v in summary["unassigned_reasons"].items()
        )
        lines.append(tr("Not placed: {list}").format(list=said))
    return lines


def _scope_lines(solver: dict[str, Any], parameters: dict[str, Any]) -> list[str]:
    """What the bounds hold over, and what widening capped candidate lists did (why not, in the reader's
    language: ``NOT_WIDENED`` with its numbers; a summary without the reason's key says ``skipped``)."""
    if "bounds_over" not in solver:
        return []
    lang = Lang()
    lines = [tr("Bounds proven over: {scope}").format(scope=tr(solver["bounds_over"]))]
    w = solver.get("widening")
    if w and w["skipped"]:
        why = w["skipped"]
        if w.get("skipped_reason") in NOT_WIDENED:
            why = tr(NOT_WIDENED[w["skipped_reason"]]).format(
                pairs=lang.num(w.get("eligible_pairs_estimate") or 0),
                limit=lang.num(parameters.get("max_widen_pairs") or 0),
            )
        lines.append(tr("Capped candidate lists not widened: {why}").format(why=why))
    elif w:
        lines.append(
            tr(
                "Capped candidate lists widened: {added} pairs added; most placed over all eligible pairs {all} "
                "(over the kept pairs {kept})"
            ).format(
                added=lang.num(w["pairs_added"]),
                all=lang.num(w["placed_bound_all_pairs"]),
                kept=lang.num(w["placed_bound_kept_pairs"]),
            )
        )
    return lines


def _gender_lines(gender: dict[str, Any] | None) -> list[str]:
    if not gender:
        return []
    lang = Lang()
    rows = [[label(t["trade"]), t["placed"], t["girls"], lang.pct(t["girls_share"], 0)] for t in gender["per_trade"]]
    share = "-" if gender["girls_share"] is None else lang.pct(gender["girls_share"], 0)
    return [
        "",
        tr("Girls among placed students of known gender: {share} ({girls} of {placed})").format(
            share=share, girls=lang.num(gender["girls"]), placed=lang.num(gender["placed_with_gender"])
        ),
        _table([tr("trade"), tr("placed"), tr("girls"), tr("girls' share")], rows),
    ]


def _target_lines(target: dict[str, Any] | None) -> list[str]:
    if not target:
        return []
    lang = Lang()
    head = tr("Gender target (at least {share} girls at sites with {places}+ places a week): ").format(
        share=lang.pct(target["target"], 0), places=target["site_min"]
    )
    if not target["site_weeks_short"]:
        return ["", head + tr("met everywhere")]
    why = lang.semicolon.join(f"{lang.num(n)} {tr(w)}" for w, n in target["why"].items() if n)
    return [
        "",
        head
        + tr(
            "{over} boy-weeks over it at {short} site-weeks ({why}); the list is in summary.json, gender_target"
        ).format(over=lang.num(target["boy_weeks_over"]), short=lang.num(target["site_weeks_short"]), why=why),
    ]


def render_inputs(students: pd.DataFrame, sites: pd.DataFrame) -> str:
    """Per-académie counts of located students and sites' place-weeks (before any allocation)."""
    req = students.groupby("academie").size()
    weeks = sites.assign(p=sites["capacity_week_1"] + sites["capacity_week_2"]).groupby("academie")["p"].sum()
    names = sorted(set(req.index) | set(weeks.index))
    rows = [[a or tr("(none)"), int(req.get(a, 0)), int(weeks.get(a, 0))] for a in names]
    return _table([tr("académie"), tr("students"), tr("place-weeks offered")], rows)


def render_coverage(cov: Coverage) -> str:
    """Plain-text coverage for the terminal: target attainment, shares, per académie, and every white zone."""
    lines = [*_coverage_head(cov.national), "", *_coverage_academies(cov.academies), ""]
    if len(cov.white_zones):
        rows = [
            [w.academie, w.uai, str(w.name)[:40], w.seconde_gt_students, w.nearest_place_km]
            for w in cov.white_zones.itertuples(index=False)
        ]
        header = [tr("académie"), "uai", tr("lycée"), tr("seconde students"), tr("nearest place km")]
        lines += [tr("White zones:"), _table(header, rows)]
    return "\n".join(lines)


def _coverage_head(n: dict[str, Any]) -> list[str]:
    """Place-weeks against the target, shares within reach, white zones: national figures in three lines."""
    lang = Lang()

    def figure(key: str) -> float:
        return float(n[key] or 0)

    shares = " / ".join(lang.pct(figure(f"share_within_{r}km")) for r in RADII_KM)
    return [
        tr("Place-weeks offered: {weeks} on {sites} sites; target {target} places: {share} ({met})").format(
            weeks=lang.num(round(2 * figure("places_offered"))),
            sites=lang.num(figure("sites")),
            target=lang.num(figure("target_places")),
            share=lang.pct(figure("target_attainment")),
            met=tr("met") if n["target_met"] else tr("NOT met"),
        ),
        tr("Seconde students ({students}) with a place within {radii} km: {shares}").format(
            students=lang.num(figure("seconde_students")), radii=" / ".join(map(str, RADII_KM)), shares=shares
        ),
        tr("White zones (no place within {km} km): {zones}").format(
            km=lang.num(figure("white_zone_km"), 1), zones=white_zone_counts(n, lang)
        ),
    ]


def _coverage_academies(academies: pd.DataFrame) -> list[str]:
    """Per académie: sites, place-weeks and fair share, seconde students, shares within reach, white zones."""
    lang = Lang()
    table = academies.fillna(0).assign(
        weeks_offered=lambda t: (2 * t["places_offered"]).round().astype(int),
        weeks_fair_share=lambda t: (2 * t["fair_share_places"]).round().astype(int),
    )
    rows = [
        [a.academie or tr("(none)"), a.sites, a.weeks_offered, a.weeks_fair_share, a.seconde_students]
        + [lang.pct(getattr(a, f"share_within_{r}km")) for r in RADII_KM]
        + [a.white_zone_lycees]
        for a in table.itertuples(index=False)
    ]
    header = [tr("académie"), tr("sites"), tr("place-weeks"), tr("fair share (place-weeks)"), tr("seconde students")]
    return [_table(header + [f"≤{r} km" for r in RADII_KM] + [tr("white zones")], rows)]
