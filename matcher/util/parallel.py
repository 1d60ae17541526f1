"""Independent pieces of one computation, run in forked processes (the machine's cores), results in order.

Used for the académies' regional flows, for the candidate search, and for the whole network's maximum flow while
the groups' plan solves its own (``solve.engine``). The pieces are read by the forked processes from the parent's
memory (nothing is pickled on the way in); only their results come back. Where processes cannot be forked (not
POSIX, or inside a daemonic process such as a pool's worker) or one process is asked for, the pieces run here, one
after the other: the result is the same.

The forked processes die with the process that forked them, whatever kills it (SIGKILL included): on Linux the
kernel is asked to kill them when it dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``); elsewhere a watchdog thread in
each of them checks every 0.2 s that its parent is still there.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from matcher.config import Config

__all__ = ["run", "started", "can_fork", "cores", "processes_of", "die_with_parent"]

T = TypeVar("T")

#: The piece function the forked processes call, set only while ``run`` forks.
_JOB: Callable[[int], Any] | None = None


def cores() -> int:
    """CPU cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def processes_of(config: Config) -> int:
    """``config.processes``, 0 meaning one per core (``cores``)."""
    return config.processes or cores()


def can_fork() -> bool:
    """Whether worker processes can be forked here."""
    return "fork" in multiprocessing.get_all_start_methods() and not multiprocessing.current_process().daemon


def run(piece: Callable[[int], T], n: int, processes: int, first: Sequence[int] | None = None) -> list[T]:
    """``[piece(0), ..., piece(n - 1)]``, computed by ``processes`` forked processes when that is more than one.

    ``first`` gives the order in which pieces are started (e.g. the largest first, to balance the processes).
    """
    if n <= 1:  # one piece: forking would only make the caller wait for it
        return [piece(i) for i in range(n)]
    with started(piece, n, processes, first) as results:
        return results()


@contextmanager
def started(
    piece: Callable[[int], T], n: int, processes: int, first: Sequence[int] | None = None
) -> Iterator[Callable[[], list[T]]]:
    """``run`` started in the background: the block runs while the forked processes work (even a single piece: the
    block is the other core's work), and calls the function it is given for the results (waiting for them). With
    one process, or where processes cannot be forked, the pieces run at that call."""
    global _JOB
    if processes <= 1 or n < 1 or not can_fork():
        yield lambda: [piece(i) for i in range(n)]
        return
    _JOB = piece
    try:
        with ProcessPoolExecutor(
            min(processes, n),
            mp_context=multiprocessing.get_context("fork"),
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = {i: pool.submit(_piece, i) for i in (range(n) if first is None else first)}
            yield lambda: [futures[i].result() for i in range(n)]
    finally:
        _JOB = None


def die_with_parent(parent: int) -> None:
    """In a forked process: end when the process ``parent`` (the one that forked it) ends, however it ends."""
    if not _kernel_kills_orphan():
        threading.Thread(target=_watch, args=(parent,), name="matcher-watchdog", daemon=True).start()
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)


def _kernel_kills_orphan() -> bool:
    """Ask Linux to send SIGKILL to this process when its parent dies; False where that cannot be asked."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    pr_set_pdeathsig = 1
    return int(prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)) == 0


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)


def _piece(index: int) -> Any:
    assert _JOB is not None, "called only in a process forked by started()"
    return _JOB(index)
