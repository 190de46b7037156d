"""Countries and organisations: codes and names to ISO codes, names to shared organisation ids.

Country names are the multilingual labels of the EU authority table (converters/countries.py)
plus a few colloquial names from places.yaml; codes may be ISO, EU-style (EL, UK), vehicle
plates ((E), (D), (N)) or slips a known city gives away (Celje "(SL)"). Organisation ids follow
the records' convention: ``<city>-municipality`` for municipalities, with the city's endonym id
from converters/cities.yaml (shared with every converter), a slug of the name otherwise, so the same body gets one IRI in every record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from eulod.converters.countries import countries
from eulod.converters.organisations import city_id as _city_id, known_city
from eulod.iris import slugify

from .data import best_label, load, words
from .dates import fold


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
    for alpha2, aliases in load("places.yaml")["country_aliases"].items():
        for alias in aliases:
            names.setdefault(words(alias), alpha2)
    return names


def city(name: str) -> tuple[str, str] | None:
    """(city id, ISO country) of a known city in any EU language (converters/cities.yaml)."""
    return known_city(name)


def country_name(text: str) -> str | None:
    return _country_names().get(words(text))


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
    name = name.strip(" .;,")
    for pattern, entry in _patterns():
        match = pattern.match(name)
        if not match:
            continue
        lang = entry.get("lang", language)
        if "city" in match.groupdict() and match.group("city"):
            city_name = match.group("city").strip()
            city_id = _city_id(city_name)
            suffix = entry.get("suffix", "municipality")
            return Organisation(f"{city_id}-{suffix}", {lang: name}, entry["type"], city_name)
        return Organisation(slugify(name), {lang: name}, entry["type"])
    known = city(name)
    if known or is_city:
        city_id = _city_id(name)
        return Organisation(f"{city_id}-municipality", {language: name}, "municipality", name)
    return Organisation(slugify(name), {language: name}, _type_in_order(name))


def looks_like_organisation(text: str) -> bool:
    """A line that names a body by one of the patterns (a page heading like 'Comune di Cesena')."""
    return any(p.match(text.strip()) for p, _ in _patterns())


def fold_name(text: str) -> str:
    return fold(text)
