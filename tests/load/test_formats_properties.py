"""Property: any contract table written through any supported format (CSV in UTF-8, UTF-8 with BOM, UTF-16 or
Windows-1252 with ``,``, ``;`` or tab; .xlsx; .xlsm; .xls; .ods) and read back gives the same clean table."""

from __future__ import annotations

import warnings

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from officers import write_csv, write_ods, write_xls, write_xlsx

from matcher.domain.sectors import SECTORS
from matcher.load.table import read_table

HEADER = ["site_id", "company", "commune_insee", "postal_code", "capacity", "sectors", "accessible", "max_group_size"]
COMMUNES = ["69381", "75105", "13055", "01001", "2A004", "97411", ""]
POSTAL = ["", "01000", "69001", "97400"]
LETTERS = "abcdefghijklmnopqrstuvwxyzÉéèàçô ABCDEFGHIJKLMNOPQRSTUVWXYZ'-"

#: Name → writer of (header, rows) to a path.
WRITERS = {
    "utf8.csv": lambda p, h, r: write_csv(p, h, r),
    "bom_semicolon.csv": lambda p, h, r: write_csv(p, h, r, sep=";", encoding="utf-8-sig"),
    "utf16_tab.csv": lambda p, h, r: write_csv(p, h, r, sep="\t", encoding="utf-16"),
    "cp1252_semicolon.csv": lambda p, h, r: write_csv(p, h, r, sep=";", encoding="cp1252"),
    "book.xlsx": lambda p, h, r: write_xlsx(p, {"Sites": [h, *r]}),
    "book.xlsm": lambda p, h, r: write_xlsx(p, {"Sites": [h, *r]}),
    "book.xls": lambda p, h, r: write_xls(p, [h, *r]),
    "book.ods": lambda p, h, r: write_ods(p, {"Sites": [h, *r]}),
}


@st.composite
def site_rows(draw) -> list[list[object]]:
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        company = draw(
            st.text(LETTERS, min_size=1, max_size=12).filter(lambda t: t.strip() and t.strip()[0] not in "-'")
        )
        trades = draw(st.lists(st.sampled_from(sorted(SECTORS)), max_size=3, unique=True))
        commune, postal = draw(st.sampled_from(COMMUNES)), draw(st.sampled_from(POSTAL))
        rows.append(
            [
                f"S{i}",
                company.strip(),
                commune,
                postal if postal or commune else "69001",
                draw(st.integers(0, 40)),
                "|".join(trades),
                draw(st.sampled_from(["true", "false"])),
                draw(st.integers(1, 5)),
            ]
        )
    return rows


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=site_rows())
def test_any_sites_table_reads_back_the_same_through_every_format(tmp_path_factory, rows):
    _reads_back_the_same(tmp_path_factory.mktemp("formats"), HEADER, rows, "sites")


STUDENT_HEADER = ["student_id", "commune_insee", "sectors", "weeks", "split_ok", "max_km", "priority"]


@st.composite
def student_rows(draw) -> list[list[object]]:
    n = draw(st.integers(1, 6))
    return [
        [
            f"E{i}",
            draw(st.sampled_from([c for c in COMMUNES if c])),
            "|".join(draw(st.lists(st.sampled_from(sorted(SECTORS)), max_size=3, unique=True))),
            draw(st.sampled_from(["both", "week_1", "week_2"])),
            draw(st.sampled_from(["true", "false"])),
            draw(st.sampled_from([5, 12.5, 30, 100])),
            draw(st.sampled_from(["true", "false"])),
        ]
        for i in range(n)
    ]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=student_rows())
def test_any_students_table_reads_back_the_same_through_every_format(tmp_path_factory, rows):
    _reads_back_the_same(tmp_path_factory.mktemp("formats"), STUDENT_HEADER, rows, "students")


def _reads_back_the_same(folder, header: list[str], rows: list[list[object]], kind: str) -> None:
    """The table written through every format reads back exactly as its plain CSV does, without a problem."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain, problems = read_table(write_csv(folder / "plain.csv", header, rows), kind)
        assert problems == []
        for name, write in WRITERS.items():
            table, problems = read_table(write(folder / name, header, rows), kind)
            assert problems == [], name
            pd.testing.assert_frame_equal(table, plain, obj=name)
