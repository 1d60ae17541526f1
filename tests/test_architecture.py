"""The package's shape, as docs/architecture.md states it: stages as sub-packages, layers, no cycles, small modules.

Every import is read from the source (imports inside functions too), so a cycle hidden in a function body is found.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import matcher

PACKAGE = Path(matcher.__file__).parent

#: Lowest first: a module may import its own layer and the layers before it, never a later one.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("matcher.errors", "matcher.version", "matcher.objective", "matcher.limits", "matcher.util.i18n"),
    ("matcher.config", "matcher.result"),
    ("matcher.util", "matcher.domain"),
    ("matcher.export",),
    ("matcher.load",),
    ("matcher.candidates",),
    ("matcher.solve",),
    ("matcher.check",),
    ("matcher.tables",),
    ("matcher.pipeline",),
    ("matcher.generate",),
    ("matcher.report",),
    ("matcher.cli", "matcher.web"),
    ("matcher", "matcher.__main__"),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The matcher modules that ``name`` imports anywhere in its source (a package's submodules by name)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name in known)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            for a in node.names:
                target = f"{base}.{a.name}"
                found.add(target if target in known else base)
    return {m for m in found if m in known and m != name}


def graph() -> dict[str, set[str]]:
    mods = modules()
    return {name: imports(name, path, set(mods)) for name, path in mods.items()}


def layer(name: str) -> int:
    best, rank = -1, -1
    for i, group in enumerate(LAYERS):
        for prefix in group:
            if (name == prefix or name.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), i
    return rank


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def test_at_most_eight_modules_at_the_top_every_stage_a_sub_package():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 8, top
    for stage in ("domain", "load", "candidates", "solve", "check", "tables", "pipeline", "export", "report", "cli"):
        assert (PACKAGE / stage / "__init__.py").is_file(), stage


def test_no_import_cycle_counting_imports_inside_functions():
    assert cycles(graph()) == []


def test_lower_layers_never_import_higher_ones():
    edges = graph()
    assert all(layer(m) >= 0 for m in edges), [m for m in edges if layer(m) < 0]
    upward = sorted((m, t) for m, ts in edges.items() for t in ts if layer(t) > layer(m))
    assert upward == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_300_lines(name):
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"{name}: {lines} lines"


def test_the_checker_finds_a_cycle_and_an_upward_import():
    # The two rules above must be able to fail: a made-up graph with both faults.
    edges = {"matcher.load.a": {"matcher.solve.b"}, "matcher.solve.b": {"matcher.load.a"}}
    assert cycles(edges) == [["matcher.load.a", "matcher.solve.b"]]
    assert layer("matcher.solve.b") > layer("matcher.load.a")


def test_every_sub_package_is_installed():
    # pyproject.toml lists the packages a plain `pip install .` copies: a sub-package missing there works in an
    # editable install and breaks the README's demo command.
    import tomllib

    listed = set(
        tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {module_name(p.parent / "__init__.py") for p in PACKAGE.rglob("__init__.py")}
    assert found - listed == set()
