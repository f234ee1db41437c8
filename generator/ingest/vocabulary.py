"""Small multilingual word lists: stop words and the words of page furniture.

These are one signal among several. The cleaner decides mostly from structure (sentence
shape, position, runs of headline-like lines, recurrence); vocabulary only tips the balance
for short lines that structure alone cannot place. Languages: English, German, French,
Spanish, Italian (stop words also Portuguese, Dutch, Swedish, Polish, Russian, Turkish,
Arabic).
"""

from __future__ import annotations

import re

# Function words: running prose is dense in them, headlines, menus and widgets are not.
_STOP_WORDS_TEXT = """
    a an the and or but of to in on at by for from with as is are was were be been has have had
    it its this that these those he she they we you i his her their our not no will would could
    should said says after before over under about into than then there which who what when
    der die das den dem des ein eine einer eines einem und oder aber von zu im in am an auf mit
    für ist sind war waren wird werden hat haben nicht sich es er sie wir ich dass als auch bei
    nach vor über um aus noch wie so
    le la les un une des du de et ou mais à au aux en dans sur par pour avec est sont était ont
    a été il elle ils elles nous vous je ce cette ces qui que ne pas plus se sa son ses leur
    el los las unos unas y o pero del al con por para es son fue han ha lo su sus que se no
    como más ya también entre sobre este esta
    il lo gli i una uno e di da con per è sono che non si della delle dei nel nella
    o os as um uma do da dos das em no na nos nas não com pelo pela foi são mais também ao
    het een en van op te dat die voor met zijn niet aan er als bij ook door om maar naar werd
    och att det som på är av med till har inte om ett var jag han hon men från vid efter också
    w z we ze nie że się jest jak ale od po za przez dla co jego jej ich był była było są który
    która które
    także już oraz przy
    и в не на что с по как а но к у из за от о это он она они мы вы я его её их был была было
    были быть который которые также уже для при до после
    ve bir bu da de ile için ama gibi daha çok olarak olan değil ne şu her kadar sonra önce ise
    في من على إلى أن عن مع هذا هذه التي الذي كان قد لا ما
    """
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# Short lines that name page furniture (section labels, widgets, prompts). Matched on the
# whole line after lower-casing and trimming punctuation and counts.
_UI_PHRASES = """
related|related articles|related stories|related news|related content|more stories|more news
most read|most popular|most viewed|most shared|trending|trending now|popular|top stories
ranking|recommended|recommendation|recommendations|recommended for you|you may also like
you might also like|read more|read next|read also|see also|more from|latest|latest news
share|share this|share this article|share on facebook|share on twitter|tweet|email|print
comments|comment|leave a comment|add a comment|reply|like|view|views|advertisement|advert|ad
sponsored|sponsored content|subscribe|sign in|log in|login|register|menu|search|home|skip to content
newsletter|sign up|follow us|back to top|next article|previous article|listen|watch|play
verwandte artikel|mehr zum thema|meistgelesen|am meisten gelesen|beliebt|empfohlen|empfehlungen
das könnte sie auch interessieren|lesen sie auch|auch interessant|kommentare|kommentar|teilen
artikel teilen|anzeige|werbung|weitere artikel|weitere nachrichten|zum thema|top-themen
articles liés|à lire aussi|a lire aussi|lire aussi|les plus lus|plus lus|populaire|tendances
recommandé|recommandés|sur le même sujet|commentaires|commentaire|partager|publicité
abonnez-vous|voir aussi|dans la même rubrique|à la une
relacionados|artículos relacionados|noticias relacionadas|lo más leído|más leídas|más leído
tendencias|recomendado|recomendados|te puede interesar|lee también|leer más|comentarios
comentario|compartir|publicidad|suscríbete|también te puede interesar|más noticias
articoli correlati|più letti|i più letti|commenti|condividi|pubblicità|leggi anche
"""
UI_PHRASES = frozenset(p.strip() for p in _UI_PHRASES.replace("\n", "|").split("|") if p.strip())

# Labels that open the part of a page after the story (reader comments, link boxes).
_SECTION_WORDS = re.compile(
    r"\b(related|comments?|most|trending|ranking|recommend\w*|popular|more from|read next|"
    r"verwandte|kommentare?|meistgelesen|empfohlen|empfehlung\w*|interessieren|"
    r"liés|commentaires?|plus lus|tendances|recommandé\w*|même sujet|"
    r"relacionad\w*|comentarios?|más leíd\w*|tendencias|recomendad\w*|te puede interesar|"
    r"correlati|commenti|più letti|"
    r"about the author|über den autor|zur person|sobre el autor|à propos de l'auteur|"
    r"l'autore|sobre o autor|over de auteur|newsletter|boletín|infolettre|"
    r"comentários|reacties|gerelateerd|relacionadas|leia também|veja também)\b",
    re.IGNORECASE,
)
# "More From The Courier", "Más de Código Abierto": a box of the site's other stories.
_MORE_FROM = re.compile(
    r"^\W*(?:more from|more stories from|más de|plus de|mehr von|mehr aus|altro da|"
    r"mais de|meer van|meer uit)\s+\W*[A-ZÀ-Ý]",
    re.IGNORECASE,
)
# Where reader comments start: "34 responses to ...", "Top Rated Comments", "Comments (3)".
_COMMENT_HEADER = re.compile(
    r"^\W*(?:\d+\s+)?(?:top rated |most liked |reader |readers' |leser|meistbewertete |"
    r"comentarios |commentaires |)?"
    r"(?:comments?|responses?|replies|kommentare?|commentaires?|comentarios?|commenti|"
    r"comentários?|reacties|reacties?)\b(?:\s+(?:to|zu|à|a|para|op)\b.*|\s*\(\d+\)|"
    r"\s+destacad\w*|\s+les plus \w+)?\W*$|"
    r"^\W*(?:leave a (?:reply|comment)|join the discussion|kommentieren|"
    r"schreiben sie einen kommentar|laisser un commentaire|deja un comentario|"
    r"lascia un commento|deixe (?:um|seu) comentário|コメント|共感の多いコメント)",
    re.IGNORECASE,
)
# "Gwen Arliss says:": a comment's signature line.
_SAYS = re.compile(
    r"^[^\W\d][\w .'’-]{0,40}\s(?:says|said|sagt|schreibt|dit|dice|diz|zegt|scrive)\s*:$",
    re.IGNORECASE,
)

# Cookie and consent banners are sentences, so structure alone keeps them: name them.
_CONSENT = re.compile(
    r"\b(cookies?|consent|einwilligung|zustimm\w*|datenschutz\w*|consentement|"
    r"consentimiento|privacy policy|politique de confidentialité)\b",
    re.IGNORECASE,
)
_PROMPT = re.compile(
    r"\b(sign up|subscribe|newsletter|abonnieren|abonnez|inscrivez|suscríbete|suscribirse|"
    r"download our app|unsere app|notre application|nuestra app|all rights reserved|"
    r"alle rechte vorbehalten|tous droits réservés|todos los derechos reservados|"
    r"javascript is disabled|enable javascript)\b",
    re.IGNORECASE,
)

_TRIM = re.compile(r"^[\W\d_]+|[\W\d_]+$", re.UNICODE)


def normalise_label(text: str) -> str:
    """Lower-case a short line and trim decoration such as '›', ':' and '(12)'."""
    return re.sub(r"\s+", " ", _TRIM.sub("", text.casefold()))


def is_ui_phrase(text: str) -> bool:
    """True for a short line that is only a widget or section label in a known language."""
    return len(text) <= 40 and normalise_label(text) in UI_PHRASES


def is_section_label(text: str) -> bool:
    """True for a short label that typically opens a link box or the comment section."""
    return len(text) <= 50 and bool(
        _SECTION_WORDS.search(text) or (len(text.split()) <= 6 and _MORE_FROM.match(text))
    )


def is_comment_header(text: str) -> bool:
    """True for the line where reader comments begin, or a comment's "X says:" line."""
    return len(text) <= 120 and bool(_COMMENT_HEADER.match(text) or _SAYS.match(text))


_COOKIE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_PROMPT_LENGTH = 15  # words: a longer line needs more than one such word to be a prompt


def is_consent_or_prompt(text: str) -> bool:
    """True for cookie banners, newsletter prompts and rights notices.

    One "sign up" or "zustimmen" inside a long sentence is the story talking ("... will not
    agree to the budget"); a banner is short, says "cookies", or piles up such words.
    """
    hits = len(_CONSENT.findall(text)) + len(_PROMPT.findall(text))
    if not hits:
        return False
    return hits >= 2 or len(text.split()) <= _PROMPT_LENGTH or bool(_COOKIE.search(text))
