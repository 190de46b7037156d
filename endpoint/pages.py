"""Pages for people: home (projects with filters, figures, charts), project, organisation,
programme and source-document pages.

Each page runs one query from ``endpoint/queries`` and reads the answer through :class:`Facts`,
so the templates receive plain values already in the reader's language. Linked Data
negotiation stays in :mod:`.resources`, which hands HTML requests for these resource types
to :func:`respond`.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from importlib import resources as files
from typing import Any, Iterable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from eulod.build import SOURCES_DIR, VALIDATION_FILE
from eulod.namespaces import sparql_prologue

from . import charts, i18n, settings, store_handle

blueprint = Blueprint("pages", __name__)

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
EULOD = "https://w3id.org/eulod/ontology#"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
FOAF = "http://xmlns.com/foaf/0.1/"
VCARD = "http://www.w3.org/2006/vcard/ns#"
ADMS = "http://www.w3.org/ns/adms#"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
LINK_SUFFIXES = ("ttl", "jsonld", "nt", "rdf")


@lru_cache(maxsize=None)
def query_text(name: str) -> str:
    return files.files("eulod.endpoint").joinpath("queries", name).read_text("utf-8")


def run(name: str, **bindings: str) -> Any:
    """Run a stored query with ``$name`` placeholders filled by IRIs.

    The IRI goes through ``ox.NamedNode`` first, which rejects anything that is not an IRI,
    so what is written into the query text is always a well-formed ``<...>`` term.
    """
    text = query_text(name)
    for key, value in bindings.items():
        text = text.replace(f"${key}", str(ox.NamedNode(value)))
    return store_handle().store.query(text, use_default_graph_as_union=True)


class Facts:
    """A small graph indexed by subject and predicate, read in one language at a time."""

    def __init__(self, triples: Iterable[ox.Triple], lang: str) -> None:
        self.lang = lang
        self.index: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.inverse: dict[tuple[str, str], list[str]] = defaultdict(list)
        for triple in triples:
            key = (triple.subject.value, triple.predicate.value)
            if triple.object not in self.index[key]:
                self.index[key].append(triple.object)
                self.inverse[(triple.predicate.value, triple.object.value)].append(triple.subject.value)

    def objects(self, subject: str, predicate: str) -> list[Any]:
        return self.index.get((subject, predicate), [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode))

    def iri(self, subject: str, predicate: str) -> str | None:
        found = self.iris(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(set(self.inverse.get((predicate, obj), [])))

    def value(self, subject: str, predicate: str) -> str | None:
        found = self.objects(subject, predicate)
        return found[0].value if found else None

    def texts(self, subject: str, predicate: str) -> list[str]:
        """Literals in the reader's language, else in English, else in whatever language there is."""
        literals = [o for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]
        for wanted in (self.lang, "en"):
            chosen = [o.value for o in literals if o.language == wanted]
            if chosen:
                return chosen
        by_language: dict[str, list[str]] = defaultdict(list)
        for literal in literals:
            by_language[literal.language or ""].append(literal.value)
        return by_language[min(by_language)] if by_language else []

    def text(self, subject: str, predicate: str) -> str:
        found = self.texts(subject, predicate)
        return found[0] if found else ""

    def label(self, iri: str | None) -> str:
        if not iri:
            return ""
        for predicate in (SKOS + "prefLabel", DCT + "title", FOAF + "name", VCARD + "fn"):
            text = self.text(iri, predicate)
            if text:
                return text
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def amount(self, owner: str, kind: str) -> dict[str, str] | None:
        """A monetary amount of ``owner`` (project or participation), formatted for the reader."""
        node = self.iri(owner, EULOD + kind)
        if node is None or self.value(node, EULOD + "amount") is None:
            return None
        currency = (self.iri(node, EULOD + "currency") or "EUR").rsplit("/", 1)[-1]
        value = self.value(node, EULOD + "amount")
        rate = self.value(node, EULOD + "rate")
        return {
            "value": value,
            "currency": currency,
            "text": i18n.money(value, currency, self.lang),
            "rate": i18n.percent(rate, self.lang) if rate else "",
        }


def local(iri: str) -> str:
    """The path at which a data or vocabulary IRI is served here, so links work on any host."""
    base = settings().base_iri
    if iri.startswith(base):
        return "/" + iri[len(base):]
    if iri.startswith("https://w3id.org/eulod/"):
        return "/" + iri[len("https://w3id.org/eulod/"):]
    return iri


def country(iri: str | None, lang: str) -> dict[str, str] | None:
    if not iri or not iri.startswith(COUNTRY):
        return None
    alpha3 = iri[len(COUNTRY):]
    alpha2 = alpha2_of(alpha3)
    return {"iri": iri, "code": alpha3, "alpha2": alpha2 or "",
            "name": i18n.country_name(alpha2, lang) if alpha2 else alpha3}


@lru_cache(maxsize=None)
def alpha2_of(alpha3: str) -> str | None:
    from eulod.converters.countries import countries

    return next((c.alpha2 for c in countries().values() if c.alpha3 == alpha3), None)


def validation_results(record_id: str) -> list[dict[str, Any]]:
    """The SHACL results the build kept for ``record_id`` (see eulod.build.write_validation)."""
    return load_validation(str(store_handle().generation.path)).get(record_id, [])


@lru_cache(maxsize=4)
def load_validation(generation: str) -> dict[str, list[dict[str, Any]]]:
    from pathlib import Path

    path = Path(generation) / VALIDATION_FILE
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def page_response(template: str, variant: str, **context: Any) -> Response:
    from .resources import caching

    response = Response(render_template(template, **context), mimetype="text/html")
    response = caching(response, f"{variant}|html|{i18n.language()}")
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = i18n.language()
    return response


def alternates(path: str) -> list[tuple[str, str]]:
    return [(ext, f"/{path}.{ext}") for ext in LINK_SUFFIXES]


# ---------------------------------------------------------------- resource pages


def respond(iri: str, triples: list[ox.Triple], path: str) -> Response | None:
    """The page for ``iri`` when it is a project, organisation, programme or source document."""
    types = {t.object.value for t in triples if t.subject.value == iri and t.predicate.value == RDF_TYPE}
    if EULOD + "Project" in types:
        return project_page(iri, path)
    if EULOD + "Organisation" in types:
        return organisation_page(iri, path)
    if EULOD + "FundingProgramme" in types:
        return programme_page(iri, path)
    if FOAF + "Document" in types and iri.startswith(settings().base_iri + "source/"):
        return source_page(iri, path)
    return None


def project_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-project.rq", this=iri), lang)
    project = describe_project(facts, iri)
    return page_response("project.html", iri, project=project, iri=iri, alternates=alternates(path))


def describe_project(facts: Facts, iri: str) -> dict[str, Any]:
    lang = facts.lang
    record = facts.iri(iri, PROV + "wasDerivedFrom")
    source = facts.iri(record, PROV + "wasDerivedFrom") if record else None
    programme = facts.iri(iri, EULOD + "programme")
    partners = [describe_participation(facts, part) for part in facts.iris(iri, EULOD + "hasParticipation")]
    partners.sort(key=lambda p: (p["role_rank"], p["name"].lower()))
    record_id = iri.rstrip("/").rsplit("/", 1)[-1]
    per_country = Counter(p["country"]["name"] for p in partners if p["country"])
    chart = charts.bar_chart(
        "project-partners",
        i18n.translate("chart.project_partners", lang),
        i18n.translate("chart.project_partners.desc", lang),
        [(name, count, i18n.number(count, lang), None) for name, count in per_country.items()],
    )
    return {
        "iri": iri,
        "title": facts.text(iri, DCT + "title"),
        "subtitle": facts.text(iri, EULOD + "subtitle"),
        "acronym": facts.value(iri, EULOD + "acronym"),
        "description": facts.text(iri, DCT + "description"),
        "objectives": facts.texts(iri, EULOD + "objective"),
        "actions": facts.texts(iri, EULOD + "action"),
        "expected": facts.texts(iri, EULOD + "expectedResult"),
        "themes": facts.texts(iri, EULOD + "theme"),
        "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
        "reference": facts.value(iri, EULOD + "statedProgrammeReference"),
        "funds": [{"label": facts.label(f), "href": local(f)} for f in facts.iris(iri, EULOD + "fund")],
        "status": facts.label(facts.iri(iri, EULOD + "status")),
        "start": i18n.date_text(facts.value(iri, EULOD + "startDate"), lang),
        "end": i18n.date_text(facts.value(iri, EULOD + "endDate"), lang),
        "months": facts.value(iri, EULOD + "durationMonths"),
        "website": facts.iri(iri, FOAF + "homepage"),
        "budget": [(key, facts.amount(iri, kind)) for key, kind in BUDGET if facts.amount(iri, kind)],
        "identifiers": [
            {"notation": facts.value(node, SKOS + "notation"), "scheme": facts.label(facts.iri(node, EULOD + "identifierScheme"))}
            for node in facts.iris(iri, ADMS + "identifier")
        ],
        "results": [
            {"title": facts.text(node, DCT + "title"), "description": facts.text(node, DCT + "description"),
             "page": facts.iri(node, FOAF + "page"), "href": local(node)}
            for node in facts.iris(iri, EULOD + "result")
        ],
        "partners": partners,
        "chart": chart,
        "contacts": [describe_contact(facts, node) for node in facts.iris(iri, EULOD + "contactPoint")],
        "validation": [present_result(r, lang) for r in validation_results(record_id)],
        "record": {
            "href": local(record),
            "generated": facts.value(record, PROV + "generatedAtTime"),
            "notes": facts.text(record, SKOS + "editorialNote"),
        } if record else None,
        "source": {"href": local(source), "title": facts.label(source), "page": facts.iri(source, FOAF + "page")}
        if source else None,
        "links": related(facts, iri),
    }


def related(facts: Facts, iri: str) -> list[dict[str, str]]:
    """Every resource the project links to that is served here (parts, partners, codes, provenance)."""
    base = settings().base_iri
    served = ("https://w3id.org/eulod/", base)
    found = {o for (s, _p), objects in facts.index.items() if s == iri or s.startswith(iri + "/")
             for o in (x.value for x in objects if isinstance(x, ox.NamedNode)) if o.startswith(served)}
    found.discard(iri)
    return [{"href": local(o), "label": facts.label(o) if not o.startswith(iri) else local(o)}
            for o in sorted(found, key=local)]


BUDGET = (("col.total_cost", "totalCost"), ("col.eu_contribution", "euContribution"), ("col.co_financing", "coFinancing"))
ROLE_RANK = {"coordinator": 0, "beneficiary": 1, "partner": 2, "associated-partner": 3}


def describe_participation(facts: Facts, part: str) -> dict[str, Any]:
    organisation = facts.iri(part, EULOD + "organisation") or ""
    role = facts.iri(part, EULOD + "role") or ""
    return {
        "href": local(organisation),
        "name": facts.label(organisation),
        "role": facts.label(role),
        "role_rank": ROLE_RANK.get(role.rsplit("/", 1)[-1], 9),
        "country": country(facts.iri(organisation, EULOD + "country"), facts.lang),
        "city": facts.text(organisation, EULOD + "city"),
        "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
    }


def describe_contact(facts: Facts, node: str) -> dict[str, Any]:
    organisation = facts.iri(node, EULOD + "contactFor")
    email = facts.iri(node, VCARD + "hasEmail")
    return {
        "name": facts.value(node, VCARD + "fn"),
        "role": facts.value(node, VCARD + "role"),
        "unit": facts.value(node, VCARD + "organization-unit"),
        "email": email.removeprefix("mailto:") if email else None,
        "organisation": {"label": facts.label(organisation), "href": local(organisation)} if organisation else None,
        "href": local(node),
    }


def present_result(result: dict[str, Any], lang: str) -> dict[str, str]:
    messages = result.get("messages") or {}
    path = result.get("path") or ""
    return {
        "severity": result.get("severity", ""),
        "severity_text": i18n.translate(f"severity.{result.get('severity', '')}", lang),
        "message": messages.get(lang) or messages.get("en") or next(iter(messages.values()), ""),
        "focus": local(result.get("focus") or ""),
        "path": path.rsplit("#", 1)[-1].rsplit("/", 1)[-1],
    }


def organisation_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-organisation.rq", this=iri), lang)
    projects = []
    for part in facts.subjects(EULOD + "organisation", iri):
        for project in facts.subjects(EULOD + "hasParticipation", part):
            programme = facts.iri(project, EULOD + "programme")
            projects.append({
                "href": local(project),
                "title": facts.text(project, DCT + "title"),
                "role": facts.label(facts.iri(part, EULOD + "role")),
                "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
                "dates": dates(facts, project),
                "budget": {key: facts.amount(part, kind) for key, kind in BUDGET},
            })
    projects.sort(key=lambda p: p["title"].lower())
    preferred = facts.text(iri, SKOS + "prefLabel")
    names = sorted({o.value for o in facts.objects(iri, SKOS + "altLabel")} - {preferred})
    organisation = {
        "name": preferred or facts.label(iri),
        "names": names,
        "type": facts.label(facts.iri(iri, EULOD + "organisationType")),
        "type_href": local(facts.iri(iri, EULOD + "organisationType") or ""),
        "city": facts.text(iri, EULOD + "city"),
        "country": country(facts.iri(iri, EULOD + "country"), lang),
        "website": facts.iri(iri, FOAF + "homepage"),
        "projects": projects,
    }
    return page_response("organisation.html", iri, organisation=organisation, iri=iri, alternates=alternates(path))


def dates(facts: Facts, project: str) -> str:
    start = i18n.date_text(facts.value(project, EULOD + "startDate"), facts.lang)
    end = i18n.date_text(facts.value(project, EULOD + "endDate"), facts.lang)
    return f"{start} – {end}" if start and end else start or end


def programme_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-programme.rq", this=iri), lang)
    projects = []
    totals: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for project in facts.subjects(RDF_TYPE, EULOD + "Project"):
        budget = {key: facts.amount(project, kind) for key, kind in BUDGET}
        for key, amount in budget.items():
            if amount:
                totals[key][amount["currency"]] += Decimal(amount["value"])
        programme = facts.iri(project, EULOD + "programme")
        projects.append({
            "href": local(project), "title": facts.text(project, DCT + "title"), "dates": dates(facts, project),
            "programme": {"label": facts.label(programme), "href": local(programme)} if programme else None,
            "partners": len(facts.iris(project, EULOD + "hasParticipation")), "budget": budget,
        })
    projects.sort(key=lambda p: p["title"].lower())
    broader = facts.iri(iri, SKOS + "broader")
    programme = {
        "name": facts.label(iri),
        "definition": facts.text(iri, SKOS + "definition"),
        "code": facts.value(iri, EULOD + "referenceCode"),
        "period": facts.value(iri, EULOD + "programmingPeriod"),
        "funds": [{"label": facts.label(f), "href": local(f)} for f in facts.iris(iri, EULOD + "fund")],
        "broader": {"label": facts.label(broader), "href": local(broader)} if broader else None,
        "narrower": [{"label": facts.label(n), "href": local(n)} for n in facts.subjects(SKOS + "broader", iri)],
        "projects": projects,
        "totals": [(key, [i18n.money(v, cur, lang) for cur, v in sorted(totals[key].items())])
                   for key, _kind in BUDGET if totals.get(key)],
    }
    return page_response("programme.html", iri, programme=programme, iri=iri, alternates=alternates(path))


def source_page(iri: str, path: str) -> Response:
    lang = i18n.language()
    facts = Facts(run("page-source.rq", this=iri), lang)
    name = iri.rsplit("/", 1)[-1]
    copy = store_handle().generation.path / SOURCES_DIR / name
    text = copy.read_text("utf-8", errors="replace") if "/" not in name and copy.is_file() else None
    records = [
        {"href": local(record), "project": {"href": local(p), "title": facts.text(p, DCT + "title")}
         if (p := facts.iri(record, FOAF + "primaryTopic")) else None}
        for record in facts.subjects(PROV + "wasDerivedFrom", iri)
    ]
    source = {"title": facts.label(iri), "page": facts.iri(iri, FOAF + "page"), "text": text, "records": records}
    return page_response("source.html", iri, source=source, iri=iri, alternates=alternates(path))


# ---------------------------------------------------------------- home page


@dataclass
class Listing:
    """One project as the home page lists, filters and counts it."""

    iri: str
    titles: dict[str, str] = field(default_factory=dict)
    programme: str | None = None
    start: str | None = None
    end: str | None = None
    months: int | None = None
    eu: tuple[Decimal, str] | None = None
    countries: set[str] = field(default_factory=set)
    organisations: set[str] = field(default_factory=set)
    participations: set[tuple[str, str]] = field(default_factory=set)  # (organisation, country)
    partner_eu: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))

    def title(self, lang: str) -> str:
        return self.titles.get(lang) or self.titles.get("en") or next(iter(self.titles.values()), self.iri)

    def years(self) -> range | None:
        """The calendar years the project runs in, as far as its dates say."""
        if not self.start:
            return None
        first = last = int(self.start[:4])
        if self.end:
            last = int(self.end[:4])
        elif self.months and len(self.start) >= 7:
            last = first + (int(self.start[5:7]) - 1 + self.months - 1) // 12
        return range(first, max(first, last) + 1)

    def funding(self) -> dict[str, Decimal]:
        """The EU funding stated: the project's total, else the sum its partners state."""
        if self.eu:
            return {self.eu[1]: self.eu[0]}
        return dict(self.partner_eu)


def listings() -> dict[str, Listing]:
    found: dict[str, Listing] = {}
    for row in run("home-projects.rq"):
        item = found.setdefault(row["project"].value, Listing(row["project"].value))
        title = row["title"]
        item.titles.setdefault(title.language or "", title.value)
        item.programme = row["programme"].value if row["programme"] else item.programme
        item.start = row["start"].value if row["start"] else item.start
        item.end = row["end"].value if row["end"] else item.end
        item.months = int(row["months"].value) if row["months"] else item.months
        if row["eu"]:
            item.eu = (Decimal(row["eu"].value), row["euCurrency"].value.rsplit("/", 1)[-1])
    seen: set[tuple[str, str]] = set()
    for row in run("home-participations.rq"):
        item = found.get(row["project"].value)
        if item is None:
            continue
        item.organisations.add(row["organisation"].value)
        if row["country"]:
            item.countries.add(row["country"].value)
            item.participations.add((row["organisation"].value, row["country"].value))
        key = (item.iri, row["organisation"].value)
        if row["eu"] and key not in seen:
            seen.add(key)
            item.partner_eu[row["euCurrency"].value.rsplit("/", 1)[-1]] += Decimal(row["eu"].value)
    return found


def code_labels(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Labels of code-list concepts in ``lang`` (else English), and each concept's broader one."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    broader: dict[str, str] = {}
    for row in run("labels.rq"):
        labels[row["concept"].value][row["label"].language or ""] = row["label"].value
        if row["broader"]:
            broader[row["concept"].value] = row["broader"].value
    chosen = {c: names.get(lang) or names.get("en") or next(iter(names.values())) for c, names in labels.items()}
    return chosen, broader


def notation(iri: str) -> str:
    """The last segment of a code or authority IRI: the short form filters use in URLs."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def lineage(programme: str | None, broader: dict[str, str]) -> list[str]:
    chain = []
    while programme and programme not in chain:
        chain.append(programme)
        programme = broader.get(programme)
    return chain


@blueprint.route("/")
def home() -> Response:
    lang = i18n.language()
    handle = store_handle()
    items = listings()
    labels, broader = code_labels(lang)
    wanted = {key: request.args.get(key, "") for key in ("programme", "country", "year")}
    shown = [item for item in items.values() if matches(item, wanted, broader)]
    shown.sort(key=lambda item: item.title(lang).lower())
    context = {
        "projects": [present_listing(item, lang, labels) for item in shown],
        "total": len(items),
        "filters": filter_options(items.values(), lang, labels, broader),
        "wanted": wanted,
        "figures": figures(items.values(), handle.manifest, lang),
        "funding_chart": funding_chart(items.values(), lang, labels),
        "country_chart": country_chart(items.values(), lang),
        "manifest": handle.manifest,
        "settings": settings(),
    }
    return page_response("home.html", "home|" + request.query_string.decode("latin-1"), **context)


def matches(item: Listing, wanted: dict[str, str], broader: dict[str, str]) -> bool:
    if wanted["programme"] and wanted["programme"] not in map(notation, lineage(item.programme, broader)):
        return False
    if wanted["country"] and COUNTRY + wanted["country"] not in item.countries:
        return False
    if wanted["year"]:
        years = item.years()
        if not wanted["year"].isdigit() or years is None or int(wanted["year"]) not in years:
            return False
    return True


def present_listing(item: Listing, lang: str, labels: dict[str, str]) -> dict[str, Any]:
    start, end = i18n.date_text(item.start, lang), i18n.date_text(item.end, lang)
    return {
        "href": local(item.iri),
        "title": item.title(lang),
        "programme": {"label": labels.get(item.programme or "", ""), "href": local(item.programme)} if item.programme else None,
        "dates": f"{start} – {end}" if start and end else start or end,
        "partners": len(item.organisations),
        "countries": sorted(c.rsplit("/", 1)[-1] for c in item.countries),
    }


def filter_options(items: Iterable[Listing], lang: str, labels: dict[str, str], broader: dict[str, str]) -> dict[str, list]:
    items = list(items)
    programmes = {p for item in items for p in lineage(item.programme, broader)}
    countries = {c for item in items for c in item.countries}
    years = {y for item in items if item.years() for y in item.years()}
    return {
        "programme": sorted(((notation(p), labels.get(p, p)) for p in programmes), key=lambda o: o[1]),
        "country": sorted(((c.rsplit("/", 1)[-1], (country(c, lang) or {}).get("name", c)) for c in countries),
                          key=lambda o: o[1]),
        "year": [(str(y), str(y)) for y in sorted(years)],
    }


def figures(items: Iterable[Listing], manifest: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    items = list(items)
    stats = manifest.get("statistics", {})
    countries = {c for item in items for c in item.countries}
    return [
        (i18n.number(len(items), lang), i18n.translate("home.projects", lang)),
        (i18n.number(stats.get("organisations", 0), lang), i18n.translate("home.organisations", lang)),
        (i18n.number(len(countries), lang), i18n.translate("home.countries", lang)),
        (i18n.number(stats.get("triples", 0), lang), i18n.translate("home.triples", lang)),
    ]


def funding_chart(items: Iterable[Listing], lang: str, labels: dict[str, str]) -> charts.BarChart:
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for item in items:
        for currency, amount in item.funding().items():
            sums[(item.programme or "", currency)] += amount
    return charts.bar_chart(
        "funding",
        i18n.translate("chart.funding", lang),
        i18n.translate("chart.funding.desc", lang),
        [(labels.get(p, p), float(v), i18n.money(v, cur, lang), local(p)) for (p, cur), v in sums.items() if v],
    )


def country_chart(items: Iterable[Listing], lang: str) -> charts.BarChart:
    counts: Counter[str] = Counter(c for item in items for _organisation, c in item.participations)
    return charts.bar_chart(
        "partners",
        i18n.translate("chart.partners", lang),
        i18n.translate("chart.partners.desc", lang),
        [((country(c, lang) or {}).get("name", c), n, i18n.number(n, lang), f"/?country={c.rsplit('/', 1)[-1]}")
         for c, n in counts.items()],
    )


@blueprint.after_app_request
def vary_on_language(response: Response) -> Response:
    """Every HTML page speaks the reader's language, so caches must keep one copy per language."""
    if response.mimetype == "text/html" and "Accept-Language" not in response.headers.get("Vary", ""):
        response.headers["Vary"] = ", ".join(v for v in (response.headers.get("Vary"), "Accept-Language") if v)
    return response


@blueprint.app_context_processor
def globals_for_templates() -> dict:
    """The interface language, its messages and the formatting helpers, in every template."""
    lang = i18n.language()
    args = {k: v for k, v in request.args.items() if k != "lang"}

    def switch(target: str) -> str:
        return f"{request.path}?{urlencode({**args, 'lang': target})}"

    return {
        "prologue": sparql_prologue(),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "_": lambda key, **values: i18n.translate(key, lang, **values),
        "switch_language": switch,
        "today": date.today,
    }
