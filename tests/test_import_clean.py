"""The cleaner's decisions on pages it has never seen: structure, not one site's strings."""

from __future__ import annotations

import datetime as dt
import sys
import textwrap
from pathlib import Path

import pytest

from generator.ingest.dates import classify_date_line, parse_date
from generator.ingest.dedupe import DuplicateIndex
from generator.ingest.metadata import split_site_suffix
from generator.ingest.model import BatchContext, RawDocument
from generator.ingest.pipeline import clean_batch
from generator.ingest.summary import lede_summary
from generator.ingest.textclean import clean_text
from generator.ingest.writer import ContentIndex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

PARAGRAPHS = [
    "Workers at the port walked off the job early on Friday after talks over pay broke down, "
    "leaving dozens of container ships waiting outside the harbour.",
    "The union said the employers had refused to discuss its demand for a 9 percent raise, while "
    "the port authority said it had made a fair offer and remained open to talks.",
    "Shipping companies warned that the strike could delay deliveries to shops across the "
    "region if it lasted more than a few days.",
]


def test_unlabelled_link_boxes_are_removed_by_shape() -> None:
    """Labels the vocabulary has never heard of: the run of headlines under them goes."""
    page = "\n".join(
        [
            "Port workers strike over pay",
            "Zorblat",
            "Filed 2025-09-12 07:30",
            *PARAGRAPHS,
            "Quuxly picks",
            "Council approves new cycle lanes on the seafront",
            "Schools to stay open during summer heat wave",
            "Inside the city's oldest bakery",
            "What the new parking rules mean for you",
            "Wibble",
            "Fire crews tackle blaze at old mill",
            "Ten years on, the bridge still divides opinion",
            "Local runner wins mountain marathon",
        ]
    )
    found = clean_text(page, BatchContext())
    assert found.body.split("\n\n") == PARAGRAPHS
    assert found.title == "Port workers strike over pay"
    assert found.date == dt.datetime(2025, 9, 12, 7, 30)


def test_comments_after_the_story_are_not_body() -> None:
    page = "\n".join(
        [
            "Port workers strike over pay - Harbour Gazette",
            "",
            *PARAGRAPHS,
            "",
            "Comments (2)",
            "dockhand99",
            "5 hours ago",
            "My father worked at that port for thirty years and they always treated the workers badly.",
            "Reply",
        ]
    )
    found = clean_text(page, BatchContext())
    assert found.body.split("\n\n") == PARAGRAPHS
    assert found.publisher == "Harbour Gazette"


def test_lines_recurring_on_the_same_site_and_other_titles_are_removed() -> None:
    """A promo sentence on every page of a site, and a link to another article of the batch."""
    promo = "Support independent journalism in the valley by becoming a member today."
    other = [
        "Council approves new cycle lanes on the seafront",
        "The council voted on Tuesday to build protected cycle lanes along the seafront road, "
        "a project that has been debated for a decade.",
        "Construction will begin in the spring and is expected to take eighteen months.",
    ]
    first = "\n".join(
        [
            "Port workers strike over pay | Valley Voice",
            "",
            PARAGRAPHS[0],
            promo,
            *PARAGRAPHS[1:],
            other[0],
        ]
    )
    second = "\n".join([f"{other[0]} | Valley Voice", "", other[1], promo, other[2]])
    documents = [
        RawDocument(f"{n}.txt", text.encode(), "text", text, str(n), n)
        for n, text in enumerate((first, second))
    ]
    empty = ContentIndex({}, {}, frozenset(), DuplicateIndex())
    cleaned = clean_batch(documents, empty)
    assert cleaned[0].found.body.split("\n\n") == PARAGRAPHS
    assert cleaned[1].found.body.split("\n\n") == other[1:]


@pytest.mark.parametrize(
    ("line", "kind", "value"),
    [
        ("Date:2025-04-14 15:45:07", "published", dt.datetime(2025, 4, 14, 15, 45, 7)),
        ("Published: April 14, 2025 at 3:45 p.m.", "published", dt.datetime(2025, 4, 14, 15, 45)),
        (
            "Veröffentlicht am 14. April 2025, 15:45 Uhr",
            "published",
            dt.datetime(2025, 4, 14, 15, 45),
        ),
        ("Mis à jour le 2 février 2025 à 9h05", "updated", dt.datetime(2025, 2, 2, 9, 5)),
        (
            "12 de mayo de 2025 - 08:30 CEST",
            "bare",
            dt.datetime(2025, 5, 12, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=2))),
        ),
        (
            "2025-02-05T10:00:00-05:00",
            "bare",
            dt.datetime(2025, 2, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        ),
        ("Stand: 03.07.2025", "updated", dt.date(2025, 7, 3)),
        ("04/14/2025", "bare", dt.date(2025, 4, 14)),
        ("22 de outubro de 2010 às 20:13", "bare", dt.datetime(2010, 10, 22, 20, 13)),
        ("11.14.2019", "bare", dt.date(2019, 11, 14)),
        ("11/13/19", "bare", dt.date(2019, 11, 13)),
        ("Publicado em 02/03/2026 09h40", "published", dt.datetime(2026, 3, 2, 9, 40)),
        ("Gepubliceerd op 14 april 2026 om 09:15", "published", dt.datetime(2026, 4, 14, 9, 15)),
        ("配信 2026年5月19日 11時42分", "published", dt.datetime(2026, 5, 19, 11, 42)),
        ("Opublikowano 18 stycznia 2024, 08:40", "published", dt.datetime(2024, 1, 18, 8, 40)),
        ("12 марта 2024, 10:30", "bare", dt.datetime(2024, 3, 12, 10, 30)),
        ("Giriş: 12 Şubat 2024 Pazartesi", "published", dt.date(2024, 2, 12)),
        ("نشر في 9 يناير 2024", "published", dt.date(2024, 1, 9)),
        ("입력 2023.12.20. 오후 5:40", "published", dt.datetime(2023, 12, 20, 17, 40)),
        ("2024년 3월 5일 오전 9:02", "bare", dt.datetime(2024, 3, 5, 9, 2)),
        # a day-first time ("07h00") or byline ("Por") says how to read 04/06
        ("04/06/2024 07h00 Atualizado há 2 dias", "bare", dt.datetime(2024, 6, 4, 7, 0)),
        ("Por Sergio Navarro 10/03/2024 21:45", "bare", dt.datetime(2024, 3, 10, 21, 45)),
        (
            "By Ann Lee and Bo Park | Updated March 27, 2026 2:02 PM | "
            "Published March 26, 2026 10:48 AM",
            "published",
            dt.datetime(2026, 3, 26, 10, 48),
        ),
        (
            "Published 11:14 AM EST, Thu November 14, 2019 Updated 2:30 PM EST, Fri November 15, "
            "2019",
            "published",
            dt.date(2019, 11, 14),
        ),
    ],
)
def test_dates_in_several_languages(line: str, kind: str, value: object) -> None:
    assert classify_date_line(line) == (kind, value)


@pytest.mark.parametrize(
    "text",
    [
        "03/04/2025",
        "2025-02-30",
        "Updated 2 hours ago",
        "Posted 03/04/2025",
        "1/2/19",
        "By Ann Lee 03/04/2025 9:15",
        "Version 2024.1.5 released",
    ],
)
def test_ambiguous_or_impossible_dates_are_not_guessed(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("raw", "title", "publisher"),
    [
        ("Storm closes coast road -Coast Post", "Storm closes coast road", "Coast Post"),
        ("Storm closes coast road | Coast Post", "Storm closes coast road", "Coast Post"),
        ("Storm closes coast road — Le Monde Libre", "Storm closes coast road", "Le Monde Libre"),
        ("Spain - France match ends in a draw", "Spain - France match ends in a draw", None),
        ("Who will win? - an explainer", "Who will win? - an explainer", None),
    ],
)
def test_site_suffix(raw: str, title: str, publisher: str | None) -> None:
    split = split_site_suffix(raw)
    assert (split.title, split.publisher) == (title, publisher)


def test_a_long_byline_and_date_line_gives_date_update_and_author() -> None:
    """One line of parts, longer than a date line usually is."""
    page = "\n".join(
        [
            "Port workers strike over pay",
            "By Tomas Reinholt and Ada Mbeki | Published February 19, 2026 2:05 PM | "
            "Updated February 19, 2026 6:30 PM",
            *PARAGRAPHS,
        ]
    )
    found = clean_text(page, BatchContext())
    assert found.date == dt.datetime(2026, 2, 19, 14, 5)
    assert found.updated == dt.datetime(2026, 2, 19, 18, 30)
    assert found.author == "Tomas Reinholt and Ada Mbeki"
    assert found.body.split("\n\n") == PARAGRAPHS


def test_summary_is_whole_sentences_near_sixty_words() -> None:
    body = " ".join(PARAGRAPHS[:2]) + "\n\n" + PARAGRAPHS[2]
    summary = lede_summary(body)
    assert summary == " ".join(PARAGRAPHS[:2])
    assert lede_summary("## Heading only") is None


def test_fixture_quality_stays_above_target() -> None:
    """The measured figures the documentation quotes must not silently regress."""
    import clean_quality

    pages = sorted(p for p in clean_quality.FIXTURES.iterdir() if p.suffix in (".txt", ".html"))
    assert len(pages) >= 30
    scores = [clean_quality.score_page(page) for page in pages]
    assert clean_quality.prf([s for s in scores if s.format == "text"])[2] >= 0.95
    assert clean_quality.prf([s for s in scores if s.format == "html"])[2] >= 0.96
    for field in ("title", "date", "publisher", "tags"):
        assert sum(s.fields[field] for s in scores) >= 0.9 * len(scores), field


def test_hard_wrapped_dumps_are_rejoined_before_classifying() -> None:
    """w3m and lynx wrap at 80 columns, lynx indents paragraphs and bullets; a line broken
    because the next word did not fit is one paragraph with the next."""
    story = [
        "More than 120 volunteers waded into Millrace Creek on Saturday morning and hauled out "
        "close to two tons of trash, including three shopping carts and a motorcycle frame.",
        "The annual cleanup is organised by Friends of Millrace Creek, which was founded in 2011 "
        "by a group of neighbours who were tired of seeing the stream treated as a dump.",
        "The city provided gloves, grabbers and a truck to carry the waste to the transfer "
        "station, and the tires will be recycled into playground surfacing next year.",
    ]
    items = ["A cast-iron bathtub, which took eight people to lift", "A safe with no door"]
    for indent, bullet in (("", "• "), ("   ", "* ")):
        menu = [
            "Home",
            "News",
            "Local",
            "Politics",
            "Business",
            "Sport",
            "Weather",
            "Video",
            "Opinion",
            "Life",
            "Search",
        ]
        lines = [f"{indent}  {bullet}{item}" for item in menu]
        lines += ["", "Volunteers pull 2 tons of trash from Millrace Creek - Fernvale Local", ""]
        for paragraph in story[:2]:
            lines += [indent + line for line in textwrap.wrap(paragraph, 80 - len(indent))]
            lines.append("")
        lines += [f"{indent}  {bullet}{item}" for item in items] + [""]
        lines += [indent + line for line in textwrap.wrap(story[2], 80 - len(indent))]
        lines += ["", "Share this article", *(f"  {bullet}Share on {site}" for site in menu)]
        found = clean_text("\n".join(lines), BatchContext())
        assert found.body.split("\n\n") == [
            *story[:2],
            "\n".join(f"- {i}" for i in items),
            story[2],
        ]


def test_long_reader_comments_lose_to_a_short_story() -> None:
    comment = (
        "I grew up two blocks from that harbour and my father worked there for thirty years, "
        "and I can tell you that the employers have never once treated the workers fairly, "
        "whatever they say in their statements to the press this week."
    )
    page = "\n".join(
        [
            "Port workers strike over pay",
            *PARAGRAPHS,
            "Share this article",
            "34 responses to “Port workers strike over pay”",
            "Gwen Arliss says:",
            "May 4, 2026 10:46 AM",
            comment,
            comment.replace("father", "mother"),
            "Reply",
            "Tom Baptiste says:",
            comment.replace("thirty", "forty"),
            "Reply",
        ]
    )
    assert clean_text(page, BatchContext()).body.split("\n\n") == PARAGRAPHS


def test_a_teaser_sidebar_and_more_from_box_are_not_story() -> None:
    teasers = [
        "Más de Código Abierto",
        "Muere a los 88 años el fundador de la conservera más antigua",
        "Los vecinos llevan meses denunciando la situación ante el Ayuntamiento, que asegura...",
        "La Aemet activa el aviso amarillo por fuertes vientos",
        "Los organizadores esperan superar la cifra de asistentes del año pasado gracias a...",
    ]
    page = "\n".join(["Port workers strike over pay", *PARAGRAPHS, "#puertos", *teasers])
    assert clean_text(page, BatchContext()).body.split("\n\n") == PARAGRAPHS


def test_text_title_is_the_headline_not_a_caption_nor_half_of_it() -> None:
    """A caption naming the site is no headline; a dash in the headline is no site suffix
    when the copyright line names another site; a headline swallowed by a menu box above
    the byline is still the headline."""
    headline = "Wochenmarkt zieht auf den Rathausplatz – Händler sind skeptisch"
    page = "\n".join(
        [
            "Anmelden",
            "Eilmeldung Autobahn nach schwerem Unfall stundenlang gesperrt",
            "Startseite › Lokales › Kempten",
            headline,
            "Von Christine Hafner | Veröffentlicht am 18.03.2026, 05:00 Uhr",
            "Marktstände auf dem bisherigen Platz an der Stiftskirche. Foto: Allgäuer Tagblatt",
            *PARAGRAPHS,
            "© Allgäuer Tagblatt 2026. Alle Rechte vorbehalten.",
        ]
    )
    found = clean_text(page, BatchContext())
    assert found.title == headline
    assert found.publisher == "Allgäuer Tagblatt"
    assert found.body.split("\n\n") == PARAGRAPHS


def test_a_labelled_list_and_a_newsletter_box_inside_the_story_do_not_cut_it() -> None:
    items = [
        "Check the serial number on the recall page",
        "Stop charging the phone overnight until it is checked",
        "Book a free battery replacement or request a refund",
    ]
    last = (
        "Consumer safety regulators in the US, the EU and South Korea said they were "
        "monitoring the recall, which is the largest in the company's history."
    )
    page = "\n".join(
        [
            "Phone maker recalls a million handsets",
            PARAGRAPHS[0],
            PARAGRAPHS[1],
            "What owners should do",
            *items,
            PARAGRAPHS[2],
            "Get the morning briefing",
            "Sign up for our free newsletter and get the day's top stories delivered to your "
            "inbox every morning.",
            "Subscribe",
            last,
        ]
    )
    assert clean_text(page, BatchContext()).body.split("\n\n") == [
        PARAGRAPHS[0],
        PARAGRAPHS[1],
        "What owners should do",
        "\n".join(f"- {item}" for item in items),
        PARAGRAPHS[2],
        last,
    ]


def test_tab_separated_rows_of_a_flattened_table_become_a_markdown_table() -> None:
    rows = [
        "District\tWinner\tVotes",
        "District 1\tCarol Vance\t14,211",
        "District 2\tHector Ruiz\t11,905",
    ]
    page = "\n".join(["County results: incumbents hold three of four seats", *rows, *PARAGRAPHS])
    assert clean_text(page, BatchContext()).body.split("\n\n") == [
        "| District | Winner | Votes |\n|---|---|---|\n| District 1 | Carol Vance | 14,211 |\n"
        "| District 2 | Hector Ruiz | 11,905 |",
        *PARAGRAPHS,
    ]


def test_live_blog_times_and_a_list_introduced_by_a_colon_stay_in_the_story() -> None:
    updates = [
        ("14:35", "Ferry suspended", PARAGRAPHS[0]),
        ("12:10", "River at 7.20 metres", PARAGRAPHS[1]),
    ]
    intro = "The weather service warns of more storms on Sunday and gives this advice:"
    advice = ["Park cars in garages where possible", "Close windows and secure loose objects"]
    lines = ["Flood live: river keeps rising", "Newest first"]
    for time, heading, text in updates:
        lines += [time, heading, text]
    lines += ["Advertisement", intro, *advice, PARAGRAPHS[2], "Share on Facebook", "Share on X"]
    body = clean_text("\n".join(lines), BatchContext()).body.split("\n\n")
    assert body[:6] == ["14:35", "## Ferry suspended", PARAGRAPHS[0], "12:10"] + [
        "## River at 7.20 metres",
        PARAGRAPHS[1],
    ]
    assert intro in body
    assert "- Park cars in garages where possible" in "\n".join(body)


def test_short_sentences_in_more_languages_are_prose() -> None:
    """Function words of Russian, Polish, Turkish ... mark their sentences as prose."""
    story = [
        "Цены на гречку в магазинах города выросли за месяц почти на треть.",
        "По словам продавцов, это связано с плохим урожаем и ростом цен на топливо.",
        "В мэрии пообещали проверить цены и поговорить с крупными сетями.",
        "Jak poinformował urząd, remont torowiska potrwa do końca października.",
        "Hasat bu yıl erken başladı ve üreticiler fiyatların düşük olduğunu söyledi.",
    ]
    page = "\n".join(["Гречка подорожала на треть", "Главная", "Новости", *story, "Реклама"])
    assert clean_text(page, BatchContext()).body.split("\n\n") == story


def test_a_labelled_list_in_the_story_is_kept_when_a_box_or_table_follows_it() -> None:
    """The list's label is no known section name, the story goes on a few lines below: a
    story's own list, not a link box, even when a two-item "Read also" box stands between."""
    page = "\n".join(
        [
            "Port workers strike over pay",
            "Filed 2025-09-12 07:30",
            *PARAGRAPHS[:2],
            "What the union wants",
            "A raise of nine percent over two years",
            "Overtime paid from the first hour",
            "Safety officers on every night shift",
            "Read also",
            "Council approves new cycle lanes",
            "Schools stay open in the heat",
            PARAGRAPHS[2],
            "Talks are due to resume on Monday, the union said, and both sides hope to settle.",
        ]
    )
    body = clean_text(page, BatchContext()).body
    assert "- Overtime paid from the first hour" in body
    assert PARAGRAPHS[2] in body
    assert "cycle lanes" not in body


def test_a_long_sentence_without_known_stop_words_is_story() -> None:
    """Turkish, Chinese: a full sentence in a language the stop-word list misses still ends
    in a full stop, unlike a headline, so it joins the story around it."""
    sentence = (
        "Toprak Mahsulleri Ofisi'nin alım fiyatını önümüzdeki günlerde açıklaması bekleniyor."
    )
    page = "\n".join(["Port workers strike over pay", PARAGRAPHS[0], sentence, *PARAGRAPHS[1:]])
    assert sentence in clean_text(page, BatchContext()).body


def test_a_read_also_label_with_a_colon_on_its_own_line_is_a_box_not_the_story_end() -> None:
    """One text node per line puts "Read also:" and its headline on lines of their own."""
    page = "\n".join(
        [
            "Port workers strike over pay",
            *PARAGRAPHS[:2],
            "Read also:",
            "Bakery wins prize",
            PARAGRAPHS[2],
            "Talks are due to resume on Monday, the union said, and both sides hope.",
        ]
    )
    body = clean_text(page, BatchContext()).body
    assert PARAGRAPHS[0] in body and PARAGRAPHS[2] in body
    assert "Bakery" not in body


def test_html2text_markdown_is_read_as_its_text() -> None:
    """html2text's Markdown: the `# ` heading is the title, links keep their words, bold and
    escapes go, and an `a | b` table with its `---|---` rule stays a table of the story."""
    page = "\n".join(
        [
            "# Port workers strike over pay",
            "",
            "By Ann Lee **Published** 2025-09-12 07:30",
            "",
            PARAGRAPHS[0].replace("container ships", "[container ships](/ships)"),
            "",
            PARAGRAPHS[1].replace("9 percent", "**9 percent**"),
            "",
            "Terminal | Ships waiting",
            "---|---",
            "North | 14",
            "South | 9",
            "",
            PARAGRAPHS[2].replace("delay", "\\_delay\\_"),
        ]
    )
    found = clean_text(page, BatchContext())
    assert found.title == "Port workers strike over pay"
    assert PARAGRAPHS[0] in found.body and PARAGRAPHS[1] in found.body
    assert "| North | 14 |" in found.body
    assert "](" not in found.body and "**" not in found.body


def test_blocks_glued_by_text_content_are_split_before_classifying() -> None:
    """lxml's `text_content()` runs blocks together: the share bar and the next story's
    teaser glued to the last paragraph are cut off at the sentence end they touch."""
    glued = "".join(PARAGRAPHS) + "Share on FacebookShare by emailCopy link"
    page = "\n".join(["Port workers strike over pay", "12 September 2025", glued])
    body = clean_text(page, BatchContext()).body
    assert body.split("\n\n") == PARAGRAPHS


def test_three_wrapped_paragraphs_under_a_long_menu_are_rejoined() -> None:
    """lynx wraps at 80 columns; a story of short paragraphs under a long menu has few
    wrapped lines among many pairs of menu lines, and each must still be rejoined."""
    menu = [f"   * Section {number}" for number in range(40)]
    wrapped = [
        textwrap.fill(text, 77, initial_indent="   ", subsequent_indent="   ")
        for text in PARAGRAPHS
    ]
    page = "\n".join(["Port workers strike over pay", *menu, "", "\n\n".join(wrapped)])
    body = clean_text(page, BatchContext()).body
    assert body.split("\n\n") == PARAGRAPHS


@pytest.mark.parametrize(
    ("header", "title"),
    [
        (  # the page title and the headline above the story carry different kickers
            [
                "Bahn: Fünf Monate Vollsperrung zwischen Hamburg und Berlin - DER SPIEGEL",
                "Deutsche Bahn: Fünf Monate Vollsperrung zwischen Hamburg und Berlin",
            ],
            "Fünf Monate Vollsperrung zwischen Hamburg und Berlin",
        ),
        (  # a kicker with a colon glued before the headline in the page title
            [
                "Hemsby cliff: Village homes to be demolished as cliff edge moves closer - UBC News",
                "Village homes to be demolished as cliff edge moves closer",
            ],
            "Village homes to be demolished as cliff edge moves closer",
        ),
        (  # the page title cut the headline short
            [
                "Nowa linia tramwajowa otwarta | Stołeczny Kurier",
                "Nowa linia tramwajowa otwarta. Pierwsi pasażerowie już pojechali",
            ],
            "Nowa linia tramwajowa otwarta. Pierwsi pasażerowie już pojechali",
        ),
    ],
)
def test_title_without_kicker_site_or_cut(header: list[str], title: str) -> None:
    page = "\n".join([*header, "By Ann Lee", "12 September 2025", *PARAGRAPHS])
    assert clean_text(page, BatchContext()).title == title


def test_a_site_suffix_in_a_script_without_capitals_is_the_publisher() -> None:
    split = split_site_suffix("الأرصاد تحذر من أمطار غزيرة على المناطق الساحلية - صوت المدينة")
    assert split.title == "الأرصاد تحذر من أمطار غزيرة على المناطق الساحلية"
    assert split.publisher == "صوت المدينة"


def test_a_bare_date_below_the_story_is_no_publication_date() -> None:
    """Reader comments and teasers below the story carry their own time stamps."""
    page = "\n".join(
        [
            "Port workers strike over pay",
            *PARAGRAPHS,
            "Ann says:",
            "January 1, 2026 12:43 PM",
            "Good.",
        ]
    )
    assert clean_text(page, BatchContext()).date is None


def test_a_long_cookie_banner_above_the_story_is_not_body() -> None:
    banner = (
        "We and our partners use cookies and similar technologies to improve the website, to "
        "personalise content and advertising and to analyse our traffic, and by continuing "
        "to browse the site you agree to the use of cookies as described in our cookie "
        "policy, which you can change at any time in the settings at the bottom of each page."
    )
    page = "\n".join(
        ["Port workers strike over pay", banner, "Filed 2025-09-12 07:30", *PARAGRAPHS]
    )
    assert clean_text(page, BatchContext()).body.split("\n\n") == PARAGRAPHS


def test_a_list_whose_items_touch_is_split_into_its_items() -> None:
    """List items written with no space between them flatten to one line ("...a nine
    percent raiseOvertime paid ..."): split where they touch, they are the story's list."""
    glued = (
        "What the union wants:"
        "A raise of nine percent over two yearsOvertime paid from the first hour"
        "Safety officers on every night shiftPensions reviewed every year"
    )
    page = "\n".join(["Port workers strike over pay", *PARAGRAPHS[:2], glued, PARAGRAPHS[2]])
    body = clean_text(page, BatchContext()).body
    assert "- Overtime paid from the first hour" in body
    assert PARAGRAPHS[2] in body


def test_brand_names_in_a_paragraph_do_not_split_it() -> None:
    text = "The union posted the vote on YouTube and WhatsApp, and workers answered within an hour."
    page = "\n".join(["Port workers strike over pay", *PARAGRAPHS, text])
    assert text in clean_text(page, BatchContext()).body
