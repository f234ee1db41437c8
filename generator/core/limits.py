"""Every limit on what one article may hold, with the reason for each number.

Each stage of a build is linear in its input, except where a library is not: there the
input is refused with a `path:line` message before it reaches that library, at a bound far
above what real articles need and low enough that the worst input costs about a second.
The importer reads these too, so that what it writes always builds. Figures are from
bench/hostile_inputs.py on a 2-core machine.
"""

from __future__ import annotations

# The whole file: a long feature is under 100 KiB; the limit only stops runaway files.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
# Front matter is a few dozen short fields.
MAX_FRONT_MATTER_BYTES = 256 * 1024
# Real front matter nests two or three levels; libyaml composes nodes recursively in C, and
# tens of thousands of `[` crash the interpreter (a segfault, not an exception).
MAX_YAML_DEPTH = 64
# Characters in one YAML number. A count or an id has a few digits; Python refuses to turn
# integers of more than 4,300 digits into text, and long `1:2:3...` (base 60) integers
# cost the square of their length to build.
MAX_NUMBER_CHARS = 100
# Years of `date` and `updated`. URLs, feeds and sitemaps write years with four digits, and
# converting between time zones or stepping to the next day or month must not leave
# Python's years 1 to 9999 (a date in year 1 at +14:00 overflowed).
MIN_YEAR = 1000
MAX_YEAR = 9998
# Tags on one article. Every tag page lists the article with all its tags, so an article's
# cost grows with the square of its tag count: 1,000 tags took 132 s and wrote 103 MB;
# 50 (more than any news story carries) write about 0.3 MB.
MAX_TAGS_PER_ARTICLE = 50
# Abbreviation definitions (`*[HTML]: ...`) in one article. Python-Markdown's abbreviation
# extension costs the square of their number (2,000 took 2.5 s, 8,000 took 35 s); a
# glossary of 200 takes 0.04 s.
MAX_ABBREVIATIONS = 200
# Nesting of HTML elements left open in a body. The HTML sanitiser's parser walks the open
# elements for each new tag, so 120,000 unclosed `<div>`s took 36 s; 256 levels cost little
# more than a flat page, and no layout needs a tenth of them.
MAX_HTML_DEPTH = 256
# Python frames the Markdown renderer may use, counted from where it is called (so the
# answer is the same in a worker and in the main process). Python-Markdown recurses once
# or more per level of lists, quotes and `<div markdown="1">`: 600 frames allow some 50
# levels, and deeper bodies are refused instead of raising RecursionError.
MARKDOWN_STACK_FRAMES = 600
# Characters Python-Markdown may scan, summed over every `[`, `(`, `<` and run of
# backquotes in a body, from each to its closer (`]`, `)`, `>`, a run of the same length),
# or to the end of its paragraph when it has none. Its link, HTML and code patterns rescan
# the rest of the paragraph from each opener: 20,000 `[a](` in one paragraph took 81 s, and
# 1,000 backquote runs of different lengths 23 s. Prose with links scans a few thousand
# characters; 4 million take about a second. (A limit on line length would not do: a
# paragraph spans many lines.)
MAX_INLINE_SCAN = 4_000_000
# Characters the fenced-code step may read from code fences that are never closed (each
# reads to the end of the body): 1,000 fences of different lengths took 39 s. Closed
# fences cost nothing extra; 30 million characters take about a second.
MAX_FENCE_SCAN = 30_000_000
# Characters Python-Markdown may copy while it gathers the lines of list items: it adds
# each line after an item's first by copying the item so far, so one item's cost grows with
# the square of its lines (a nested list of 35,000 lines took 31 s). Every nesting level
# pays again, which is why the bound is low: a billion characters take about 0.2 s a
# level, and an item of 2,000 lines of 70 characters copies 140 million.
MAX_LIST_ITEM_COPY = 1_000_000_000
