"""The HTML cleaner keeps what trafilatura found in the story: tables, labelled lists, CJK."""

from __future__ import annotations

from generator.ingest.htmlclean import clean_html
from generator.ingest.model import BatchContext
from generator.ingest.textclean import clean_text

STORY = [
    "Incumbents won three of the four county commission seats on the ballot on Tuesday, "
    "according to unofficial results released by the county clerk shortly after midnight.",
    "The only seat to change hands was the second district, where the challenger defeated a "
    "two-term commissioner by just over four hundred votes after a long count.",
    "Turnout across the county was about sixty percent, down from the last presidential "
    "election year, and the results will be certified later this month by the board.",
]


def page(body: str, title: str = "County results: incumbents hold three of four seats") -> str:
    """A minimal news page around `body`, as a CMS would serve it."""
    return (
        f"<html><head><meta charset='utf-8'><title>{title} | The Courier</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright 2026 The Courier</footer></body></html>"
    )


def test_a_table_of_the_story_is_kept_as_a_markdown_table() -> None:
    table = (
        "<table><tr><th>District</th><th>Winner</th><th>Votes</th></tr>"
        "<tr><td>District 1</td><td>Carol Vance</td><td>14,211</td></tr>"
        "<tr><td>District 2</td><td>Hector Ruiz</td><td>11,905</td></tr></table>"
    )
    found = clean_html(page(table + "".join(f"<p>{text}</p>" for text in STORY)), BatchContext())
    assert "| District 1 | Carol Vance | 14,211 |" in found.body
    assert "|---|" in found.body
    assert found.body.endswith(STORY[-1])


def test_a_page_laid_out_in_a_table_is_not_one_table_row() -> None:
    cells = "".join(f"<p>{text}</p>" for text in STORY)
    layout = f"<table><tr><td><a href='/'>Home</a></td><td>{cells}</td></tr></table>"
    found = clean_html(page(layout), BatchContext())
    assert "|" not in found.body
    assert STORY[0] in found.body


def test_a_bold_label_with_short_lines_inside_the_story_is_kept() -> None:
    facts = (
        "<p><strong>What owners should do</strong></p>"
        "<p>Check the serial number on the recall page</p>"
        "<p>Stop charging the phone overnight until it is checked</p>"
        "<p>Book a free battery replacement or request a refund</p>"
    )
    body = f"<p>{STORY[0]}</p>{facts}<p>{STORY[1]}</p><p>{STORY[2]}</p>"
    found = clean_html(page(body), BatchContext())
    assert "What owners should do" in found.body
    assert "Stop charging the phone overnight until it is checked" in found.body
    assert "## " not in found.body


def test_one_consent_word_in_a_long_sentence_is_story() -> None:
    sentence = (
        "Der Sozialminister sagte am Dienstag in Kiel, er werde einem Haushaltsentwurf mit "
        "höheren Gebühren im Kabinett nicht zustimmen, solange die Familien nicht entlastet seien."
    )
    body = "".join(f"<p>{text}</p>" for text in [STORY[0], sentence, *STORY[1:]])
    found = clean_html(page(body), BatchContext())
    assert sentence in found.body


JAPANESE = [
    "川崎市の市道で十二日朝、小学生を乗せたスクールバスと乗用車が衝突する事故があった。",
    "警察によると、バスには児童十八人が乗っており、このうち三人が軽いけがをした。",
    "市教育委員会は同日、保護者向けの説明会を開き、今後の安全対策について説明した。",
    "現場は見通しの良い交差点で、警察が事故の詳しい原因を調べている。",
]


def test_japanese_story_is_prose_in_html_and_text() -> None:
    title = "川崎でスクールバス事故 児童3人軽傷"
    html = page("".join(f"<p>{text}</p>" for text in JAPANESE), title=title)
    assert all(text in clean_html(html, BatchContext()).body for text in JAPANESE)
    text = "\n".join([title, "", "ホーム ニュース 社会", "", *JAPANESE, "", "関連記事"])
    assert clean_text(text, BatchContext()).body.split("\n\n") == JAPANESE


def test_when_the_line_rules_would_empty_the_story_trafilatura_body_is_kept() -> None:
    """No line is sentence-shaped (a timetable-like story): the rules find no prose, so
    trafilatura's own body is the better answer than an empty draft."""
    lines = [
        "Route 4 buses run every twenty minutes from the harbour to the hospital",
        "Route 7 now stops at the new library on Cedar Street in both directions",
        "Route 9 ends at the stadium on match days instead of the old terminus",
        "Night buses leave the central station at midnight and at two in the morning",
    ]
    found = clean_html(page("".join(f"<p>{line}</p>" for line in lines)), BatchContext())
    assert found.body.split("\n\n") == lines


def test_title_entities_are_decoded_and_section_and_site_taken_off() -> None:
    html = (
        "<html><head><title>Opinion | Rates rise again | The Courier</title>"
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": '
        '"Opinion | Rates rise again &#8211; and savers still lose &#163;200&nbsp;a year"}'
        "</script></head><body>" + "".join(f"<p>{text}</p>" for text in STORY) + "</body></html>"
    )
    found = clean_html(html, BatchContext())
    assert found.title == "Rates rise again – and savers still lose £200 a year"


def test_the_shown_headline_wins_over_a_title_with_kicker_and_site_prefix() -> None:
    html = (
        "<html><head><title>La Gazzetta di Montefiore - Sagra delle castagne, record di "
        "presenze</title></head><body><h1>Sagra delle castagne, record di presenze</h1>"
        + "".join(f"<p>{text}</p>" for text in STORY)
        + "</body></html>"
    )
    found = clean_html(html, BatchContext())
    assert found.title == "Sagra delle castagne, record di presenze"
    assert found.publisher == "La Gazzetta di Montefiore"


def test_a_comment_time_stamp_is_not_the_story_date() -> None:
    comments = (
        "<ol class='comment-list'><li class='comment'><b>R. Okafor</b> says:"
        "<div class='comment-metadata'><a href='#c1'>January 1, 2026 12:43 PM</a></div>"
        "<p>Good reporting, thank you for covering the meeting in such detail.</p></li></ol>"
    )
    found = clean_html(page("".join(f"<p>{text}</p>" for text in STORY) + comments), BatchContext())
    assert found.date is None


def test_a_story_trafilatura_misses_is_found_by_the_text_cleaner() -> None:
    """A theme that wraps the story in a class trafilatura drops ("...-footer-..."): its
    result is a headline and a link box, and the text cleaner's reading of the page wins."""
    story = "".join(f"<p>{text}</p>" for text in STORY)
    box = "<h3>More</h3><ul><li><a href='/a'>Bakery wins prize</a></li><li><a href='/b'>New cycle lanes</a></li></ul>"
    found = clean_html(page(f"<div class='footer-note'>{story}</div>{box}"), BatchContext())
    assert found.body.split("\n\n") == STORY
