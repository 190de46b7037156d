"""Contact persons kept out of free text: what ``personal_data = role-only | omit`` means for
the texts a build publishes besides the contact fields themselves.

The mapping drops a contact's name and e-mail from the RDF (converters/rdf.py); but the same
person can be named in the curator's ``notes`` (published as ``skos:editorialNote``), in any
other free text of a record, and in the source document the build copies for
``/source/{file}``. Those texts are published
*redacted* rather than withheld, because they are what lets a reader check a record against
its source: every e-mail address (also written ``name [at] domain``), every international
phone number, and the names of the contact persons are replaced by :data:`MARKER`.

Which names: the full name of every contact person of the build, wherever it appears; and
each part of the name (``Gaggi`` of ``Matteo Gaggi``) in the note of the person's own record
and in its source document, where "Mr Gaggi" means that person (elsewhere a part alone may be
a place, another person or part of a project's name: "Città di Sofia"). A person named in a text but listed as no record's contact cannot
be recognised and stays; the README says so where it describes the setting.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Iterable

MARKER = "[personal data removed]"

# An e-mail address, also as people write one to fool harvesters: name(at)domain(dot)eu,
# name [at] domain.eu. A bare " at " is left alone: "projects at Cesena. The" is no address.
_AT = r"(?:@|\s?[\[({]\s?at\s?[\])}]\s?)"
_DOT = r"(?:\.|\s?[\[({]\s?dot\s?[\])}]\s?)"
EMAIL = re.compile(rf"[\w.!#$%&'*+/=?^`{{|}}~-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)
_MAYBE_EMAIL = re.compile(r"@|[\[({]\s?at\s?[\])}]", re.IGNORECASE)  # cheap test first: most texts hold none


def _may_hold_email(text: str) -> bool:
    """Whether :data:`_MAYBE_EMAIL` matches, testing first for a character every match holds."""
    return ("@" in text or "[" in text or "(" in text or "{" in text) and _MAYBE_EMAIL.search(text) is not None
# An international phone number: a plus, then at least eight digits with the usual separators.
PHONE = re.compile(r"\+\s?\d(?:[\s().\-/]{0,3}\d){7,}")

MIN_PART = 3  # name parts shorter than this (initials, "Li", "de") are not redacted alone


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def contact_names(records_data: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The names of the contact persons of some records (their ``contacts[].name``)."""
    names = set()
    for data in records_data:
        for contact in data.get("contacts") or []:
            if isinstance(contact, dict) and isinstance(contact.get("name"), str) and contact["name"].strip():
                names.add(_normal(" ".join(contact["name"].split())))
    return frozenset(names)


def contact_emails(records_data: Iterable[dict[str, Any]]) -> frozenset[str]:
    """The e-mail addresses of the contact persons of some records, as written."""
    return frozenset(
        contact["email"].strip()
        for data in records_data
        for contact in data.get("contacts") or []
        if isinstance(contact, dict) and isinstance(contact.get("email"), str) and contact["email"].strip()
    )


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[\s,]+", name) if w]


def _full_name(name: str) -> str:
    """A name as a pattern: its words in order, across line breaks and Markdown emphasis."""
    return r"[\s*_]+".join(re.escape(w) for w in _words(name))


def _parts(name: str) -> set[str]:
    """Name parts long enough to stand for the person alone (hyphenated names also split)."""
    return {p for w in _words(name) for p in {w, *w.split("-")} if sum(c.isalpha() for c in p) >= MIN_PART}


class Redactor:
    """Replaces e-mail addresses, phone numbers and the given names in a text by :data:`MARKER`.

    A build may know many contact persons, and one alternation of all their names would be
    tried at every position of every text. The names are therefore indexed by their first
    word: a text is matched only against the names whose first word it contains.
    """

    def __init__(self, names: Iterable[str] = (), parts_of: Iterable[str] = (), emails: Iterable[str] = (),
                 patterns: bool = True) -> None:
        """``names``: full names, redacted as a whole; ``parts_of``: names redacted part by part
        as well; ``emails``: addresses redacted as written; ``patterns``: also every text that
        looks like an e-mail address or a phone number."""
        parts_of = list(parts_of)
        self._by_word: dict[str, set[str]] = {}
        for name in {_normal(n) for n in (*names, *parts_of)}:
            key = _WORD.search(name.casefold())
            if key:
                self._by_word.setdefault(key.group(), set()).add(_full_name(name))
        for part in {p for n in parts_of for p in _parts(_normal(n))}:
            key = _WORD.search(part.casefold())
            if key:
                self._by_word.setdefault(key.group(), set()).add(re.escape(part))
        literal = sorted({re.escape(_normal(e)) for e in emails if e}, key=len, reverse=True)
        # Compiled when a text first holds an "@" (every address does): a build makes a redactor
        # per record, and compiling each record's addresses cost a third of the mapping's time.
        self._literal_source = "|".join(literal)
        self._literal: re.Pattern[str] | None = None
        self._patterns = patterns

    def redact(self, text: str) -> str:
        """``text`` with every e-mail address, phone number and name replaced by the marker."""
        text = _normal(text)
        if self._literal_source and "@" in text:
            if self._literal is None:
                self._literal = re.compile(self._literal_source, re.IGNORECASE)
            text = self._literal.sub(MARKER, text)
        if self._patterns:  # each pattern needs a character most texts lack: looked for first (issue 15's benchmark)
            if _may_hold_email(text):
                text = EMAIL.sub(MARKER, text)
            if "+" in text:
                text = PHONE.sub(MARKER, text)
        if self._by_word:
            candidates = {alt for word in set(_WORD.findall(text.casefold())) for alt in self._by_word.get(word, ())}
            if candidates:
                text = _names_pattern(frozenset(candidates)).sub(MARKER, text)
        return text


_WORD = re.compile(r"[^\W_]+")  # a name is looked up by its first run of letters and digits ("_Elena_" too)


@lru_cache(maxsize=4096)
def _names_pattern(alternatives: frozenset[str]) -> re.Pattern[str]:
    """One pattern for some names, longest first (a full name goes before its parts are tried)."""
    ordered = sorted(alternatives, key=lambda a: (-len(a), a))
    return re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE)
