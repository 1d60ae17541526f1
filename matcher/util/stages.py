"""Timing the pipeline's stages and telling an observer (a progress display, a benchmark) as they go."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

__all__ = ["StageObserver", "Stages"]

T = TypeVar("T")


class StageObserver(Protocol):
    """Told when each stage of an allocation begins and ends (``value``: what the stage returned, or None)."""

    def begin(self, stage: str) -> None: ...

    def end(self, stage: str, seconds: float, value: object) -> None: ...


@dataclass
class Stages:
    """Seconds per stage (rounded to the millisecond), reported to an optional observer."""

    observer: StageObserver | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the block as stage ``name``."""
        if self.observer is not None:
            self.observer.begin(name)
        start = time.perf_counter()
        yield
        self._done(name, start, None)

    def run(self, name: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` timed as stage ``name``; the observer also gets its value."""
        if self.observer is not None:
            self.observer.begin(name)
        start = time.perf_counter()
        value = fn(*args, **kwargs)
        self._done(name, start, value)
        return value

    def _done(self, name: str, start: float, value: object) -> None:
        seconds = round(time.perf_counter() - start, 3)
        self.timings[name] = seconds
        if self.observer is not None:
            self.observer.end(name, seconds, value)
