"""What a line of a web page is when it is not a fact: site furniture, a generic heading, a page date, a label.

Titles and descriptions are read from the free text, which also holds the page's header, menus,
breadcrumbs and dates; these tests tell them apart. The words are data (labels.yaml,
labels/<lang>.yaml: ``page_headings``, ``sheet_headings``, ``boilerplate``, ``page_meta``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .data import load, words
from .segments import about_line
from .text import Line

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# No braces (LaTeX's \url{...}) or bars (Slack's <https://x|x>): neither stands unescaped in an address.
URL = re.compile(r"(?:https?://|www\.)[^\s<>(){}|\"']+[^\s<>(){}|\"'.,;:]", re.IGNORECASE)
LABELISH = re.compile(r"^[^:]{1,40}:\s")  # 'Label: value'


def stock_opening(folded: str, stock: list[str]) -> bool:
    """A folded paragraph that opens with a stock phrase of several words ('this project is funded ...'), or
    is a one-word one with at most four words more ('Projekt', 'Projekt · Aktualno'): a paragraph that only
    opens with such a word ('Projekt TERMA-LINK povezuje termalne kraje ...') is about the project."""
    return any(f"{folded} ".startswith(f"{b} ") and (" " in b or len(folded.split()) <= 5) for b in stock)


def boilerplate(text: str) -> bool:
    """The text opens with one of the pages' stock phrases ('Back to', 'Share this', 'Read more')."""
    folded = words(text)
    return any(folded.startswith(words(b)) for b in load("labels.yaml")["boilerplate"])


def page_meta(text: str) -> bool:
    """A line or sentence that opens with a page-date cue ('Publié le', 'Last updated', 'Aktualisiert am')."""
    folded = words(text)
    return any(folded.startswith(words(cue) + " ") for cue in load("labels.yaml")["fields"]["page_meta"])


_PATH = re.compile(r"^[^>›»]{1,40}(\s[›»>]\s[^>›»]{1,40})+$")


def navigation_path(text: str) -> bool:
    """A breadcrumb or a type path ('Home > Projects > X', 'Forskning › Forskning'): short parts joined by
    arrows, not a name. (Bars and slashes join a menu's items and a table's broken cell too: not here.)"""
    return bool(_PATH.search(text.strip()))


# two separators of a path or menu anywhere, or one bar between a menu's two short items (one arrow between
# short parts: navigation_path)
_CRUMBS = re.compile(r"\s[›»>/|]\s.*\s[›»>/|]\s|^[^|]{1,60}\s\|\s[^|]{1,40}$")


def furniture(text: str) -> bool:
    """Site header lines: breadcrumbs ('Home > Projects > X'), menus ('Home | News | Contact'), cookie notices,
    an e-mail's 'view it in your browser' line and its greeting ('Hej Lars!')."""
    folded = words(text)
    tokens, padded = folded.split(), f" {folded} "
    return bool(_CRUMBS.search(text)) or navigation_path(text) or any(
        f" {w} " in padded if " " in w else w in tokens for w in load("patterns.yaml")["furniture_words"]) or greeting(text)


def greeting(text: str) -> bool:
    """A line that greets its reader: a greeting (patterns.yaml ``greetings``), at most three words more, and ',' or '!'."""
    if not text.rstrip().endswith((",", "!")):
        return False
    folded = words(text)
    return any(folded == g or folded.startswith(g + " ") and len(folded.split()) <= len(g.split()) + 3
               for g in _greetings())


@lru_cache(maxsize=1)
def _greetings() -> tuple[str, ...]:
    return tuple(words(g) for g in load("patterns.yaml")["greetings"])


def generic_heading(text: str) -> bool:
    """A site section or generic page heading ('Aktuelles', 'NOTIZIE', 'Projets européens – Fiche projet',
    'Comunicat', 'Informační list projektu – PRACOVNÍ VERZE 3'): only page-heading and sheet-heading phrases
    (labels/<lang>.yaml), small words and short numbers. Never a title."""
    rest = f" {words(text)} "
    if not rest.strip() or re.search(r"[a-z][A-Z]|[A-Z]{2,}[a-z]", text):
        return False  # 'SEArch', 'CityxChange': a coined name's mixed case, whatever word it spells
    phrases, small = _heading_words()
    for phrase in phrases:
        if phrase in rest:
            rest = rest.replace(phrase, " ")
    return all(token in small or (token.isdigit() and len(token) <= 4) for token in rest.split())  # 'verze 3', '2024'


def eu_name(text: str) -> bool:
    """The Union's name alone ('European Union', 'Unjoni Ewropea', 'ΕΥΡΩΠΑΪΚΗ ΕΝΩΣΗ'), as an emblem prints it."""
    return words(text) in _eu_names()


@lru_cache(maxsize=1)
def _eu_names() -> frozenset[str]:
    return frozenset(words(name) for name in load("labels.yaml")["eu_names"] if len(words(name).split()) >= 2)


@lru_cache(maxsize=1)
def _heading_words() -> tuple[list[str], frozenset[str]]:
    """Page- and sheet-heading phrases (' news ', longest first) and every language's small words."""
    labels = load("labels.yaml")
    # the Union's own name ('Unjoni Ewropea', 'Evropská unie'): the emblem's words over a poster, no project's name
    phrases = sorted({f" {words(p)} " for p in labels["page_headings"] + labels["sheet_headings"] + labels["eu_names"]
                      + [part for emblem in labels["emblem"] for part in emblem_parts(emblem)]} - {"  "},
                     key=len, reverse=True)
    return phrases, frozenset(w for stop in labels["stopwords"].values() for w in stop)


def emblem_parts(emblem: str) -> tuple[str, str, str]:
    """The emblem statement 'head | tail' (labels.yaml ``emblem``) whole and in the two halves a poster prints
    on two lines ('Spolufinancováno' over 'Evropskou unií'), each a heading phrase of its own."""
    head, _, tail = emblem.partition("|")
    return f"{head} {tail}", head, tail


def about_name(lines: list[Line]) -> tuple[str, list[int]] | None:
    """The project an 'About X' line names, and that line: a press release is about the project it closes on."""
    for line in lines:
        if line.text and len(line.text.split()) <= 6:
            name = about_line(line.text)
            if name:
                return name, [line.number]
    return None
