"""The summary: the story's own opening sentences, cut at a sentence boundary near 60 words.

Never written by us: a summary that paraphrased would put words in the publisher's mouth.
"""

from __future__ import annotations

import re

from .sanitize import strip_links

TARGET_WORDS = 60
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "jr",
        "sr",
        "prof",
        "gen",
        "gov",
        "sen",
        "rep",
        "col",
        "lt",
        "sgt",
        "no",
        "vs",
        "etc",
        "inc",
        "corp",
        "co",
        "ltd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "e.g",
        "i.e",
        "approx",
        "dept",
        "fig",
        "nr",
        "bzw",
        "ca",
    ]
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’»)]*\s+(?=[\"'“‘«¿¡(]?[^\W_a-z])", re.UNICODE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def sentences(paragraph: str) -> list[str]:
    """Split prose into sentences, not after abbreviations such as "Mr." or initials."""
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        before = paragraph[start : match.start()].rstrip("\"'”’»)")
        last_word = before.rsplit(None, 1)[-1].rstrip(".").casefold() if before.split() else ""
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha()):
            continue
        pieces.append(paragraph[start : match.start()].strip())
        start = match.end()
    pieces.append(paragraph[start:].strip())
    return [piece for piece in pieces if piece]


def lede_summary(body: str) -> str | None:
    """Whole sentences from the first paragraphs, ending at the boundary nearest 60 words."""
    chosen: list[str] = []
    count = 0
    for block in body.split("\n\n"):
        block = block.strip()
        if not block or block.startswith(("#", "- ", "> ", "|")):
            if chosen:
                break
            continue
        for sentence in sentences(_EMPHASIS.sub(r"\2", strip_links(" ".join(block.split())))):
            words = len(sentence.split())
            if chosen and abs(count + words - TARGET_WORDS) > abs(count - TARGET_WORDS):
                return " ".join(chosen)
            chosen.append(sentence)
            count += words
    return " ".join(chosen) or None
