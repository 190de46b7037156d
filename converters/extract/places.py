"""Countries and organisations: codes and names to ISO codes, names to shared organisation ids.

Country names are the multilingual labels of the EU authority table (eulod/core/countries.py)
plus a few colloquial names from places.yaml; codes may be ISO, EU-style (EL, UK), vehicle
plates ((E), (D), (N)) or slips a known city gives away (Celje "(SL)"). Organisation ids follow
the records' convention: ``<city>-municipality`` for municipalities, with the city's endonym id
from converters/cities.yaml (shared with every converter), a slug of the name otherwise, so the same body gets one IRI in every record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale

from eulod.converters.organisations import city_id as _city_id
from eulod.converters.organisations import known_city, without_genitive_s
from eulod.core.countries import EU_LANGUAGES, countries
from eulod.core.iris import slugify

from .data import best_label, load, word_set, words


@dataclass
class CountryReading:
    code: str
    stated: str
    corrected: bool  # the stated form was not the ISO code (translated, EU-style, plate, slip)
    warning: str = ""


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for alpha2, country in countries().items():
        for labels in country.labels.values():
            for label in labels:
                names.setdefault(words(label), alpha2)
    for alpha2, name in _cldr_country_names():  # CLDR's everyday names beside the authority table's
        names.setdefault(words(name), alpha2)
    for alpha2, aliases in load("places.yaml")["country_aliases"].items():
        for alias in aliases:
            names.setdefault(words(alias), alpha2)
    return names


def _cldr_country_names() -> list[tuple[str, str]]:
    """(ISO code, name) of the table's countries in the 24 EU languages, from CLDR through Babel."""
    codes = set(countries())
    out = []
    for lang in EU_LANGUAGES:
        for code, name in Locale.parse(lang).territories.items():
            if code in codes:
                out.append((code, name))
    return out


def city(name: str) -> tuple[str, str] | None:
    """(city id, ISO country) of a known city in any EU language (converters/cities.yaml)."""
    return known_city(name)


def country_adjective(word: str) -> CountryReading | None:
    """'hiszpańskie', 'italienische', 'Spanish': the country an adjective or demonym names (places.yaml stems)."""
    folded = words(word)
    if " " in folded or len(folded) < 4:
        return None
    best = None
    for code, stems in load("places.yaml")["country_adjective_stems"].items():
        for stem in stems:
            if folded.startswith(stem) and len(folded) - len(stem) <= 5 and (best is None or len(stem) > best[1]):
                best = (code, len(stem))
    return CountryReading(best[0], word, True) if best else None


def country_name(text: str) -> str | None:
    """The ISO code of a country's name in any EU language, with an article before it or not ('the Netherlands')."""
    folded = words(text)
    found = _country_names().get(folded)
    if found is None and " " in folded:
        article, rest = folded.split(" ", 1)
        if article in word_set("places.yaml", "country_articles"):
            found = _country_names().get(rest)
    return found


def read_country(stated: str, city_name: str | None = None) -> CountryReading | None:
    """A stated country (code or name in any EU language) as an ISO code, or None."""
    stated = stated.strip().strip("()").strip()
    if not stated:
        return None
    table = countries()
    places = load("places.yaml")
    known = city(city_name) if city_name else None
    upper = stated.upper()
    if re.fullmatch(r"[A-Za-z]{1,3}", stated) and stated == upper:
        if len(upper) == 2 and upper in table:
            if known and known[1] != upper and upper in places["slips"]:
                return CountryReading(known[1], stated, True, f"country code {stated!r} corrected to {known[1]} ({city_name} is there)")
            if upper in places["slips"] and not known:
                fixed = places["slips"][upper]
                return CountryReading(fixed, stated, True, f"country code {stated!r} ({table[upper].labels.get('en', ['?'])[0]}) read as the slip for {fixed}")
            if known and known[1] != upper:
                return CountryReading(known[1], stated, True, f"country code {stated!r} corrected to {known[1]} ({city_name} is there)")
            return CountryReading(upper, stated, False)
        for alpha2, country in table.items():
            if country.eu_code == upper and alpha2 != upper:
                return CountryReading(alpha2, stated, True, f"EU country code {stated!r} read as ISO {alpha2}")
        if upper in places["vehicle_codes"]:
            fixed = places["vehicle_codes"][upper]
            return CountryReading(fixed, stated, True, f"country code {stated!r} (vehicle plate) read as ISO {fixed}")
        if upper in places["slips"]:
            fixed = places["slips"][upper]
            return CountryReading(fixed, stated, True, f"country code {stated!r} corrected to {fixed}")
        for alpha2, country in table.items():
            if country.alpha3 == upper:
                return CountryReading(alpha2, stated, True)
        return None
    alpha2 = country_name(stated)
    if alpha2:
        return CountryReading(alpha2, stated, True)
    return None


@dataclass
class Organisation:
    id: str
    names: dict[str, str]
    type: str | None = None
    city: str | None = None
    country: CountryReading | None = None
    lines: list[int] = field(default_factory=list)
    # The type was guessed from a word anywhere in the name ('... Research Centre' -> research-organisation),
    # not read from a legal-form pattern, a known city or a type column: the draft asks about it.
    type_guessed: bool = False
    # The name was recognised as a body: a legal-form pattern, a known city, a city list, or a type word.
    recognised: bool = False
    # The language its name is tagged with is the page's only for want of a sign, though the body's
    # country speaks another ('Tartu Ülikool | EE' on a Lithuanian page): the draft asks about it.
    name_guessed: bool = False
    # Read as a city though no city list knows the name (several capitalised words with a country): asked,
    # unless the list it stands in is a list of municipalities (fields/participants.py).
    city_guessed: bool = False


@lru_cache(maxsize=1)
def _patterns() -> list[tuple[re.Pattern[str], dict]]:
    out = []
    for entry in load("places.yaml")["organisation_patterns"]:
        regex = re.escape(entry["pattern"]).replace(r"\{city\}", r"(?P<city>[\w'’.\- ]+?)").replace(r"\{rest\}", r"(?P<rest>.+)")
        regex = regex.replace(r"\(\?:", "(?:").replace(r"\)", ")").replace(r"\|", "|").replace(r"\?", "?")
        regex = regex.replace(r"\[", "[").replace(r"\]", "]").replace(r"\[șş\]", "[șş]")
        out.append((re.compile(rf"^{regex}$", re.IGNORECASE), entry))
    return out


def organisation_type(name: str) -> str | None:
    kind, _ = best_label(name, load("places.yaml")["organisation_types"])
    return kind


def _type_in_order(name: str) -> str | None:
    """The first organisation type (in places.yaml order) whose words occur in the name."""
    folded = words(name)
    for kind, labels in load("places.yaml")["organisation_types"].items():
        if any(f" {words(label)} " in f" {folded} " for label in labels):
            return kind
    return None


def organisation(name: str, language: str, *, is_city: bool = False) -> Organisation:
    """Id, type, city and name language of an organisation as a fact sheet names it."""
    abbreviated = re.search(r"(?:^|[\s,])(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}\.$", name.strip(" ;,"))
    name = name.strip(" .;,") + ("." if abbreviated else "")  # 'S.p.A.', 'E.P.E.' keep their last point
    for pattern, entry in _patterns():
        match = pattern.match(name)
        if not match:
            continue
        lang = entry.get("lang", language)
        if "city" in match.groupdict() and match.group("city"):
            city_name = match.group("city").strip()
            if city_name.isupper() and len(city_name) > 3:  # "MUNICÍPIO DO PORTO": the city as a name, not in capitals
                city_name = " ".join(w.capitalize() if len(w) > 2 else w.lower() for w in city_name.split())
            if entry.get("genitive"):
                city_name = without_genitive_s(city_name)  # 'Hudiksvalls kommun' is Hudiksvall's
            city_id = _city_id(city_name)
            suffix = entry.get("suffix", "municipality")
            return Organisation(f"{city_id}-{suffix}", {lang: name}, entry["type"], city_name, recognised=True)
        recognised = entry.get("recognised", True)
        return Organisation(slugify(name), {lang: name}, entry["type"], type_guessed=not recognised, recognised=recognised)
    known = city(name)
    if known or is_city:
        city_id = _city_id(name)
        return Organisation(f"{city_id}-municipality", {language: name}, "municipality", name, recognised=True)
    guessed = _type_in_order(name)
    return Organisation(slugify(name), {language: name}, guessed, type_guessed=guessed is not None, recognised=guessed is not None)


def looks_like_organisation(text: str) -> bool:
    """A line that names a body by one of the patterns (a page heading like 'Comune di Cesena')."""
    return any(p.match(text.strip()) for p, _ in _patterns())


def name_language(name: str, language: str, country: str | None = None) -> str:
    """The language an organisation's name is written in: its own words first, then its country's language.

    'Greater London Authority' on an Italian page is English, 'Karkonoski Park Narodowy (PL)' Polish;
    a name with words of the page's language keeps the page's language.
    """
    places = load("places.yaml")
    tokens = words(name).split()
    scores = {lang: sum(1 for t in tokens if t in set(vocabulary)) for lang, vocabulary in places["name_words"].items()}
    best = max(scores.values()) if scores else 0
    if best and scores.get(language, 0) == best:
        return language
    if best:
        leaders = [lang for lang, score in scores.items() if score == best]
        if len(leaders) == 1:
            return leaders[0]
        own = places["country_languages"].get(country or "")
        return own if own in leaders else language  # 'Autoridad Portuaria de Vigo (ES)': 'de' is Spanish there
    own = places["country_languages"].get(country or "")
    common = [t for t in re.findall(r"[^\W\d_]+", name) if t.islower() and len(t) >= 3]
    if own and own != language and common and not city(name):  # 'Správa ... národního parku', not 'ANCI Piemonte'
        return own
    return language


def municipality_mentions(city_name: str, language: str) -> list[re.Pattern[str]]:
    """Ways a page in ``language`` names the municipality of ``city_name`` ('Ayuntamiento de Valladolid'), in table order."""
    out = []
    for entry in load("places.yaml")["organisation_patterns"]:
        if entry.get("lang") != language or entry["type"] != "municipality" or "{rest}" in entry["pattern"]:
            continue
        regex = re.escape(entry["pattern"]).replace(r"\{city\}", re.escape(city_name))
        regex = regex.replace(r"\(\?:", "(?:").replace(r"\)", ")").replace(r"\|", "|").replace(r"\?", "?")
        regex = regex.replace(r"\[", "[").replace(r"\]", "]")
        out.append(re.compile(rf"(?<!\w){regex}(?!\w)"))
    return out


@lru_cache(maxsize=1)
def municipality_in_text() -> list[tuple[re.Pattern[str], str]]:
    """Municipality name patterns to find inside a sentence ('La Ville de Versailles a été retenue ...'), with their language."""
    city_name = r"(?P<city>[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+(?:[ -](?:d[eiao]l?|de la|sur|am|an|im|nad|lès)?\s?[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’-]+){0,3})"
    out = []
    for entry in load("places.yaml")["organisation_patterns"]:
        if entry["type"] != "municipality" or "{rest}" in entry["pattern"] or entry["pattern"].startswith("{city}"):
            continue
        regex = re.escape(entry["pattern"]).replace(r"\{city\}", city_name)
        regex = regex.replace(r"\(\?:", "(?:").replace(r"\)", ")").replace(r"\|", "|").replace(r"\?", "?")
        regex = regex.replace(r"\[", "[").replace(r"\]", "]")
        out.append((re.compile(rf"(?<!\w){regex}"), entry.get("lang", "")))
    return out
