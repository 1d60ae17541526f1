"""Helpers of the trust tests (tests/trust/): running the real command line, snapshots of files, inert cells.

A run's promises (docs/security.md): exit status 0 or 2 only, no traceback, nothing written on 2, no input touched,
every exported text cell inert.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from pathlib import Path

from click.testing import CliRunner, Result

from matcher.cli.main import main

ROOT = Path(__file__).resolve().parent
GOOD_STUDENTS = ROOT / "bad_inputs" / "good_students.csv"
GOOD_SITES = ROOT / "bad_inputs" / "good_sites.csv"
#: What a spreadsheet reads as a formula at the start of a cell.
LIVE = ("=", "+", "-", "@", "\t", "\r")


def invoke(*args: object) -> Result:
    """``matcher ARGS`` in this process (click's runner), stdout and stderr together."""
    return CliRunner().invoke(main, [str(a) for a in args])


def snapshot(paths: Iterable[Path]) -> dict[Path, str]:
    """SHA-256 of each existing file (links followed): compared before and after a run."""
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def tree(folder: Path) -> list[str]:
    """Every path under ``folder`` (hidden ones included), relative, sorted."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def live_cells(path: Path) -> list[str]:
    """The text cells of a CSV file that a spreadsheet would read as a formula (none expected)."""
    text = path.read_text(encoding="utf-8-sig")
    return [
        cell for row in csv.reader(io.StringIO(text)) for cell in row if cell.startswith(LIVE) and not _number(cell)
    ]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_promises(result: Result, out: Path, before: dict[Path, str]) -> None:
    """Exit 0 or 2, no traceback, nothing written on 2, the inputs untouched, every CSV cell written inert."""
    assert result.exit_code in (0, 2), result.output[-2000:]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert snapshot(before) == before, "an input file was changed"
    if result.exit_code == 2:
        assert not out.exists() or tree(out) == [], tree(out)
    for written in out.rglob("*.csv") if out.exists() else []:
        assert live_cells(written) == [], (written.name, live_cells(written)[:5])
