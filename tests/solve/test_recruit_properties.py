"""Recruitment guidance on random small instances, against a brute-force re-solve by the real engine: one more
place at a site the guidance does not list leaves the ``placed`` bound unchanged; at a listed site it grows by
exactly ``first_place``; the plan's places together add exactly its total."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from matcher.pipeline.allocate import allocate
from matcher.pipeline.recruit import recruit

from strategies import SETTINGS, instances, tables


def _bound(students, sites, config) -> float:
    return float(allocate(students, sites, config).summary["objective"][0]["bound"])


def _plus(sites, site_ids, count=None):
    """``sites`` with one more place (in each week it offers) per occurrence of a site id."""
    out = sites.copy()
    for sid in site_ids:
        i = int(np.flatnonzero(out["site_id"].to_numpy() == sid)[0])
        for col in ("capacity_week_1", "capacity_week_2"):
            if out.at[i, col] > 0:
                out.at[i, col] += 1
    return out


@settings(max_examples=8, **SETTINGS)
@given(instances())
def test_listed_sites_and_only_they_raise_the_bound(instance):
    students, sites, config = tables(instance)
    rec = recruit(students, sites, config, top=3)
    before = _bound(students, sites, config)
    assert rec.figures["placed_bound"] == before
    first = dict(zip(rec.sites["site_id"], rec.sites["first_place"]))
    offering = sites[(sites["capacity_week_1"] > 0) | (sites["capacity_week_2"] > 0)]
    for sid in offering["site_id"]:
        assert _bound(students, _plus(sites, [sid]), config) - before == first.get(sid, 0), sid
    plan = rec.sites[rec.sites["plan_places"] > 0]
    ids = [sid for sid, k in zip(plan["site_id"], plan["plan_places"]) for _ in range(k)]
    assert _bound(students, _plus(sites, ids), config) - before == rec.figures["plan_students"]
