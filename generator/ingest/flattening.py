"""Undo what the tool that flattened a page to text did to it, before its lines are classified.

A scrape reaches the importer as text made by one of several tools, and each leaves its own
marks: html2text writes Markdown (links as `[text](url)`, `**bold**`, `# ` headings, escaped
punctuation, `a | b` tables), lynx numbers links (`[12]text`) and marks images, and lxml's
`text_content()` glues blocks together ("...the council said.The mayor..."). The line rules
were written for plain lines, so these marks are taken off first; the text keeps its line
count, so that every unit still names its line of the source.

Hard-wrapped lines (lynx, w3m, html2text) and lists are handled where lines become units
(`textclean.split_units`), since wrapping needs the lines' widths.
"""

from __future__ import annotations

import re

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
# lynx without -nolist: "[12]Council approves budget", "[IMG]", "[INLINE]"; a citation mark
# after a word ("... in 2019.[3] The") is left alone.
_LYNX_MARK = re.compile(r"(?<![^\s(])\[(?:\d{1,4}|IMG|INLINE|LINK|BUTTON|EMBED)\](?=[^\s\]]|$)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(
    r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w\\])_(?=\S)([^_\n]+?)(?<=\S)_(?!\w)"
)
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>])")
_HEADING = re.compile(r"^(\s*)#{1,6}\s+(.*?)(?:\s+#+)?\s*$")
_QUOTE = re.compile(r"^\s*>\s?")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?\s*$")
_CELL_SEPARATOR = re.compile(r"\s*\|\s*")
# "...said.The mayor": a sentence end glued to the next block's first word.
_CAPITAL = "A-ZÀ-ÖØ-ÞА-ЯЁ"
_GLUED_END = rf"(?<=[^\W\d_]{{2}}[.!?])(?=[{_CAPITAL}][^\W\d_])|(?<=[.!?][\"”»])(?=[{_CAPITAL}])"
_GLUED_SENTENCE = re.compile(_GLUED_END)
# Where a glued line is cut: sentence ends, and a label's colon ("What to know:First item").
_GLUED_CUT = re.compile(rf"{_GLUED_END}|(?<=[^\W\d_]{{2}}:)(?=[{_CAPITAL}][^\W\d_])")
# "Budget approvedThe council", "12 July 2024Share": a block glued to the next one.
_GLUED_BLOCK = re.compile(
    rf"(?<=[a-zß-öø-ÿа-яё]{{2}})(?=[{_CAPITAL}][a-zß-öø-ÿа-яё])|(?<=\d)(?=[{_CAPITAL}][a-zß-öø-ÿ]{{2}})"
)
_MARKS = ("#", ">", "*", "_", "\\", "---")  # a line rule has nothing to do without one
_GLUED_PAGE = 3  # sentence ends glued to a capital that show a page's blocks were glued


def unmark(text: str) -> str:
    """The text without Markdown and lynx marks, line for line (links keep their text).

    Each rule runs only where its mark's first character occurs: most scrapes have none."""
    if "](" in text:
        text = _IMAGE.sub(lambda match: "\n" * match.group(0).count("\n"), text)
        text = _LINK.sub(r"\1", text)
    if "[" in text:
        text = _LYNX_MARK.sub("", text)
    if not any(mark in text for mark in _MARKS):
        return text
    lines = text.split("\n")
    table = [bool("---" in line and _TABLE_RULE.match(line)) for line in lines]
    rows = _table_rows(lines, table) if any(table) else set()
    out = []
    for number, line in enumerate(lines):
        if table[number] or (("-" in line or "*" in line or "_" in line) and _RULE.match(line)):
            out.append("")
            continue
        if number in rows:
            cells = _CELL_SEPARATOR.split(line.strip().strip("|"))
            line = "\t".join(cells)  # the tab-separated rows textclean makes a table of
        start = line.lstrip()[:1]
        if start == "#":
            heading = _HEADING.match(line)
            line = heading.group(1) + heading.group(2) if heading else line
        elif start == ">":
            line = _QUOTE.sub("", line)
        if "*" in line or "_" in line:
            line = _STRONG.sub(r"\2", line)
            line = _EMPHASIS.sub(lambda match: match.group(1) or match.group(2), line)
        out.append(_ESCAPE.sub(r"\1", line) if "\\" in line else line)
    return "\n".join(out)


def _table_rows(lines: list[str], rules: list[bool]) -> set[int]:
    """Lines of a Markdown table: the header above each `---|---` rule and the `|` rows
    below it."""
    rows: set[int] = set()
    for number, rule in enumerate(rules):
        if not rule:
            continue
        if number and "|" in lines[number - 1]:
            rows.add(number - 1)
        below = number + 1
        while below < len(lines) and "|" in lines[below] and lines[below].strip():
            rows.add(below)
            below += 1
    return rows


def is_glued(text: str) -> bool:
    """The page's blocks were run together (lxml `text_content()`): sentence ends touch the
    next capital often, which typed prose almost never does."""
    return len(_GLUED_SENTENCE.findall(text)) >= _GLUED_PAGE


_CAMEL = re.compile(r"[a-zß-öø-ÿа-яё]{3}[A-ZÀ-ÖØ-ÞА-ЯЁ][a-zß-öø-ÿа-яё]{2}")
_MENU_JOINS = 3  # "HomeNewsSportWeather": more joins in a line than brand names give prose


def is_glued_menu(line: str) -> bool:
    """A line of menu items or share buttons written without spaces between them (the
    page's links touch), in any flattening."""
    return len(_CAMEL.findall(line)) >= _MENU_JOINS


def split_glued(text: str) -> list[str]:
    """One glued line as the blocks it was made of."""
    parts = []
    for sentence in _GLUED_CUT.split(text):
        parts.extend(part for part in _GLUED_BLOCK.split(sentence) if part.strip())
    return parts or [text]
