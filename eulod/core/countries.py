"""Countries from the EU Publications Office authority table.

The table ships as SKOS RDF/XML (data/vocab/countries-skos.rdf, a byte-for-byte copy of
the Publications Office table). pyoxigraph reads it in about a third of a second, so the
index is derived from it once per process instead of being kept as a second file that
could drift from the table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from eulod.core.namespaces import COUNTRY, EUVOC

AUTHORITY_TABLE = "vocab/countries-skos.rdf"
# The 24 official languages of the EU: the names the vocabulary graph carries (label_triples).
EU_LANGUAGES = ("bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
                "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv")

_SKOS = "http://www.w3.org/2004/02/skos/core#"
_AT = "http://publications.europa.eu/ontology/authority/"


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    eu_code: str  # the code EU institutions write (EL for Greece, UK for the United Kingdom)
    labels: dict[str, list[str]]  # every name (preferred and alternative) per language
    names: dict[str, str] = field(default_factory=dict)  # the table's preferred name per language

    @property
    def iri(self) -> str:
        return str(COUNTRY[self.alpha3])

    def name(self, lang: str) -> str:
        """The table's preferred name in ``lang``, else in English: what pages and the catalogue
        show, so that they say what the vocabulary graph and the SPARQL examples say."""
        return self.names.get(lang) or self.names.get("en") or self.alpha3


def build_index(table: Path) -> dict[str, dict]:
    """Derive {alpha2: {alpha3, eu_code, labels, names}} from the authority table, in use concepts only."""
    store = ox.Store()
    # The table holds one malformed IRI (a space-separated list); lenient parsing skips it.
    store.bulk_load(path=str(table), format=ox.RdfFormat.RDF_XML, lenient=True)
    query = f"""
        PREFIX skos: <{_SKOS}> PREFIX at: <{_AT}> PREFIX euvoc: <{EUVOC}>
        SELECT ?c ?a2 ?a3 ?eu WHERE {{
          ?c skos:inScheme <http://publications.europa.eu/resource/authority/country> ;
             skos:notation ?a2 , ?a3 .
          FILTER(DATATYPE(?a2) = euvoc:ISO_3166_1_ALPHA_2 && DATATYPE(?a3) = euvoc:ISO_3166_1_ALPHA_3)
          OPTIONAL {{ ?c skos:notation ?eu FILTER(DATATYPE(?eu) = euvoc:ISG_COU) }}
          FILTER NOT EXISTS {{ ?c at:end.use ?end }}
        }}"""
    index: dict[str, dict] = {}
    for row in store.query(query):
        alpha2 = row["a2"].value
        eu = row["eu"].value if row["eu"] is not None else alpha2
        index[alpha2] = {"alpha3": row["a3"].value, "eu_code": eu, "iri": row["c"].value, "labels": {}, "names": {}}
    by_iri = {entry["iri"]: entry for entry in index.values()}
    labels = f"""
        PREFIX skos: <{_SKOS}>
        SELECT ?c ?l ?preferred WHERE {{
          {{ ?c skos:prefLabel ?l BIND(true AS ?preferred) }} UNION {{ ?c skos:altLabel ?l BIND(false AS ?preferred) }}
        }}"""
    for row in store.query(labels):
        entry = by_iri.get(row["c"].value)
        literal = row["l"]
        if entry is not None and literal.language:
            names = entry["labels"].setdefault(literal.language, [])
            if literal.value not in names:
                names.append(literal.value)
            if row["preferred"].value == "true":
                entry["names"].setdefault(literal.language, literal.value)
    for entry in index.values():
        del entry["iri"]
        entry["labels"] = {lang: sorted(names) for lang, names in sorted(entry["labels"].items())}
        entry["names"] = dict(sorted(entry["names"].items()))
    return dict(sorted(index.items()))


@lru_cache(maxsize=1)
def countries() -> dict[str, Country]:
    """ISO alpha-2 code -> Country, from the packaged authority table."""
    with resources.as_file(resources.files("eulod.data").joinpath(AUTHORITY_TABLE)) as table:
        raw = build_index(table)
    return {
        alpha2: Country(alpha2, entry["alpha3"], entry["eu_code"], entry["labels"], entry["names"])
        for alpha2, entry in raw.items()
    }


def by_alpha2(code: str) -> Country | None:
    return countries().get(code.upper())


@lru_cache(maxsize=1)
def _by_alpha3() -> dict[str, Country]:
    return {country.alpha3: country for country in countries().values()}


def by_iri(iri: str) -> Country | None:
    """The country of an authority-table IRI (…/country/ITA); None for any other IRI."""
    if not iri.startswith(str(COUNTRY)):
        return None
    return _by_alpha3().get(iri[len(str(COUNTRY)):])


def label_triples(languages: tuple[str, ...] = EU_LANGUAGES) -> list[ox.Triple]:
    """Each in-use country's preferred name in ``languages`` and its ISO codes, as the table states them.

    The data links organisations to the table's country IRIs; with these triples in the
    vocabulary graph a query gets a country's name in one join (about 26 triples a country,
    some 6 500 in all), without loading the whole 35 000-triple table.
    """
    pref, notation = ox.NamedNode(_SKOS + "prefLabel"), ox.NamedNode(_SKOS + "notation")
    alpha2_type = ox.NamedNode(f"{EUVOC}ISO_3166_1_ALPHA_2")
    alpha3_type = ox.NamedNode(f"{EUVOC}ISO_3166_1_ALPHA_3")
    triples = []
    for country in countries().values():
        node = ox.NamedNode(country.iri)
        triples.append(ox.Triple(node, notation, ox.Literal(country.alpha2, datatype=alpha2_type)))
        triples.append(ox.Triple(node, notation, ox.Literal(country.alpha3, datatype=alpha3_type)))
        triples.extend(ox.Triple(node, pref, ox.Literal(country.names[lang], language=lang))
                       for lang in languages if lang in country.names)
    return triples
