"""A progress display for the command line's slow stages (rich), silent when stderr is not a terminal.

On a terminal, each stage shows a spinner with its name while it runs and, when it took a second or more, a
line with its duration; in scripts, pipes, CI and tests nothing is printed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from matcher.util.i18n import tr

__all__ = ["Progress"]


class Progress:
    """Stage display on stderr; ``enabled`` defaults to whether stderr is a terminal."""

    def __init__(self, enabled: bool | None = None):
        self.console = Console(stderr=True)
        self.enabled = self.console.is_terminal if enabled is None else enabled

    @contextmanager
    def stage(self, label: str) -> Iterator[None]:
        """Show ``label`` (an English message, marked with ``mark``) in the ambient language while the block runs."""
        if not self.enabled:
            yield
            return
        label = tr(label)
        start = time.perf_counter()
        with self.console.status(f"{label}…"):
            yield
        took = time.perf_counter() - start
        if took >= 1.0:
            self.console.print(f"[green]✓[/green] {label} ({took:.1f} s)", highlight=False)
