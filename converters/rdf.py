"""Map one record to RDF, following docs/mapping.md: one mapping, two sinks.

Simple fields are rows of a table fed to one loop (the ckanext-dcat way), so the mapping
reads at a glance; structured parts (money, participants, contacts) have a function each.
No blank nodes are produced: every node gets an IRI so that every node dereferences.

The mapping emits plain terms (an IRI is a ``str``, a literal a :class:`Lit`) to a *sink*.
:class:`GraphSink` builds an rdflib graph (small data, validation, tests);
:class:`NTriplesSink` writes N-Triples lines directly, an order of magnitude faster, for
bulk imports and builds. Both get their triples from the same code, so they cannot drift
apart (tests/test_fast_mapping.py checks that they give the same graph).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Protocol, Union
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from eulod import __version__
from eulod.core.countries import by_alpha2
from eulod.core.iris import IriMinter, currency_iri
from eulod.core.namespaces import (
    ADMS,
    EULOD,
    FUND,
    GEO,
    GRANT_STATUS,
    ID_SCHEME,
    NUTS,
    ORGTYPE,
    PROGRAMME,
    RESULT_TYPE,
    ROLE,
    STATUS,
    VCARD,
    bind_prefixes,
)

from .organisations import record_organisation_id
from .personal import Redactor, contact_emails, contact_names
from .records import Record, to_decimal
from .urls import email_problem, web_address_problem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MappingOptions:
    base_iri: str
    personal_data: str = "role-only"
    generated_at: datetime | None = None  # fixed in tests for reproducible output
    # Names of the contact persons of the whole data set: without personal_data = publish they
    # are taken out of every free text (converters/personal.py), whichever record names them.
    persons: frozenset[str] = frozenset()
    # Where records disagree about an organisation they share (converters/conflicts.py): the
    # value published for each (organisation IRI, predicate, language) in dispute. Each record's
    # own statement is then kept as an rdf:Statement derived from it (RecordMapper._fact).
    preferred: dict[tuple[str, str, str | None], Term] = field(default_factory=dict)


class Lit(NamedTuple):
    """A literal as the mapping emits it: lexical form, language tag or datatype IRI."""

    lexical: str
    language: str | None = None
    datatype: str | None = None


Term = Union[str, Lit]  # an IRI (str, URIRef included) or a literal


class Sink(Protocol):
    def add(self, subject: str, predicate: str, obj: Term) -> None: ...


def decimal_lexical(value: Any) -> str:
    """The canonical lexical form of an amount, as rdflib writes an xsd:decimal (1E+3 -> 1000)."""
    return format(to_decimal(value), "f")


def _texts(value: Any, language: str) -> list[Lit]:
    """A record text (string or {lang: text}) as language-tagged literals."""
    if isinstance(value, dict):
        return [Lit(text.strip(), lang) for lang, text in value.items()]
    return [Lit(str(value).strip(), language)]


_DATE_TYPES = {10: str(XSD.date), 7: str(XSD.gYearMonth), 4: str(XSD.gYear)}


def date_literal(value: str) -> Literal:
    """A record date at the precision the source gave it, as an rdflib literal."""
    return Literal(value, datatype=URIRef(_DATE_TYPES[len(value)]))


def _plain(value: Any, language: str) -> list[Lit]:
    return [Lit(str(value))]


def _integer(value: Any, language: str) -> list[Lit]:
    return [Lit(str(int(value)), None, str(XSD.integer))]


def _date(value: Any, language: str) -> list[Lit]:
    return [Lit(value, None, _DATE_TYPES[len(value)])]


# --- IRIs from what a record says -------------------------------------------------------
#
# Most IRIs are minted from values the schema pins to a code list or a slug pattern. The
# three below take text a record author wrote, so they are checked here, where the IRI is
# made, whatever checked the record before: a value that slipped past the schema (an
# importer, a fact-sheet extraction, Python's lenient `$`) becomes the record's problem,
# naming its field, instead of an IRI that aborts the store's bulk load or a
# `javascript:` link on a page.

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class FieldError(ValueError):
    """A record value that cannot become the IRI its field maps to: that record's problem, not a crash."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"field {field}: {reason}")
        self.field = field
        self.reason = reason


def web_iri(value: Any, field: str) -> str:
    """A web address from a record as the IRI to publish (converters/urls.py says which may be)."""
    problem = web_address_problem(value)
    if problem:
        raise FieldError(field, problem)
    return value


def mailto_iri(value: Any, field: str) -> str:
    """A contact's e-mail address as its mailto: IRI."""
    problem = email_problem(value)
    if problem:
        raise FieldError(field, problem)
    return f"mailto:{value}"


def slug_iri(prefix: str, value: Any, field: str) -> str:
    """``prefix`` + a slug a record names (an organisation id), refusing anything that is not one."""
    if not isinstance(value, str) or not _SLUG.fullmatch(value):
        raise FieldError(field, f"{value!r} is not an id (lower-case letters, digits and single hyphens)")
    return prefix + value


def _iri(value: Any, language: str) -> list[str]:
    return [web_iri(value, "website")]


def _each(convert: Callable[[Any, str], list]) -> Callable[[Any, str], list]:
    return lambda values, language: [node for value in values for node in convert(value, language)]


def _code(namespace) -> Callable[[Any, str], list[str]]:
    prefix = str(namespace)
    return lambda value, language: [prefix + value]


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
    ("grant_status", EULOD.grantStatus, _code(GRANT_STATUS)),
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
    ("gross_eu_contribution", EULOD.grossEuContribution, "gross-eu-contribution", None),
]

_DECIMAL = str(XSD.decimal)

# record field -> (predicate, kind in the node's IRI {base}category/{kind}/{period}/{code})
CATEGORIES: list[tuple[str, str, str]] = [
    ("intervention_fields", str(EULOD.interventionField), "intervention-field"),
    ("thematic_objectives", str(EULOD.thematicObjective), "thematic-objective"),
    ("policy_objectives", str(EULOD.policyObjective), "policy-objective"),
    ("specific_objectives", str(EULOD.specificObjective), "specific-objective"),
]


# The record fields RecordMapper._cohesion reads (programming_period alone names nothing).
_COHESION_KEYS = frozenset({"programme_reference", "nuts_regions", "lau", "coordinates", "postal_codes",
                            *(key for key, _, _ in CATEGORIES)})


def _iri_part(code: str) -> str:
    """A code as one segment of a data IRI: letters, digits, '.', '_' and '-' kept, anything else %-escaped."""
    return quote(code, safe="-._~")


class _Terms:
    """A namespace's terms as plain strings, each built once.

    An rdflib ``Namespace`` lookup builds and checks a new URIRef every time; in the bulk
    path that was most of the cost of a triple.
    """

    def __init__(self, namespace: str) -> None:
        self._prefix = str(namespace)

    def __getattr__(self, name: str) -> str:
        if name.startswith("__"):
            raise AttributeError(name)
        value = self._prefix + name
        setattr(self, name, value)
        return value

    def __getitem__(self, name: str) -> str:
        return self._prefix + name


_rdf, _eulod, _skos, _adms = _Terms(RDF), _Terms(EULOD), _Terms(SKOS), _Terms(ADMS)
_owl, _rdfs, _geo = _Terms(OWL), _Terms(RDFS), _Terms(GEO)
_dcterms, _foaf, _prov, _vcard = _Terms(DCTERMS), _Terms(FOAF), _Terms(PROV), _Terms(VCARD)
_role, _orgtype, _id_scheme, _result_type = _Terms(ROLE), _Terms(ORGTYPE), _Terms(ID_SCHEME), _Terms(RESULT_TYPE)

# Predicates whose literals are free text a record author wrote: where a contact person can be
# named besides the contact fields (see RecordMapper._public).
_NOTE = _skos.editorialNote
_FREE_TEXT = frozenset({
    _dcterms.title, _dcterms.description, _eulod.subtitle, _eulod.objective, _eulod.action,
    _eulod.expectedResult, _eulod.theme, _NOTE, _vcard.role, _vcard["organization-unit"],
})
# The project fields whose values are free text: emitted through the record's redacting ``text``.
_FREE_FIELDS = frozenset(key for key, predicate, _ in PROJECT_FIELDS if str(predicate) in _FREE_TEXT)


# What a record says about an organisation besides its names, by predicate: one value each on
# the organisation (a city: one per language); the name is what a record's statement of it is
# called ({base}record/{id}/statement/{organisation id}/{name}) where records disagree.
FACTS = {
    _eulod.organisationType: "organisation-type",
    _eulod.city: "city",
    _eulod.country: "country",
    _foaf.homepage: "homepage",
}


def organisation_facts(organisation: dict[str, Any], language: str, field: str = "organisation",
                       check: bool = True) -> list[tuple[str, Term]]:
    """(predicate, value) of each fact a record's organisation states besides its names.

    The mapping emits these, and converters/conflicts.py compares them across records, from
    this one function so the two cannot differ. IRIs are plain strings, so values compare equal.
    Without ``check`` a website is taken as written, not checked as an IRI (the comparison's
    pass over all records; the mapping checks it and makes a bad one the record's problem).
    """
    facts: list[tuple[str, Term]] = []
    if organisation.get("type"):
        facts.append((_eulod.organisationType, _orgtype[organisation["type"]]))
    if organisation.get("city"):
        facts.append((_eulod.city, Lit(organisation["city"], language)))
    if organisation.get("country"):
        facts.append((_eulod.country, _country_iri(organisation["country"])))
    if organisation.get("website"):
        website = organisation["website"]
        facts.append((_foaf.homepage, web_iri(website, f"{field}.website") if check else str(website)))
    return facts


@lru_cache(maxsize=None)
def _country_iri(code: str) -> str:
    """The authority IRI of an ISO country code (checked by check_record), made once per code."""
    return by_alpha2(code).iri


def fact_key(organisation: str, predicate: str, value: Term) -> tuple[str, str, str | None]:
    """What one published value is chosen for: the organisation, the predicate, and for a
    text its language (Torino@it and Turin@en are two cities' names, not a disagreement)."""
    return organisation, predicate, value.language if isinstance(value, Lit) else None


def organisation_id(organisation: dict[str, Any]) -> str:
    """The organisation's slug: the curated id, else the shared convention (converters/organisations.py)."""
    return record_organisation_id(organisation)


class RecordMapper:
    """Turns records into RDF for one deployment (base IRI, personal-data setting)."""

    def __init__(self, options: MappingOptions) -> None:
        self.options = options
        self.iris = IriMinter(options.base_iri)
        self._version = Lit(__version__)
        self._everyone = Redactor(options.persons) if options.personal_data != "publish" else None

    def graph(self, record: Record) -> Graph:
        graph = bind_prefixes(Graph())
        self.add_record(graph, record)
        return graph

    def add_record(self, graph: Graph, record: Record) -> URIRef:
        """Add one record's triples to an rdflib graph."""
        return URIRef(self.emit(GraphSink(graph), record))

    def ntriples(self, record: Record) -> str:
        """One record as N-Triples text, without going through rdflib."""
        sink = NTriplesSink()
        self.emit(sink, record)
        return sink.text()

    def emit(self, sink: Sink, record: Record) -> str:
        """Send every triple of one record to ``sink``; returns the project IRI.

        Free texts (predicates in ``_FREE_TEXT``) go through ``text``, which redacts them; every
        other triple goes straight to the sink. Wrapping every triple in one redacting call
        that checked its predicate cost a quarter of the mapping's time (issue 15's benchmark);
        tests/test_personal_data.py fills every free-text field to hold the split complete.
        """
        data, language = record.data, record.language
        add = sink.add
        text = self._public(sink.add, data)
        project = f"{self.options.base_iri}project/{record.id}"
        add(project, _rdf.type, _eulod.Project)
        for key, predicate, convert in PROJECT_FIELDS:
            if key in data:
                put = text if key in _FREE_FIELDS else add
                for node in convert(data[key], language):
                    put(project, predicate, node)
        for identifier in data.get("identifiers", []):
            self._identifier(add, project, str(self.iris.identifier(record.id, identifier["scheme"])), identifier)
        currency = str(currency_iri(data.get("currency", "EUR")))
        self._budget(add, project, data.get("budget"), currency)
        self._cohesion(add, record, project)
        used: dict[str, int] = {}
        for index, participant in enumerate(data.get("participants", [])):
            self._participant(add, record, project, participant, currency, used, f"participants[{index}]")
        if self.options.personal_data != "omit":
            for number, contact in enumerate(data.get("contacts", []), start=1):
                self._contact(add, text, record, project, number, contact)
        for number, result in enumerate(data.get("results", []), start=1):
            self._result(add, text, record, project, number, result)
        self._provenance(add, text, record, project)
        return project

    def _identifier(self, add: Callable, owner: str, node: str, identifier: dict[str, Any]) -> None:
        """An identifier of a project or an organisation: its own node, with notation and scheme."""
        add(owner, _adms.identifier, node)
        add(node, _rdf.type, _eulod.Identifier)
        add(node, _skos.notation, Lit(str(identifier["value"])))
        add(node, _eulod.identifierScheme, _id_scheme[identifier["scheme"]])

    def _public(self, add: Callable, data: dict[str, Any]) -> Callable:
        """``add`` for this record's free texts; without personal_data = publish they go through
        the redactor first, so no text names a contact person or gives an e-mail.

        Texts are the project's and its results' titles, descriptions and lists, the curator's
        note, the source document's title and a contact's role and office; names of
        organisations are left as they are. The note, where a curator writes "Mr Gaggi", also
        loses the parts of the record's own contacts' names, not only their full names.
        """
        if self._everyone is None:
            return add
        everyone = self._everyone
        names, emails = contact_names([data]), contact_emails([data])
        # Most exported records name no contact: then the data set's redactor alone, no redactors of their own.
        own = Redactor(names, emails=emails, patterns=False) if names or emails else None
        own_parts = Redactor(parts_of=names, patterns=False) if names else None

        def add_public(subject: str, predicate: str, obj: Term) -> None:
            if isinstance(obj, Lit):
                text = everyone.redact(obj.lexical if own is None else own.redact(obj.lexical))
                if own_parts is not None and predicate == _NOTE:
                    text = own_parts.redact(text)
                if text != obj.lexical:  # most texts name no one: no new literal for them
                    obj = Lit(text, obj.language, obj.datatype)
            add(subject, predicate, obj)

        return add_public

    def _budget(self, add: Callable, owner: str, budget: dict[str, Any] | None, currency: str) -> None:
        if not budget:
            return
        for key, predicate, fragment, rate_key in AMOUNTS:
            if key not in budget:
                continue
            node = f"{owner}#{fragment}"
            add(owner, predicate, node)
            add(node, _rdf.type, _eulod.MonetaryAmount)
            add(node, _eulod.amount, Lit(decimal_lexical(budget[key]), None, _DECIMAL))
            add(node, _eulod.currency, currency)
            if rate_key and rate_key in budget:
                add(node, _eulod.rate, Lit(decimal_lexical(budget[rate_key]), None, _DECIMAL))

    def _cohesion(self, add: Callable, record: Record, project: str) -> None:
        """The programme (by CCI), categories, objectives and places a cohesion-policy export states.

        Kohesio gives these as codes of official lists (a programme's CCI, a category of
        intervention, NUTS and LAU codes) with labels; each becomes a node (or, for NUTS, the
        region's Eurostat IRI), so a query finds projects by code instead of by free text.
        """
        data, base = record.data, self.options.base_iri
        if _COHESION_KEYS.isdisjoint(data):  # most records are no cohesion-policy export's
            return
        period = data.get("programming_period")
        if data.get("programme_reference"):
            programme = f"{base}programme/{_iri_part(data['programme_reference'])}"
            add(project, _eulod.operationalProgramme, programme)
            add(programme, _rdf.type, _eulod.FundingProgramme)
            add(programme, _eulod.referenceCode, Lit(data["programme_reference"]))
            if data.get("programme_name"):
                for label in _texts(data["programme_name"], record.language):
                    add(programme, _skos.prefLabel, label)
            if period:
                add(programme, _eulod.programmingPeriod, Lit(period))
        for key, predicate, kind in CATEGORIES:
            for item in data.get(key, []):
                node = f"{base}category/{kind}/{period + '/' if period else ''}{_iri_part(item['code'])}"
                add(project, predicate, node)
                add(node, _rdf.type, _skos.Concept)
                add(node, _skos.notation, Lit(item["code"]))
                if item.get("label"):
                    for label in _texts(item["label"], record.language):
                        add(node, _skos.prefLabel, label)
        for region in data.get("nuts_regions", []):
            node = str(NUTS) + region["code"]
            add(project, _dcterms.spatial, node)
            add(node, _skos.notation, Lit(region["code"]))
            if region.get("label"):  # in whatever language the export wrote it: no language tag
                add(node, _rdfs.label, Lit(region["label"]))
        for unit in data.get("lau", []):
            node = f"{base}lau/{_iri_part(unit['code'])}"
            add(project, _dcterms.spatial, node)
            add(node, _rdf.type, _dcterms.Location)
            add(node, _skos.notation, Lit(unit["code"]))
            if unit.get("label"):
                add(node, _rdfs.label, Lit(unit["label"]))
        for number, point in enumerate(data.get("coordinates", []), start=1):
            node = f"{project}/location/{number}"
            add(project, _dcterms.spatial, node)
            add(node, _rdf.type, _geo.Point)
            add(node, _geo.lat, Lit(decimal_lexical(point["latitude"]), None, _DECIMAL))
            add(node, _geo.long, Lit(decimal_lexical(point["longitude"]), None, _DECIMAL))
        for code in data.get("postal_codes", []):
            add(project, _eulod.postalCode, Lit(code))

    def _participant(
        self, add: Callable, record: Record, project: str, participant: dict[str, Any], currency: str, used: dict[str, int],
        field: str = "participants",
    ) -> None:
        organisation = participant["organisation"]
        org_id = organisation_id(organisation)
        org = f"{self.options.base_iri}organisation/{org_id}"
        # The same organisation twice in one record keeps both participations (suffixed),
        # so the shapes can report the duplicate instead of it being merged away.
        # ``used`` maps each slot taken to the last suffix tried for it, so the k-th listing of
        # one organisation costs one step, not k (20 000 listings took minutes).
        slot, n = org_id, used.get(org_id, 1)
        while slot in used:
            n += 1
            slot = f"{org_id}-{n}"
        if slot != org_id:
            used[org_id] = n
        used[slot] = 1
        node = f"{project}/participation/{slot}"
        add(project, _eulod.hasParticipation, node)
        add(node, _rdf.type, _eulod.Participation)
        add(node, _eulod.organisation, org)
        add(node, _eulod.role, _role[participant["role"]])
        if organisation.get("country_as_stated"):
            add(node, _eulod.statedCountry, Lit(organisation["country_as_stated"]))
        self._budget(add, node, participant.get("budget"), currency)
        self._organisation(add, org, organisation, record, f"{field}.organisation")

    def _organisation(self, add: Callable, org: str, organisation: dict[str, Any], record: Record,
                      field: str = "organisation") -> None:
        add(org, _rdf.type, _eulod.Organisation)
        # Each record names the organisation its own way ("Comune di Cesena", "City of
        # Cesena"); all names are kept as alternatives, and the build picks one preferred
        # label per language across records (see preferred_labels). One known only by its
        # IRI elsewhere (a Kohesio beneficiary) has no name here, only owl:sameAs.
        for label in _texts(organisation["name"], record.language) if organisation.get("name") else []:
            add(org, _skos.altLabel, label)
        if organisation.get("same_as"):
            add(org, _owl.sameAs, web_iri(organisation["same_as"], f"{field}.same_as"))
        # An IRI an earlier build published for this organisation: replaced by the current one,
        # which the endpoint answers with a 301 (docs/mapping.md, "Organisation").
        for alias in organisation.get("aliases", []):
            former = f"{self.options.base_iri}organisation/{alias}"
            if former != org:
                add(former, _dcterms.isReplacedBy, org)
        facts = organisation_facts(organisation, record.language, field)
        if self.options.preferred:
            for predicate, value in facts:
                self._fact(add, org, predicate, value, record)
        else:  # no disagreement in the data set: each fact is the organisation's (most builds; a call saved per fact)
            for predicate, value in facts:
                add(org, predicate, value)
        # {organisation}/identifier/{scheme}: every record naming the organisation with the same
        # PIC or VAT number states the same node, so the statements merge.
        for identifier in organisation.get("identifiers", []):
            self._identifier(add, org, f"{org}/identifier/{identifier['scheme']}", identifier)

    def _fact(self, add: Callable, org: str, predicate: str, value: Term, record: Record) -> None:
        """One thing a record says about a shared organisation, besides its names.

        Where the records naming the organisation disagree on it (``options.preferred`` holds
        the value chosen for it), the organisation carries only the chosen value, and this
        record's own statement is kept as an rdf:Statement derived from the record, so no
        source's word is lost and none is published as the organisation's when it is not.
        """
        chosen = self.options.preferred.get(fact_key(org, predicate, value)) if self.options.preferred else None
        if chosen is None or chosen == value:
            add(org, predicate, value)
        if chosen is None:
            return
        statement = f"{self.options.base_iri}record/{record.id}/statement/{org.rsplit('/', 1)[-1]}/{FACTS[predicate]}"
        add(statement, _rdf.type, _rdf.Statement)
        add(statement, _rdf.type, _eulod.OrganisationStatement)
        add(statement, _rdf.subject, org)
        add(statement, _rdf.predicate, predicate)
        add(statement, _rdf.object, value)
        add(statement, _prov.wasDerivedFrom, f"{self.options.base_iri}record/{record.id}")

    def _contact(self, add: Callable, text: Callable, record: Record, project: str, number: int,
                 contact: dict[str, Any]) -> None:
        node = f"{project}/contact/{number}"
        field = f"contacts[{number - 1}]"
        add(project, _eulod.contactPoint, node)
        add(node, _rdf.type, _eulod.ContactPoint)
        if self.options.personal_data == "publish":
            if contact.get("name"):
                add(node, _vcard.fn, Lit(contact["name"]))
            if contact.get("email"):
                add(node, _vcard.hasEmail, mailto_iri(contact["email"], f"{field}.email"))
        if contact.get("role"):
            text(node, _vcard.role, Lit(contact["role"]))
        if contact.get("office"):
            text(node, _vcard["organization-unit"], Lit(contact["office"]))
        if contact.get("organisation"):
            add(node, _eulod.contactFor, slug_iri(f"{self.options.base_iri}organisation/", contact["organisation"],
                                                  f"{field}.organisation"))

    def _result(self, add: Callable, text: Callable, record: Record, project: str, number: int,
                result: dict[str, Any]) -> None:
        node = f"{project}/result/{number}"
        add(project, _eulod.result, node)
        add(node, _rdf.type, _eulod.Result)
        for label in _texts(result["title"], record.language):
            text(node, _dcterms.title, label)
        if result.get("description"):
            for description in _texts(result["description"], record.language):
                text(node, _dcterms.description, description)
        if result.get("type"):
            add(node, _eulod.resultType, _result_type[result["type"]])
        if result.get("url"):
            add(node, _foaf.page, web_iri(result["url"], f"results[{number - 1}].url"))

    def _provenance(self, add: Callable, text: Callable, record: Record, project: str) -> None:
        data = record.data
        node = f"{self.options.base_iri}record/{record.id}"
        source = str(self.iris.source(data["source"]["file"]))
        when = self.options.generated_at or datetime.now(timezone.utc).replace(microsecond=0)
        add(project, _prov.wasDerivedFrom, node)
        add(node, _rdf.type, _eulod.SourceRecord)
        add(node, _foaf.primaryTopic, project)
        add(node, _prov.wasDerivedFrom, source)
        add(node, _prov.generatedAtTime, Lit(when.isoformat(), None, str(XSD.dateTime)))
        add(node, _eulod.converterVersion, self._version)
        if data.get("notes"):
            text(node, _skos.editorialNote, Lit(data["notes"].strip(), "en"))
        if data.get("curation"):  # a person reviewed the sheet's draft (eulod review): when, and from which sheet
            review = f"{node}/review"
            add(node, _prov.wasGeneratedBy, review)
            add(review, _rdf.type, _prov.Activity)
            add(review, _prov.used, source)
            add(review, _prov.endedAtTime, Lit(data["curation"]["reviewed"], None, str(XSD.dateTime)))
        add(source, _rdf.type, _foaf.Document)
        text(source, _dcterms.title, Lit(data["source"]["file"].rsplit("/", 1)[-1]))
        if data["source"].get("url"):
            add(source, _foaf.page, web_iri(data["source"]["url"], "source.url"))


# --- sinks -----------------------------------------------------------------------------


class GraphSink:
    """Adds the mapping's triples to an rdflib graph."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        if isinstance(obj, Lit):
            node = Literal(obj.lexical, lang=obj.language, datatype=URIRef(obj.datatype) if obj.datatype else None)
        else:
            node = URIRef(obj)
        self.graph.add((URIRef(subject), URIRef(predicate), node))


_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", '"': '\\"', "\r": "\\r"})


def nt_literal(literal: Lit) -> str:
    """A literal in N-Triples, escaped as rdflib's N-Triples serialiser escapes it."""
    text = f'"{literal.lexical.translate(_ESCAPES)}"'
    if literal.language:
        return f"{text}@{literal.language}"
    if literal.datatype:
        return f"{text}^^<{literal.datatype}>"
    return text


class NTriplesSink:
    """Collects N-Triples lines; counts organisation names on the way for preferred labels."""

    def __init__(self, labels: "LabelCounter | None" = None) -> None:
        self.lines: list[str] = []
        self.labels = labels

    def add(self, subject: str, predicate: str, obj: Term) -> None:
        if isinstance(obj, Lit):
            if self.labels is not None and predicate == _ALT_LABEL:
                self.labels.count(subject, obj)
            self.lines.append(f"<{subject}> <{predicate}> {nt_literal(obj)} .\n")
        else:
            self.lines.append(f"<{subject}> <{predicate}> <{obj}> .\n")

    def text(self) -> str:
        return "".join(self.lines)

    def take(self) -> str:
        """The lines collected so far, as text; the sink starts empty again."""
        text = "".join(self.lines)
        self.lines.clear()
        return text


# --- preferred labels ------------------------------------------------------------------

_ALT_LABEL = str(SKOS.altLabel)
_PREF_LABEL = str(SKOS.prefLabel)


class LabelCounter:
    """How often each name is used for each organisation and language, across records.

    Most organisations go by one name: such an entry is a (name, count) pair, and becomes a
    Counter only when a second name appears. An entry per organisation is what a build holds
    while it converts; as a Counter each, 420 000 organisations cost about 1 KB apiece.
    """

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], tuple[str, int] | Counter[str]] = {}

    def _add(self, key: tuple[str, str], name: str, amount: int) -> None:
        current = self.counts.get(key)
        if current is None:
            self.counts[key] = (name, amount)
        elif type(current) is tuple:
            if current[0] == name:
                self.counts[key] = (name, current[1] + amount)
            else:
                self.counts[key] = Counter({current[0]: current[1], name: amount})
        else:
            current[name] += amount

    def count(self, organisation: str, label: Lit) -> None:
        """One use of ``label`` for ``organisation`` (a plain str: a URIRef key would be another key)."""
        self._add((organisation, label.language or ""), label.lexical, 1)

    def add_record(self, record: "LabelCounter", sign: int = 1) -> None:
        """Count one record's names (each once, however often the record repeats it); ``sign``
        -1 takes a record back out (a record the build leaves out after all)."""
        for key, names in record.counts.items():
            if type(names) is tuple:
                self._add(key, names[0], sign)
            else:
                for name in names:
                    self._add(key, name, sign)

    def preferred(self) -> Iterator[tuple[str, Lit]]:
        """(organisation, label): the name most records use wins, ties to the alphabetically first."""
        for (org, language), names in self.counts.items():
            used = [names] if type(names) is tuple else list(names.items())
            used = [item for item in used if item[1] > 0]
            if used:
                best = min(used, key=lambda item: (-item[1], item[0]))[0]
                yield org, Lit(best, language or None)

    def emit_preferred(self, sink: Sink) -> None:
        """Send one skos:prefLabel per organisation and language (:meth:`preferred`) to ``sink``."""
        for org, label in self.preferred():
            sink.add(org, _PREF_LABEL, label)


def preferred_labels(graphs: Iterable[Graph]) -> Graph:
    """One skos:prefLabel per organisation and language, chosen across all records.

    The name most records use wins; ties go to the alphabetically first, so the choice is
    the same on every build of the same data.
    """
    counter = LabelCounter()
    for graph in graphs:
        for org in graph.subjects(RDF.type, EULOD.Organisation):
            for label in graph.objects(org, SKOS.altLabel):
                counter.count(str(org), Lit(str(label), label.language))
    out = bind_prefixes(Graph())
    counter.emit_preferred(GraphSink(out))
    return out


def ntriples_stream(
    mapper: RecordMapper, records: Iterable[Record], chunk_records: int = 500
) -> Iterator[bytes]:
    """The N-Triples of many records, in UTF-8 chunks, then their preferred labels.

    Memory holds one chunk and the label counts (one entry per organisation), never the
    whole graph, so a build of any size streams straight into the store's bulk loader.
    """
    labels = LabelCounter()
    sink = NTriplesSink(labels)
    for number, record in enumerate(records, start=1):
        mapper.emit(sink, record)
        if number % chunk_records == 0:
            yield sink.take().encode("utf-8")
    labels.emit_preferred(sink)
    yield sink.take().encode("utf-8")
