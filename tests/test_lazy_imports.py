"""A build with nothing to do stops before rendering, so it must not pay for importing what
renders: Jinja, the feed libraries, Markdown, the importer. Each was measured at 5-40 ms of
start-up; together they were about a third of a no-change build of 10,000 articles. Nor
for the article and site models, which a build needs only once something changed: with
the sanitiser they were a further 75 ms of its 175 ms of imports."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SITES = Path(__file__).resolve().parent / "sites"
# Modules only rendering (or another command) needs.
RENDERING = ("jinja2", "feedgen", "lxml", "markdown", "imagesize", "babel.support")
OTHER_COMMANDS = ("generator.ingest.readers", "generator.init", "generator.newarticle")
# The models of what a build reads and makes, and what only they use.
SITE_MODEL = (
    "generator.build.article",
    "generator.build.article_codec",
    "generator.build.site",
    "generator.build.workers",
    "nh3",
)
PROBE = """
import sys
from generator.__main__ import main
status = main(["build", "-q", "--root", sys.argv[1]])
print(" ".join(sorted(sys.modules)))
sys.exit(status)
"""


def _build(root: Path) -> tuple[str, set[str]]:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(root)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return "\n".join(lines[:-1]), set(lines[-1].split())


def test_a_build_with_nothing_to_do_imports_nothing_that_renders(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root, ignore=shutil.ignore_patterns("output", ".*"))
    _, first = _build(root)
    assert "jinja2" in first and "feedgen" in first  # a build that renders loads them
    before = {path: path.read_bytes() for path in (root / "output").rglob("*") if path.is_file()}
    _, loaded = _build(root)
    unneeded = (*RENDERING, *OTHER_COMMANDS, *SITE_MODEL)
    assert "generator.build.article" in first
    assert [name for name in unneeded if name in loaded] == []
    after = {path: path.read_bytes() for path in (root / "output").rglob("*") if path.is_file()}
    assert after == before


def test_an_edit_build_of_a_site_without_local_images_loads_no_http_client(
    tmp_path: Path,
) -> None:
    """imagesize and xml.sax.saxutils bring urllib.request, http and ssl with them: 20 ms
    each, in every edit build."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root, ignore=shutil.ignore_patterns("output", ".*"))
    _build(root)
    article = sorted((root / "content").rglob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    _, loaded = _build(root)
    assert "jinja2" in loaded  # the edit rendered
    assert "imagesize" not in loaded
    assert "urllib.request" not in loaded


def test_an_edit_build_does_not_check_the_catalogues_the_last_build_checked(
    tmp_path: Path,
) -> None:
    """Babel finds its catalogue checkers through every installed package's entry points
    (30 ms, with the email parser behind importlib.metadata). The first build checks the
    catalogues; an edit build only reads the one its pages use, as the config key holds."""
    root = tmp_path / "site"
    shutil.copytree(SITES / "basic", root, ignore=shutil.ignore_patterns("output", ".*"))
    _, first = _build(root)
    assert "babel.messages.checkers" in first
    article = sorted((root / "content").rglob("*.md"))[0]
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    _, loaded = _build(root)
    assert "jinja2" in loaded and "babel.messages.pofile" in loaded  # rendered, translated
    assert "babel.messages.checkers" not in loaded
