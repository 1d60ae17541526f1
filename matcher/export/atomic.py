"""Publishing a set of output files atomically: a reader sees the previous complete set or the new one, never a mix.

The files are written into a hidden folder next to the output folder (``.NAME.matcher-new-XXXX``, same file
system), each flushed to disk; then that folder takes the output folder's place in one step (``renameat2`` with
``RENAME_EXCHANGE`` on Linux; elsewhere two renames, between which there is briefly no output folder at all —
"none", never a mix). Files already in the output folder that this set does not overwrite are kept: they are
hard-linked into the new folder before the swap (no copy, nothing deleted). The report's per-recipient folders
(:data:`KEPT_FOLDERS`, flat folders of files) are carried over the same way, file by file; any other sub-folder
cannot be carried over safely, so an output folder holding one is refused before anything is computed.

A run killed at any moment leaves the output folder as it was or complete, plus at worst a hidden
``.NAME.matcher-new-*`` / ``.NAME.matcher-old-*`` folder, which the next run into the same folder removes (only
the files this module writes, and links to files that still exist in the output folder).
"""

from __future__ import annotations

import ctypes
import os
import sys
import tempfile
from pathlib import Path

from matcher.errors import InputError, Problem
from matcher.util.i18n import tr

__all__ = ["publish", "check_out_dir", "KEPT_FOLDERS"]

#: Sub-folders matcher itself writes next to an allocation (``matcher report``'s workbooks per recipient).
KEPT_FOLDERS = ("lycees", "entreprises")

_NEW, _OLD = ".matcher-new-", ".matcher-old-"


def check_out_dir(out: str | Path) -> None:
    """Refuse an output path that is a file, a symbolic link, or a folder holding sub-folders (they could not be kept
    through the swap).

    Raises
    ------
    InputError
        With one problem naming the path and what to do.
    """
    out = Path(out)
    if out.is_symlink():
        raise InputError(
            [
                Problem(
                    str(out),
                    None,
                    None,
                    "",
                    tr("--out is a symbolic link (it would be replaced by a folder)"),
                    tr("give the folder the link points to"),
                )
            ]
        )
    if out.exists() and not out.is_dir():
        raise InputError(
            [
                Problem(
                    str(out),
                    None,
                    None,
                    "",
                    tr("--out names a file, not a folder"),
                    tr("give a new or existing folder for the outputs"),
                )
            ]
        )
    if out.is_dir():
        folders = sorted(
            p.name
            for p in out.iterdir()
            if p.is_dir() and (p.is_symlink() or p.name not in KEPT_FOLDERS or any(c.is_dir() for c in p.iterdir()))
        )
        if folders:
            raise InputError(
                [
                    Problem(
                        str(out),
                        None,
                        None,
                        ", ".join(folders[:5]),
                        tr("the output folder holds sub-folders matcher did not write"),
                        tr("give a new or empty folder for --out (matcher never deletes what it did not write)"),
                    )
                ]
            )


def publish(files: dict[str, bytes], out: str | Path) -> dict[str, Path]:
    """Write ``files`` (name → content) into the folder ``out`` as one set.

    Parameters
    ----------
    files : dict of str to bytes
        File names (no folders) and their contents.
    out : str or Path
        Output folder; created if needed (with its parents).

    Returns
    -------
    dict of str to Path
        Path of each file written, by name.
    """
    out = Path(out).absolute()
    check_out_dir(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _sweep(out, set(files))
    new = Path(tempfile.mkdtemp(prefix=f".{out.name}{_NEW}", dir=out.parent))
    try:
        for name, data in files.items():
            _write(new / name, data)
        if out.exists():
            os.chmod(new, out.stat().st_mode & 0o7777)
            for kept in out.iterdir():
                if kept.name in files:
                    continue
                if kept.is_dir() and not kept.is_symlink():  # one of KEPT_FOLDERS (checked above): link its files
                    (new / kept.name).mkdir()
                    for f in kept.iterdir():
                        os.link(f, new / kept.name / f.name, follow_symlinks=False)
                else:
                    os.link(kept, new / kept.name, follow_symlinks=False)
            old = _swap(new, out)
            _remove(old, set(files), out)
        else:
            os.chmod(new, 0o777 & ~_umask())
            os.rename(new, out)
        _sync_dir(out.parent)
    except BaseException:
        _remove(new, set(files), out)
        raise
    return {name: out / name for name in files}


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.chmod(path, 0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _swap(new: Path, out: Path) -> Path:
    """Put ``new`` at ``out``; returns where the previous folder now is (to be removed)."""
    if _exchange(new, out):
        return new
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OLD}", dir=out.parent))
    os.rmdir(old)
    os.rename(out, old)
    os.rename(new, out)
    return old


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False when not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    done: int = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)  # 0: swapped
    return done == 0


def _remove(folder: Path, ours: set[str], out: Path) -> None:
    """Remove a hidden working folder: our files, and links to files still present in ``out``; keep anything else."""
    if not folder.is_dir():
        return
    for entry in folder.iterdir():
        twin = out / entry.name
        if entry.is_dir() and not entry.is_symlink():  # a carried-over folder: its links, then itself if empty
            if entry.name in KEPT_FOLDERS and twin.is_dir():
                _remove(entry, set(), twin)
            continue
        if entry.name in ours or (twin.exists() and os.path.samefile(entry, twin)):
            entry.unlink()
    try:
        folder.rmdir()
    except OSError:
        pass  # something unexpected is left: keep it rather than delete it


def _sweep(out: Path, ours: set[str]) -> None:
    """Remove the hidden working folders left next to ``out`` by killed runs."""
    for stale in out.parent.glob(f".{out.name}.matcher-*-*"):
        if stale.is_dir() and stale.name.startswith((f".{out.name}{_NEW}", f".{out.name}{_OLD}")):
            _remove(stale, ours, out)


def _sync_dir(folder: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
