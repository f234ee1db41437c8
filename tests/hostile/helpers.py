"""Build small hostile sites and check what a reader (or a deploy tool) would get."""

from __future__ import annotations

import hashlib
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import html5lib

from generator.build.output import OUTPUT_MARKER

SITE_YAML = "title: Hostile Digest\nbase_url: https://h.example.org/\ntimezone: UTC\n"
# Written by the build next to or inside the project by design; anything else is a leak.
EXPECTED_OUTSIDE_OUTPUT = re.compile(r"^(\.output\.lock|\.newsdigest-cache(/.*)?)$")
LOCATED = re.compile(r"^[^:\n]+(:\d+)?: \S")
SUMMARY = re.compile(r"^\d+ problems? found; nothing was written$")


def make_site(root: Path, articles: dict[str, str], site_yaml: str = SITE_YAML) -> Path:
    """A project with site.yaml and the given content/<name> files."""
    (root / "content").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(site_yaml, encoding="utf-8")
    for name, text in articles.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return root


def article(front: str, body: str = "Plain body text.") -> str:
    """An article file from front-matter lines and a Markdown body."""
    return f"---\n{front.strip()}\n---\n\n{body}\n"


def previous_output(root: Path) -> Path:
    """A previous site in output/ that a failed build must leave exactly as it was."""
    output = root / "output"
    (output / "2024" / "01").mkdir(parents=True)
    (output / OUTPUT_MARKER).write_text("written by newsdigest\n")  # as every build leaves
    (output / "index.html").write_text("<!DOCTYPE html><title>old site</title>\n")
    (output / "2024" / "01" / "index.html").write_bytes(b"old month \x00\xff")
    return output


def tree_state(root: Path) -> dict[str, str]:
    """Every file and folder under root (symlinks not followed), with a hash of each file."""
    state = {}
    for current, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(current) / name
            relative = path.relative_to(root).as_posix()
            if path.is_symlink():
                state[relative] = "link:" + os.readlink(path)
            elif path.is_file():
                state[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                state[relative] = "dir"
    return state


def written_outside_output(before: dict[str, str], after: dict[str, str], output: str) -> list:
    """Paths created or changed outside `output` (a path relative to the snapshot root)."""
    return sorted(
        name
        for name, value in after.items()
        if before.get(name) != value
        and not (name == output or name.startswith(output + "/"))
        and not EXPECTED_OUTSIDE_OUTPUT.match(name.split("/", 1)[1] if "/" in name else name)
    )


def assert_located_errors(err: str) -> list[str]:
    """stderr is only `path:line: message` lines and the summary; return the located lines."""
    assert "Traceback" not in err, err
    lines = err.splitlines()
    assert lines and SUMMARY.match(lines[-1]), err
    for line in lines[:-1]:
        assert LOCATED.match(line), line
    return lines[:-1]


def html_errors(path: Path) -> list:
    """Parse errors a real HTML5 parser reports for a page (empty for a valid page)."""
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    parser.parse(path.read_bytes())
    return parser.errors


def parse_xml(path: Path) -> ET.Element:
    """Parse with a strict XML parser (raises on any well-formedness error)."""
    return ET.fromstring(path.read_bytes())
