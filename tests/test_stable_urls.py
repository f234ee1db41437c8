"""A headline correction moves nothing: `new` writes slug and id, feeds take ids from `id:`,
and `aliases:` keep old URLs working (a redirect page and a `_redirects` rule)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import feedparser
import yaml
from conftest import Run, copy_site, parse_html
from hostile.helpers import article, make_site

SITE = "title: T\nbase_url: https://t.example/news/\ntimezone: UTC\n"


def test_a_corrected_headline_keeps_its_url_feed_id_and_old_link(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    from conftest import SITES

    root = copy_site(SITES / "empty", tmp_path / "site")
    assert run_cli("new", "--root", root, "Ferry strike ends").status == 0
    [path] = (root / "content").rglob("*.md")
    text = path.read_text(encoding="utf-8").replace("draft: true", "draft: false")
    path.write_text(text, encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert run_cli("build", "--root", root).status == 0
    before = sorted(p.relative_to(root / "output") for p in (root / "output").rglob("index.html"))
    atom = feedparser.parse((root / "output" / "atom.xml").read_bytes())
    assert atom.entries[0].id == front["id"]
    # The correction: a new headline. The URL, the feed id and every page stay.
    path.write_text(
        text.replace("title: Ferry strike ends", "title: Ferry strike ends after talks"),
        encoding="utf-8",
    )
    result = run_cli("build", "--root", root)
    assert result.status == 0 and " 0 removed" in result.out
    after = sorted(p.relative_to(root / "output") for p in (root / "output").rglob("index.html"))
    assert before == after
    atom = feedparser.parse((root / "output" / "atom.xml").read_bytes())
    assert atom.entries[0].id == front["id"]
    assert atom.entries[0].title == "Ferry strike ends after talks"
    rss = feedparser.parse((root / "output" / "rss.xml").read_bytes())
    assert rss.entries[0].id == front["id"]
    feed = json.loads((root / "output" / "feed.json").read_text(encoding="utf-8"))
    assert feed["items"][0]["id"] == front["id"]


def test_aliases_keep_old_urls_working(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "a.md": article(
                "title: Ferry fares rise\ndate: 2025-03-02T10:00:00Z\nslug: ferry-fares-rise\n"
                "aliases: [/2025/03/02/fares-up/, /old/ferry.html]"
            )
        },
        SITE,
    )
    assert run_cli("build", "--root", root).status == 0
    output = root / "output"
    target = "https://t.example/news/2025/03/02/ferry-fares-rise/"
    for old in ("2025/03/02/fares-up/index.html", "old/ferry.html"):
        page = parse_html(output / old)
        head = page.find("head")
        assert head.find("link[@rel='canonical']").get("href") == target
        refresh = [m.get("content") for m in head.iter("meta") if m.get("http-equiv") == "refresh"]
        assert refresh == [f"0; url={target}"]
        assert [a.get("href") for a in page.iter("a")] == [target]
    assert (output / "_redirects").read_text(encoding="utf-8").splitlines() == [
        "/news/2025/03/02/fares-up/ /news/2025/03/02/ferry-fares-rise/ 301",
        "/news/old/ferry.html /news/2025/03/02/ferry-fares-rise/ 301",
    ]
    sitemaps = "".join(p.read_text(encoding="utf-8") for p in output.glob("sitemap-*.xml"))
    assert "fares-up" not in sitemaps  # an old URL is no page to index


def test_an_alias_that_is_another_page_or_not_a_path_is_an_error(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {
            "a.md": article("title: A\ndate: 2025-03-02T10:00:00Z\naliases: [/tags/]"),
            "b.md": article("title: B\ndate: 2025-03-01T10:00:00Z\naliases: ['../x', 5]"),
            # A newline would add a rule of its own to _redirects (an open redirect).
            "c.md": article(
                'title: C\ndate: 2025-02-28T10:00:00Z\naliases: ["/a\\n/* https://evil.example/ 200"]'
            ),
        },
        SITE,
    )
    checked = run_cli("check", "--root", root)
    built = run_cli("build", "--root", root)
    assert built.status == checked.status == 1
    assert checked.err == built.err
    assert "content/b.md:4: `aliases` must be a list of old URLs" in built.err
    assert "content/c.md:4: alias '/a\\n/* https://evil.example/ 200' is not a path" in built.err
    assert "content/a.md:4: URL /tags/ is also the tag index" in built.err
    assert not (root / "output").exists()


def test_a_changed_url_is_reported_with_the_alias_to_add(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(
        tmp_path / "site",
        {"a.md": article("title: Ferry fares rise\ndate: 2025-03-02T10:00:00Z")},
        SITE,
    )
    assert run_cli("build", "--root", root).status == 0
    path = root / "content" / "a.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rise", "rise again"), encoding="utf-8"
    )
    expected = (
        "the URL changed from /2025/03/02/ferry-fares-rise/ to /2025/03/02/ferry-fares-rise-again/"
        " since the last build; add `aliases: [/2025/03/02/ferry-fares-rise/]`"
    )
    checked = run_cli("check", "--root", root)
    assert checked.status == 0 and expected in checked.err
    built = run_cli("build", "--root", root)
    assert built.status == 0 and expected in built.err
    # Said once: the next build knows the new URL, and an alias quiets it at once.
    assert "URL changed" not in run_cli("build", "--root", root).err
