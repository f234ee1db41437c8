"""How many tag pages junk tags make, with and without the importer's tag rules.

    python bench/tag_hygiene.py

Six articles with the tag fields of real news pages (issue 16: CMS identifiers, two-letter
codes, one field holding a comma list, library index names). The baseline is what an import
wrote before core/tags.py: the tag fields as they come, duplicates dropped ignoring case.
Every tag is one page and two feeds (Atom and RSS) on the built site.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.core.tags import TagRules, clean_tags, key  # noqa: E402

ARTICLES = [
    ["@post-id:1913719", "tc", "Kristi Noem, South Dakota, Meth,Kristi Noem,", "Politics"],
    ["@post-id:1913720", "tc", "Beshear, Andrew G (1977- )", "Kentucky; Budget", "Politics"],
    ["@post-id:1913721", "wx", "Weather", "https://news.example/tag/storm", "Schools"],
    ["@post-id:1913722", "tc", "Transport, Harbour", "Uncategorized", "12"],
    ["@post-id:1913723", "Noem, Kristi (1971- )", "Border", "Politics"],
    ["@post-id:1913724", "tc", "Budget", "Kentucky", "section_politics"],
]


def main() -> None:
    before = {key(" ".join(tag.split())) for tags in ARTICLES for tag in tags}
    after = {key(tag) for tags in ARTICLES for tag in clean_tags(tags, TagRules(), 5)[0]}
    print(f"{len(ARTICLES)} articles")
    print(f"tags as the pages give them: {len(before)} tag pages, {2 * len(before)} tag feeds")
    print(f"tags after core/tags.py:     {len(after)} tag pages, {2 * len(after)} tag feeds")
    print(f"ratio: {len(after) / len(before):.2f}")
    print("kept:", ", ".join(sorted(after)))


if __name__ == "__main__":
    main()
