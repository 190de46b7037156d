"""Organisation ids, in one place for every converter.

An organisation's IRI is ``{base}organisation/{id}``. Fact sheets, spreadsheets and CORDIS
name the same organisation differently ("Città di Palermo", "COMUNE DI PALERMO"), so the id
follows one convention everywhere: a municipality is ``<city>-municipality``, <city> being the
slug of the city's own-language name (cities.yaml maps exonyms to it: Venice, Venedig -> venezia),
anything else is the slug of its name. A curated id in a record always wins.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from eulod.core.iris import last_segment, slugify

MUNICIPALITY_NAMES = "municipality-names.yaml"
CITIES = "cities.yaml"


# Letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "ß": "ss", "ł": "l", "Ł": "L", "đ": "d",
                          "Đ": "D", "þ": "th", "Þ": "TH", "œ": "oe", "Œ": "OE", "ı": "i"})


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces: how names are compared ('Høje' -> 'hoje', 'Αθήνα' -> 'αθηνα').

    Latin text keeps only ASCII letters (as before); Greek and Cyrillic letters are kept without their
    accents, so a city written in its own script ('Θεσσαλονίκη', 'София') is not folded away to nothing."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    kept = "".join(c for c in decomposed if c.isascii() or (not unicodedata.combining(c) and _greek_or_cyrillic(c)))
    return " ".join(kept.lower().split())


def _greek_or_cyrillic(char: str) -> bool:
    return "\u0370" <= char <= "\u03ff" or "\u1f00" <= char <= "\u1fff" or "\u0400" <= char <= "\u04ff"


def _slug(text: str) -> str:
    return slugify(text.translate(_LETTERS))


@lru_cache(maxsize=1)
def _municipality_patterns() -> list[re.Pattern[str]]:
    text = resources.files("eulod.converters").joinpath(MUNICIPALITY_NAMES).read_text("utf-8")
    patterns = []
    for pattern in yaml.safe_load(text)["patterns"]:
        before, _, after = pattern.partition("{city}")
        patterns.append(re.compile(f"^{re.escape(before)}(?P<city>.+?){re.escape(after)}$"))
    return patterns


@lru_cache(maxsize=1)
def _city_index() -> dict[str, tuple[str, str]]:
    """Folded city name in any EU language -> (city id, ISO country), from cities.yaml."""
    text = resources.files("eulod.converters").joinpath(CITIES).read_text("utf-8")
    index: dict[str, tuple[str, str]] = {}
    for key, entry in yaml.safe_load(text)["cities"].items():
        known = (entry.get("id", key), entry["country"])
        for name in [entry["name"], key, *entry.get("names", [])]:
            index.setdefault(_fold(name).replace("-", " "), known)
    return index


def known_city(name: str) -> tuple[str, str] | None:
    """(city id, ISO country) of a city named in any EU language ('Venedig' -> ('venezia', 'IT')), else None."""
    return _city_index().get(_fold(name).replace("-", " "))


def city_id(name: str) -> str:
    """The id part of a municipality: the endonym's slug for a known city, else the slug of the name as written."""
    known = known_city(name)
    return known[0] if known else _slug(name)


def municipality_city(name: str) -> str | None:
    """The place a municipality's name names ('Comune di Torino' -> 'torino', 'Lunds kommun' -> 'lund'), else None."""
    folded = _fold(name)
    genitive, kept = _genitive_patterns()
    for pattern in _municipality_patterns():
        match = pattern.match(folded)
        if match and match.group("city").strip():
            place = match.group("city").strip()
            return without_genitive_s(place) if pattern.pattern in genitive else place
    return None


def without_genitive_s(place: str) -> str:
    """A Swedish place name out of its genitive: 'Hudiksvalls' -> 'Hudiksvall'; 'Uppsala', 'Borås' and
    the places whose own name ends in a consonant and s (municipality-names.yaml) stay as they are."""
    folded = _fold(place)
    if re.search(r"[b-df-hj-np-rtv-wy]s$", folded) and folded not in _genitive_patterns()[1]:
        return place[:-1]
    return place


@lru_cache(maxsize=1)
def _genitive_patterns() -> tuple[frozenset[str], frozenset[str]]:
    """The patterns (as compiled) whose place stands in the genitive, and the places that take no genitive s."""
    table = yaml.safe_load(resources.files("eulod.converters").joinpath(MUNICIPALITY_NAMES).read_text("utf-8"))
    patterns = {p.pattern for p, source in zip(_municipality_patterns(), table["patterns"]) if source in table.get("genitive_s", [])}
    return frozenset(patterns), frozenset(_fold(k) for k in table.get("genitive_s_kept", []))


def first_name(name: str | dict[str, str]) -> str:
    """A record name is a string or {language: name}; the first one stands for it."""
    return name if isinstance(name, str) else next(iter(name.values()))


def organisation_id(
    name: str | dict[str, str], *, kind: str | None = None, city: str | None = None, curated: str | None = None
) -> str:
    """The organisation's id: the curated one, ``<city>-municipality``, or the slug of its name.

    ``kind`` is the organisation-type notation; without one, a name that reads as a
    municipality's (municipality-names.yaml) makes it one. A municipality's city is read from
    its name when the name follows a known pattern, else taken from ``city``.
    """
    if curated:
        return curated
    text = first_name(name)
    if kind is None and municipality_city(text):
        kind = "municipality"  # "Municipality of Sofia" needs no type column to be one
    if kind == "municipality":
        # The place the name names wins over the address: Høje-Taastrup Kommune sits in Taastrup.
        place = municipality_city(text) or city
        if place and _slug(place):
            return f"{city_id(place)}-municipality"
    return _slug(text)


def same_as_id(iri: str) -> str:
    """The id of an organisation a source gives only by its IRI elsewhere: host and last path segment.

    ``https://linkedopendata.eu/entity/Q3886302`` -> ``linkedopendata-eu-q3886302``: every record
    naming the same IRI names the same organisation, and no name is made up for it.
    """
    host = iri.split("://", 1)[-1].split("/", 1)[0]
    return slugify(f"{host}-{last_segment(iri)}")


def record_organisation_id(organisation: dict[str, Any]) -> str:
    """The id of a record's ``organisation`` mapping (see data/record.schema.json)."""
    if organisation.get("id"):
        return organisation["id"]
    if not organisation.get("name"):
        return same_as_id(organisation["same_as"])
    return organisation_id(
        organisation["name"], kind=organisation.get("type"), city=organisation.get("city"), curated=organisation.get("id")
    )
