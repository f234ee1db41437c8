"""HTML pages are read in the charset they declare (as a browser reads it), or the one their
bytes show; never refused for bytes that do not fit the declaration."""

from __future__ import annotations

from generator.ingest.model import RawDocument
from generator.ingest.readers import parse

STORY = "Le café crème coûte 3 € à Zürich, a déclaré le maire jeudi soir devant le conseil."


def read(data: bytes) -> str:
    [document] = list(parse("page.html", data, "auto", 0))
    assert isinstance(document, RawDocument), document
    return document.text


def page(charset: str, body: str) -> str:
    return f'<html><head><meta charset="{charset}"><title>t</title></head><body><p>{body}</p>'


def test_iso_8859_1_is_read_as_windows_1252_like_a_browser() -> None:
    data = page("ISO-8859-1", STORY).encode("windows-1252")
    assert STORY in read(data)


def test_a_byte_outside_the_declared_charset_becomes_a_replacement_character() -> None:
    data = page("windows-1252", "Caf\xe9").encode("windows-1252").replace(b"Caf", b"C\x81af")
    assert "C\ufffdafé" in read(data)


def test_a_page_declaring_utf_8_in_windows_1252_is_read_by_its_bytes() -> None:
    data = page("utf-8", STORY * 3).encode("windows-1252")
    assert STORY in read(data)


def test_shift_jis_pages_with_windows_extensions_and_late_declarations() -> None:
    story = "①市役所の新庁舎は来年春に完成する予定だと市長が述べた。"
    head = "<html><head>" + "<script>var x = 1;</script>" * 300
    data = (
        head + f'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        f"</head><body><p>{story}</p></body></html>"
    ).encode("cp932")
    assert story in read(data)
