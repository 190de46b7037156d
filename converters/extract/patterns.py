"""Regular expressions built from the language words of patterns.yaml.

The words are data (a list of labels.yaml where a rule needs one); the shapes around them (where a name starts, what may follow a label) are
here. Each list is joined in its file's order, so an entry that is a prefix of another must
come after it (``de la`` before ``de``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from .data import load

# Capital letters of the Latin, Greek and Cyrillic scripts, for a character class: where a name or a
# sentence begins. (Latin Extended-A alternates capitals and small letters; the range takes both.)
CAPITALS = "A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩΆ-ΏА-ЯЀ-Џ"


def alternation(key: str) -> str:
    """The entries of ``patterns.yaml[key]`` as one regex alternation, in order."""
    return "|".join(load("patterns.yaml")[key])


def entries(key: str) -> list[str]:
    return list(load("patterns.yaml")[key])


@lru_cache(maxsize=1)
def person() -> re.Pattern[str]:
    """A person's name: honorifics, then two to four capitalised words or name particles ('Dr. Anna de Sousa',
    'Μαρία Παράδειγμα', 'Иван Примеров': Greek and Cyrillic capitals too)."""
    capital = f"[{CAPITALS}]"
    return re.compile(rf"^(?:(?:{alternation('person_titles')})\.?\s+)*{capital}[\w'’-]+"
                      rf"(?: (?:{capital}[\w'’.-]+|{alternation('person_particles')})){{1,3}}$")


@lru_cache(maxsize=1)
def dropped_titles() -> re.Pattern[str]:
    """Degrees before a person's name that a record leaves out ('Ing. ', 'Mgr. '), as one leading group."""
    return re.compile(rf"^(?:(?:{alternation('dropped_titles')})\.?\s+)+")


@lru_cache(maxsize=1)
def contact_noise() -> re.Pattern[str]:
    """A contact line's token that only labels what follows (a phone number, the e-mail's own label)."""
    return re.compile(rf"^(?:{alternation('contact_noise')})\b[.:]?\s*[+\d\s()/.-]*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def office_joins() -> str:
    """The words joining an office to its body, as a group."""
    return rf"(?:{alternation('office_joins')})"


@lru_cache(maxsize=1)
def prose_name() -> str:
    """A body's name in prose: capitalised words, with the small words names carry ("of the", "de", "din")."""
    return (rf"(?:[{CAPITALS}][\w'’.-]*)(?:\s+(?:(?:" + alternation("name_joins") + r")\s+)*(?:[dl]['’])?"
            rf"[{CAPITALS}0-9][\w'’.-]*)*")


@lru_cache(maxsize=1)
def lead_article() -> str:
    """An optional article after a lead cue ('led by the', "guidato dall'")."""
    spaced = [rf"{a}\s+" for a in entries("lead_articles")] + [rf"{e}\s*" for e in entries("elided_articles")]
    return "(?:" + "|".join(spaced) + ")?"


@lru_cache(maxsize=1)
def leading_article() -> re.Pattern[str]:
    """An article opening a name read in prose, lower-case or capitalised."""
    both = [form for a in entries("name_articles") for form in (a, a.capitalize())]
    return re.compile(r"^(?:" + "|".join(both) + r")\s+")


@lru_cache(maxsize=1)
def acronym_label() -> re.Pattern[str]:
    """'Acronym: X' inside a project-name value."""
    return re.compile(rf"\s*\b(?:{alternation('acronym_labels')})\b\s*[:\-]?\s*(\S+)", re.IGNORECASE)


@lru_cache(maxsize=1)
def contact_heading() -> re.Pattern[str]:
    """A label of one or two words that is a bare contact heading ('Kontakt', 'Contact person'), no position."""
    return re.compile(rf"^\W*(?:\w*(?:{alternation('contact_heading_stems')})\w*)(?:\s+\w+)?\W*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def contact_heading_stems() -> re.Pattern[str]:
    """A word with a contact heading's stem in it ('kontakt' in 'Kontaktní', 'contatt' in 'Contatti')."""
    return re.compile(rf"^\w*(?:{alternation('contact_heading_stems')})\w*$", re.IGNORECASE)


@lru_cache(maxsize=1)
def grant_number() -> re.Pattern[str]:
    """A bare grant agreement number, perhaps after an abbreviation of 'number' ('Nr. 101033743')."""
    return re.compile(rf"(?:(?:{alternation('number_prefixes')})\.?\s*)?(\d{{5,10}})", re.IGNORECASE)


@lru_cache(maxsize=1)
def language_prefix() -> re.Pattern[str]:
    """'IT: ...': an item opened by the code of the language it is in."""
    return re.compile(rf"^({alternation('language_codes')})\s*[:：]\s+(\S.*)$")


@lru_cache(maxsize=1)
def place_class() -> re.Pattern[str]:
    """An element's class or id naming a place part ('partner__place', 'org-city'), as a whole word or between _ and -."""
    return re.compile(rf"(?:^|[\s_-])(?:{alternation('place_classes')})(?:$|[\s_-])", re.IGNORECASE)


@lru_cache(maxsize=1)
def postal_address() -> re.Pattern[str]:
    """A postal address in a line: a postcode after a comma and before a capitalised town ('X, 7100 Szekszárd, ...')."""
    return re.compile(rf",\s*(?:{alternation('postcodes')})\s+[A-ZÀ-ÖØ-ÞĀ-ŽΑ-ΩА-Я]")


@lru_cache(maxsize=1)
def contact_sentence() -> re.Pattern[str]:
    """'Ansprechpartnerin für das Projekt ist Frau Anna Beispiel': a role, 'is', a form of address and a name."""
    return re.compile(rf"^(?P<role>\S.{{2,80}}?)\s+(?:{alternation('contact_copulas')})\s+"
                      rf"(?:(?:{alternation('forms_of_address')})\.?\s+)?(?P<name>\S.*)$")


@lru_cache(maxsize=1)
def conjunctions() -> str:
    """The words that join a list's last two items (labels.yaml ``conjunctions``) as one regex alternation,
    longest first ('as well as' before 'a')."""
    return "|".join(re.escape(c) for c in sorted(load("labels.yaml")["conjunctions"], key=len, reverse=True))


@lru_cache(maxsize=1)
def copyright_line() -> re.Pattern[str]:
    """A page's copyright line ('© 2025 Instagram from Meta'), by its opening mark (patterns.yaml ``copyright_marks``)."""
    return re.compile(rf"^\s*(?:{alternation('copyright_marks')})(?:\s|\d|$)")


@lru_cache(maxsize=1)
def legal_forms() -> re.Pattern[str]:
    """A legal form standing as a word of a name (patterns.yaml ``legal_forms``): ' Oy', ' S.A.', 'Kft.'."""
    return re.compile(rf"(?:^|\s)(?:{alternation('legal_forms')})(?=[\s,;]|$)")


def without_legal_form(name: str) -> str:
    """The name without the legal form closing it ('Lapin ammattikorkeakoulu Oy' -> 'Lapin ammattikorkeakoulu')."""
    name = name.rstrip()
    closing = [m for m in legal_forms().finditer(name) if m.end() == len(name)]
    return name[: closing[-1].start()].rstrip(" ,") if closing else name
