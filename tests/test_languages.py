"""Languages and dates: labels follow `language` (and an article's `lang`) from the theme's
gettext catalogues, which a site overrides string by string; dates and times are Babel's, in
the site's timezone with the zone named; date-only articles show no time; translations of
one story point at each other with hreflang; the sources' feeds are listed as OPML."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from conftest import REPO, Run, parse_html, text_of
from hostile.helpers import article, make_site
from lxml import etree

TRANSLATIONS = REPO / "themes" / "default" / "translations"
BUNDLED = ("en", "de", "fr", "es", "it", "pt", "ja")


def site_yaml(language: str, timezone: str = "Europe/Berlin") -> str:
    return (
        f"title: Hafen Digest\nbase_url: https://d.example.org/\nlanguage: {language}\n"
        f"timezone: {timezone}\n"
    )


STORIES = {
    "a.md": article(
        "title: Fähre fährt wieder\ndate: 2025-12-02T14:05:00+01:00\npublisher: Hafenblatt\n"
        "publisher_feed: https://hafenblatt.example.com/feed.xml\n"
        "also_reported_by:\n  - publisher: Küstenfunk\n    date: 2025-12-02\n"
        "translation_key: ferry\ntags: [Verkehr]",
        "Die Fähre fährt wieder.",
    ),
    "b.md": article(
        "title: Brücke gesperrt\ndate: 2025-11-30\npublisher: Küstenfunk\ntags: [Verkehr]"
    ),
    "c.md": article(
        "title: Ferry runs again\ndate: 2025-12-02T14:00:00+01:00\nlang: en\n"
        "translation_key: ferry\npublisher: Harbour Times",
        "The ferry runs again.",
    ),
}


def build(run_cli: Callable[..., Run], root: Path) -> Run:
    result = run_cli("build", "--root", root)
    assert result.status == 0, result.err
    return result


@pytest.fixture
def german(tmp_path: Path, run_cli: Callable[..., Run]) -> Path:
    root = make_site(tmp_path / "de", STORIES, site_yaml("de"))
    build(run_cli, root)
    return root


def article_page(root: Path, slug: str, day: str = "2025/12/02") -> ET.Element:
    return parse_html(root / "output" / day / slug / "index.html")


def meta_of(page: ET.Element) -> str:
    return text_of(page.find(".//article//p[@class='meta']"))


def test_a_german_site_has_german_labels_and_babel_dates(german: Path) -> None:
    front = parse_html(german / "output" / "index.html")
    assert front.get("lang") == "de"
    kicker = text_of(front.find(".//p[@class='kicker']"))
    assert kicker == "Ausgabe vom Dienstag, 2. Dezember 2025 · 2 Meldungen"
    assert text_of(front.find(".//a[@class='skip-link']")) == "Zum Inhalt springen"
    page = article_page(german, "fähre-fährt-wieder")
    meta = meta_of(page)
    assert "2. Dezember 2025, 14:05 MEZ" in meta
    assert "1 Min. Lesezeit" in meta
    assert text_of(page.find(".//h2[@id='coverage-title']")) == "Berichterstattung"
    edition = parse_html(german / "output" / "2025" / "12" / "02" / "index.html")
    assert text_of(edition.find(".//title")) == "Ausgabe vom 2. Dezember 2025 · Hafen Digest"
    month = parse_html(german / "output" / "2025" / "11" / "index.html")
    assert text_of(month.find(".//h1")) == "November 2025"
    assert text_of(month.find(".//p[@class='meta']")) == "1 Artikel in 1 Ausgabe"
    assert text_of(month.find(".//section/h2")) == "Sonntag, 30. November"  # a wide weekday


@pytest.mark.parametrize(
    ("language", "kicker", "time"),
    [
        ("fr", "Édition du mardi 2 décembre 2025 · 2 sujets", "14:05 UTC+01:00"),
        ("ja", "2025年12月2日火曜日版 · 2件のニュース", "14:05 GMT+01:00"),
        ("es", "Edición del martes, 2 de diciembre de 2025 · 2 noticias", "14:05 CET"),
    ],
)
def test_other_languages_translate_labels_and_dates(
    tmp_path: Path, run_cli: Callable[..., Run], language: str, kicker: str, time: str
) -> None:
    root = make_site(tmp_path / language, STORIES, site_yaml(language))
    build(run_cli, root)
    front = parse_html(root / "output" / "index.html")
    assert text_of(front.find(".//p[@class='kicker']")) == kicker
    assert time in meta_of(article_page(root, "fähre-fährt-wieder"))


def test_plural_forms_follow_the_language(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    """Counts take each language's plural forms (Japanese has a single one)."""
    for language, one, two in (
        ("fr", "1 article", "2 articles"),
        ("de", "1 Artikel", "2 Artikel"),
        ("ja", "1件の記事", "2件の記事"),
    ):
        root = make_site(tmp_path / language, STORIES, site_yaml(language))
        build(run_cli, root)
        tag = parse_html(root / "output" / "tags" / "verkehr" / "index.html")
        assert text_of(tag.find(".//p[@class='meta']")).startswith(two)
        month = parse_html(root / "output" / "2025" / "11" / "index.html")
        assert one in text_of(month.find(".//p[@class='meta']"))


def test_an_article_in_another_language_has_its_own_labels_and_lang(german: Path) -> None:
    page = article_page(german, "ferry-runs-again")
    assert page.get("lang") == "en"
    assert "1 min read" in meta_of(page)
    assert "December 2, 2025, 2:00 PM" in meta_of(page)  # English words, the site's zone
    assert text_of(page.find(".//h2[@id='coverage-title']")) == "Coverage"


def test_translations_point_at_each_other_with_hreflang(german: Path) -> None:
    for slug, other in (("fähre-fährt-wieder", "en"), ("ferry-runs-again", "de")):
        page = article_page(german, slug)
        alternates = {
            link.get("hreflang"): link.get("href")
            for link in page.iter("link")
            if link.get("rel") == "alternate" and link.get("hreflang")
        }
        assert alternates == {
            "de": "https://d.example.org/2025/12/02/fähre-fährt-wieder/",
            "en": "https://d.example.org/2025/12/02/ferry-runs-again/",
        }
        [visible] = [a for a in page.iter("a") if a.get("hreflang") == other]
        assert text_of(visible) == {"en": "English", "de": "Deutsch"}[other]
    assert not any(
        link.get("hreflang")
        for link in article_page(german, "brücke-gesperrt", "2025/11/30").iter("link")
    )


def test_a_date_without_a_time_shows_no_time_anywhere(german: Path) -> None:
    page = article_page(german, "brücke-gesperrt", "2025/11/30")
    [time] = page.findall(".//article//p[@class='meta']/time")
    assert text_of(time) == "30. November 2025"
    assert time.get("datetime") == "2025-11-30T00:00:00+01:00"  # still machine-readable
    for path in (german / "output").rglob("*.html"):
        page = parse_html(path)
        shown = [
            text
            for element in page.iter()
            if element.tag not in {"script", "style"}
            for text in (element.text, element.tail)
            if text
        ]
        assert "00:00" not in "".join(shown), path
    # The coverage block's date-only report, too.
    coverage = text_of(article_page(german, "fähre-fährt-wieder").find(".//section"))
    assert "2. Dezember 2025" in coverage and "00:00" not in coverage


def test_times_are_shown_in_the_site_timezone_with_the_zone_named(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    stories = {"a.md": article("title: Late vote\ndate: 2025-12-01T23:30:00Z")}
    root = make_site(tmp_path / "tz", stories, site_yaml("en-GB", "Europe/Berlin"))
    build(run_cli, root)
    meta = meta_of(article_page(root, "late-vote", "2025/12/02"))
    assert "2 December 2025, 00:30 CET" in meta


def _coverage_title(root: Path, translation: str) -> None:
    """A site catalogue translating just the Coverage heading into German."""
    (root / "translations" / "de.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f'msgid "Coverage"\nmsgstr "{translation}"\n',
        encoding="utf-8",
    )


def test_a_site_catalogue_overrides_one_string(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = make_site(tmp_path / "override", STORIES, site_yaml("de"))
    (root / "translations").mkdir()
    _coverage_title(root, "So berichten andere")
    build(run_cli, root)
    page = article_page(root, "fähre-fährt-wieder")
    assert text_of(page.find(".//h2[@id='coverage-title']")) == "So berichten andere"
    assert "1 Min. Lesezeit" in meta_of(page)  # every other string still the theme's
    # A changed catalogue re-renders the pages, like a changed template.
    _coverage_title(root, "Andere Medien")
    build(run_cli, root)
    page = article_page(root, "fähre-fährt-wieder")
    assert text_of(page.find(".//h2[@id='coverage-title']")) == "Andere Medien"


def test_changing_the_language_re_renders_the_pages(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "switch", STORIES, site_yaml("de"))
    build(run_cli, root)
    (root / "site.yaml").write_text(site_yaml("it"), encoding="utf-8")
    build(run_cli, root)
    front = parse_html(root / "output" / "index.html")
    assert text_of(front.find(".//p[@class='kicker']")).startswith("Edizione del martedì")
    editions = _feed(root / "output" / "editions" / "atom.xml")  # feeds are rendered again too
    assert editions.feed.title == "Hafen Digest: edizioni quotidiane"
    assert editions.entries[0].title == "Edizione del 2 dicembre 2025"
    # The article written in English keeps its own language.
    assert "1 min read" in meta_of(article_page(root, "ferry-runs-again"))


def test_a_language_without_a_catalogue_falls_back_to_english_and_says_so_once(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    stories = {
        "a.md": article("title: Veerboot vaart weer\ndate: 2025-12-02T10:00:00+01:00"),
        "b.md": article("title: Brug dicht\ndate: 2025-11-30T10:00:00+01:00"),
    }
    root = make_site(tmp_path / "nl", stories, site_yaml("nl"))
    result = build(run_cli, root)
    warnings = [line for line in result.err.splitlines() if "no translation" in line]
    assert len(warnings) == 1
    assert re.match(r"^.*site\.yaml:3: no translation of the theme's labels for `nl`", warnings[0])
    front = parse_html(root / "output" / "index.html")
    assert text_of(front.find(".//p[@class='kicker']")) == (
        "Edition of dinsdag 2 december 2025 · 1 story"
    )


def test_an_unknown_language_is_an_error_at_its_line(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "bad", STORIES, site_yaml("xx-klingon"))
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert re.search(r"site\.yaml:3: unknown language code 'xx-klingon'", result.err)
    assert "Traceback" not in result.err
    assert not (root / "output").exists()
    bad_article = {"a.md": article("title: X\ndate: 2025-12-01\nlang: qq")}
    root = make_site(tmp_path / "bad-article", bad_article, site_yaml("de"))
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert re.search(r"a\.md:4: unknown language code 'qq'", result.err)


def test_a_broken_catalogue_is_reported_at_its_line(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "po", STORIES, site_yaml("de"))
    (root / "translations").mkdir()
    (root / "translations" / "de.po").write_text(
        'msgid "Edition of %(day)s"\nmsgstr "Ausgabe vom %(tag)s"\n', encoding="utf-8"
    )
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert re.search(
        r"translations/de\.po:1: the translation of 'Edition of %\(day\)s'", result.err
    )
    assert "Traceback" not in result.err


def test_the_search_page_and_index_speak_the_language(german: Path) -> None:
    form = parse_html(german / "output" / "search" / "index.html").find(".//form")
    assert form is not None
    assert form.get("data-none") == "Keine Artikel zu „{query}“ gefunden."
    assert form.get("data-many") == "{count} Artikel zu „{query}“ gefunden."
    part = json.loads((german / "output" / "search" / "index" / "2025-11.json").read_bytes())
    assert [entry["f"] for entry in part["articles"]] == ["30. November 2025"]


def test_the_opml_lists_every_source_feed(german: Path) -> None:
    tree = etree.parse(str(german / "output" / "sources" / "opml.xml"))
    root = tree.getroot()
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Hafen Digest: Quellen"  # in the site's language
    sources = {outline.get("text"): outline for outline in root.findall("body/outline")}
    assert set(sources) == {"Hafenblatt", "Küstenfunk", "Harbour Times"}
    feeds = {feed.get("xmlUrl") for feed in sources["Hafenblatt"].findall("outline")}
    assert feeds == {
        "https://d.example.org/sources/hafenblatt/atom.xml",
        "https://hafenblatt.example.com/feed.xml",  # the publisher's own, from front matter
    }
    assert all(feed.get("type") == "rss" for feed in root.iter("outline") if feed.get("xmlUrl"))
    ours = sources["Hafenblatt"].find("outline[@htmlUrl]")
    assert ours is not None and ours.get("text") == "Hafenblatt bei Hafen Digest"
    [own] = sources["Küstenfunk"].findall("outline")
    assert own.get("xmlUrl") == "https://d.example.org/sources/k%C3%BCstenfunk/atom.xml"
    sources_page = parse_html(german / "output" / "sources" / "index.html")
    assert any(a.get("href") == "/sources/opml.xml" for a in sources_page.iter("a"))


def _feed(path: Path) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def test_a_german_sites_feeds_have_german_titles_and_dates(german: Path) -> None:
    """Atom, RSS and JSON Feed alike: the editions' feeds (titles, each day's entry), a tag's
    and a source's feed, an edition's archive (Babel's date) and the feed links of a page."""
    out = german / "output"
    day = "Ausgabe vom 2. Dezember 2025"
    for name in ("atom.xml", "rss.xml"):
        feed = _feed(out / "editions" / name)
        assert feed.feed.title == "Hafen Digest: Tagesausgaben"
        assert feed.feed.subtitle == (
            "Hafen Digest, ein Eintrag pro Tag mit allen Meldungen des Tages"
        )
        assert [entry.title for entry in feed.entries] == [day, "Ausgabe vom 30. November 2025"]
        assert feed.entries[0].summary == "2 Meldungen: Fähre fährt wieder; Ferry runs again"
        assert feed.entries[1].summary == "1 Meldung: Brücke gesperrt"
        tag = _feed(out / "tags" / "verkehr" / name)
        assert tag.feed.title == "Hafen Digest: Verkehr"
        assert tag.feed.subtitle == "Artikel mit dem Schlagwort Verkehr"
        source = _feed(out / "sources" / "hafenblatt" / name)
        assert source.feed.title == "Hafen Digest: Hafenblatt"
        assert source.feed.subtitle == "Meldungen von Hafenblatt"
    editions = json.loads((out / "editions" / "feed.json").read_bytes())
    assert editions["title"] == "Hafen Digest: Tagesausgaben"
    assert editions["items"][0]["title"] == day
    source = json.loads((out / "sources" / "küstenfunk" / "feed.json").read_bytes())
    assert source["description"] == "Meldungen von Küstenfunk"
    tag = json.loads((out / "tags" / "verkehr" / "feed.json").read_bytes())
    assert tag["description"] == "Artikel mit dem Schlagwort Verkehr"
    archive = _feed(out / "2025" / "12" / "02" / "atom.xml")
    assert archive.feed.title == "Hafen Digest: 2. Dezember 2025"
    head = parse_html(out / "index.html").find("head")
    assert head is not None
    titles = {link.get("title") for link in head.iter("link") if link.get("rel") == "alternate"}
    assert {"Hafen Digest: Tagesausgaben (Atom)", "Hafen Digest (RSS)"} <= titles


@pytest.mark.parametrize(
    ("language", "feed", "entry", "day"),
    [
        ("en", "Hafen Digest: daily editions", "Edition of December 2, 2025", "December 2, 2025"),
        (
            "fr",
            "Hafen Digest : éditions quotidiennes",
            "Édition du 2 décembre 2025",
            "2 décembre 2025",
        ),
        ("ja", "Hafen Digest：日刊版", "2025年12月2日版", "2025年12月2日"),
    ],
)
def test_feed_titles_follow_other_languages(
    tmp_path: Path, run_cli: Callable[..., Run], language: str, feed: str, entry: str, day: str
) -> None:
    root = make_site(tmp_path / language, STORIES, site_yaml(language))
    build(run_cli, root)
    editions = _feed(root / "output" / "editions" / "atom.xml")
    assert editions.feed.title == feed
    assert editions.entries[0].title == entry
    archive = _feed(root / "output" / "2025" / "12" / "02" / "atom.xml")
    assert archive.feed.title.endswith(day)


def test_an_alias_page_speaks_its_articles_language(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    stories = {
        "a.md": article("title: Fähre fährt wieder\ndate: 2025-12-02\naliases: [/alt/faehre/]"),
        "b.md": article("title: Ferry runs\ndate: 2025-12-02\nlang: en\naliases: [/old/ferry/]"),
    }
    root = make_site(tmp_path / "alias", stories, site_yaml("de"))
    build(run_cli, root)
    german = parse_html(root / "output" / "alt" / "faehre" / "index.html")
    assert german.get("lang") == "de"
    assert text_of(german.find(".//p")) == "Dieser Artikel ist umgezogen: Fähre fährt wieder."
    english = parse_html(root / "output" / "old" / "ferry" / "index.html")
    assert english.get("lang") == "en"
    assert text_of(english.find(".//p")) == "This article has moved to Ferry runs."


def _messages() -> set[str]:
    """Every message the default theme's templates and the page kinds use, found as the
    README's `pybabel extract` finds them (babel.cfg)."""
    with (REPO / "babel.cfg").open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "label": None, "plural_label": (1, 2)}
    return {
        message if isinstance(message, str) else message[0]
        for _, _, message, _, _ in extract_from_dir(
            str(REPO), method_map, options_map, keywords=keywords
        )
    }


@pytest.mark.parametrize("language", BUNDLED)
def test_every_bundled_catalogue_translates_every_message(language: str) -> None:
    with (TRANSLATIONS / f"{language}.po").open("rb") as handle:
        catalogue = read_po(handle, abort_invalid=True)
    assert not list(catalogue.check())
    messages = _messages()
    assert len(messages) > 40
    ids = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue}
    assert messages <= ids, messages - ids
    if language != "en":
        untranslated = [
            message.id
            for message in catalogue
            if message.id
            and not all(message.string if isinstance(message.string, tuple) else [message.string])
        ]
        assert not untranslated


def test_a_theme_catalogue_wins_over_its_parent(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    root = make_site(tmp_path / "child", STORIES, site_yaml("de") + "theme: child\n")
    child = root / "themes" / "child"
    (child / "translations").mkdir(parents=True)
    (child / "theme.yaml").write_text("parent: default\n", encoding="utf-8")
    shutil.copy(TRANSLATIONS / "de.po", child / "translations" / "de.po")
    text = (child / "translations" / "de.po").read_text(encoding="utf-8")
    (child / "translations" / "de.po").write_text(
        text.replace('msgstr "Neueste Nachrichten"', 'msgstr "Aktuell"').replace(
            'msgstr "Zum Inhalt springen"', 'msgstr "Direkt zum Inhalt"'
        ),
        encoding="utf-8",
    )
    build(run_cli, root)
    front = parse_html(root / "output" / "index.html")
    assert text_of(front.find(".//a[@class='skip-link']")) == "Direkt zum Inhalt"


def test_a_regional_language_reads_its_language_catalogue(
    tmp_path: Path, run_cli: Callable[..., Run]
) -> None:
    """`pt_BR` is written `pt-BR` where HTML wants it, and reads pt_BR.po, then pt.po."""
    root = make_site(tmp_path / "pt", STORIES, site_yaml("pt_BR", "America/Sao_Paulo"))
    build(run_cli, root)
    front = parse_html(root / "output" / "index.html")
    assert front.get("lang") == "pt-BR"
    assert text_of(front.find(".//a[@class='skip-link']")) == "Pular para o conteúdo"
    meta = meta_of(article_page(root, "fähre-fährt-wieder"))
    assert "2 de dezembro de 2025 10:05" in meta and "1 min de leitura" in meta


def test_a_linked_catalogue_is_refused(tmp_path: Path, run_cli: Callable[..., Run]) -> None:
    root = make_site(tmp_path / "link", STORIES, site_yaml("de"))
    (root / "translations").mkdir()
    outside = tmp_path / "elsewhere.po"
    outside.write_text('msgid "Coverage"\nmsgstr "Von draußen"\n', encoding="utf-8")
    (root / "translations" / "de.po").symlink_to(outside)
    result = run_cli("build", "--root", root)
    assert result.status == 1
    assert re.search(r"translations/de\.po: symbolic link not followed", result.err)
