"""site.yaml -> a frozen, validated SiteConfig.

The set of keys is closed: a typo such as `per_pgae` is an error with a "did you mean"
hint rather than a setting silently ignored.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..core.errors import Diagnostic, Diagnostics, UserError, diagnostic
from ..core.frontmatter import load_yaml_mapping
from ..core.importing import read_import_settings
from ..core.layout import CONFIG_FILE
from ..core.urls import content_url_problem, placeholders, to_uri

if TYPE_CHECKING:
    from babel import Locale

DEFAULT_PERMALINKS: Mapping[str, str] = {
    "article": "/{year}/{month}/{day}/{slug}/",
    "tag": "/tags/{slug}/",
    "edition": "/{year}/{month}/{day}/",
    "month": "/{year}/{month}/",
    "year": "/{year}/",
}
_PERMALINK_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "article": frozenset({"year", "month", "day", "slug"}),
    "tag": frozenset({"slug"}),
    "edition": frozenset({"year", "month", "day"}),
    "month": frozenset({"year", "month"}),
    "year": frozenset({"year"}),
}
_REQUIRED_PLACEHOLDERS: Mapping[str, frozenset[str]] = {
    "article": frozenset({"slug"}),
    "tag": frozenset({"slug"}),
    "edition": frozenset({"year", "month", "day"}),
    "month": frozenset({"year", "month"}),
    "year": frozenset({"year"}),
}
DEFAULT_MARKDOWN_EXTENSIONS = ("extra", "sane_lists", "toc")


@dataclass(frozen=True)
class ParseSettings:
    """The part of the configuration that shapes one article; part of its cache key."""

    timezone: str = "UTC"
    markdown_extensions: tuple[str, ...] = DEFAULT_MARKDOWN_EXTENSIONS
    trust_html: bool = False
    summary_words: int = 60
    # False: pages load nothing from other hosts, so a body may not show another site's image.
    remote_images: bool = True
    markdown_engine: str = "python-markdown"


@dataclass(frozen=True)
class MenuLink:
    """A link in the site's main navigation."""

    title: str
    url: str


@dataclass(frozen=True)
class Section:
    """A section of the front page: the edition's stories carrying one of `tags`."""

    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class SiteConfig:
    """Everything site.yaml can say, with defaults filled in.

    The settings that shape one article live in `parsing` (part of each article's cache
    key); they are also readable here under their site.yaml names, as templates know them.
    """

    root: Path
    title: str
    base_url: str
    description: str = ""
    language: str = "en"
    theme: str = "default"
    per_page: int = 10
    feed_limit: int = 20
    author: str = ""
    menu: tuple[MenuLink, ...] = ()
    sections: tuple[Section, ...] = ()  # the front page's, in order
    permalinks: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PERMALINKS))
    websub_hub: str = ""  # a WebSub hub the feeds name, so readers get pushed updates
    logo: str = ""  # the publisher's logo (site path or http(s) URL), for JSON-LD
    parsing: ParseSettings = field(default_factory=ParseSettings)
    # Line of each key in site.yaml, so later stages (theme lookup) can point at it.
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int | None:
        """Line of a site.yaml key, or None if the key is not in the file."""
        return dict(self.key_lines).get(key)

    @property
    def config_path(self) -> str:
        """site.yaml as shown to the user in messages."""
        return display_path(self.root / CONFIG_FILE)

    @property
    def tzinfo(self) -> ZoneInfo:
        """The zone offset-less dates in front matter are read in."""
        return ZoneInfo(self.parsing.timezone)

    @property
    def timezone(self) -> str:
        return self.parsing.timezone

    @property
    def markdown_extensions(self) -> tuple[str, ...]:
        return self.parsing.markdown_extensions

    @property
    def trust_html(self) -> bool:
        return self.parsing.trust_html

    @property
    def remote_images(self) -> bool:
        """False: a remote lead image becomes a link, and a body may not show one."""
        return self.parsing.remote_images

    @property
    def summary_words(self) -> int:
        return self.parsing.summary_words

    @property
    def markdown_engine(self) -> str:
        return self.parsing.markdown_engine

    def absolute_url(self, site_path: str) -> str:
        """Join a site path such as `/tags/x/` onto base_url (which may have a sub-path)."""
        return self.base_url.rstrip("/") + "/" + site_path.lstrip("/")

    def absolute_uri(self, site_path: str) -> str:
        """absolute_url as an RFC 3986 URI, for feeds, sitemaps and JSON."""
        return to_uri(self.absolute_url(site_path))

    @property
    def base_path(self) -> str:
        """The path part of base_url, for sites served from a sub-folder (`/digest/`)."""
        return urlsplit(self.base_url).path.rstrip("/") + "/"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _positive_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _image_location(value: Any) -> str | None:
    """An image file on this site (`/logo.png`; its existence is checked with the articles'
    images) or another site's, by absolute http(s) URL."""
    if not isinstance(value, str) or content_url_problem(value) is not None:
        return None
    if _is_http_url(value):
        return value
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.query or parts.fragment or not parts.path:
        return None
    return "/" + value.lstrip("/")


def _http_url(value: Any) -> str | None:
    return value if _is_http_url(value) else None


_SIMPLE_KEYS: Mapping[str, tuple[Callable[[Any], Any], str]] = {
    "title": (_text, "text"),
    "websub_hub": (_http_url, "an absolute http(s) URL, such as https://pubsubhubbub.appspot.com/"),
    "description": (_text, "text"),
    "language": (_text, "a language code such as `en` or `de-CH`"),
    "timezone": (_text, "an IANA zone name such as `Europe/Berlin`"),
    "theme": (_text, "the name of a folder in themes/"),
    "author": (_text, "text"),
    "per_page": (_positive_int, "a whole number above 0"),
    "feed_limit": (_positive_int, "a whole number above 0"),
    "summary_words": (_positive_int, "a whole number above 0"),
    "trust_html": (lambda v: v if isinstance(v, bool) else None, "true or false"),
    "remote_images": (lambda v: v if isinstance(v, bool) else None, "true or false"),
    "logo": (
        _image_location,
        "a site path such as `/logo.png` or an absolute http(s) URL",
    ),
}
KNOWN_KEYS = frozenset(
    {
        *_SIMPLE_KEYS,
        "base_url",
        "menu",
        "sections",
        "permalinks",
        "markdown_extensions",
        "markdown_engine",
        "import",  # read by the importer; checked here with the rest (core.importing)
    }
)
MARKDOWN_ENGINES = ("python-markdown", "cmark")
_PARSE_KEYS = tuple(item.name for item in dataclasses.fields(ParseSettings))


def load_config(root: Path, base_url_override: str | None = None) -> SiteConfig:
    """Read and validate `root/site.yaml`; raise UserError listing every problem in it."""
    path = root / CONFIG_FILE
    problems = Diagnostics()
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = f"create it in {root} with at least `title` and `base_url`"
        raise UserError([diagnostic(shown, None, "site.yaml not found", hint)]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise UserError([diagnostic(shown, None, f"cannot read site.yaml: {error}")]) from None
    loaded = load_yaml_mapping(text, shown)
    if isinstance(loaded, Diagnostic):
        raise UserError([loaded])
    data, lines = loaded
    values: dict[str, Any] = {}

    for key in sorted(set(data) - KNOWN_KEYS):
        close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1)
        hint = (
            f"did you mean `{close[0]}`?"
            if close
            else f"known keys: {', '.join(sorted(KNOWN_KEYS))}"
        )
        problems.add(shown, lines.get(key), f"unknown key `{key}`", hint)

    for key, (convert, expected) in _SIMPLE_KEYS.items():
        if key in data:
            converted = convert(data[key])
            if converted is None:
                problems.add(
                    shown, lines.get(key), f"`{key}` must be {expected}, not {data[key]!r}"
                )
            else:
                values[key] = converted

    if not values.get("title"):
        problems.add(shown, lines.get("title", 1), "`title` is required", "add `title: My Digest`")
    base_url = base_url_override or data.get("base_url")
    if base_url_override is None and "base_url" not in data:
        problems.add(
            shown, 1, "`base_url` is required", "add `base_url: https://news.example.org/`"
        )
    elif not _is_http_url(base_url):
        problems.add(
            shown,
            lines.get("base_url"),
            f"`base_url` must be an absolute http(s) URL, not {base_url!r}",
            "for example `https://news.example.org/`",
        )
    else:
        values["base_url"] = base_url.rstrip("/") + "/"

    if "language" in values:
        if parse_language(values["language"]) is None:
            problems.add(
                shown,
                lines.get("language"),
                f"unknown language code {values['language']!r}",
                "use a code such as `en`, `de`, `de-CH`, `pt-BR` or `ja`",
            )
        # As HTML's lang and hreflang want it (BCP 47): `pt-BR`, also when written `pt_BR`.
        values["language"] = values["language"].strip().replace("_", "-")

    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            problems.add(
                shown,
                lines.get("timezone"),
                f"unknown timezone {values['timezone']!r}",
                "use a name such as `Europe/Berlin` or `UTC`",
            )

    if "menu" in data:
        menu = _read_menu(data["menu"])
        if menu is None:
            problems.add(
                shown,
                lines.get("menu"),
                "`menu` must be a list of `{title: ..., url: ...}` entries",
            )
        else:
            values["menu"] = menu
            for link in menu:  # the theme links them as written, like URLs from content
                if (reason := content_url_problem(link.url)) is not None:
                    problems.add(
                        shown,
                        lines.get("menu"),
                        f"menu link {link.title!r} has the URL {link.url[:80]!r}: {reason}",
                    )

    if "sections" in data:
        sections = _read_sections(data["sections"])
        if sections is None:
            problems.add(
                shown,
                lines.get("sections"),
                "`sections` must be a list of `{title: ..., tags: [...]}` entries",
                "for example `- {title: Politics, tags: [Politics, Council]}`",
            )
        else:
            values["sections"] = sections

    if "permalinks" in data:
        permalinks = _read_permalinks(data["permalinks"], shown, lines.get("permalinks"), problems)
        values["permalinks"] = permalinks

    if "markdown_extensions" in data:
        extensions = data["markdown_extensions"]
        if not isinstance(extensions, list) or not all(isinstance(e, str) for e in extensions):
            problems.add(
                shown,
                lines.get("markdown_extensions"),
                "`markdown_extensions` must be a list of extension names",
            )
        elif (error := _markdown_extensions_error(extensions)) is not None:
            problems.add(
                shown,
                lines.get("markdown_extensions"),
                error,
                "check the spelling, e.g. `extra`, `toc`, `sane_lists`",
            )
        else:
            values["markdown_extensions"] = tuple(extensions)

    if "markdown_engine" in data:
        engine = data["markdown_engine"]
        if engine not in MARKDOWN_ENGINES:
            problems.add(
                shown,
                lines.get("markdown_engine"),
                f"unknown markdown_engine {engine!r}",
                f"use one of {', '.join(MARKDOWN_ENGINES)}",
            )
        elif engine == "cmark" and importlib.util.find_spec("cmarkgfm") is None:
            problems.add(
                shown,
                lines.get("markdown_engine"),
                "markdown_engine `cmark` needs the cmarkgfm package",
                "install it with `pip install 'newsdigest[fast]'`",
            )
        else:
            values["markdown_engine"] = engine

    problems.extend(read_import_settings(data.get("import"), shown, lines.get("import"))[1])

    problems.raise_if_any()
    parsing = ParseSettings(**{key: values.pop(key) for key in _PARSE_KEYS if key in values})
    return SiteConfig(root=root, parsing=parsing, key_lines=tuple(sorted(lines.items())), **values)


def display_path(path: Path) -> str:
    """Show paths relative to the working directory when we can: shorter, and clickable."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def parse_language(code: str) -> Locale | None:
    """The Babel locale of a language code (`de`, `de-CH`, `pt_BR`), None if CLDR has none.

    Babel is imported here, by the sites and articles that name a language: a build with
    nothing to do otherwise never needs it."""
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(code.strip().replace("_", "-"), sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return None


def _markdown_extensions_error(extensions: list[str]) -> str | None:
    """Python-Markdown only reports a bad extension name when it first converts a page."""
    import markdown  # imported here: config is loaded before anything else needs it

    try:
        markdown.Markdown(extensions=extensions)
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        return f"cannot load Markdown extensions: {error}"
    return None


def _is_http_url(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def _read_menu(value: Any) -> tuple[MenuLink, ...] | None:
    if not isinstance(value, list):
        return None
    links = []
    for item in value:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("title"), str)
            or not isinstance(item.get("url"), str)
        ):
            return None
        links.append(MenuLink(item["title"], item["url"]))
    return tuple(links)


def _read_sections(value: Any) -> tuple[Section, ...] | None:
    if not isinstance(value, list):
        return None
    sections = []
    for item in value:
        tags = item.get("tags") if isinstance(item, dict) else None
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("title"), str)
            or not item["title"].strip()
            or not isinstance(tags, list)
            or not tags
            or not all(isinstance(tag, str) and tag.strip() for tag in tags)
        ):
            return None
        sections.append(Section(item["title"].strip(), tuple(tag.strip() for tag in tags)))
    return tuple(sections)


def _read_permalinks(
    value: Any, shown: str, line: int | None, problems: Diagnostics
) -> dict[str, str]:
    permalinks = dict(DEFAULT_PERMALINKS)
    if not isinstance(value, dict):
        problems.add(
            shown, line, "`permalinks` must be a mapping such as `article: /{year}/{slug}/`"
        )
        return permalinks
    for kind, pattern in value.items():
        if kind not in DEFAULT_PERMALINKS:
            problems.add(
                shown,
                line,
                f"unknown permalink kind `{kind}`",
                f"use one of {', '.join(DEFAULT_PERMALINKS)}",
            )
            continue
        if (
            not isinstance(pattern, str)
            or not pattern.startswith("/")
            or ".." in pattern
            or "\\" in pattern
        ):
            problems.add(
                shown, line, f"permalink `{kind}` must be a path starting with `/`, not {pattern!r}"
            )
            continue
        used = placeholders(pattern)
        unknown = used - _PERMALINK_PLACEHOLDERS[kind]
        missing = _REQUIRED_PLACEHOLDERS[kind] - used
        if unknown:
            problems.add(
                shown,
                line,
                f"permalink `{kind}` uses unknown placeholder {{{sorted(unknown)[0]}}}",
                f"available: {', '.join('{' + p + '}' for p in sorted(_PERMALINK_PLACEHOLDERS[kind]))}",
            )
        elif missing:
            problems.add(
                shown,
                line,
                f"permalink `{kind}` must contain {{{sorted(missing)[0]}}}",
                "otherwise pages would overwrite each other",
            )
        else:
            permalinks[kind] = pattern
    return permalinks
