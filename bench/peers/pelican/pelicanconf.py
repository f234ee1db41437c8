"""Pelican side of the benchmark: the same site shape as newsdigest's, on the default theme.

Article pages at the same URLs, a paginated index, paginated tag pages, daily/monthly/yearly
archives (our editions), an Atom feed for the site and one per tag. Category and author pages,
which newsdigest does not have, are switched off, and so the article footer, which would name the
category, is overridden. Pelican's content cache is off, as it is by default.
"""

from pathlib import Path

SITENAME = "Bench Digest"
SITEURL = "https://bench.example.org"
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 20
USE_FOLDER_AS_CATEGORY = False
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
RELATIVE_URLS = False
THEME_TEMPLATES_OVERRIDES = [str(Path(__file__).resolve().parent / "templates")]

ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
TAGS_SAVE_AS = "tags/index.html"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"
MONTH_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/index.html"
DAY_ARCHIVE_SAVE_AS = "{date:%Y}/{date:%m}/{date:%d}/index.html"
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""

FEED_DOMAIN = SITEURL
FEED_MAX_ITEMS = 20
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/tags/{slug}.atom.xml"
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
