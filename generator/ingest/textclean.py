"""The plain-text cleaner: find the story in a scraped page, whatever the site's layout.

Each line (or wrapped paragraph) becomes a unit with structural features: word count,
terminal punctuation, stop-word density, list marker. Units are scored (prose is positive,
page furniture negative) and the main block is the highest-scoring run of units, the way
body-text extraction finds the densest region of a page. Labelled runs of headline-like
lines (link boxes), widget lines, ratings, lines recurring on other pages of the same site
and lines equal to other articles' titles are furniture. Metadata is read from the lines
around the main block.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from .dates import classify_date_line, date_line_parts, has_date_label
from .flattening import is_glued, is_glued_menu, split_glued, unmark
from .metadata import (
    SplitTitle,
    is_bullet,
    split_tags,
    strip_bullet,
    tag_label,
    unique_tags,
)
from .metadata import split_site_suffix as _split_site_suffix
from .model import BatchContext, Extracted
from .sanitize import strip_links
from .vocabulary import (
    STOP_WORDS,
    is_comment_header,
    is_consent_or_prompt,
    is_section_label,
    is_ui_phrase,
)

_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uff66-\uff9f]")
_CJK_STOPS = ("。", "！", "？", "」", "』")
_CJK_PARTICLES = frozenset("のはがをにでとへもや的了是在和")
_TERMINAL = re.compile(r"""[.!?…。:;]["'”’»)\]]*$|[.!?…]\s*["'”’»]$""")
_RATING = re.compile(r"^[\w\s]{1,25}[!.]?\s*[(\[]\s*\d[\d.,]*[kKmM]?\s*[)\]]$")
_COUNT = re.compile(
    r"^(?:\d[\d.,]*[kKmM]?\s+\w+(?:\s+\w+)?|\w+(?:\s+\w+)?\s*[:(]?\s*\d[\d.,]*[kKmM]?\)?)$"
)
# A counter widget ("1.2k shares", "Comments (12)") is short; _COUNT backtracks over a long
# run of digits (quadratic), so longer lines are not tried.
_COUNT_LENGTH = 80
_DATE_LINE_WORDS = 40  # "By A and B | Published ... | Updated ...": labelled, so longer
_PAIRED = 100  # header lines looked at in pairs by find_title, at each end
_STARS = re.compile(r"^[★☆✩✪⭐*]{3,}|^\d(?:[.,]\d)?\s*/\s*(?:5|10)\b|^[👍👎❤♥]")
_NAV_SEPARATOR = re.compile(r"\s(?:[|>»›/·•])\s|\s?[>»›]\s?")
_RELATIVE_TIME = re.compile(
    r"^\W*(?:\d+\s*(?:min|mins|minutes?|h|hrs?|hours?|days?|weeks?)\s+ago|vor\s+\d+\s+\w+|"
    r"il y a\s+\d+\s+\w+|hace\s+\d+\s+\w+|yesterday|gestern|hier|ayer)\W*$",
    re.IGNORECASE,
)
_BYLINE_LABEL = r"^\W*(?:by|von|par|por|di|text:|author:|autor:|auteur:|door)\s+"
_BYLINE = re.compile(_BYLINE_LABEL + r"\S", re.I)
_CREDIT = re.compile(
    r"^\W*(?:photo|foto|image|bild|picture|credit|crédit|imagen|video|getty|reuters|afp|ap)"
    r"\s*(?:credit)?\s*[:/©(]",
    re.IGNORECASE,
)
# A caption ends with its credit: "... near the bridge. Photo: The Courier".
_CAPTION_CREDIT = re.compile(
    r"(?:^|[\s.)）])(?:photo|photos|foto|fotos|bild|image|picture|crédit photo|crédit|imagen|"
    r"picture|credit|写真|画像|图片)\s*[:：]\s*[^.!?]{1,60}$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?P<name>[^.|©]*?)"
    r"\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*(?:[.|,]|$)",
    re.IGNORECASE,
)
_TIME_STAMP = re.compile(r"^\d{1,2}[:.h]\d{2}(?:\s*(?:[ap]\.?m\.?|uhr|h))?$", re.IGNORECASE)
_HASHTAGS = re.compile(r"^(?:#[^\W\d_][\w-]*\s*)+$")
_TEASER_WORDS = 40
_BANNER_WORDS = 80  # a consent banner or sign-up box is rarely longer
_PARTS = re.compile(r"\s+[|·•]\s+")  # "By A | Published ...": the byline's own part
_INTERSTITIAL = re.compile(r"^[^\W\d][\w\s]{1,25}:\s*\S")
_PUBLISHER_LABEL = re.compile(
    r"^\W*(?:source|publisher|quelle|source :|fuente)\s*:\s*(?P<name>.+)$", re.IGNORECASE
)

# `Unit.markdown` of a Markdown table kept whole (its `text` holds the table's rows).
TABLE = "table"

# Unit kinds. Prose kinds are candidates for the body; the rest is furniture or metadata.
PROSE, SENTENCE, HEADLINE, LABEL, FURNITURE, DATE, TAGS, BYLINE, LINKS, INSET = (
    "prose",
    "sentence",
    "headline",
    "label",
    "furniture",
    "date",
    "tags",
    "byline",
    "links",
    "inset",  # a short box inside the story: dropped, but the story runs across it
)


@dataclass(frozen=True)
class Unit:
    """One line or unwrapped paragraph of the page, with the features the cleaner uses."""

    text: str  # whitespace-normalised, list marker removed
    line: int  # 1-based line of the source where it starts
    bullet: bool
    words: int
    terminal: bool
    stop_ratio: float
    markdown: str = ""  # block prefix when the text came from Markdown ("## ", "> ")
    gap_before: bool = False  # a blank line separates it from the previous unit


def line_key(text: str) -> str:
    """Comparison form of a line: case, spacing, list markers and end punctuation ignored."""
    text = strip_bullet(text.strip()).lstrip("#> ").casefold()
    return " ".join(_WORD.findall(text))


def make_unit(text: str, line: int, markdown: str = "", gap_before: bool = False) -> Unit:
    """Measure one line of text.

    Chinese and Japanese have no spaces, so a sentence would be one "word" and never prose:
    there every two characters count as a word, and particles (の, は, 的, 了 ...) as stop
    words.
    """
    bullet = is_bullet(text)
    clean = " ".join(strip_bullet(text).split()) if bullet else " ".join(text.split())
    visible = strip_links(clean)
    cjk = _CJK.findall(visible)
    if cjk:
        visible = _CJK.sub(" ", visible)
    words = _WORD.findall(visible)
    stops = sum(1 for word in words if word.casefold() in STOP_WORDS)
    stops += sum(1 for char in cjk if char in _CJK_PARTICLES)
    count = len(words) + len(cjk) // 2
    return Unit(
        text=clean,
        line=line,
        bullet=bullet,
        words=count,
        terminal=bool(_TERMINAL.search(strip_links(clean))),
        stop_ratio=min(1.0, stops / count) if count else 0.0,
        markdown=markdown,
        gap_before=gap_before,
    )


def split_units(text: str) -> list[Unit]:
    """Lines become units; hard-wrapped paragraphs (lynx, w3m, e-mail) are joined first.

    Blank lines are kept as `gap_before` when the page also has lines without one between
    them: then they separate blocks (a link box ends at one). In a double-spaced page they
    separate every line and say nothing.
    """
    text = unmark(text)
    lines = [line.rstrip() for line in text.splitlines()]
    wrap = wrap_width(lines)
    adjacent = any(a.strip() and b.strip() for a, b in zip(lines, lines[1:], strict=False))
    blocks: list[tuple[int, list[str], bool]] = []
    gap = False
    previous_line = ""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            gap = bool(blocks)
            previous_line = ""
            continue
        if wrap and blocks and previous_line and _was_wrapped(previous_line, line, *wrap):
            parts = blocks[-1][1]
            if _CJK.match(line.strip()) and _CJK.match(parts[-1][-1]):
                parts[-1] += line.strip()  # CJK text is written without spaces
            else:
                parts.append(line.strip())
        else:
            blocks.append((number, [line.strip()], gap and adjacent))
        gap = False
        previous_line = line
    return _tables(blocks, is_glued(text))


def _cells(parts: list[str]) -> list[str]:
    text = " ".join(parts)
    return [cell.strip() for cell in text.split("\t")] if "\t" in text else []


def _tables(blocks: list[tuple[int, list[str], bool]], glued: bool = False) -> list[Unit]:
    """Units of the blocks; runs of two or more lines with the same number (2 or more) of
    tab-separated cells, as a flattening writes table rows, become one Markdown table.

    On a page whose blocks were glued together, each block is split where they touch."""
    units: list[Unit] = []
    index = 0
    while index < len(blocks):
        number, parts, gap_before = blocks[index]
        width = len(_cells(parts))
        end = index
        while end < len(blocks) and width >= 2 and len(_cells(blocks[end][1])) == width:
            end += 1
        if end - index >= 2:
            rows = [_cells(block[1]) for block in blocks[index:end]]
            lines = [f"| {' | '.join(rows[0])} |", "|" + "---|" * width]
            lines += [f"| {' | '.join(row)} |" for row in rows[1:]]
            table = make_unit(" ".join(cell for row in rows for cell in row), number)
            units.append(replace(table, text="\n".join(lines), markdown=TABLE))
            index = end
        else:
            text = " ".join(parts)
            pieces = split_glued(text) if glued or is_glued_menu(text) else [text]
            units.append(make_unit(pieces[0], number, gap_before=gap_before))
            units.extend(make_unit(piece, number) for piece in pieces[1:])
            index += 1
    return units


_WRAP_WIDTHS = range(40, 101)  # columns a dump or an e-mail is wrapped at
_WRAPPED_SHARE = 0.15  # of adjacent line pairs that must look wrapped at the width found
_WRAPPED_LINES = 3  # or this many: a story of one-line paragraphs in a long menu
_MIDWAY_SHARE = 0.5  # of wrapped-looking lines that must end mid-sentence
_LONGER_SHARE = 0.05  # of lines that may be longer than the width (titles, URLs)
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)


def _characters(line: str) -> int:
    return len(line)


def _columns(line: str) -> int:
    """Terminal columns: w3m counts a CJK character as two, lynx as one."""
    return len(line) + len(_WIDE.findall(line)) if _CJK.search(line) else len(line)


def wrap_width(lines: Sequence[str]) -> tuple[int, Callable[[str], int]] | None:
    """The width the text was hard-wrapped at (lynx -dump, w3m -dump, mail) and how that
    width is counted (characters or terminal columns), or None when it is not wrapped.

    A greedy wrapper breaks a line where the next word would pass the width, so at the
    right width many lines are full to within one word, and almost none is longer.
    """
    pairs = [(a, b) for a, b in zip(lines, lines[1:], strict=False) if a.strip() and b.strip()]
    if len(pairs) < 5:
        return None
    best: tuple[int, Callable[[str], int]] | None = None
    best_count = 0
    cjk = any(_CJK.search(line) for line in lines)
    for measure in (_characters, _columns) if cjk else (_characters,):
        lengths = sorted(measure(line) for line in lines if line.strip())
        # The width is one of the longest lengths: a title or a URL may run past it.
        allowed = int(len(lengths) * _LONGER_SHARE)
        tops = {length for length in lengths[-(allowed + 8) :] if length in _WRAP_WIDTHS}
        for width in sorted(tops):
            if len(lengths) - bisect.bisect_right(lengths, width) > allowed:
                continue
            wrapped = [a for a, b in pairs if _was_wrapped(a, b, width, measure)]
            # A wrapper cuts sentences anywhere; lines that all end a sentence are paragraphs.
            midway = sum(1 for line in wrapped if not _TERMINAL.search(line))
            count = len(wrapped) if midway >= _MIDWAY_SHARE * len(wrapped) else 0
            if count > best_count:
                best, best_count = (width, measure), count
    return best if best_count >= min(_WRAPPED_SHARE * len(pairs), _WRAPPED_LINES) else None


def _was_wrapped(line: str, following: str, width: int, measure: Callable[[str], int]) -> bool:
    """`following` continues `line`: its first word would not have fitted after it, and it
    does not start a list item or sit at a shallower indentation (a new block)."""
    stripped = following.lstrip()
    if is_bullet(stripped) or not stripped:
        return False
    if len(following) - len(stripped) < len(line) - len(line.lstrip()) - 2:
        return False  # dedented: a heading or the next block, not a continuation
    length = measure(line)
    if _CJK.match(stripped):
        # No spaces to break at: a wrapper cuts anywhere, but not after a full stop.
        return length + 2 >= width and length <= width and not line.endswith(_CJK_STOPS)
    first_word = stripped.split()[0]
    return length + 1 + measure(first_word) > width and length <= width


def classify(unit: Unit, context: BatchContext) -> str:
    """The kind of one unit, from its own shape (neighbours are looked at later)."""
    text = unit.text
    key = line_key(text)
    if not key:
        return FURNITURE
    if key in context.recurring or key in context.other_titles:
        return FURNITURE
    if tag_label(text) is not None or _HASHTAGS.match(text):
        return TAGS
    if _TIME_STAMP.match(text):
        return SENTENCE  # a live blog's update time: part of the story it stamps
    if (
        unit.words <= 14 or (unit.words <= _DATE_LINE_WORDS and has_date_label(text))
    ) and classify_date_line(text) is not None:
        return DATE
    if (
        is_ui_phrase(text)
        or _RATING.match(text)
        or _STARS.match(text)
        or _RELATIVE_TIME.match(text)
        or (unit.words <= 3 and len(text) <= _COUNT_LENGTH and _COUNT.match(text))
        or _CREDIT.match(text)
        or _CAPTION_CREDIT.search(text)
        or (unit.words <= 40 and is_consent_or_prompt(text))
        or _COPYRIGHT.match(text)
        or _is_navigation(text)
    ):
        return FURNITURE
    if unit.words <= 8 and _BYLINE.match(text) and not unit.terminal:
        return BYLINE
    if is_comment_header(text):
        return FURNITURE
    if unit.words <= _TEASER_WORDS and text.endswith(("...", "…")):
        return HEADLINE  # a teaser cut off by its box, never a paragraph of the story
    if unit.terminal and (unit.words >= 8 and unit.stop_ratio >= 0.12 or unit.words >= 20):
        return PROSE
    if unit.terminal and unit.words >= 3 and (unit.stop_ratio > 0 or unit.words >= 8):
        return SENTENCE  # a long sentence in a language the stop words miss is no headline
    if unit.words <= 4:
        return LABEL
    if unit.words <= 30:
        return HEADLINE
    return PROSE if unit.stop_ratio >= 0.12 else HEADLINE


def _is_navigation(text: str) -> bool:
    """Menus and breadcrumbs: several short items joined by separators."""
    parts = [part for part in _NAV_SEPARATOR.split(text) if part.strip()]
    return len(parts) >= 3 and all(len(part.split()) <= 4 for part in parts)


def mark_link_boxes(units: Sequence[Unit], kinds: list[str]) -> list[bool]:
    """Find label lines that head a run of headline-like lines: "Related", "Most read" boxes.

    Returns, per unit, whether it opens such a box; the label and its items become LINKS.
    A short list between paragraphs under a plain label is kept: stories have those too.
    """
    opens = [False] * len(units)
    index = 0
    while index < len(units):
        if (
            kinds[index] in (LABEL, HEADLINE, FURNITURE)
            and units[index].words <= 5
            and (not units[index].terminal or units[index].text.endswith(":"))
        ):
            run = index + 1
            while (
                run < len(units)
                and _is_link_item(units[run], kinds[run])
                and not (run > index + 1 and units[run].gap_before)
            ):
                run += 1
            items = units[index + 1 : run]
            headline_items = sum(
                1 for item in items if not item.terminal or item.text.endswith("?")
            )
            if _is_short_box(units, kinds, index, run):
                for position in range(index, run):
                    kinds[position] = INSET
                index = run
                continue
            if len(items) >= 3 and headline_items >= 0.6 * len(items):
                inside_story = (
                    _story_resumes(kinds, run)
                    and _story_resumes(kinds, max(0, index - _RESUME_WINDOW), index)
                    and any(kind == PROSE for kind in kinds[:index])
                    and not is_section_label(units[index].text)
                    and kinds[index] != FURNITURE
                )
                if not inside_story:
                    opens[index] = True
                    for position in range(index, run):
                        kinds[position] = LINKS
                    index = run
                    continue
        index += 1
    return opens


_SHORT_BOX_ITEMS = range(1, 3)


def _is_short_box(units: Sequence[Unit], kinds: Sequence[str], label: int, run: int) -> bool:
    """A "Read also" or "Related" label with one or two headlines, prose above and below: a
    box set into the story, too short for the link-box rule. Its lines become INSET: never
    body, but no cost to the run either, so the story goes on across it, and its last
    headline is no subheading of the next paragraph."""
    text = units[label].text
    return (
        (is_ui_phrase(text) or is_section_label(text))
        and not is_comment_header(text)
        and len(range(label + 1, run)) in _SHORT_BOX_ITEMS
        and all(not units[item].terminal for item in range(label + 1, run))
        and run < len(units)
        and kinds[run] == PROSE
        and label > 0
        and kinds[label - 1] in (PROSE, SENTENCE, HEADLINE, LABEL)
        and any(kind == PROSE for kind in kinds[:label])
    )


_RESUME_WINDOW = 6  # units after a list where the story may go on (past a table or a box)


def _story_resumes(kinds: Sequence[str], first: int, last: int | None = None) -> bool:
    """Prose near a labelled list (after it, or before it): "What weighs on costs" and its
    items sit in the story, which goes on perhaps after a validity table or a two-item
    "Read also" box in between."""
    stop = first + _RESUME_WINDOW if last is None else last
    return any(kind in (PROSE, SENTENCE) for kind in kinds[first:stop])


def _is_link_item(unit: Unit, kind: str) -> bool:
    """Headline-shaped: a box item may be a question, but prose ending in a full stop is the
    story resuming."""
    if kind == PROSE:
        # "... Die Meteorologen raten:" introduces the story's own list.
        return unit.words <= 30 and not unit.text.rstrip("\"'”’»)").endswith((".", ":"))
    return 3 <= unit.words <= 30 and kind in (HEADLINE, SENTENCE, LABEL, FURNITURE)


_SCORES = {
    PROSE: 0,
    SENTENCE: 3,
    HEADLINE: -3,
    LABEL: -3,
    FURNITURE: -8,
    DATE: -8,
    TAGS: -8,
    BYLINE: -8,
    LINKS: -10,
    INSET: 0,
}


_STAMP_SCORE = 5  # above a live-blog update's heading (-3): the update starts at its time


def _score(unit: Unit, kind: str) -> float:
    if kind == PROSE:
        return min(unit.words, 60)
    if kind == SENTENCE and _TIME_STAMP.match(unit.text):
        return _STAMP_SCORE
    return _SCORES[kind]


def _best_run(scores: Sequence[float], start: int, stop: int) -> tuple[float, int, int]:
    """Maximum-sum run of scores[start:stop] as (sum, first, last+1); (0, start, start) if none."""
    best = (0.0, start, start)
    total, first = 0.0, start
    for index in range(start, stop):
        if total <= 0:
            total, first = 0.0, index
        total += scores[index]
        if total > best[0]:
            best = (total, first, index + 1)
    return best


def main_block(units: Sequence[Unit], kinds: Sequence[str], barriers: Sequence[bool]) -> list[int]:
    """Indices of the units of the story: the best run, plus runs continuing it past a box.

    Boxes and section labels are barriers the run cannot cross, so reader comments after a
    "Comments" label never join the story. A run right after a box joins when it is pure
    prose (no widgets in it) and large enough: that is the story going on after a mid-article
    "Related" box, not comments, which come with names, times and "Reply" widgets.
    """
    scores = [_score(unit, kind) for unit, kind in zip(units, kinds, strict=True)]
    cuts = [0] + [index for index, barrier in enumerate(barriers) if barrier] + [len(units)]
    runs = [_best_run(scores, first, last) for first, last in zip(cuts, cuts[1:], strict=False)]
    runs = [run for run in runs if run[0] > 0]
    if not runs:
        return []
    best = max(runs, key=lambda run: (run[0], -run[1]))
    chosen = list(range(best[1], best[2]))
    end = best[2]
    for total, first, last in runs:
        if first < end:
            continue
        between = kinds[end:first]
        # The story's own list may end right above the box: its lines score below zero,
        # so the run stopped before them; they join with the story below the box.
        tail = end
        while tail < first and kinds[tail] in (HEADLINE, LABEL, SENTENCE):
            tail += 1
        prose = sum(1 for index in range(first, last) if kinds[index] == PROSE)
        clean = all(kinds[index] in (PROSE, SENTENCE, HEADLINE) for index in range(first, last))
        box = kinds[tail:first]
        after_box = bool(box) and all(kind == LINKS for kind in box) and prose >= 2
        if (
            between
            and (after_box or (prose >= 1 and _is_promo_box(units[end:first], between)))
            and clean
            and total >= 0.25 * best[0]
        ):
            chosen.extend(range(end, tail) if after_box else ())
            chosen.extend(range(first, last))
            end = last
        else:
            break
    return chosen


_PROMO_BOX = 5  # lines: a newsletter or app box set inside the story


def _is_promo_box(units: Sequence[Unit], kinds: Sequence[str]) -> bool:
    """A short sign-up box in mid-story ("Get the morning briefing", "Sign up ...",
    "Subscribe"): the story goes on below it, unlike after a section label."""
    return (
        len(units) <= _PROMO_BOX
        and all(kind in (FURNITURE, LABEL, LINKS) for kind in kinds)
        and any(is_consent_or_prompt(unit.text) for unit in units)
        and not any(is_section_label(unit.text) or is_comment_header(unit.text) for unit in units)
    )


_STORY_BEFORE_COMMENTS = 30  # prose words above the comments that make a story


def comments_start(units: Sequence[Unit], kinds: Sequence[str]) -> int:
    """Where reader comments begin, when a story stands above them; else the end.

    Comments are prose too, and long ones outscore a short story: below their header
    ("34 responses to ...", "Comments (3)", "X says:") nothing is the story.
    """
    prose = 0
    for index, unit in enumerate(units):
        if kinds[index] == PROSE:
            prose += unit.words
        elif prose >= _STORY_BEFORE_COMMENTS and is_comment_header(unit.text):
            return index
    return len(units)


def render_body(
    units: Sequence[Unit],
    kinds: Sequence[str],
    chosen: Sequence[int],
    marked_headings: bool = False,
) -> str:
    """Markdown for the chosen units: paragraphs, list items, and subheadings between prose.

    With `marked_headings` (trafilatura's Markdown, which marks real headings with `#`), a
    short unmarked line between paragraphs of the story is story too: a bold "Key facts"
    label and its lines, or `<br>`-broken lines, not a heading to guess.
    """
    blocks: list[str] = []
    chosen_set = set(chosen)
    prose = [position for position, index in enumerate(chosen) if kinds[index] == PROSE]
    labelled = _labelled_lists(units, kinds, chosen)
    for position, index in enumerate(chosen):
        unit, kind = units[index], kinds[index]
        if kind not in (PROSE, SENTENCE, HEADLINE, LABEL):
            continue
        if unit.markdown == TABLE:
            blocks.append(unit.text)
            continue
        if index in labelled:
            item = f"- {unit.text}"
            if labelled[index] and blocks and blocks[-1].startswith("- "):
                blocks[-1] += f"\n{item}"
            else:
                blocks.append(item if labelled[index] else unit.text)
            continue
        inside = bool(prose) and prose[0] < position < prose[-1]
        if marked_headings and not unit.markdown.startswith("#") and inside:
            pass  # kept below as a paragraph or list item
        elif unit.markdown.startswith("#") or (kind in (HEADLINE, LABEL) and not unit.bullet):
            before = chosen[position - 1] if position else None
            after = index + 1 if index + 1 in chosen_set else None
            is_heading = (
                before is not None
                and after is not None
                and unit.words <= 15
                and kinds[after] == PROSE
                and not _INTERSTITIAL.match(unit.text)
            )
            if unit.markdown.startswith("#") or is_heading:
                if after is not None and before is not None:
                    blocks.append(f"{unit.markdown or '## '}{unit.text}")
                continue
            if kind in (HEADLINE, LABEL):
                continue
        if unit.bullet:
            marker = "- "
            if blocks and blocks[-1].startswith("- "):
                blocks[-1] += f"\n{marker}{unit.text}"
                continue
            blocks.append(f"{marker}{unit.text}")
        else:
            blocks.append(f"{unit.markdown}{unit.text}")
    return "\n\n".join(blocks)


_LIST_ITEMS = range(2, 13)
_LIST_ITEM_WORDS = 20


def _labelled_lists(
    units: Sequence[Unit], kinds: Sequence[str], chosen: Sequence[int]
) -> dict[int, bool]:
    """Short lines under a label in the middle of the story ("What owners should do", then
    three lines): the label (False) and its items (True), which are story, not headings.

    Only text without Markdown marks: in trafilatura's Markdown the lines are kept anyway.
    """
    found: dict[int, bool] = {}
    position = 0
    while position < len(chosen):
        end = position
        while (
            end < len(chosen)
            and kinds[chosen[end]] in (HEADLINE, LABEL)
            and not units[chosen[end]].markdown
            and units[chosen[end]].words <= _LIST_ITEM_WORDS
        ):
            end += 1
        run = chosen[position:end]
        before = kinds[chosen[position - 1]] if position else None
        following = [kinds[index] for index in chosen[end:] if kinds[index] != INSET]
        after = following[0] if following else None  # a short box set in the story is skipped
        introduced = bool(position) and units[chosen[position - 1]].text.endswith(":")
        if introduced and len(run) in _LIST_ITEMS and after in (PROSE, SENTENCE):
            found.update(dict.fromkeys(run, True))  # "... gives this advice:" and its items
        elif (
            len(run) - 1 in _LIST_ITEMS
            and before in (PROSE, SENTENCE)
            and after in (PROSE, SENTENCE)
        ):
            found.update({index: number > 0 for number, index in enumerate(run)})
        position = max(end, position + 1)
    return found


@dataclass(frozen=True)
class Header:
    """Title and publisher read from the lines above the story."""

    title: str | None
    publisher: str | None


def find_title(
    units: Sequence[Unit],
    kinds: Sequence[str],
    body_start: int,
    lede: str,
    site: str | None = None,
) -> Header:
    """The headline: a line above the story, preferring one another line repeats with a
    breadcrumb or site suffix glued on, then one sharing words with the lede, then one
    right above the byline or date line.

    `site` is the publisher the page names elsewhere (its copyright line): a dash and a
    phrase after a headline are the site only when they name it.
    """

    def split_site_suffix(text: str) -> SplitTitle:
        split = _split_site_suffix(text)
        if site and split.publisher and not _same_name(split.publisher, site):
            return SplitTitle(" ".join(text.split()), None)
        return split

    header = [
        index
        for index in range(body_start)
        if kinds[index] in (HEADLINE, LABEL, SENTENCE, FURNITURE, PROSE, LINKS)
        and units[index].words >= 2
    ]
    texts = [units[index].text for index in header]
    # Every pair is compared: only the lines nearest the top and the story, where
    # headlines are, so that a page of thousands of header lines stays linear.
    paired = texts if len(texts) <= 2 * _PAIRED else texts[:_PAIRED] + texts[-_PAIRED:]
    rest = _rekicked(paired)
    if rest is not None:
        return Header(rest, None)
    for outer in paired:
        for inner in paired:
            if inner != outer and len(inner.split()) >= 3 and _glued_onto(inner, outer):
                tail = outer[outer.index(inner) + len(inner) :]
                split = split_site_suffix(inner + tail) if tail.strip() else None
                return Header(inner, split.publisher if split else None)
    candidates: list[tuple[float, int, str, str | None]] = []
    lede_words = {
        word.casefold() for word in _WORD.findall(lede) if word.casefold() not in STOP_WORDS
    }
    for order, index in enumerate(header):
        unit, kind = units[index], kinds[index]
        above_byline = index + 1 < len(units) and kinds[index + 1] in (DATE, BYLINE)
        if kind == LINKS and not above_byline:
            continue  # a headline taken into a menu box stays a candidate above its byline
        if kind not in (HEADLINE, SENTENCE, PROSE, LINKS) or unit.words < 3 or unit.words > 40:
            continue
        split = split_site_suffix(unit.text)
        words = {
            word.casefold()
            for word in _WORD.findall(split.title)
            if word.casefold() not in STOP_WORDS
        }
        overlap = len(words & lede_words) / len(words) if words else 0.0
        score = min(overlap, 0.5) + (0.3 if split.publisher else 0.0) - 0.01 * order
        if kind == PROSE:
            score -= 0.4
        if above_byline:
            score += 0.2
        candidates.append((score, order, split.title, split.publisher))
    if not candidates:
        return Header(None, None)
    best = max(candidates, key=lambda item: (item[0], -item[1]))
    return Header(_untruncated(best[2], texts), best[3])


def _untruncated(title: str, texts: Sequence[str]) -> str:
    """The headline as shown above the story when the page title cut it short ("New tram
    line opens | Site" over "New tram line opens. First passengers on board")."""
    longer = [
        text
        for text in texts
        if text.startswith(title)
        and text[len(title) : len(title) + 1] in _TITLE_GOES_ON
        and len(text.split()) <= _TITLE_WORDS
        and _split_site_suffix(text).publisher is None
    ]
    return longer[0] if longer else title


_TITLE_GOES_ON = frozenset(".:;,!?")  # "... opens. First passengers ...", not "... opens By Ann"


_TITLE_WORDS = 30  # a longer line is a standfirst, not the headline
_KICKER_WORDS = 3  # "Deutsche Bahn:", "Hemsby cliff:": a kicker glued before a headline
_KICKED_WORDS = 4  # words of a headline after a kicker (a caption's credit has fewer)
_KICKED = re.compile(r"^(?P<kicker>[^:]{1,40}?):\s+(?P<rest>\S.*)$")


def _rekicked(texts: Sequence[str]) -> str | None:
    """The headline two header lines show under different kickers ("Bahn: Five months ..."
    in the page title, "Deutsche Bahn: Five months ..." above the story): the part after."""
    rests: dict[str, str] = {}
    for text in texts:
        match = _KICKED.match(_split_site_suffix(text).title)
        if not match or len(match.group("kicker").split()) > _KICKER_WORDS:
            continue
        rest = match.group("rest")
        if len(rest.split()) < _KICKED_WORDS:
            continue
        seen = rests.setdefault(line_key(rest), match.group("kicker"))
        if line_key(seen) != line_key(match.group("kicker")):
            return rest
    return None


def _glued_onto(inner: str, outer: str) -> bool:
    """`outer` is `inner` with a breadcrumb, kicker or site suffix glued on, not a caption
    or a copyright line that happens to name the site ("Photo: The Courier")."""
    position = outer.find(inner)
    if position < 0:
        return False
    before = outer[:position].strip()
    after = outer[position + len(inner) :].strip()
    # "Photo: The Courier" names the site in a caption; "Hemsby cliff: Village homes to be
    # demolished ..." is a kicker before a headline of several words.
    kicker = before.endswith(":") and len(before.split()) <= _KICKER_WORDS
    if kicker and len(inner.split()) < _KICKED_WORDS:
        return False
    if before and (
        len(before.split()) > 6 or before.endswith(".") or before.endswith(":") and not kicker
    ):
        return False
    return not after or _split_site_suffix(outer[position:]).publisher is not None


def _same_name(one: str, other: str) -> bool:
    first, second = line_key(one), line_key(other)
    return bool(first and second) and (first in second or second in first)


def find_dates(
    units: Sequence[Unit],
    kinds: Sequence[str],
    body: set[int],
) -> tuple[dt.datetime | dt.date | None, dt.datetime | dt.date | None]:
    """Publication and update dates: labelled ones win; a bare date line counts when it is
    outside the story text (a date inside a paragraph is news, not the page's date)."""
    published: list[dt.datetime | dt.date] = []
    bare: list[dt.datetime | dt.date] = []
    updated: list[dt.datetime | dt.date] = []
    # Below the story, a bare date is a comment's or a teaser's: only labelled ones count.
    end = max(body) + 1 if body else len(units)
    for index, unit in enumerate(units):
        if kinds[index] != DATE and not (kinds[index] == BYLINE and index not in body):
            continue
        for kind, value in date_line_parts(unit.text):
            if kind == "bare" and index >= end:
                continue
            {"published": published, "updated": updated, "bare": bare}[kind].append(value)
    date = (published or bare or updated or [None])[0]
    update = updated[0] if updated and date is not updated[0] else None
    return date, update


def find_tags(units: Sequence[Unit]) -> list[str]:
    """Tags from "Tags: a, b" lines or a label followed by list items."""
    tags: list[str] = []
    for index, unit in enumerate(units):
        rest = tag_label(unit.text) if not unit.markdown.startswith("#") else None
        if rest is None and unit.markdown.startswith("#"):
            rest = tag_label(unit.text + ":") if unit.words <= 2 else None
        if rest is None:
            continue
        if rest:
            tags.extend(split_tags(rest))
            continue
        for item in units[index + 1 :]:
            if not item.bullet or item.words > 6:
                break
            tags.append(item.text)
    return unique_tags(tags)


def find_publisher(units: Sequence[Unit], kinds: Sequence[str]) -> str | None:
    """A publisher named by a "Source:" line or a copyright notice."""
    for unit in units:
        label = _PUBLISHER_LABEL.match(unit.text)
        if label and len(label.group("name").split()) <= 5:
            return label.group("name").strip(" .")
    for unit in reversed(units):
        match = _COPYRIGHT.match(unit.text)
        if match:
            name = re.split(
                r"[,.|]| all rights| alle rechte| tous droits| todos los",
                match.group("name"),
                flags=re.IGNORECASE,
            )[0].strip()
            if 1 <= len(name.split()) <= 5:
                return name
    return None


def clean_text(text: str, context: BatchContext) -> Extracted:
    """Clean one plain-text page into its story and metadata."""
    units = split_units(text)
    kinds = [PROSE if unit.markdown == TABLE else classify(unit, context) for unit in units]
    opens = mark_link_boxes(units, kinds)
    barriers = [
        opened
        or kinds[index] == TAGS
        or (kinds[index] in (LABEL, FURNITURE) and is_section_label(units[index].text))
        or (units[index].words > 8 and is_consent_or_prompt(units[index].text))
        for index, opened in enumerate(opens)
    ]
    for index, unit in enumerate(units):
        if barriers[index] and kinds[index] == PROSE and unit.words <= _BANNER_WORDS:
            kinds[index] = FURNITURE  # a long cookie banner opens its segment, not the story
    story_end = comments_start(units, kinds)
    chosen = main_block(units[:story_end], kinds[:story_end], barriers[:story_end])
    body = render_body(units, kinds, chosen)
    start = chosen[0] if chosen else len(units)
    lede = next((units[index].text for index in chosen if kinds[index] == PROSE), "")
    site = find_publisher(units, kinds)
    header = find_title(units, kinds, start, lede, site)
    date, updated = find_dates(units, kinds, set(chosen))
    author = next(
        (
            re.sub(_BYLINE_LABEL, "", _PARTS.split(units[index].text)[0], flags=re.I).strip()
            or None
            for index in range(start)
            if kinds[index] == BYLINE or (kinds[index] == DATE and _BYLINE.match(units[index].text))
        ),
        None,
    )
    return Extracted(
        title=header.title,
        date=date,
        publisher=header.publisher or site,
        url=None,
        tags=tuple(find_tags(units)),
        body=body,
        updated=updated,
        author=author,
        lines=frozenset(line_key(unit.text) for unit in units),
    )
