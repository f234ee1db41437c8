"""The front page and each edition read as a digest: a lead story, then sections by tag.

Built from the bundled example site, whose site.yaml has four `sections:` and whose newest
edition (23 November 2026) has five stories: the lead has three sources, the others one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import page_file, parse_html, text_of

SECTIONS = [
    ("City and transport", ["Council unveils ten-year plan for a connected cycling network"]),
    (
        "Climate and science",
        ["Cape Lantern observatory reopens telescope dome for winter sky nights"],
    ),
    ("Health and education", ["Walk-in flu clinics report their busiest week of the autumn"]),
    ("Culture", ["Philharmonic takes free lunchtime concerts to district libraries"]),
]
LEAD = "Harbour ferry fares frozen for 2027 after council vote"


def digest_of(doc: ET.Element) -> tuple[str, list[tuple[str, list[str]]]]:
    """The lead's headline and each section's title with its stories' headlines."""
    lead = doc.find(".//main//article[@class='lead']")
    assert lead is not None
    headline = lead.find("h1") if lead.find("h1") is not None else lead.find("h2")
    sections = [
        (text_of(section.find("h2")), [text_of(h3) for h3 in section.iterfind("article/h3")])
        for section in doc.iterfind(".//main//section[@class='digest-section']")
    ]
    return text_of(headline), sections


def test_front_page_leads_with_the_best_covered_story_then_sections(example_output: Path) -> None:
    doc = parse_html(page_file(example_output, "/"))
    assert digest_of(doc) == (LEAD, SECTIONS)
    lead = doc.find(".//main//article[@class='lead']")
    assert lead.find("figure/img").get("width") == "960"
    assert "3 sources" in text_of(lead.find("p[@class='meta sources']"))


def test_an_edition_page_is_the_same_digest_under_its_own_title(example_output: Path) -> None:
    doc = parse_html(page_file(example_output, "/2026/11/23/"))
    assert "23 November 2026" in text_of(doc.find(".//main/h1"))
    assert digest_of(doc) == (LEAD, SECTIONS)
    # Under the page's own h1, the lead's headline is a second-level heading.
    assert doc.find(".//main//article[@class='lead']/h2") is not None


def test_an_edition_of_one_story_is_a_lead_alone(example_output: Path) -> None:
    doc = parse_html(page_file(example_output, "/2026/11/20/"))
    headline, sections = digest_of(doc)
    assert headline.startswith("Winterfahrplan")
    assert sections == []
