"""`newsdigest build` with the generator fingerprint pinned to the one the project's cache
holds: for `build_ab.py --one-copy` only, never for a site.

The fingerprint (a hash of the generator's own code, see cache.py) is what makes every cache
of another code version stale, so that a changed generator rebuilds from scratch. That is
right for a site and ruinous for an A/B at 100,000 articles, where each checkout would need
its own copy built cold (390 s on the 2-core machine) before the first measured build. With
the fingerprint pinned, two checkouts whose caches share one format take turns building one
built copy. The comparison is only sound when the two produce the same output and read and
write the cache the same way: build_ab checks the output of the last builds.

Usage (PYTHONPATH=<checkout>): python bench/pinned_build.py build --timings --root DIR ...
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn


def cached_fingerprint(root: Path) -> str:
    """The generator fingerprint in the header of the project's remembered digests."""
    from generator.core.layout import CACHE_DIR

    found = sorted((root / CACHE_DIR).glob("digests-v*"))
    if not found:
        raise SystemExit(f"{root}: no built cache to pin to (build it once first)")
    with found[0].open("rb") as handle:
        header = handle.readline().split(b" ")
    if len(header) != 5 or header[0] != b"newsdigest-cache":
        raise SystemExit(f"{found[0]}: not a newsdigest cache file")
    return header[3].decode("ascii")


def main(arguments: list[str]) -> NoReturn:
    root = Path(arguments[arguments.index("--root") + 1]) if "--root" in arguments else Path()
    fingerprint = cached_fingerprint(root)
    from generator.build import cache, pipeline, theme

    for module in (cache, theme, pipeline):
        module.GENERATOR_FINGERPRINT = fingerprint  # type: ignore[misc]
    from generator.__main__ import run as newsdigest

    sys.argv = ["newsdigest", *arguments]
    newsdigest()  # as the command line ends: os._exit, nothing torn down


if __name__ == "__main__":
    main(sys.argv[1:])
