"""Writing an allocation's files: ``assignments.csv``, ``unassigned.csv``, ``summary.json`` (and ``run.json``).

The files are published as one set (:func:`matcher.export.atomic.publish`): a run killed at any moment leaves the
previous complete set or the new one, never a mix, and files in the folder that matcher did not write are kept.
The three contract files are byte-identical for the same inputs, configuration and seed; ``run.json`` holds what
varies between runs (timings per stage).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict

import pandas as pd

from matcher.errors import MatcherWarning
from matcher.export.atomic import publish
from matcher.export.csvstyle import csv_bytes
from matcher.result import Result
from matcher.util.i18n import tr

__all__ = ["write_outputs", "file_digest", "write_atomic", "write_through", "FileDigest"]


class FileDigest(TypedDict):
    """An input file as the summary records it."""

    file: str
    sha256: str


def file_digest(path: str | Path) -> FileDigest:
    """File name and SHA-256 of an input file, for the summary."""
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return {"file": Path(path).name, "sha256": digest}


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    write_through(path, write)


def write_through(path: Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a new temporary file next to ``path`` (usual permissions), then rename it over ``path``.

    The one way matcher writes a single file: a reader sees the old file or the new one, never half of one.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv(table: pd.DataFrame, style: str = "plain") -> bytes:
    return csv_bytes(table, style)


#: Files other commands write next to an allocation's (``matcher report``, ``matcher reallocate``): kept, but stale
#: once the allocation is replaced.
DERIVED: tuple[str, ...] = (
    "report.html",
    "report.xlsx",
    "committee.csv",
    "committee.pdf",
    "lycees.zip",
    "entreprises.zip",
    "changes.csv",
)


def write_outputs(
    result: Result, out_dir: str | Path, extra: dict[str, pd.DataFrame] | None = None, csv_style: str = "plain"
) -> dict[str, Path]:
    """Write the result's files into ``out_dir`` (created if needed) as one set; returns their paths by name.

    ``extra`` (file name → table) adds CSV files to the same set, e.g. ``changes.csv`` of ``matcher reallocate``;
    ``csv_style`` is ``plain`` or ``excel-fr`` (:mod:`matcher.export.csvstyle`).

    Raises
    ------
    InputError
        When ``out_dir`` is a file or holds sub-folders (see :func:`matcher.export.atomic.check_out_dir`).
    """
    files = {
        "assignments.csv": _csv(result.assignments, csv_style),
        "unassigned.csv": _csv(result.unassigned, csv_style),
        "summary.json": (json.dumps(result.summary, indent=2, ensure_ascii=False, sort_keys=False) + "\n").encode(),
        "run.json": (json.dumps({"timings_seconds": result.timings}, indent=2) + "\n").encode(),
    } | {name: _csv(table, csv_style) for name, table in (extra or {}).items()}
    paths = publish(files, out_dir)
    stale = [name for name in DERIVED if name not in files and (Path(out_dir) / name).exists()]
    if stale:
        warnings.warn(
            MatcherWarning(
                tr(
                    "{files} in {folder} describe an earlier run and were kept; run matcher report again "
                    "(or remove them)"
                ).format(files=", ".join(stale), folder=out_dir)
            ),
            stacklevel=2,
        )
    return paths
