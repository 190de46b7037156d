"""Minting of data IRIs, in one place.

Data IRIs hang off the configured base IRI; vocabulary IRIs (ontology, code lists)
are persistent and come from :mod:`eulod.core.namespaces`. Slugs are made here too, so an
organisation named in a fact sheet and in a bulk export gets the same IRI.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii
from rdflib import URIRef

from .namespaces import COUNTRY, CURRENCY

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def last_segment(iri: str) -> str:
    """The last path segment of an IRI ('.../authority/country/ITA' -> 'ITA'): a code's short form."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def slugify(text: str) -> str:
    """Lower-case ASCII slug: 'Métropole du Grand Paris' -> 'metropole-du-grand-paris'.

    Letters are transliterated (anyascii), not stripped of their accents only: 'ł', 'ß',
    'ø', 'đ' have no decomposition and would vanish ('Łódź' -> 'odz'), and Greek or
    Cyrillic names (Δήμος Αθηναίων, Община Силистра) would give no slug at all. Greek
    digraphs first, as :func:`greek_digraphs` writes them, and the Cyrillic letters that
    Bulgarian romanises otherwise than Russian, as :func:`bulgarian_letters` writes them.
    """
    ascii_text = anyascii(bulgarian_letters(greek_digraphs(unicodedata.normalize("NFC", text))))
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


# Greek digraphs as ELOT 743 (and Greece's and the EU's own romanisation) writes them, which a letter-by-letter
# table gets wrong: 'ου' is 'ou' ('Νοτίου' -> 'notiou', not 'notioy'); 'αυ', 'ευ', 'ηυ' are 'af', 'ef', 'if'
# before a voiceless consonant or at a word's end ('Διεύθυνση' -> 'diefthynsi') and 'av', 'ev', 'iv' otherwise
# ('Έρευνα' -> 'erevna'). A diaeresis keeps the letters apart ('Ευρωπαϊκή'); a tonos does not.
_GREEK_OU = re.compile(r"ου")
_GREEK_VU = re.compile(r"([αεη])υ(?=[θκξπστφχψς]|\b|$)")
_GREEK_V = re.compile(r"([αεη])υ")
_GREEK_VOWEL = {"α": "a", "ε": "e", "η": "i"}


def greek_digraphs(text: str) -> str:
    """``text`` with its Greek digraphs romanised (ELOT 743), lower-cased; text without Greek letters as it was."""
    if not any("\u0370" <= c <= "\u03ff" or "\u1f00" <= c <= "\u1fff" for c in text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    plain = unicodedata.normalize("NFC", "".join(c for c in decomposed if c != "\u0301")).lower()  # tonos, not diaeresis
    plain = _GREEK_OU.sub("ou", plain)
    plain = _GREEK_VU.sub(lambda m: _GREEK_VOWEL[m.group(1)] + "f", plain)
    return _GREEK_V.sub(lambda m: _GREEK_VOWEL[m.group(1)] + "v", plain)


# Cyrillic in EU data is Bulgarian: the letters its official romanisation (the Transliteration Act of 2009, which
# the EU's Interinstitutional Style Guide follows) writes otherwise than anyascii's Russian table: 'ъ' is 'a'
# ('Търговище' -> 'targovishte', not "t'rgovishche", whose apostrophes cut the slug in two), 'щ' 'sht', 'х' 'h',
# 'ь' 'y'. The letters only: the Act's word rules (a final 'ия' as 'ia', 'България' as 'Bulgaria') are not what
# people write in identifiers ('fondatsiya-misiya-krile', 'zaedno-v-balgariya': 5 of the 6 such ids in the fact
# sheets others wrote for our tests).
_BULGARIAN = str.maketrans({"ъ": "a", "Ъ": "A", "щ": "sht", "Щ": "Sht", "х": "h", "Х": "H", "ь": "y", "Ь": "Y"})


def bulgarian_letters(text: str) -> str:
    """``text`` with the Cyrillic letters Bulgarian romanises its own way in Latin; other text as it was."""
    return text.translate(_BULGARIAN)


class IriMinter:
    """Mints the IRIs of one deployment (see docs/mapping.md, section IRIs)."""

    def __init__(self, base_iri: str) -> None:
        self.base = base_iri

    def project(self, record_id: str) -> URIRef:
        return URIRef(f"{self.base}project/{record_id}")

    def record(self, record_id: str) -> URIRef:
        return URIRef(f"{self.base}record/{record_id}")

    def source(self, file_name: str) -> URIRef:
        return URIRef(f"{self.base}source/{slugify_file(file_name)}")

    def organisation(self, org_id: str) -> URIRef:
        return URIRef(f"{self.base}organisation/{org_id}")

    def participation(self, record_id: str, org_id: str) -> URIRef:
        return URIRef(f"{self.base}project/{record_id}/participation/{org_id}")

    def contact(self, record_id: str, number: int) -> URIRef:
        return URIRef(f"{self.base}project/{record_id}/contact/{number}")

    def result(self, record_id: str, number: int) -> URIRef:
        return URIRef(f"{self.base}project/{record_id}/result/{number}")

    def identifier(self, record_id: str, scheme: str) -> URIRef:
        return URIRef(f"{self.base}project/{record_id}/identifier/{scheme}")

    @staticmethod
    def amount(owner: URIRef, kind: str) -> URIRef:
        return URIRef(f"{owner}#{kind}")


def slugify_file(file_name: str) -> str:
    """Keep a file name readable in an IRI while dropping unsafe characters."""
    name = file_name.rsplit("/", 1)[-1]
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name)


def country_iri(alpha3: str) -> URIRef:
    return COUNTRY[alpha3]


def currency_iri(code: str) -> URIRef:
    return CURRENCY[code]
