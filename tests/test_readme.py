"""The README's Python API section runs as written, and names exactly the public API."""

from __future__ import annotations

import re
from pathlib import Path

import matcher

README = Path(__file__).resolve().parents[1] / "README.md"


def api_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Python API") : text.index("## How the allocation works")]


def test_the_python_blocks_run_as_written(tmp_path, monkeypatch):
    blocks = re.findall(r"```python\n(.*?)```", api_section(), flags=re.S)
    assert len(blocks) == 2
    monkeypatch.chdir(tmp_path)
    scope: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), scope)  # noqa: S102 - our own README, as a reader would run it
    assert (tmp_path / "out" / "assignments.csv").is_file()
    result, again = scope["result"], scope["again"]
    assert result.status in (matcher.Status.OPTIMAL, matcher.Status.FEASIBLE)
    assert len(result.assignments) > 0
    assert again.result.summary["reallocation"]["kept"] > 0
    assert (again.changes["change"] == "WITHDRAWN").sum() > 0


def test_the_listed_public_names_are_exactly_all():
    listed = api_section().split("The public names, `matcher.__all__`:", 1)[1].split(". Bad input", 1)[0]
    names = set(re.findall(r"`([A-Za-z_]+)`", listed))
    assert names == set(matcher.__all__)
    assert len(matcher.__all__) == len(set(matcher.__all__))
    for name in matcher.__all__:
        assert getattr(matcher, name) is not None
