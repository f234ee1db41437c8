"""Title, publisher and tag extraction shared by the text and HTML paths, and the lead image
and authors a page declares."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from urllib.parse import urljoin

# "Headline | Site", "Headline - Site", "Headline — Site", "Headline -Site", "Headline :: Site".
_SUFFIX = re.compile(
    r"^(?P<title>.*\S)\s*?(?:\s+[|\-–—·•:]{1,2}\s*|\s*[|｜–—·•]\s*|\s+::\s+)(?P<site>[^|\-–—·•]{2,40})$"
)
_TAG_LABEL = re.compile(
    r"^\W*(?:in|tags?|topics?|keywords?|filed under|schlagwörter|schlagworte|themen|stichwörter|"
    r"étiquettes|mots-clés|mots clés|sujets|thèmes|etiquetas|temas|palabras clave|argomenti)"
    r"\s*[:：]\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# A separator never starts inside a run of spaces (the leftmost match starts where the run
# does): the lookbehind keeps a long run from being scanned again at each of its spaces.
_TAG_SPLIT = re.compile(r"(?<!\s)\s*(?:[,;|·•]|\s#)\s*")
_BULLET = re.compile(r"^\s*(?:[-*•·–+]|\d{1,2}[.)])\s+")


@dataclass(frozen=True)
class SplitTitle:
    """A headline with the site-name suffix taken off, and that suffix as publisher."""

    title: str
    publisher: str | None


def split_site_suffix(text: str) -> SplitTitle:
    """Take "Headline - Site" apart when the tail is short and name-like, else keep it whole."""
    text = " ".join(text.split())
    match = _SUFFIX.match(text)
    if match:
        title, site = match.group("title").strip(" -|:–—"), match.group("site").strip()
        if _looks_like_site_name(site) and len(title.split()) >= 3:
            return SplitTitle(title, site)
    return SplitTitle(text, None)


# Section kickers sites put before the headline: "Opinion | ...", "Politik: ...".
_SECTION_PREFIX = re.compile(
    r"^(?P<section>(?:opinion|opinions|analysis|comment|commentary|editorial|column|review|"
    r"interview|exclusive|breaking|live|update|explainer|fact check|politics|business|world|"
    r"sport|sports|tech|technology|science|health|culture|local|national|"
    r"meinung|kommentar|analyse|politik|wirtschaft|kultur|panorama|wissen|gastbeitrag|"
    r"opinión|análisis|política|economía|deportes|cultura|tribuna|"
    r"tribune|éditorial|politique|économie|société|monde|culture|"
    r"opinione|commento|politica|economia|cronaca|esteri|"
    r"opinião|análise|esporte|esportes|mundo|"
    r"mening|opinie|binnenland|buitenland|economie|politiek))"
    r"\s*(?:[|:»›/]|\s[-–—])\s*(?P<rest>\S.*)$",
    re.IGNORECASE,
)


def split_section_prefix(text: str) -> tuple[str | None, str]:
    """("Opinion", "Headline") for "Opinion | Headline"; (None, text) when there is none.

    Only section names are taken off: "Canicule : le département ..." keeps its head word.
    """
    match = _SECTION_PREFIX.match(text.strip())
    if match and len(match.group("rest").split()) >= 3:
        return match.group("section"), match.group("rest").strip()
    return None, text.strip()


def looks_like_domain(text: str) -> bool:
    """True for "weserbote.de": a host name standing in for a site's name."""
    return bool(re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", text.strip()))


def _looks_like_site_name(text: str) -> bool:
    words = text.split()
    return (
        1 <= len(words) <= 5
        and not text.endswith((".", "?", "!"))
        # A capital, or a letter of a script without case (Arabic, Chinese, Korean).
        and (not text[0].islower() and text[0].isalpha() or text[0].isdigit() or "." in text)
    )


def strip_bullet(text: str) -> str:
    """A list item's text without its marker."""
    return _BULLET.sub("", text, count=1)


def is_bullet(text: str) -> bool:
    """True for a list item line ("- x", "* x", "1. x")."""
    return bool(_BULLET.match(text))


def tag_label(text: str) -> str | None:
    """For a "Tags:"-like line, the text after the label ('' when the list follows below)."""
    match = _TAG_LABEL.match(strip_bullet(text))
    return None if match is None else match.group("rest").strip()


def split_tags(text: str) -> list[str]:
    """Tags from an inline list: "a, b; c | d" or "#a #b"."""
    return [tag.strip(" #.") for tag in _TAG_SPLIT.split(text) if tag.strip(" #.")]


def unique_tags(tags: list[str]) -> list[str]:
    """Keep the first spelling of tags that differ only in case or spacing."""
    seen: set[str] = set()
    result: list[str] = []
    for tag in tags:
        tag = " ".join(tag.split())
        key = tag.casefold()
        if tag and key not in seen and len(tag) <= 60:
            seen.add(key)
            result.append(tag)
    return result


# --- the lead image and the authors a page declares ---------------------------------------


@dataclass(frozen=True)
class LeadImage:
    """The image a page declares as its own (Open Graph, JSON-LD, Twitter card): an
    absolute URL, with its alt text, caption and credit where the page gives them."""

    url: str
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None


# Meta tags naming the page's image, and its alt text, in the order they are trusted.
_IMAGE_META = (
    "og:image",
    "og:image:url",
    "og:image:secure_url",
    "twitter:image",
    "twitter:image:src",
)
_ALT_META = ("og:image:alt", "twitter:image:alt")


def lead_image(declared: object, meta: Mapping[str, str]) -> LeadImage | None:
    """The page's lead image: JSON-LD `image` first (a URL, an ImageObject or a list of
    either), then Open Graph, then the Twitter card. The URL is as the page writes it,
    perhaps relative: see `absolute_image`."""
    first = declared[0] if isinstance(declared, list) and declared else declared
    fields: Mapping[str, object] = first if isinstance(first, Mapping) else {}
    candidates = [first, fields.get("url"), fields.get("contentUrl")]
    candidates += [meta.get(key) for key in _IMAGE_META]
    url = next((_clean(item) for item in candidates if _clean(item)), None)
    if url is None:
        return None
    alt = next((meta[key] for key in _ALT_META if meta.get(key)), None)
    credit = _one_name(fields.get("creditText")) or _one_name(fields.get("copyrightHolder"))
    return LeadImage(
        url,
        alt=_clean(alt),
        caption=_clean(fields.get("caption")),
        credit=credit or _one_name(fields.get("author")),
    )


def absolute_image(
    image: LeadImage | None, base: str | None, allowed: Callable[[str], str | None]
) -> LeadImage | None:
    """The image with its URL made absolute against the page's (`base`), if the result
    passes `allowed` (the importer's policy for URLs of other sites); else None."""
    if image is None:
        return None
    try:
        url = allowed(urljoin(base or "", image.url))
    except ValueError:  # `http://[x`: not a URL at all
        return None
    return None if url is None else replace(image, url=url)


def author_names(declared: object) -> tuple[str, ...]:
    """Every author JSON-LD names (a name, a Person, or a list of either), each once."""
    items = declared if isinstance(declared, list) else [declared]
    names = [name for item in items if (name := _one_name(item))]
    return tuple(dict.fromkeys(names))


def _one_name(value: object) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("name")
    return _clean(value)


def _clean(value: object) -> str | None:
    """Declared text with entities decoded and spacing collapsed (CMSs leave `&amp;` in
    JSON-LD and meta tags, where nothing decodes them)."""
    if not isinstance(value, str):
        return None
    return " ".join(html.unescape(value).split()) or None
