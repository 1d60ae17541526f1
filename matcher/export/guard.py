"""The output guard: before any work, a writing command checks that it can write and that it overwrites no input.

Every command that writes (``allocate``, ``reallocate``, ``demo``, ``report``, ``coverage``, ``sweep``,
``generate``, ``pseudonymize``, ``reidentify``) calls :func:`guard_folder` or :func:`guard_file` first, before
reading anything. Paths are compared once resolved (:func:`os.path.realpath`: symbolic links, ``..`` and ``.``
followed) and, for files that exist, by device and inode (hard links), so ``sub/../real.csv`` or a link to the
students file is recognised as the students file. The place written must be writable and its name must fit the
file system's limits (with the hidden working name of the atomic writer, a few characters longer).

Every refusal is an :class:`~matcher.errors.InputError` (exit status 2) naming the option and the fix.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from matcher.errors import InputError, Problem
from matcher.util.i18n import mark, tr

__all__ = ["guard_folder", "guard_file", "WRITES"]

#: What each command writes into its ``--out`` folder (``fnmatch`` patterns, relative to the folder).
WRITES: dict[str, tuple[str, ...]] = {
    "allocate": ("assignments.csv", "unassigned.csv", "summary.json", "run.json"),
    "reallocate": ("assignments.csv", "unassigned.csv", "summary.json", "run.json", "changes.csv"),
    "report": ("report.html", "report.xlsx", "committee.csv"),
    "coverage": ("coverage_academies.csv", "coverage_departements.csv", "white_zones.csv", "coverage.html"),
    "sweep": ("sweep.csv", "run-*", "run-*/*"),
    "generate": ("students.csv", "sites.csv"),
}

#: Characters the atomic writers add to a name for their hidden working copy (``.NAME.matcher-new-XXXXXXXX``).
_WORKING_NAME = 24


def _problem(out: Path, message: str, fix: str) -> InputError:
    """The refusal of ``out``; ``message`` (formatted) and ``fix`` (marked) are translated here."""
    return InputError([Problem(str(out), None, "--out", "", tr(message), tr(fix))])


def _real(path: str | Path) -> str:
    return os.path.realpath(os.path.abspath(os.fspath(path)))


def _same(a: str, b: str) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _check_name(out: Path) -> None:
    """The name of ``out`` (and its working copy) fits; its nearest existing folder is a writable folder."""
    if "\x00" in str(out):
        raise _problem(out, mark("the name holds a NUL character"), mark("give a plain folder or file name"))
    real = Path(_real(out))
    existing = real.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    name_max = _pathconf(existing, "PC_NAME_MAX", 255)
    path_max = _pathconf(existing, "PC_PATH_MAX", 4096)
    parts = real.relative_to(existing).parts
    if any(len(os.fsencode(p)) + _WORKING_NAME > name_max for p in parts) or len(os.fsencode(real)) + 64 > path_max:
        raise _problem(
            out,
            tr(
                "the name is too long for this file system ({name} bytes per name, {path} per path, with {kept} "
                "characters kept for the working copy)"
            ).format(name=name_max, path=path_max, kept=_WORKING_NAME),
            mark("give a shorter name"),
        )
    if not existing.is_dir():
        raise _problem(
            out, tr("{path} is not a folder").format(path=existing), mark("give a path inside an existing folder")
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _problem(
            out,
            tr("cannot write in {path} (permission denied)").format(path=existing),
            mark("give a folder you can write in"),
        )


def _pathconf(folder: Path, name: str, default: int) -> int:
    try:
        return os.pathconf(folder, name)
    except (OSError, ValueError, AttributeError):
        return default


def _inputs(inputs: Iterable[str | Path | None]) -> list[tuple[str, str]]:
    """(as given, resolved) for every input file given."""
    return [(str(given), _real(given)) for given in inputs if given is not None]


def _refuse(out: Path, given: str, written: str) -> InputError:
    return _problem(
        out,
        tr("this command would write {written} over its input {given}").format(written=written, given=given),
        mark("give another --out (matcher never overwrites its inputs), or move the input elsewhere"),
    )


def guard_folder(out: str | Path, command: str, inputs: Iterable[str | Path | None] = ()) -> None:
    """Refuse, before any work, an output folder that cannot be written or whose files would replace an input.

    Parameters
    ----------
    out : str or Path
        The ``--out`` folder (created later if missing).
    command : str
        A key of :data:`WRITES`: what will be written into it.
    inputs : iterable of path or None
        Every file the command reads (None: not given).

    Raises
    ------
    InputError
        The folder is a file or a link, its name does not fit, it cannot be written, or an input is (or is a link
        to) a file the command writes.
    """
    out = Path(out)
    _check_name(out)
    if out.is_symlink():
        raise _problem(out, mark("--out is a symbolic link"), mark("give the folder the link points to"))
    if out.exists() and not out.is_dir():
        raise _problem(
            out, mark("--out names a file, not a folder"), mark("give a new or existing folder for the outputs")
        )
    if out.is_dir() and not os.access(out, os.W_OK | os.X_OK):
        raise _problem(
            out, mark("cannot write in this folder (permission denied)"), mark("give a folder you can write in")
        )
    root = _real(out)
    for given, real in _inputs(inputs):
        relative = os.path.relpath(real, root)
        for pattern in WRITES[command]:
            if not relative.startswith("..") and fnmatch.fnmatch(relative, pattern):
                raise _refuse(out, given, relative)
            if "*" not in pattern and _same(real, os.path.join(root, pattern)):  # a hard link
                raise _refuse(out, given, pattern)


def guard_file(out: str | Path, inputs: Iterable[str | Path | None] = ()) -> None:
    """Refuse, before any work, an output file that cannot be written or that is one of the inputs.

    Raises
    ------
    InputError
        The name does not fit, its folder cannot be written, it is a folder or a special file, or it is (or links
        to) an input.
    """
    out = Path(out)
    _check_name(out)
    if out.is_dir():
        raise _problem(out, mark("--out names a folder, not a file"), mark("give the name of the file to write"))
    if out.exists() and not out.is_file():
        raise _problem(
            out, mark("--out is not a regular file (a device, a pipe...)"), mark("give the name of a new file")
        )
    real = _real(out)
    if not os.path.isdir(os.path.dirname(real)):
        raise _problem(
            out, mark("the folder of --out does not exist"), mark("create the folder first, or give another path")
        )
    for given, path in _inputs(inputs):
        if _same(path, real):
            raise _refuse(out, given, str(out))
