"""The summary's sections added after ``build_summary``, and how académie parts merge into one.

Each section that is not simply the same in every part has its merge rule in :data:`MERGES` (the sums, the
recomputed means): an académie batch merges every section through :func:`merge_section`, with no special case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from matcher.result import Status

__all__ = ["MERGES", "merge_section", "ordered_keys"]

_MEANS = {"distance_km_mean": ("distance_km_total", 3), "preference_rank_mean": ("preference_rank_sum", 4)}


def ordered_keys(dicts: list[dict[str, Any]]) -> list[str]:
    """Every key of ``dicts``, in first-seen order."""
    return list(dict.fromkeys(k for d in dicts for k in d))


def merge_section(key: str, values: list[tuple[str, Any]]) -> Any:
    """One section from the parts' ``(academie, section)`` values: its merge rule in :data:`MERGES`, else the
    common value when every part has the same, else the values by académie."""
    present = [v for _, v in values if v is not None]
    if key in MERGES:
        return MERGES[key](present)
    if not present:  # a section no part has
        return None
    if all(v == present[0] for v in present):
        return present[0]
    return {a: v for a, v in sorted(values, key=lambda x: x[0])}


def _unused_places(parts: list[dict[str, float]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for v in parts:
        for k, x in v.items():
            total[k] = total.get(k, 0.0) + x
    return {k: float(total[k]) for k in sorted(total) if total[k] > 0}


def _blocking_pairs(parts: list[int]) -> int:
    return int(sum(parts))


def _gender_target(parts: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not parts:  # no gender target in the policy
        return None
    return {
        **parts[0],
        "boy_weeks_over": sum(v["boy_weeks_over"] for v in parts),
        "site_weeks_short": sum(v["site_weeks_short"] for v in parts),
        "why": {w: sum(v["why"][w] for v in parts) for w in parts[0]["why"]},
        "sites": sorted((r for v in parts for r in v["sites"]), key=lambda r: (-r["over"], r["site_id"], r["week"])),
    }


def _price_of_stability(parts: list[dict[str, Any]]) -> dict[str, Any]:
    stable = _merge_figures([p["stable"] for p in parts])
    optimal = _merge_figures([p["optimal"] for p in parts])
    ok = all(p["optimal_status"] == Status.OPTIMAL.value for p in parts)
    return {
        "stable": stable,
        "optimal": optimal,
        "optimal_status": Status.OPTIMAL.value if ok else Status.FEASIBLE.value,
        "difference": {
            k: None if stable[k] is None or optimal[k] is None else round(stable[k] - optimal[k], 4) for k in stable
        },
    }


def _merge_figures(figures: list[dict[str, Any]]) -> dict[str, Any]:
    """Sums of ``placement_figures`` dicts; means recomputed over the summed student-weeks."""
    out: dict[str, Any] = {}
    for key in ordered_keys(figures):
        if key not in _MEANS:
            out[key] = sum(f.get(key) or 0 for f in figures)
    for key in ("distance_km_total",):
        if key in out:
            out[key] = round(out[key], 3)
    weeks = out.get("student_weeks", 0)
    for key, (total, digits) in _MEANS.items():
        if key in ordered_keys(figures):
            out[key] = round(out[total] / weeks, digits) if weeks else None
    return {k: out[k] for k in ordered_keys(figures)}


#: Per section name, how the parts' values (those present) merge into one.
MERGES: dict[str, Callable[[list[Any]], Any]] = {
    "unused_places": _unused_places,
    "blocking_pairs": _blocking_pairs,
    "gender_target": _gender_target,
    "price_of_stability": _price_of_stability,
}
