"""Where independent allocations run: in this process, one after the other, or as tasks on a Dask cluster.

An :class:`Engine` says which; :func:`open_engine` opens it and yields a :class:`Runner` whose ``map`` runs a
function on every item and returns the results in the items' order, whatever the order the tasks finished in::

    with open_engine(Engine("dask", workers=2)) as runner:      # a LocalCluster of 2 worker processes
        results = runner.map(allocate_part, parts, config)

Dask is an optional extra (``pip install "matcher[dask]"``); it is imported only when the dask engine is opened.
Workers of an existing cluster (``Engine("dask", scheduler="tcp://host:8786")``) need matcher installed, the same
version as here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from matcher.util.i18n import mark, tr

__all__ = ["Engine", "EngineError", "Runner", "open_engine", "ENGINES"]

#: Engine kinds.
ENGINES: tuple[str, ...] = ("local", "dask")
#: What to do when Dask is missing.
DASK_MISSING = mark('the dask engine needs Dask: pip install "matcher[dask]"')

T = TypeVar("T")


class EngineError(RuntimeError):
    """The engine cannot be used: Dask is not installed, or the scheduler cannot be reached."""


@dataclass(frozen=True)
class Engine:
    """Where to run independent allocations.

    Attributes
    ----------
    kind : str
        ``local`` (this process, one task after the other) or ``dask``.
    scheduler : str or None
        Dask only: address of an existing scheduler (``tcp://HOST:PORT``); None starts a LocalCluster.
    workers : int or None
        Dask LocalCluster only: worker processes (default: one per CPU core), one thread each.
    """

    kind: str = "local"
    scheduler: str | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ENGINES:
            said = tr("engine must be one of {engines}, not {kind}")
            raise ValueError(said.format(engines=", ".join(ENGINES), kind=repr(self.kind)))
        if self.kind == "local" and (self.scheduler or self.workers):
            raise ValueError(tr("a scheduler address or a number of workers needs the dask engine"))
        if self.scheduler and self.workers:
            raise ValueError(
                tr("the number of workers is the existing cluster's: give a scheduler or workers, not both")
            )
        if self.workers is not None and self.workers < 1:
            raise ValueError(tr("workers must be at least 1"))


class Runner:
    """Runs ``fn(item, *args)`` for every item; ``map`` returns the results in the items' order."""

    def __init__(self, engine: Engine, client: Any = None) -> None:
        self.engine, self._client = engine, client

    def map(self, fn: Callable[..., T], items: Iterable[Any], *args: Any, shared: Iterable[Any] = ()) -> list[T]:
        """``[fn(item, *shared, *args) for item in items]``, on this engine.

        ``items`` may be a generator: locally only one item lives at a time; on Dask each item is sent to the
        cluster as soon as it is made. ``shared`` values (e.g. the input tables of a sweep) are sent to the
        cluster once and given to every task.
        """
        shared = tuple(shared)
        if self._client is None:
            return [fn(item, *shared, *args) for item in items]
        client = self._client
        shared_futures = [client.scatter([v], broadcast=True, hash=False)[0] for v in shared]
        futures = [
            client.submit(fn, client.scatter([item], hash=False)[0], *shared_futures, *args, pure=False)
            for item in items
        ]
        try:
            results: list[T] = client.gather(futures)
            return results
        finally:
            client.cancel(futures + shared_futures)

    @property
    def client(self) -> Any:
        """The ``distributed.Client`` of the dask engine (None on the local engine)."""
        return self._client


@contextmanager
def open_engine(engine: Engine | None = None) -> Iterator[Runner]:
    """Open the engine (start or connect to a Dask cluster) and close it afterwards.

    Raises
    ------
    EngineError
        Dask is missing, or the scheduler cannot be reached.
    """
    engine = engine or Engine()
    if engine.kind == "local":
        yield Runner(engine)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(tr(DASK_MISSING)) from None
    if engine.scheduler:
        try:
            client = Client(engine.scheduler, timeout="10s")  # type: ignore[no-untyped-call]  # distributed is untyped
        except (OSError, TimeoutError, ValueError) as exc:
            said = tr(
                "cannot reach the Dask scheduler at {address} ({error}); check the address, or start one with "
                "`dask scheduler`"
            )
            raise EngineError(said.format(address=engine.scheduler, error=exc)) from None
        with client:
            yield Runner(engine, client)
        return
    n = engine.workers or _cores()
    with (
        LocalCluster(  # type: ignore[no-untyped-call]  # distributed is untyped
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR
        ) as cluster,
        Client(cluster) as client,  # type: ignore[no-untyped-call]  # distributed is untyped
    ):
        yield Runner(engine, client)


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
