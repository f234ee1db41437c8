"""Shared helpers for the build tests: copy a fixture site, build it in-process, read pages."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import html5lib
import pytest

from generator.__main__ import main

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SITES = TESTS / "sites"
SITES_INVALID = TESTS / "sites_invalid"


@dataclass(frozen=True)
class Run:
    """What one in-process CLI call did."""

    status: int
    out: str
    err: str


def copy_site(source: Path, dest: Path) -> Path:
    """Copy a fixture site (or the example site's inputs) into a scratch folder."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("site.yaml", "content", "templates", "themes", "static"):
        item = source / name
        if item.is_dir():
            shutil.copytree(item, dest / name)
        elif item.is_file():
            shutil.copy2(item, dest / name)
    return dest


def copy_example_site(dest: Path) -> Path:
    """The bundled example site (site.yaml + content/) of the repository."""
    return copy_site(REPO, dest)


@pytest.fixture(autouse=True, scope="session")
def private_cache_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Builds keep compiled templates in the user's cache home (see cache.bytecode_folder):
    tests use one of their own, never the real home of whoever runs them."""
    patch = pytest.MonkeyPatch()
    home = tmp_path_factory.mktemp("cache-home")
    patch.setenv("XDG_CACHE_HOME", str(home))
    yield home
    patch.undo()


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Call `generator.__main__.main` in-process and capture what it printed."""

    def run(*argv: str | Path) -> Run:
        capsys.readouterr()
        status = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Run(status, captured.out, captured.err)

    return run


@pytest.fixture
def site_copy(tmp_path: Path) -> Callable[[str], Path]:
    """Copy `tests/sites/<name>` into tmp_path and return the copy's root."""

    def make(name: str) -> Path:
        return copy_site(SITES / name, tmp_path / name)

    return make


@pytest.fixture(scope="session")
def example_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site, built once for the whole session (read-only for tests)."""
    root = copy_example_site(tmp_path_factory.mktemp("example") / "site")
    status = main(["build", "--root", str(root)])
    assert status == 0
    return root / "output"


@pytest.fixture(scope="session")
def basic_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/sites/basic, built once for the session (read-only for tests)."""
    root = copy_site(SITES / "basic", tmp_path_factory.mktemp("basic") / "site")
    status = main(["build", "--root", str(root)])
    assert status == 0
    return root / "output"


def parse_html(path: Path) -> ET.Element:
    """Parse a page with a real HTML5 parser; elements have plain tag names (no namespace)."""
    return html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)


def page_file(output: Path, url_path: str, base_path: str = "/") -> Path:
    """The file in output/ that serves a site URL (`/a/` -> a/index.html)."""
    assert url_path.startswith(base_path), (url_path, base_path)
    relative = url_path[len(base_path) :].split("#", 1)[0].split("?", 1)[0]
    target = output / relative
    if relative == "" or relative.endswith("/"):
        target = target / "index.html"
    return target


def text_of(element: ET.Element | None) -> str:
    """Visible text of an element, whitespace collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def cache_file_with(header: bytes, document: bytes, tail: bytes = b"") -> bytes:
    """A cache file's bytes with `document` for its JSON document: the header line ends
    with the document's length (generator/build/cache.py:_write)."""
    fields = header.split(b" ")
    fields[-1] = str(len(document)).encode()
    return b" ".join(fields) + b"\n" + document + b"\n" + tail


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under root."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tree_inodes(root: Path) -> dict[str, int]:
    """Relative path -> inode of every file under root."""
    return {
        path.relative_to(root).as_posix(): os.stat(path).st_ino
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def load_bench_script(name: str) -> ModuleType:
    """A script of bench/ as a module: bench/ is a folder of scripts, not a package (its
    scripts import each other by name, so each is registered under its own)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "bench" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module
