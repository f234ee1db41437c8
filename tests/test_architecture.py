"""Dependencies point one way (see DESIGN): the build never imports the importer or the
preview server, and the importer uses only the article format and the error type."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# What the importer may use of the rest of the package: the one article format, errors, slugs.
INGEST_MAY_USE = {"errors", "frontmatter", "urls"}
# Only the command line may know about the importer and the preview server.
ENTRY_POINTS = {"__main__"}


def _imports_of(path: Path) -> set[str]:
    """Sibling modules of generator/ that a file imports (relative or absolute)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.startswith("generator"):
                module = module.removeprefix("generator").lstrip(".")
            elif node.level == 0:
                continue
            elif node.level == 2 or (node.level == 1 and path.parent.name == "generator"):
                pass
            else:
                continue  # a sibling inside ingest/
            head = module.split(".")[0]
            if head:
                names.add(head)
            else:
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("generator."):
                    names.add(alias.name.split(".")[1])
    return names


def test_build_modules_do_not_import_the_importer_or_the_server() -> None:
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in ENTRY_POINTS:
            continue
        imported = _imports_of(path)
        assert "ingest" not in imported, f"{path.name} imports the importer"
        if path.stem != "serve":
            assert "serve" not in imported, f"{path.name} imports the preview server"


def test_importer_uses_only_the_article_format_and_errors() -> None:
    files = sorted((PACKAGE / "ingest").glob("*.py"))
    assert files
    for path in files:
        outside = _imports_of(path) - INGEST_MAY_USE
        assert not outside, f"ingest/{path.name} imports generator.{sorted(outside)}"
