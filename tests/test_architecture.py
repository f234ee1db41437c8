"""Dependencies point one way (see the README's architecture section), with no circles.

core <- build <- preview; core <- ingest; everything <- the command line. The build never
imports the importer or the preview server; the importer knows nothing of the build.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# What each layer may import of the package, besides itself and the package root
# (generator/__init__.py: the version). Top-level modules are commands: they may use all.
MAY_USE = {
    "core": set(),
    "build": {"core"},
    "ingest": {"core"},
    "preview": {"core", "build"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports_of(path: Path) -> Iterator[str]:
    """Every module of the package a file imports, anywhere in it (lazy imports too)."""
    name = _module_name(path)
    package = name if path.stem == "__init__" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target == "generator" or target.startswith("generator."):
                yield target
                for alias in node.names:  # `from . import readers` names modules
                    yield f"{target}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("generator."):
                    yield alias.name


def _graph() -> dict[str, set[str]]:
    files = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {
        name: {target for target in _imports_of(path) if target in files and target != name}
        for name, path in files.items()
    }


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in MAY_USE) else None


def test_every_layer_imports_only_the_layers_below_it() -> None:
    graph = _graph()
    assert {_layer(name) for name in graph} >= set(MAY_USE), "a layer folder is missing"
    wrong = []
    for module, targets in sorted(graph.items()):
        layer = _layer(module)
        if layer is None:
            continue  # the command line and the package root
        for target in sorted(targets):
            other = _layer(target)
            if other is not None and other != layer and other not in MAY_USE[layer]:
                wrong.append(f"{module} imports {target}")
            if other is None and target != "generator":
                wrong.append(f"{module} imports the command line ({target})")
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_itself_through_others() -> None:
    graph = _graph()
    done: set[str] = set()
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycles.append(" -> ".join([*path[path.index(module) :], module]))
            return
        if module in done:
            return
        for target in sorted(graph[module]):
            # A package's __init__ is imported by its modules' import anyway; only edges
            # between modules make circles that bite.
            if not module.startswith(target + "."):
                visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert not cycles, "import circles:\n" + "\n".join(sorted(set(cycles)))


def test_the_architecture_check_sees_imports_at_every_depth() -> None:
    """The graph reader finds relative imports at every depth (else the tests above pass
    for nothing)."""
    graph = _graph()
    assert "generator.core.errors" in graph["generator.build.pipeline"]
    assert "generator.build.pipeline" in graph["generator.preview.server"]
    assert "generator.core.frontmatter" in graph["generator.ingest.writer"]
