"""Screenshots of the example site's main page kinds, to judge the look before a release.

    python docs/screenshots.py [OUT_DIR]          # default: /tmp/newsdigest-screenshots
    python docs/screenshots.py --refresh-readme   # also rewrites docs/screenshot.png

Builds the bundled example site into a temporary folder, serves it on 127.0.0.1 and saves the
front page, the newest edition, an article and a source page, each at desktop width and at
390 px, in the light and the dark colour scheme (16 PNG files). Only docs/screenshot.png is
kept in the repository: the full set is for a person to look at, and PNGs of every kind would
weigh megabytes in git history for little use.

Needs Playwright for Python and Debian's Chromium (the same as the browser tests; never
`playwright install`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.__main__ import main as newsdigest  # noqa: E402

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _first(output: Path, pattern: str) -> str:
    """The site path of the last (newest, by sorted path) page matching `pattern`."""
    matches = sorted(output.glob(pattern))
    if not matches:
        raise SystemExit(f"the example site has no page matching {pattern}")
    return "/" + matches[-1].parent.relative_to(output).as_posix() + "/"


def _pages(output: Path) -> dict[str, str]:
    """The page kinds to photograph, by name, as site paths."""
    return {
        "front": "/",
        "edition": _first(output, "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/index.html"),
        "article": _first(output, "[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]/*/index.html"),
        "source": _first(output, "sources/*/index.html"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="/tmp/newsdigest-screenshots", type=Path)
    parser.add_argument("--refresh-readme", action="store_true")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        site = Path(scratch) / "site"
        shutil.copytree(REPO, site, ignore=shutil.ignore_patterns(".git", "output", ".*", "bench"))
        if newsdigest(["build", "--root", str(site), "-q"]) != 0:
            return 1
        output = site / "output"
        with _served(output) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=args.chromium, args=["--no-sandbox"], headless=True
            )
            for kind, path in _pages(output).items():
                for width_name, viewport in VIEWPORTS.items():
                    for scheme in SCHEMES:
                        context = browser.new_context(viewport=viewport, color_scheme=scheme)
                        page = context.new_page()
                        page.goto(url + path, wait_until="networkidle")
                        target = args.out / f"{kind}-{width_name}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=width_name == "mobile")
                        if args.refresh_readme and (kind, width_name, scheme) == (
                            "front",
                            "desktop",
                            "light",
                        ):
                            page.screenshot(path=str(REPO / "docs" / "screenshot.png"))
                        context.close()
                        print(target)
            browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
