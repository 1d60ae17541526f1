"""The analysts' notebooks run top to bottom (nbclient, a real kernel) on the embedded data, offline."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _run(name: str) -> nbformat.NotebookNode:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()  # raises on any cell error
    return nb


def _outputs(nb, kind: str) -> str:
    return "\n".join(
        str(o.get("data", {}).get(kind, "")) + o.get("text", "")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )


def test_there_are_notebooks():
    assert len(sorted(NOTEBOOKS.glob("*.ipynb"))) >= 2


def test_national_coverage_notebook():
    nb = _run("01-national-coverage.ipynb")
    svg = _outputs(nb, "image/svg+xml")
    assert 'id="dep-971"' in svg and 'id="dep-2A"' in svg  # the choropleth, overseas included
    assert "white_zone_lycees" in _outputs(nb, "text/plain") and "lycées, " in _outputs(nb, "text/plain")
    assert "leaflet" in _outputs(nb, "text/html").lower()


def test_policy_comparison_notebook():
    nb = _run("02-policy-comparison.ipynb")
    text = _outputs(nb, "text/plain")
    assert all(policy in text for policy in ("optimal", "stable", "optimal, 45 km"))
    assert 'id="nb-gain"' in _outputs(nb, "image/svg+xml")
