"""Map one record to an rdflib graph, following docs/mapping.md.

Simple fields are rows of a table fed to one loop (the ckanext-dcat way), so the mapping
reads at a glance; structured parts (money, participants, contacts) have a function each.
No blank nodes are produced: every node gets an IRI so that every node dereferences.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, SKOS, XSD

from eulod import __version__
from eulod.iris import IriMinter, currency_iri, slugify
from eulod.namespaces import (
    ADMS,
    EULOD,
    FUND,
    ID_SCHEME,
    ORGTYPE,
    PROGRAMME,
    RESULT_TYPE,
    ROLE,
    STATUS,
    VCARD,
    bind_prefixes,
)

from .countries import by_alpha2
from .records import Record, to_decimal

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class MappingOptions:
    base_iri: str
    personal_data: str = "role-only"
    generated_at: datetime | None = None  # fixed in tests for reproducible output


def _texts(value: Any, language: str) -> list[Literal]:
    """A record text (string or {lang: text}) as language-tagged literals."""
    if isinstance(value, dict):
        return [Literal(text.strip(), lang=lang) for lang, text in value.items()]
    return [Literal(str(value).strip(), lang=language)]


def date_literal(value: str) -> Literal:
    """A record date at the precision the source gave it."""
    datatype = {10: XSD.date, 7: XSD.gYearMonth, 4: XSD.gYear}[len(value)]
    return Literal(value, datatype=datatype)


def _plain(value: Any, language: str) -> list[Literal]:
    return [Literal(str(value))]


def _integer(value: Any, language: str) -> list[Literal]:
    return [Literal(int(value), datatype=XSD.integer)]


def _date(value: Any, language: str) -> list[Literal]:
    return [date_literal(value)]


def _iri(value: Any, language: str) -> list[URIRef]:
    return [URIRef(value)]


def _each(convert: Callable[[Any, str], list]) -> Callable[[Any, str], list]:
    return lambda values, language: [node for value in values for node in convert(value, language)]


def _code(namespace) -> Callable[[Any, str], list[URIRef]]:
    return lambda value, language: [namespace[value]]


# (record field, predicate, converter) for the project's simple fields.
PROJECT_FIELDS: list[tuple[str, URIRef, Callable[[Any, str], list]]] = [
    ("title", DCTERMS.title, _texts),
    ("subtitle", EULOD.subtitle, _texts),
    ("acronym", EULOD.acronym, _plain),
    ("description", DCTERMS.description, _texts),
    ("objectives", EULOD.objective, _each(_texts)),
    ("actions", EULOD.action, _each(_texts)),
    ("expected_results", EULOD.expectedResult, _each(_texts)),
    ("themes", EULOD.theme, _each(_texts)),
    ("status", EULOD.status, _code(STATUS)),
    ("website", FOAF.homepage, _iri),
    ("start_date", EULOD.startDate, _date),
    ("end_date", EULOD.endDate, _date),
    ("duration_months", EULOD.durationMonths, _integer),
    ("programme", EULOD.programme, _code(PROGRAMME)),
    ("programme_reference", EULOD.statedProgrammeReference, _plain),
    ("funds", EULOD.fund, _each(_code(FUND))),
]

# budget key -> (predicate, fragment of the amount IRI, rate key)
AMOUNTS: list[tuple[str, URIRef, str, str | None]] = [
    ("total_cost", EULOD.totalCost, "total-cost", None),
    ("eu_contribution", EULOD.euContribution, "eu-contribution", "eu_contribution_rate"),
    ("co_financing", EULOD.coFinancing, "co-financing", "co_financing_rate"),
]


def organisation_id(organisation: dict[str, Any]) -> str:
    """The organisation's slug: the curated id, else one derived from its name."""
    if organisation.get("id"):
        return organisation["id"]
    name = organisation["name"]
    text = name if isinstance(name, str) else next(iter(name.values()))
    return slugify(text)


class RecordMapper:
    """Turns records into graphs for one deployment (base IRI, personal-data setting)."""

    def __init__(self, options: MappingOptions) -> None:
        self.options = options
        self.iris = IriMinter(options.base_iri)

    def graph(self, record: Record) -> Graph:
        graph = bind_prefixes(Graph())
        self.add_record(graph, record)
        return graph

    def add_record(self, graph: Graph, record: Record) -> URIRef:
        data, language = record.data, record.language
        project = self.iris.project(record.id)
        graph.add((project, RDF.type, EULOD.Project))
        for key, predicate, convert in PROJECT_FIELDS:
            if key in data:
                for node in convert(data[key], language):
                    graph.add((project, predicate, node))
        for identifier in data.get("identifiers", []):
            node = self.iris.identifier(record.id, identifier["scheme"])
            graph.add((project, ADMS.identifier, node))
            graph.add((node, RDF.type, EULOD.Identifier))
            graph.add((node, SKOS.notation, Literal(identifier["value"])))
            graph.add((node, EULOD.identifierScheme, ID_SCHEME[identifier["scheme"]]))
        currency = data.get("currency", "EUR")
        self._add_budget(graph, project, data.get("budget"), currency)
        used: set[str] = set()
        for participant in data.get("participants", []):
            self._add_participant(graph, record, project, participant, currency, used)
        if self.options.personal_data != "omit":
            for number, contact in enumerate(data.get("contacts", []), start=1):
                self._add_contact(graph, record, project, number, contact)
        for number, result in enumerate(data.get("results", []), start=1):
            self._add_result(graph, record, project, number, result)
        self._add_provenance(graph, record, project)
        return project

    def _add_budget(self, graph: Graph, owner: URIRef, budget: dict[str, Any] | None, currency: str) -> None:
        for key, predicate, fragment, rate_key in AMOUNTS:
            if not budget or key not in budget:
                continue
            node = self.iris.amount(owner, fragment)
            graph.add((owner, predicate, node))
            graph.add((node, RDF.type, EULOD.MonetaryAmount))
            graph.add((node, EULOD.amount, Literal(to_decimal(budget[key]), datatype=XSD.decimal)))
            graph.add((node, EULOD.currency, currency_iri(currency)))
            if rate_key and rate_key in budget:
                graph.add((node, EULOD.rate, Literal(to_decimal(budget[rate_key]), datatype=XSD.decimal)))

    def _add_participant(
        self, graph: Graph, record: Record, project: URIRef, participant: dict[str, Any], currency: str, used: set[str]
    ) -> None:
        organisation = participant["organisation"]
        org_id = organisation_id(organisation)
        org = self.iris.organisation(org_id)
        # The same organisation twice in one record keeps both participations (suffixed),
        # so the shapes can report the duplicate instead of it being merged away.
        slot, n = org_id, 1
        while slot in used:
            n += 1
            slot = f"{org_id}-{n}"
        used.add(slot)
        node = self.iris.participation(record.id, slot)
        graph.add((project, EULOD.hasParticipation, node))
        graph.add((node, RDF.type, EULOD.Participation))
        graph.add((node, EULOD.organisation, org))
        graph.add((node, EULOD.role, ROLE[participant["role"]]))
        if organisation.get("country_as_stated"):
            graph.add((node, EULOD.statedCountry, Literal(organisation["country_as_stated"])))
        self._add_budget(graph, node, participant.get("budget"), currency)
        self._add_organisation(graph, org, organisation, record)

    def _add_organisation(self, graph: Graph, org: URIRef, organisation: dict[str, Any], record: Record) -> None:
        graph.add((org, RDF.type, EULOD.Organisation))
        # Each record names the organisation its own way ("Comune di Cesena", "City of
        # Cesena"); all names are kept as alternatives, and the build picks one preferred
        # label per language across records (see preferred_labels).
        for label in _texts(organisation["name"], record.language):
            graph.add((org, SKOS.altLabel, label))
        if organisation.get("type"):
            graph.add((org, EULOD.organisationType, ORGTYPE[organisation["type"]]))
        if organisation.get("city"):
            graph.add((org, EULOD.city, Literal(organisation["city"], lang=record.language)))
        if organisation.get("country"):
            country = by_alpha2(organisation["country"])  # checked by check_record
            graph.add((org, EULOD.country, URIRef(country.iri)))
        if organisation.get("website"):
            graph.add((org, FOAF.homepage, URIRef(organisation["website"])))

    def _add_contact(self, graph: Graph, record: Record, project: URIRef, number: int, contact: dict[str, Any]) -> None:
        node = self.iris.contact(record.id, number)
        graph.add((project, EULOD.contactPoint, node))
        graph.add((node, RDF.type, EULOD.ContactPoint))
        if self.options.personal_data == "publish":
            if contact.get("name"):
                graph.add((node, VCARD.fn, Literal(contact["name"])))
            if contact.get("email"):
                graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{contact['email']}")))
        if contact.get("role"):
            graph.add((node, VCARD.role, Literal(contact["role"])))
        if contact.get("office"):
            graph.add((node, VCARD["organization-unit"], Literal(contact["office"])))
        if contact.get("organisation"):
            graph.add((node, EULOD.contactFor, self.iris.organisation(contact["organisation"])))

    def _add_result(self, graph: Graph, record: Record, project: URIRef, number: int, result: dict[str, Any]) -> None:
        node = self.iris.result(record.id, number)
        graph.add((project, EULOD.result, node))
        graph.add((node, RDF.type, EULOD.Result))
        for label in _texts(result["title"], record.language):
            graph.add((node, DCTERMS.title, label))
        if result.get("description"):
            for text in _texts(result["description"], record.language):
                graph.add((node, DCTERMS.description, text))
        if result.get("type"):
            graph.add((node, EULOD.resultType, RESULT_TYPE[result["type"]]))
        if result.get("url"):
            graph.add((node, FOAF.page, URIRef(result["url"])))

    def _add_provenance(self, graph: Graph, record: Record, project: URIRef) -> None:
        data = record.data
        node = self.iris.record(record.id)
        source = self.iris.source(data["source"]["file"])
        when = self.options.generated_at or datetime.now(timezone.utc).replace(microsecond=0)
        graph.add((project, PROV.wasDerivedFrom, node))
        graph.add((node, RDF.type, EULOD.SourceRecord))
        graph.add((node, FOAF.primaryTopic, project))
        graph.add((node, PROV.wasDerivedFrom, source))
        graph.add((node, PROV.generatedAtTime, Literal(when.isoformat(), datatype=XSD.dateTime)))
        graph.add((node, EULOD.converterVersion, Literal(__version__)))
        if data.get("notes"):
            graph.add((node, SKOS.editorialNote, Literal(data["notes"].strip(), lang="en")))
        graph.add((source, RDF.type, FOAF.Document))
        graph.add((source, DCTERMS.title, Literal(data["source"]["file"].rsplit("/", 1)[-1])))
        if data["source"].get("url"):
            graph.add((source, FOAF.page, URIRef(data["source"]["url"])))


def preferred_labels(graphs: Iterable[Graph]) -> Graph:
    """One skos:prefLabel per organisation and language, chosen across all records.

    The name most records use wins; ties go to the alphabetically first, so the choice is
    the same on every build of the same data.
    """
    counts: dict[tuple[URIRef, str], Counter[str]] = defaultdict(Counter)
    for graph in graphs:
        for org in graph.subjects(RDF.type, EULOD.Organisation):
            for label in graph.objects(org, SKOS.altLabel):
                counts[(org, label.language or "")][str(label)] += 1
    out = bind_prefixes(Graph())
    for (org, language), names in counts.items():
        best = min(names.items(), key=lambda item: (-item[1], item[0]))[0]
        out.add((org, SKOS.prefLabel, Literal(best, lang=language or None)))
    return out
