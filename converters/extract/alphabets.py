"""Which letters a language writes, from CLDR (through Babel), to tell a city's own name from a translated one.

A Latvian page lists its partner cities in Latvian: 'Pērnava' is Pärnu, 'Gdiņa' Gdynia. An id
made from such a name is not the city's id (converters/cities.yaml keys cities by their own
name), and no table holds every exonym in 24 languages. What the letters say is enough to ask
instead of guessing: a name with a letter of the page's language that the city's country does
not write ('ē' for Estonia, 'ņ' for Poland) is the page's rendering of it; a name with a letter
of the country's language that the page's language does not write ('à' of 'San Donà di Piave'
on a Polish page) is the city's own; a name in plain Latin letters could be either, and is asked when others of its list
are translated (fields/participant_list.py).

A language's letters are those that occur at least :data:`MIN_OCCURRENCES` times in what CLDR
writes in that language: the names of the world's territories, languages, scripts, currencies,
months, days, units and date fields, some 3 000 names. That holds the letters of its alphabet
(Italian 'à' and 'ì' among them), while a letter borrowed by a few names ('Åland', 'μ' of the
micro units) stays out.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator, Mapping
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

MIN_OCCURRENCES = 5


@lru_cache(maxsize=None)
def letters(language: str) -> frozenset[str]:
    """The lower-case letters ``language`` writes (empty when CLDR has no such locale)."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return frozenset()
    parts = [locale.territories, locale.languages, locale.scripts, locale.currencies, locale.months, locale.days,
             locale._data["unit_display_names"], locale._data["date_fields"]]
    # symbols ("μs", "km²") are no words of the language
    counted = Counter(ch for text in _strings(parts) if len(text) >= 4 for ch in text.lower() if ch.isalpha())
    scripts = Counter()
    for ch, n in counted.items():
        scripts[_script(ch)] += n
    main = scripts.most_common(1)[0][0] if scripts else ""  # Bulgarian's few Latin letters ('UTC') are not its own
    return frozenset(ch for ch, n in counted.items() if n >= MIN_OCCURRENCES and _script(ch) == main)


def _script(letter: str) -> str:
    """'LATIN', 'CYRILLIC', 'GREEK'...: the first word of the letter's Unicode name."""
    return unicodedata.name(letter, "").split(" ")[0]


def _strings(value: object) -> Iterator[str]:
    """Every string in CLDR's nested tables (Babel's LocaleDataDict is a Mapping, not a dict)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key in value:
            yield from _strings(value[key])
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)


def country_languages(country: str) -> tuple[str, ...]:
    """The languages official in a country (ISO 3166 code; 'EL' and 'UK' as the EU writes them), de facto ones included."""
    code = {"EL": "GR", "UK": "GB"}.get(country.upper(), country.upper())
    return tuple(get_official_languages(code, de_facto=True))


def spelling(name: str, country: str, language: str) -> str | None:
    """How a place name on a page in ``language`` is spelled for a place in ``country``.

    ``own`` when the country speaks the page's language or the name has a letter of the country's
    languages that the page's language does not write ('San Donà di Piave' on a Polish page);
    ``translated`` when it has a letter of the page's language that none of the country's
    languages writes ('Pērnava' on a Latvian page, for Pärnu); None when the letters cannot tell
    ('Korka', 'Livorno'), or when the name is in another script than the country's ('Smolyan').
    """
    own = country_languages(country)
    if not own or language in own:
        return "own"
    page = letters(language)
    theirs = frozenset().union(*(letters(lang) for lang in own))
    name_letters = {ch for ch in name.lower() if ch.isalpha()}
    if any(ch in theirs and ch not in page for ch in name_letters):
        return "own"
    if not name_letters & theirs:
        return None  # another script than the country's ('Smolyan' for Смолян): a transliteration, as ids are
    if any(ch in page and ch not in theirs for ch in name_letters):
        return "translated"
    return None
