"""The hostile-file generator: random mixes of every hostile feature (formulas, HTML, invisible and control
characters, NUL, decomposed accents, long cells, huge and non-finite numbers, swapped coordinates, duplicate and
near-duplicate ids, odd headers) written as CSV, XLSX and ODS, given to real commands. Whatever the mix:

exit status 0 or 2 only, no traceback, nothing written on 2, no input touched, every exported text cell inert,
and the process's peak memory grows by less than a cap.
"""

from __future__ import annotations

import io
import resource
import unicodedata

import pandas as pd
import pytest
from hostile import GOOD_SITES, assert_promises, invoke, snapshot
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

KEY = "a-long-secret-key-kept-by-the-officer"
MEMORY_CAP_MB = 400  # growth of the peak resident memory of this process during one example

HOSTILE = [
    '=HYPERLINK("http://example.invalid","x")',
    "@SUM(1+1)",
    "-cmd|' /C calc'!A0",
    "+1+2",
    "'=A1",
    '<img src=x onerror="top.__pwned=1">',
    "</script><script>alert(1)</script>",
    "\ufeffE1",
    "E1\u200b",
    "E\u20601",
    "E\u0301",
    "\u00c9",
    "a\x00b",
    "a\x07b",
    "\u202eevil",
    "x" * 20_000,
    "9" * 400,
    "1e400",
    "nan",
    "-inf",
    "",
    " ",
    "E1",
    "E1",
]
#: Text that loads (an id, a group, a trade may be anything but a formula): it must come out inert and unchanged.
ACCEPTED = ["'=A1", "''x", "<b>x</b>", '<img src=x onerror="top.__pwned=1">', "É\u0301", "a|b"]
PLAIN = {
    "student_id": st.sampled_from(["E1", "E2", "E3", "e1", "P-1", "É4"]),
    "commune_insee": st.sampled_from(["69381", "75105", "2A004", "97411", "69381", "75105"]),
    "sectors": st.sampled_from(["electricite", "numerique|electricite", "", "Électricité"]),
    "max_km": st.sampled_from(["30", "12,5", "25", ""]),
    "group_id": st.sampled_from(["", "G1", "<i>G</i>", "'@G"]),
    "weeks": st.sampled_from(["both", "week_1", "week_2", ""]),
}
HEADERS = {name: st.sampled_from([name, name.upper(), f"\ufeff{name}", f"{name}\u200b", f" {name} "]) for name in PLAIN}


@st.composite
def tables(draw) -> pd.DataFrame:
    """Students tables: mostly loadable, with hostile cells (one in 12) and odd but accepted text (one in 6)."""
    columns = ["student_id", "commune_insee"]
    columns += draw(st.lists(st.sampled_from(sorted(set(PLAIN) - set(columns))), max_size=4, unique=True))
    n = draw(st.integers(1, 6))

    def cell(column: str, row: int) -> str:
        pick = draw(st.integers(0, 11))
        if pick == 0:
            return draw(st.sampled_from(HOSTILE))
        if pick <= 2 and column not in ("commune_insee", "max_km", "weeks"):
            return draw(st.sampled_from(ACCEPTED)) + (str(row) if column == "student_id" else "")
        return f"E{row}" if column == "student_id" else draw(PLAIN[column])

    return pd.DataFrame({draw(HEADERS[c]): [cell(c, i) for i in range(n)] for c in columns}, dtype=object)


def _xml_safe(value: object) -> object:
    """What a spreadsheet can hold: XML has no NUL or control characters (a real XLSX/ODS never does)."""
    if not isinstance(value, str):
        return value
    return "".join(ch for ch in value if unicodedata.category(ch) != "Cc" or ch in "\t\n")


def write(table: pd.DataFrame, form: str, folder) -> object:
    path = folder / f"students.{form}"
    if form == "csv":
        path.write_bytes(table.to_csv(index=False).encode("utf-8"))
    else:
        safe = table.map(_xml_safe).rename(columns=_xml_safe)
        buffer = io.BytesIO()
        safe.to_excel(buffer, index=False, engine="openpyxl" if form == "xlsx" else "odf")
        path.write_bytes(buffer.getvalue())
    return path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("hostile")


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables(), form=st.sampled_from(["csv", "xlsx", "ods"]), command=st.sampled_from(["allocate", "pseudo"]))
def test_hostile_files_keep_every_promise(root, table, form, command, monkeypatch):
    monkeypatch.setenv("MATCHER_PSEUDONYM_KEY", KEY)
    for old in root.rglob("*"):
        if old.is_file():
            old.unlink()
    path = write(table, form, root)
    before, start = snapshot([path, GOOD_SITES]), peak_mb()
    if command == "allocate":
        out = root / "out"
        result = invoke("allocate", "--students", path, "--sites", GOOD_SITES, "--out", out)
        assert_promises(result, out, before)
    else:
        out = root / "pseudo"
        out.mkdir(exist_ok=True)
        result = invoke("pseudonymize", "--students", path, "--out", out / "students.csv")
        assert_promises(result, out, before)
    event(f"{command} {form} exit {result.exit_code}")
    assert peak_mb() - start < MEMORY_CAP_MB
