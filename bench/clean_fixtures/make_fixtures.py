"""Regenerate the fixture pages: `python bench/clean_fixtures/make_fixtures.py`.

Each fixture is a raw page (`NN-name.txt` or `.html`) and `NN-name.json` with the expected
title, date, publisher, tags and body paragraphs. The layouts imitate furniture seen on news
sites (menus, breadcrumbs, cookie banners, share widgets, link boxes, comment sections,
newsletter prompts, author bios, photo credits) in several arrangements and languages.
"""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path

from stories import STORIES

HERE = Path(__file__).parent
S = {story["key"]: story for story in STORIES}

OTHER = {
    "en": [
        "Mayor unveils plan for new waterfront park",
        "Three arrested after warehouse break-in",
        "School board delays vote on later start times",
        "Local bakery wins national bread award",
        "Storm warning issued for the coast this weekend",
        "Why rents keep rising in the suburbs",
        "Five things to do in the city this week",
        "Stadium expansion faces new legal challenge",
        "Hospital opens new children's ward",
        "Opinion: The bus network needs a rethink",
    ],
    "de": [
        "Neuer Hafenpark soll 2027 eröffnen",
        "Polizei sucht Zeugen nach Einbruch in Lagerhalle",
        "Schulen verschieben Entscheidung über Unterrichtsbeginn",
        "Bäckerei gewinnt Brotpreis",
        "Unwetterwarnung für die Küste am Wochenende",
        "Warum die Mieten im Umland steigen",
        "Fünf Tipps für das Wochenende",
        "Stadionausbau: Klage eingereicht",
    ],
    "fr": [
        "Un nouveau parc au bord du fleuve en 2027",
        "Trois interpellations après un cambriolage",
        "Le conseil reporte le vote sur les rythmes scolaires",
        "Une boulangerie primée à Paris",
        "Alerte orages sur le littoral ce week-end",
        "Pourquoi les loyers flambent en banlieue",
        "Cinq sorties à ne pas manquer cette semaine",
        "Le stade face à un nouveau recours",
    ],
    "es": [
        "Un nuevo parque junto al puerto abrirá en 2027",
        "Tres detenidos tras un robo en una nave",
        "El ayuntamiento aplaza la votación sobre los horarios escolares",
        "Una panadería gana el premio nacional",
        "Alerta por tormentas en la costa este fin de semana",
        "Por qué suben los alquileres en la periferia",
        "Cinco planes para esta semana",
        "La ampliación del estadio, recurrida",
    ],
}


def wrap(text: str, width: int = 72) -> str:
    return "\n".join(textwrap.wrap(text, width))


def expected(
    story: dict,
    date: str | None,
    publisher: str | None,
    tags: list[str] | None = None,
    body: list[str] | None = None,
    title: str | None = None,
) -> dict:
    return {
        "title": title or story["title"],
        "date": date,
        "publisher": publisher,
        "tags": story["tags"] if tags is None else tags,
        "body": body if body is not None else story["paragraphs"],
    }


# ---------------------------------------------------------------- plain-text layouts


def t_glued_breadcrumb(s, site, when, iso):
    """Like many scraped CMS pages: breadcrumb glued to the title, widgets, link boxes."""
    o = OTHER[s["lang"]]
    lines = [
        f"You are here:Home > News{s['title']} -{site}",
        s["title"],
        "View",
        f"Date:{when}",
        *s["paragraphs"],
        "- In:",
        *[f"- {t}" for t in s["tags"]],
        "good! (17)",
        "Related",
        *[f"- {h}" for h in o[:5]],
        "Ranking",
        *[f"- {h}" for h in o[5:]],
    ]
    return "\n".join(lines), expected(s, iso, site)


def t_copy_paste(s, site, when, iso):
    """Browser select-all copy: menu, cookie banner, byline, share, tags, most read, footer."""
    o = OTHER["en"]
    page = [
        "Skip to main content",
        "Home | News | Sport | Business | Culture | Weather",
        "",
        "We use cookies to give you the best experience on our website. By continuing to browse "
        "you agree to our use of cookies. Accept all cookies",
        "",
        s["title"],
        "",
        "By Samuel Greene, City Reporter",
        f"Published {when}",
        "",
        "\n\n".join(s["paragraphs"]),
        "",
        "Share this article",
        "Facebook",
        "Twitter",
        "Email",
        "",
        "Tags: " + ", ".join(s["tags"]),
        "",
        "Most read",
        *[f"{n}. {h}" for n, h in enumerate(o[:5], 1)],
        "",
        f"© 2025 {site}. All rights reserved.",
    ]
    return "\n".join(page), expected(s, iso, site)


def t_lynx(s, site, when, iso):
    """Text-browser dump: wrapped paragraphs, link list, comment section with replies."""
    o = OTHER[s["lang"]]
    page = [f"{s['title']} | {site}", "", "   [Menu] [Search] [Sign in]", "", f"   {when}", ""]
    page += [wrap(p) + "\n" for p in s["paragraphs"]]
    page += [
        "Related stories:",
        *[f"  * {h}" for h in o[:4]],
        "",
        "Comments (3)",
        "",
        "ravenclaw77",
        "2 hours ago",
        wrap(
            "This is exactly what happened last year as well and nobody learned anything "
            "from it, which is frankly not surprising at all."
        ),
        "Reply",
        "",
        "J. Morales",
        "1 hour ago",
        wrap("Thanks for the reporting, very helpful."),
        "Reply",
    ]
    return "\n".join(page), expected(s, iso, site, tags=[])


def t_de_portal(s, site, when, iso):
    o = OTHER["de"]
    page = [
        "Startseite › Nachrichten › Deutschland",
        "Suche",
        "Anmelden",
        "",
        s["title"],
        "",
        f"Stand: {when}",
        "",
        *[p + "\n" for p in s["paragraphs"][:2]],
        "Lesen Sie auch: " + o[0],
        "",
        *[p + "\n" for p in s["paragraphs"][2:]],
        "Mehr zum Thema",
        *[f"- {h}" for h in o[1:5]],
        "",
        "Schlagwörter: " + ", ".join(s["tags"]),
        "",
        f"© {site} 2025",
    ]
    return "\n".join(page), expected(s, iso, site)


def t_fr_portal(s, site, when, iso, updated):
    o = OTHER["fr"]
    page = [
        f"{s['title']} — {site}",
        "Accueil / Société",
        "",
        s["title"],
        f"Publié le {when}",
        f"Mis à jour le {updated}",
        "",
        *[p + "\n" for p in s["paragraphs"][:2]],
        "À lire aussi : " + o[2],
        "",
        *[p + "\n" for p in s["paragraphs"][2:]],
        "Partager",
        "",
        "Sur le même sujet",
        *o[3:7],
        "",
        "Commentaires (12)",
        "Pierre L.",
        "Il était temps que quelque chose change dans cette ville, franchement.",
        "Répondre",
    ]
    return "\n".join(page), expected(s, iso, site, tags=[])


def t_es_portal(s, site, when, iso):
    o = OTHER["es"]
    page = [
        f"{s['title']} | {site}",
        "Portada / Sociedad",
        "",
        s["title"],
        "",
        f"Madrid, {when}",
        "",
        *[p + "\n" for p in s["paragraphs"][:2]],
        "Lee también: " + o[1],
        "",
        *[p + "\n" for p in s["paragraphs"][2:]],
        "Etiquetas: " + ", ".join(s["tags"]),
        "",
        "Lo más leído",
        *[f"{n} {h}" for n, h in enumerate(o[2:7], 1)],
        "",
        "Suscríbete a nuestro boletín y recibe las noticias cada mañana en tu correo.",
    ]
    return "\n".join(page), expected(s, iso, site)


def t_minimal(s, site, when, iso):
    """Only headline, date line and the story: nothing to remove, nothing to lose."""
    return "\n".join([s["title"], when, "", *s["paragraphs"]]), expected(s, iso, None, tags=[])


def t_subheads(s, site, when, iso):
    """Story with subheadings, an in-story list, an ad slot and a photo credit."""
    p = s["paragraphs"]
    items = [
        "Replacement buses run every ten minutes",
        "Tickets remain valid on buses",
        "Bicycles are not allowed on replacement buses",
    ]
    page = [
        f"{site}",
        "News  Sport  Opinion  Life",
        "",
        s["title"],
        f"{when} · 4 min read",
        "",
        "Photo: Harbor Press/K. Lind",
        p[0],
        p[1],
        "Advertisement",
        "What commuters need to know",
        p[2],
        *[f"- {item}" for item in items],
        "The investigation",
        *p[3:],
        "",
        "Sign up for our morning newsletter",
        "Enter your email",
        "Subscribe",
    ]
    body = [p[0], p[1], "What commuters need to know", p[2], *items, "The investigation", *p[3:]]
    return "\n".join(page), expected(s, iso, None, tags=[], body=body)


def t_top_list(s, site, when, iso):
    """A 'Top stories' box above the headline, a byline with date, an author bio below."""
    o = OTHER[s["lang"]]
    page = [
        "Top stories",
        *o[:4],
        "",
        f"{s['title']} - {site}",
        "",
        f"By Lena Fischer | {when}",
        "",
        *s["paragraphs"],
        "",
        "Lena Fischer covers city hall and the budget for " + site + ".",
        "",
        "More from " + site,
        *o[4:8],
    ]
    return "\n".join(page), expected(s, iso, site, tags=[])


def t_topics_bullets(s, site, when, iso):
    """Metadata after the story: 'Topics:' with bullets, 'Posted' line, recommendations."""
    o = OTHER[s["lang"]]
    page = [
        f"{site} :: News",
        "",
        s["title"],
        "",
        *s["paragraphs"],
        "",
        f"Posted: {when}",
        "Topics:",
        *[f"* {t}" for t in s["tags"]],
        "",
        "Recommended for you",
        *[f"» {h}" for h in o[:6]],
        "",
        "12 comments",
        "Log in to comment",
    ]
    return "\n".join(page), expected(s, iso, None)


def t_ratings(s, site, when, iso):
    """Reactions and counters between the story and the next-article teaser."""
    o = OTHER[s["lang"]]
    page = [
        f"{s['title']} · {site}",
        "",
        when,
        "",
        *s["paragraphs"],
        "",
        "Like (231)",
        "Love (12)",
        "Angry (4)",
        "Share 57",
        "",
        "Next article",
        o[0],
        "Previous article",
        o[1],
    ]
    return "\n".join(page), expected(s, iso, site, tags=[])


def t_date_in_body(s, site, when, iso):
    """The only date is in the headline block; the body mentions other dates."""
    p = list(s["paragraphs"])
    extra = "The previous incident, on March 3, 2024, led to a two-week suspension of the route."
    page = [s["title"], f"{site} — {when}", "", p[0], extra, *p[1:], "", "Print", "Email"]
    return "\n".join(page), expected(s, iso, None, tags=[], body=[p[0], extra, *p[1:]])


def t_undated(s, site, when, iso):
    """No date anywhere: the importer must not invent one."""
    o = OTHER[s["lang"]]
    page = [f"{s['title']} | {site}", "", *s["paragraphs"], "", "Related", *o[:3]]
    return "\n".join(page), expected(s, None, site, tags=[])


# ---------------------------------------------------------------- HTML layouts


def _p(paragraphs):
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def _links(headlines):
    return "".join(
        f'<li><a href="/n/{n}">{html.escape(h)}</a></li>' for n, h in enumerate(headlines)
    )


def h_jsonld(s, site, when, iso):
    o = OTHER[s["lang"]]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": s["title"],
        "datePublished": iso,
        "publisher": {"@type": "Organization", "name": site},
        "keywords": ", ".join(s["tags"]),
    }
    page = f"""<!DOCTYPE html><html lang="{s["lang"]}"><head><meta charset="utf-8">
<title>{html.escape(s["title"])} | {site}</title>
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<link rel="stylesheet" href="/s.css"></head><body>
<header><a href="/">{site}</a><nav><ul><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li></ul></nav></header>
<main><article><h1>{html.escape(s["title"])}</h1><p class="byline">By Staff Reporter</p>
{_p(s["paragraphs"])}</article>
<aside><h2>Related</h2><ul>{_links(o[:4])}</ul></aside></main>
<footer><p>&copy; 2025 {site}</p></footer></body></html>"""
    return page, expected(s, iso, site)


def h_og_time(s, site, when, iso):
    o = OTHER[s["lang"]]
    page = f"""<html><head><meta charset="utf-8">
<meta property="og:title" content="{html.escape(s["title"])}">
<meta property="og:site_name" content="{site}">
{"".join(f'<meta property="article:tag" content="{t}">' for t in s["tags"])}
<title>{html.escape(s["title"])} - {site}</title></head><body>
<div id="cookie-banner"><p>This website uses cookies to improve your experience. Accept cookies or manage your settings.</p><button>Accept</button></div>
<div class="page"><div class="main"><h1>{html.escape(s["title"])}</h1>
<time datetime="{iso}">{when}</time>
<div class="share"><a href="#">Share</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
<div class="article-body">{_p(s["paragraphs"])}</div>
<div class="related"><h3>More stories</h3><ul>{_links(o[:5])}</ul></div></div>
<div class="sidebar"><h3>Most popular</h3><ol>{_links(o[5:])}</ol></div></div>
</body></html>"""
    return page, expected(s, iso, site)


def h_comments(s, site, when, iso):
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(s["title"])} | {site}</title>
<meta property="article:published_time" content="{iso}"></head><body>
<nav><a href="/">Home</a> | <a href="/local">Local</a></nav>
<article><header><h1>{html.escape(s["title"])}</h1><p>{when}</p></header>
{_p(s["paragraphs"])}</article>
<section id="comments"><h2>Comments (2)</h2>
<div class="comment"><b>harborwatcher</b> <span>3 hours ago</span><p>I have taken this ferry every day for ten years and this is the first time I have seen anything like it happen.</p><a href="#">Reply</a></div>
<div class="comment"><b>nina_k</b> <span>2 hours ago</span><p>Glad that nobody was hurt in the end, that is what matters most.</p><a href="#">Reply</a></div>
</section></body></html>"""
    return page, expected(s, iso, site, tags=[])


def h_midbox(s, site, when, iso):
    o = OTHER[s["lang"]]
    p = s["paragraphs"]
    page = f"""<html><head><meta charset="utf-8"><title>{html.escape(s["title"])} — {site}</title>
<meta name="description" content="{html.escape(p[0][:80])}">
<meta property="article:published_time" content="{iso}">
<meta property="og:site_name" content="{site}"></head><body>
<div class="topbar">Subscribe | Log in</div>
<article><h1>{html.escape(s["title"])}</h1>
{_p(p[:2])}
<div class="inline-related"><strong>Read more</strong><ul>{_links(o[:3])}</ul></div>
{_p(p[2:])}
<p class="tags">Tags: {", ".join(f'<a href="/t/{t}">{t}</a>' for t in s["tags"])}</p>
</article><footer>All rights reserved.</footer></body></html>"""
    return page, expected(s, iso, site)


def h_hostile(s, site, when, iso):
    """Scripts, event handlers and javascript: links that must not survive."""
    p = s["paragraphs"]
    page = f"""<html><head><title>{html.escape(s["title"])} | {site}</title>
<script>document.write('tracking pixel loading')</script><style>.x{{color:red}}</style>
<meta property="article:published_time" content="{iso}"></head><body>
<article><h1 onclick="steal()">{html.escape(s["title"])}</h1>
<p onmouseover="alert(1)">{html.escape(p[0])}</p>
<p>{html.escape(p[1])} <a href="javascript:alert(document.cookie)">More</a></p>
{_p(p[2:])}<script>alert('x')</script></article></body></html>"""
    body = [p[0], p[1] + " More", *p[2:]]
    return page, expected(s, iso, site, tags=[], body=body)


def h_structured(s, site, when, iso):
    """Subheading, list and quote inside the article; JSON-LD in an @graph."""
    p = s["paragraphs"]
    items = [
        "Route A: from the centre to the eastern suburbs",
        "Route B: along the river to the university",
        "Route C: from the main station to the exhibition park",
    ]
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": site},
            {
                "@type": "NewsArticle",
                "headline": s["title"],
                "datePublished": iso,
                "publisher": {"@type": "Organization", "name": site},
                "keywords": s["tags"],
            },
        ],
    }
    page = f"""<html><head><meta charset="utf-8"><script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<title>{html.escape(s["title"])}</title></head><body>
<div class="breadcrumb"><a href="/">Home</a> &gt; <a href="/city">City</a></div>
<article><h1>{html.escape(s["title"])}</h1>{_p(p[:2])}
<h2>Three new routes</h2><ul>{"".join(f"<li>{html.escape(i)}</li>" for i in items)}</ul>
<blockquote><p>{html.escape(p[2])}</p></blockquote>{_p(p[3:])}</article>
<div class="newsletter"><h3>Newsletter</h3><p>Sign up to receive our best stories every morning.</p></div>
</body></html>"""
    body = [p[0], p[1], "Three new routes", *items, *p[2:]]
    return page, expected(s, iso, site, body=body)


def h_plain_title(s, site, when, iso):
    """No metadata at all: title from <title>, date from a visible date line."""
    o = OTHER[s["lang"]]
    page = f"""<html><head><title>{html.escape(s["title"])} | {site}</title></head><body>
<table><tr><td class="nav"><a href="/">Home</a><br><a href="/a">Archive</a></td><td>
<h1>{html.escape(s["title"])}</h1><p><i>{when}</i></p>
{_p(s["paragraphs"])}
<p><b>Related:</b></p><ul>{_links(o[:4])}</ul></td></tr></table></body></html>"""
    return page, expected(s, iso, site, tags=[])


# ---------------------------------------------------------------- the fixture list

FIXTURES = [
    (
        "glued-en",
        t_glued_breadcrumb,
        "ferry",
        "MarketLink",
        "2025-04-14 15:45:07",
        "2025-04-14T15:45:07",
    ),
    (
        "glued-de",
        t_glued_breadcrumb,
        "wolf",
        "Nordkurier24",
        "2025-06-02 08:10:00",
        "2025-06-02T08:10:00",
    ),
    (
        "copy-paste-en",
        t_copy_paste,
        "library",
        "Harbor Courier",
        "3 March 2025, 09:12 GMT",
        "2025-03-03T09:12:00+00:00",
    ),
    (
        "copy-paste-en2",
        t_copy_paste,
        "heat",
        "Valley Times",
        "July 18, 2025 at 6:05 p.m.",
        "2025-07-18T18:05:00",
    ),
    ("lynx-en", t_lynx, "startup", "TechWire", "Wednesday, 5 February 2025", "2025-02-05"),
    ("lynx-fr", t_lynx, "vendanges", "Le Journal de Beaune", "jeudi 28 août 2025", "2025-08-28"),
    ("portal-de", t_de_portal, "bahn", "Tagesbote", "14.04.2025 15:45 Uhr", "2025-04-14T15:45:00"),
    (
        "portal-de2",
        t_de_portal,
        "mieten",
        "Wirtschaftsblatt",
        "03.07.2025 11:20 Uhr",
        "2025-07-03T11:20:00",
    ),
    (
        "portal-fr",
        lambda *a: t_fr_portal(*a, "3 mars 2025 à 12h00"),
        "velo",
        "Lyon Matin",
        "3 mars 2025 à 10h30",
        "2025-03-03T10:30:00",
    ),
    (
        "portal-fr2",
        lambda *a: t_fr_portal(*a, "14/06/2025 à 18h15"),
        "greve",
        "Le Quotidien",
        "13/06/2025 à 07h00",
        "2025-06-13T07:00:00",
    ),
    (
        "portal-es",
        t_es_portal,
        "sequia",
        "Diario del Este",
        "12 de mayo de 2025 - 08:30 CEST",
        "2025-05-12T08:30:00+02:00",
    ),
    ("portal-es2", t_es_portal, "museo", "La Crónica", "2 de octubre de 2025", "2025-10-02"),
    ("minimal-en", t_minimal, "heat", "-", "2025-07-18", "2025-07-18"),
    ("minimal-fr", t_minimal, "greve", "-", "vendredi 13 juin 2025", "2025-06-13"),
    (
        "subheads-en",
        t_subheads,
        "ferry",
        "Harbor Press",
        "Tue 6 May 2025 07:58 BST",
        "2025-05-06T07:58:00+01:00",
    ),
    ("toplist-en", t_top_list, "library", "Metro Ledger", "April 29, 2025", "2025-04-29"),
    ("toplist-de", t_top_list, "mieten", "Stadtanzeiger", "17. April 2025", "2025-04-17"),
    (
        "topics-en",
        t_topics_bullets,
        "startup",
        "Circuit",
        "2025-02-05T10:00:00-05:00",
        "2025-02-05T10:00:00-05:00",
    ),
    ("topics-es", t_topics_bullets, "sequia", "El Observador", "2025-05-12", "2025-05-12"),
    (
        "ratings-en",
        t_ratings,
        "heat",
        "Coastline News",
        "Thu, 17 Jul 2025 21:40 UTC",
        "2025-07-17T21:40:00+00:00",
    ),
    ("ratings-fr", t_ratings, "vendanges", "Bourgogne Info", "28 août 2025", "2025-08-28"),
    ("dateinbody-en", t_date_in_body, "ferry", "Bay Observer", "May 6, 2025", "2025-05-06"),
    ("undated-en", t_undated, "startup", "Founders Daily", None, None),
    ("undated-de", t_undated, "wolf", "Heideblatt", None, None),
    ("jsonld-en", h_jsonld, "library", "Harbor Courier", None, "2025-03-03T21:15:00-05:00"),
    ("jsonld-de", h_jsonld, "bahn", "Tagesbote", None, "2025-04-14T15:45:00+02:00"),
    ("jsonld-es", h_jsonld, "museo", "La Crónica", None, "2025-10-02T09:00:00+02:00"),
    ("ogtime-en", h_og_time, "heat", "Valley Times", "July 18, 2025", "2025-07-18T18:05:00-07:00"),
    ("ogtime-fr", h_og_time, "velo", "Lyon Matin", "3 mars 2025", "2025-03-03T10:30:00+01:00"),
    (
        "comments-en",
        h_comments,
        "ferry",
        "Bay Observer",
        "May 6, 2025",
        "2025-05-06T08:30:00-04:00",
    ),
    ("comments-de", h_comments, "wolf", "Heideblatt", "2. Juni 2025", "2025-06-02T10:00:00+02:00"),
    ("midbox-en", h_midbox, "startup", "TechWire", None, "2025-02-05T14:00:00+00:00"),
    ("midbox-fr", h_midbox, "greve", "Le Quotidien", None, "2025-06-13T07:00:00+02:00"),
    ("hostile-en", h_hostile, "heat", "Coastline News", None, "2025-07-17T21:40:00+00:00"),
    ("structured-fr", h_structured, "velo", "Rhône Hebdo", None, "2025-03-03T10:30:00+01:00"),
    (
        "plaintitle-es",
        h_plain_title,
        "sequia",
        "Diario del Este",
        "martes, 13 de mayo de 2025",
        "2025-05-13",
    ),
    (
        "plaintitle-de",
        h_plain_title,
        "mieten",
        "Wirtschaftsblatt",
        "Donnerstag, 3. Juli 2025",
        "2025-07-03",
    ),
]


def main() -> None:
    for number, (name, layout, key, site, when, iso) in enumerate(FIXTURES, start=1):
        page, want = layout(S[key], site, when or iso, iso)
        suffix = ".html" if layout.__name__.startswith("h_") else ".txt"
        stem = HERE / f"{number:02d}-{name}"
        stem.with_suffix(suffix).write_text(page + "\n", encoding="utf-8")
        stem.with_suffix(".json").write_text(
            json.dumps(want, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )


if __name__ == "__main__":
    main()
