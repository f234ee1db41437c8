"""Skipped: an article a build left out, and why.

Its own module because the manifest (cache.py) keeps the skipped articles of the last
build, and a build with nothing to do reads that manifest without loading the site model
(site.py), which brings the article parser with it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Skipped:
    """An article left out of this build, and why (shown in the build output)."""

    source: str
    reason: str
