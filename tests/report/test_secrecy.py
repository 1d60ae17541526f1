"""Statistical secrecy: from everything published together, no suppressed count or share can be recovered.

The property test plays the attacker on random committee tables: it takes every published figure (counts, and the
counts the published shares give back: girls = share × hosted), writes every relation it knows (each column sums
to its national total; girls + boys = priority + non-priority = hosted) and solves for the hidden cells: a hidden
cell is recovered when its unit vector lies in the row space of the relations (linear algebra, not a heuristic).
The browser test reads the committee chart of the demo's report in headless Chromium: a suppressed cell of the
table is never a bar nor a value in the chart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linear import determined

from matcher.report.committee import committee_figures
from matcher.report.committeeview import CHART_SERIES
from matcher.report.secrecy import NATIONAL, suppress

_KINDS = ("h", "g", "b", "p", "q")  # hosted, girls, boys, priority, non-priority


def _figures(rows: list[tuple[int, int, int]]) -> pd.DataFrame:
    """Committee figures for académies of (hosted, girls, priority), each student full time, everyone's gender
    known; the national row is the exact sum (the attacker's best case)."""
    rows = rows + [tuple(sum(c) for c in zip(*rows))]
    h, g, p = (np.array(c, float) for c in zip(*rows))
    table = pd.DataFrame(
        {
            "academie": [f"A{i}" for i in range(len(rows) - 1)] + [NATIONAL],
            "places_offered": h + 10,
            "places_used": h,
            "students_hosted": h.astype(int),
            "girls": pd.array(g.astype(int), "Int64"),
            "boys": pd.array((h - g).astype(int), "Int64"),
            "priority": pd.array(p.astype(int), "Int64"),
        }
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        table["girls_share"] = np.where(h > 0, g / h, np.nan)
        table["priority_share"] = np.where(h > 0, p / h, np.nan)
    table["fill_rate"] = h / (h + 10)
    return table


def _true_counts(fig: pd.DataFrame) -> dict[tuple[str, int], float]:
    h, g, p = (fig[c].astype(float).to_numpy() for c in ("students_hosted", "girls", "priority"))
    return {(k, r): v[r] for k, v in zip(_KINDS, (h, g, h - g, p, h - p)) for r in range(len(fig))}


def _published_counts(secret) -> dict[tuple[str, int], float]:
    """Every count the published table gives away: hosted (also fill rate × offered), and the shares × hosted."""
    known = {}
    hosted, girls, prio = (secret.shown(c) for c in ("students_hosted", "girls_share", "priority_share"))
    fill, offered = secret.shown("fill_rate"), secret.values["places_offered"].to_numpy(float)
    for r in range(len(secret.values)):
        h = hosted[r] if hosted[r] is not None else (round(fill[r] * offered[r]) if fill[r] is not None else None)
        if h is None:
            continue
        known[("h", r)] = h
        if girls[r] is not None:
            known[("g", r)], known[("b", r)] = round(girls[r] * h), h - round(girls[r] * h)
        if prio[r] is not None:
            known[("p", r)], known[("q", r)] = round(prio[r] * h), h - round(prio[r] * h)
    return known


def _recoverable(n_rows: int, known: dict) -> set[tuple[str, int]]:
    """The unknown cells that the linear relations of the table determine."""
    unknown = [(k, r) for k in _KINDS for r in range(n_rows) if (k, r) not in known]
    relations = []
    national = n_rows - 1
    for k in _KINDS:  # column sums: locals − national = 0
        relations.append({(k, r): 1.0 for r in range(national)} | {(k, national): -1.0})
    for r in range(n_rows):  # g + b − h = 0, p + q − h = 0
        relations += [{("g", r): 1.0, ("b", r): 1.0, ("h", r): -1.0}, {("p", r): 1.0, ("q", r): 1.0, ("h", r): -1.0}]
    return set(determined(relations, unknown))


_ROW = st.integers(0, 30).flatmap(lambda h: st.tuples(st.just(h), st.integers(0, h), st.integers(0, h)))


@settings(max_examples=200, deadline=None)
@given(st.lists(_ROW, min_size=1, max_size=7))
def test_no_suppressed_count_or_share_can_be_recovered_from_the_published_table(rows):
    fig = _figures(rows)
    secret = suppress(fig)
    truth, known = _true_counts(fig), _published_counts(secret)
    assert all(truth[cell] == v for cell, v in known.items())  # what is shown is true
    small = {cell for cell, v in truth.items() if 0 < v < 5}
    assert not small & known.keys(), "a count of 1–4 is published"
    leaked = small & _recoverable(len(fig), known)
    assert not leaked, f"recovered from the totals: {sorted(leaked)}"
    table = secret.table()  # the CSV form shows exactly the same cells
    for col in ("girls_share", "priority_share", "fill_rate"):
        assert ((table[col] == "s") == secret.hidden[col]).all()


def test_a_lone_small_academie_hides_the_national_total_when_there_is_no_other():
    secret = suppress(_figures([(3, 1, 0)]))
    assert secret.hidden["students_hosted"].tolist() == [True, True]


def test_hand_counted_secondary_suppression():
    # A: 2 girls of 12 and B: 4 boys of 10 (primary on both girls' shares); C: 9 girls of 20. Two académies are
    # hidden in the line: nothing more. Priority: A 6/12, B 5/10, C 0/20 — nothing small, nothing hidden.
    secret = suppress(_figures([(12, 2, 6), (10, 6, 5), (20, 9, 0)]))
    assert secret.hidden["girls_share"].tolist() == [True, True, False, False]
    assert not secret.hidden["priority_share"].any() and not secret.hidden["students_hosted"].any()
    # only A small (1 priority student): the smallest non-zero other (B, 5) is hidden with it, C (0) is not
    secret = suppress(_figures([(12, 6, 1), (10, 5, 5), (20, 10, 0)]))
    assert secret.hidden["priority_share"].tolist() == [True, True, False, False]


# --- the chart in a real browser draws only what the table shows -------------------------------------------


@pytest.mark.parametrize("lang", ["fr"])
def test_committee_chart_shows_nothing_the_table_suppresses(published_demo, lang):
    from playwright.sync_api import sync_playwright
    from test_report import CHROMIUM, CHROMIUM_ARGS

    secret = suppress(committee_figures(_read(published_demo)))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(offline=True).new_page()
        page.goto((published_demo / "report.html").as_uri(), wait_until="load")
        seen = page.evaluate("""() => {
            const rows = [...document.querySelectorAll("#committee tbody tr")].map(
                tr => [...tr.querySelectorAll("td")].map(td => td.textContent));
            const chart = {};
            for (const g of document.querySelectorAll("#chart-committee g[id^='chart-committee-']")) {
                const r = g.getBoundingClientRect();
                chart[g.id] = {text: g.textContent.trim(), width: r.width};
            }
            return {rows, chart};
        }""")
        frame = page.frame_locator("#site-map")
        legend = frame.locator("#map-legend").inner_text()
        control = frame.locator(".leaflet-control-layers").get_attribute("class")
        browser.close()
    assert "site complet" in legend and "zone blanche" in legend  # the interactive map's legend, in French
    assert "expanded" not in control  # the layer control is folded: it does not hide the map
    local = secret.values.index[secret.local]
    assert len(seen["rows"]) == len(secret.values) and len(local) > 20
    column = {"fill_rate": 5, "girls_share": 3}  # columns of the committee table
    hidden_cells = 0
    for k, col in enumerate(CHART_SERIES):
        for i, row in enumerate(local):
            label, bar = seen["chart"][f"chart-committee-v-{k}-{i}"], seen["chart"][f"chart-committee-b-{k}-{i}"]
            cell = seen["rows"][row][column[col]]
            if secret.hidden.loc[row, col]:
                hidden_cells += 1
                assert cell == "s" and label["text"] == "s" and bar["width"] < 0.5, (row, col, label, bar)
            else:
                assert cell not in ("s", "<5") and label["text"] != "s"
                assert float(cell.replace("\u00a0%", "").replace(",", ".")) == pytest.approx(
                    float(label["text"].replace("\u00a0%", "").replace(",", ".")), abs=0.51
                )
    assert hidden_cells >= 5  # the demo has small académies: the test looks at real suppressed cells


def _read(folder):
    from matcher.report import read_allocation

    return read_allocation(folder)


@settings(max_examples=25, deadline=None)
@given(st.lists(_ROW, min_size=2, max_size=6))
def test_the_chart_draws_only_what_the_table_shows(rows):
    from matcher.report.committeeview import committee_chart
    from matcher.util.i18n import Lang

    secret = suppress(_figures(rows))
    fig = committee_chart(secret, Lang("fr"))
    ax = fig.axes[0]
    bars = {p.get_gid(): p.get_width() for p in ax.patches}
    labels = {t.get_gid(): t.get_text() for t in ax.texts}
    for k, col in enumerate(CHART_SERIES):
        for i, value in enumerate(secret.shown(col)[:-1]):  # the académies (the national row is not drawn)
            bar, label = bars[f"chart-committee-b-{k}-{i}"], labels[f"chart-committee-v-{k}-{i}"]
            if secret.hidden[col].iloc[i]:
                assert bar == 0 and label == "s"
            elif value is None:
                assert bar == 0 and label == ""
            else:
                assert bar == pytest.approx(value) and label == Lang("fr").pct(value, 0)
