"""The progress display: silent when stderr is not a terminal, a line per slow stage on a terminal."""

from __future__ import annotations

import io
import time

from click.testing import CliRunner
from rich.console import Console

from matcher.cli.main import main
from matcher.domain.reference import dataset_path
from matcher.util.progress import Progress


def test_quiet_when_not_a_terminal():
    assert Progress().enabled is False  # pytest captures stderr: not a terminal
    result = CliRunner().invoke(main, ["coverage", "--sites", str(dataset_path("demo_sites.csv"))])
    assert result.exit_code == 0 and "✓" not in result.output and "…" not in result.output


def test_a_terminal_sees_slow_stages_only():
    progress = Progress(enabled=True)
    progress.console = Console(file=io.StringIO(), force_terminal=True, width=80)
    with progress.stage("Quick"):
        pass
    with progress.stage("Slow stage"):
        time.sleep(1.05)
    shown = progress.console.file.getvalue()
    assert "Slow stage (1." in shown and "Quick (" not in shown
