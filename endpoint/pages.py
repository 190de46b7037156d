"""Pages for people: home (projects with filters, figures, charts), project, organisation,
programme and source-document pages.

Each resource page runs one query from ``endpoint/queries`` and reads the answer through :class:`Facts`,
so the templates receive plain values already in the reader's language. Linked Data
negotiation stays in :mod:`.resources`, which hands HTML requests for these resource types
to :func:`respond`. The home page reads its listing from the generation's listing file (:mod:`.listing`)
a page at a time.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable
from urllib.parse import urlencode

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request

from eulod.core.countries import by_iri
from eulod.core.generation import SOURCES_DIR, VALIDATION_FILE
from eulod.core.iris import last_segment
from eulod.core.namespaces import sparql_prologue
from eulod.core.queryfiles import stored_query

from . import charts, i18n
from .caching import caching
from .context import settings, store_handle
from .listing import Filter, Listing, ListingCache, Row, listing_cache
from .sparql import warm_query_processes

blueprint = Blueprint("pages", __name__)
log = logging.getLogger(__name__)

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


def query_text(name: str) -> str:
    return stored_query(__package__, name)


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
    """An authority-table country as pages show it: its code and its name from the EU table."""
    found = by_iri(iri) if iri else None
    if found is None:
        return None
    return {"iri": iri, "code": found.alpha3, "alpha2": found.alpha2, "name": found.name(lang)}


def validation_results(record_id: str) -> list[dict[str, Any]]:
    """The SHACL results the build kept for ``record_id`` (see eulod.pipeline.build.write_validation)."""
    return load_validation(str(store_handle().generation.path)).get(record_id, [])


@lru_cache(maxsize=4)
def load_validation(generation: str) -> dict[str, list[dict[str, Any]]]:
    from pathlib import Path

    path = Path(generation) / VALIDATION_FILE
    return json.loads(path.read_text("utf-8")) if path.is_file() else {}


def page_response(template: str, variant: str, status: int = 200, **context: Any) -> Response:
    """A page in the reader's language; only a 200 gets validators (a 404 must never become a 304)."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    if status == 200:
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
        "message": i18n.in_language(messages, lang),
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
    # Only a document the build copied is shown: a plain file name as eulod.core.iris.slugify_file
    # makes it (no '/', '\', '..', NUL or escapes; not hidden), naming a regular file that is
    # directly in the generation's sources folder (a symlink there is refused, not followed).
    # A store that describes some other source IRI (a remote store, an edited one) shows none.
    import re
    import stat

    name = iri.rsplit("/", 1)[-1]
    folder = store_handle().generation.path / SOURCES_DIR
    text = None
    if re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,254}", name):
        copy = folder / name
        try:
            plain = stat.S_ISREG(copy.lstat().st_mode) and copy.resolve().parent == folder.resolve()
        except OSError:
            plain = False
        if plain:
            text = copy.read_text("utf-8", errors="replace")
    records = [
        {"href": local(record), "project": {"href": local(p), "title": facts.text(p, DCT + "title")}
         if (p := facts.iri(record, FOAF + "primaryTopic")) else None}
        for record in facts.subjects(PROV + "wasDerivedFrom", iri)
    ]
    source = {"title": facts.label(iri), "page": facts.iri(iri, FOAF + "page"), "text": text, "records": records}
    return page_response("source.html", iri, source=source, iri=iri, alternates=alternates(path))


# ---------------------------------------------------------------- home page
#
# The home page lists every project, so what it needs is read from the store once per store
# generation per server process (a generation never changes once built) and kept as compact
# tuples: a request then only filters, pages and renders one page. At CORDIS scale (100 000
# projects) reading takes tens of seconds, a request afterwards milliseconds.

PAGE_SIZE = 50  # projects per page of the home list
FILTERS = ("programme", "country", "year")


def listing() -> Listing:
    """This process's listing of the current generation (opened, or read, on first need)."""
    from flask import current_app

    return listing_cache(current_app).get(store_handle())


def language_view(index: Listing, lang: str) -> dict[str, Any]:
    """What the home page derives from the listing in one language: code labels, filter options, charts."""
    def make() -> dict[str, Any]:
        labels, broader = code_labels(lang)
        lineages = {p: frozenset(map(last_segment, lineage(p, broader))) for p in index.programmes}
        return {
            "labels": labels,
            "lineages": lineages,
            "filters": filter_options(index, lang, labels, lineages, broader),
            "funding_chart": funding_chart(index.funding, lang, labels),
            "country_chart": country_chart(index.participations, lang),
        }

    return index.memo(("view", lang), make)


# ---------------------------------------------------------------- home page warm-up
#
# Opening the listing is quick when the build wrote it; ordering its titles takes a few
# tenths of a second per language at 100 000 projects, and a store without a listing file
# (a remote one) has it written from the store, a minute at that size. A server process
# therefore prepares it in a background thread as soon as it starts serving, and again as
# soon as a build switches the store, instead of making the first visitor after a start or
# a build wait. The thread polls the generation at the store handle's own check interval
# (a readlink): polling, rather than waiting for a request to notice the switch, is what
# lets the new listing be ready before anyone asks for it. Requests arriving meanwhile wait
# on the cache's lock, as they would for a reading of their own; they never see a partial
# listing. Only the server factory (eulod.endpoint.server) starts it, so the Flask test
# client and create_app() stay as they were.

WARMUP_THREAD = "eulod-home-warmup"
WARMUP_RETRY = 30.0  # seconds before trying again after a failed reading (e.g. a remote store down)


def start_home_warmup(app: Any, interval: float = 1.0) -> threading.Thread:
    """Keep the home page's listing ready for the current store generation, in the background."""
    thread = threading.Thread(target=_keep_warm, args=(app, interval), name=WARMUP_THREAD, daemon=True)
    thread.start()
    return thread


def _keep_warm(app: Any, interval: float) -> None:
    cache = listing_cache(app)
    handle = app.extensions["eulod_store"]
    while True:
        pause = interval
        try:
            if not cache.holds(handle.generation.id):
                warm(app, cache, handle)
        except Exception:  # noqa: BLE001 -- the thread must outlive any one failure; requests read on demand
            log.warning("home page warm-up failed; the first request will read the listing", exc_info=True)
            pause = WARMUP_RETRY
        time.sleep(pause)


def warm(app: Any, cache: ListingCache, handle: Any) -> Listing:
    """Start the query processes on the store, then open the listing and prepare every
    interface language's view of it (title order, labels, charts)."""
    with app.app_context():
        warm_query_processes()
        index = cache.get(handle, reason="warm-up")
        for lang in i18n.LANGUAGES:
            index.order(lang)
            language_view(index, lang)
    return index


def code_labels(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    """Labels of code-list concepts in ``lang`` (else English), and each concept's broader one."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    broader: dict[str, str] = {}
    for row in run("labels.rq"):
        labels[row["concept"].value][row["label"].language or ""] = row["label"].value
        if row["broader"]:
            broader[row["concept"].value] = row["broader"].value
    chosen = {c: i18n.in_language(names, lang) for c, names in labels.items()}
    return chosen, broader


def lineage(programme: str | None, broader: dict[str, str]) -> list[str]:
    chain = []
    while programme and programme not in chain:
        chain.append(programme)
        programme = broader.get(programme)
    return chain


class BadPage(ValueError):
    """``?page=`` is not a whole number from 1 up."""


def requested_page(raw: str) -> int:
    """The 1-based page asked for; no ``page`` (or an empty one) is the first page."""
    if raw == "":
        return 1
    if not (raw.isascii() and raw.isdigit()):
        raise BadPage(raw)
    try:
        number = int(raw)
    except ValueError:  # more digits than Python converts: not a page anyone means
        raise BadPage(raw) from None
    if number < 1:
        raise BadPage(raw)
    return number


def page_link(number: int) -> str:
    """The home page at page ``number`` with the active filters and language kept."""
    kept = [(key, value) for key, value in request.args.items() if key in (*FILTERS, "lang") and value]
    if number > 1:
        kept.append(("page", str(number)))
    return "/?" + urlencode(kept) if kept else "/"


@blueprint.route("/")
def home() -> Response:
    lang = i18n.language()
    try:
        number = requested_page(request.args.get("page", ""))
    except BadPage as bad:
        message = i18n.translate("home.bad_page", lang, page=str(bad)[:40])
        response = Response(message + "\n", status=400, mimetype="text/plain")
        response.headers["Content-Language"] = lang
        response.headers["Vary"] = "Accept-Language"
        return response
    handle = store_handle()
    index = listing()
    view = language_view(index, lang)
    wanted = {key: request.args.get(key, "") for key in FILTERS}
    found = index.matching(lang, as_filter(wanted, view["lineages"]))
    pages = max(1, -(-len(found) // PAGE_SIZE))
    first = (number - 1) * PAGE_SIZE
    shown = index.rows(found[first:first + PAGE_SIZE])
    past_end = number > pages
    context = {
        "projects": [present_listing(row, lang, view["labels"]) for row in shown],
        "filtered": any(wanted.values()),
        "count": {key: i18n.number(value, lang) for key, value in (
            ("first", first + 1), ("last", first + len(shown)), ("matching", len(found)),
            ("total", index.total), ("page", number), ("pages", pages))},
        "pages": pages,
        "past_end": past_end,
        "previous_href": page_link(min(number, pages + 1) - 1) if number > 1 else None,
        "next_href": page_link(number + 1) if number < pages else None,
        "last_href": page_link(pages),
        "filters": view["filters"],
        "wanted": wanted,
        "figures": figures(index, handle.manifest, lang),
        "funding_chart": view["funding_chart"],
        "country_chart": view["country_chart"],
        "manifest": handle.manifest,
        "settings": settings(),
    }
    # A page past the end is Not Found (the pager never links there); it still shows the
    # filters and a link back, and is not cached.
    return page_response("home.html", "home|" + request.query_string.decode("latin-1"),
                         status=404 if past_end else 200, **context)


def as_filter(wanted: dict[str, str], lineages: dict[str, frozenset[str]]) -> Filter:
    """The home page's query parameters as a listing filter (a programme includes its narrower ones)."""
    year = as_year(wanted["year"]) if wanted["year"] else None
    return Filter(
        programmes=frozenset(p for p, chain in lineages.items() if wanted["programme"] in chain)
        if wanted["programme"] else None,
        country=COUNTRY + wanted["country"] if wanted["country"] else None,
        year=year,
        nothing=bool(wanted["year"]) and year is None,
    )


@lru_cache(maxsize=64)
def as_year(text: str) -> int | None:
    """A year filter as a number; anything else (letters, '²', a thousand digits) matches nothing."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def present_listing(row: Row, lang: str, labels: dict[str, str]) -> dict[str, Any]:
    start, end = i18n.date_text(row.start, lang), i18n.date_text(row.end, lang)
    return {
        "href": local(row.iri),
        "title": row.title(lang),
        "programme": {"label": labels.get(row.programme or "", ""), "href": local(row.programme)} if row.programme else None,
        "dates": f"{start} – {end}" if start and end else start or end,
        "partners": row.partners,
        "countries": [c.rsplit("/", 1)[-1] for c in row.countries],
    }


def filter_options(index: Listing, lang: str, labels: dict[str, str], lineages: dict[str, frozenset[str]],
                   broader: dict[str, str]) -> dict[str, list]:
    programmes = {p for programme in lineages for p in lineage(programme, broader)}
    years = {y for first, last in index.year_spans for y in range(first, last + 1)}
    return {
        "programme": sorted(((last_segment(p), labels.get(p, p)) for p in programmes), key=lambda o: o[1]),
        "country": sorted(((c.rsplit("/", 1)[-1], (country(c, lang) or {}).get("name", c)) for c in index.countries),
                          key=lambda o: o[1]),
        "year": [(str(y), str(y)) for y in sorted(years)],
    }


def figures(index: Listing, manifest: dict[str, Any], lang: str) -> list[tuple[str, str]]:
    stats = manifest.get("statistics", {})
    return [
        (i18n.number(index.total, lang), i18n.translate("home.projects", lang)),
        (i18n.number(stats.get("organisations", 0), lang), i18n.translate("home.organisations", lang)),
        (i18n.number(len(index.countries), lang), i18n.translate("home.countries", lang)),
        (i18n.number(stats.get("triples", 0), lang), i18n.translate("home.triples", lang)),
    ]


def funding_chart(sums: dict[tuple[str, str], Decimal], lang: str, labels: dict[str, str]) -> charts.BarChart:
    return charts.bar_chart(
        "funding",
        i18n.translate("chart.funding", lang),
        i18n.translate("chart.funding.desc", lang),
        [(labels.get(p, p), float(v), i18n.money(v, cur, lang), local(p)) for (p, cur), v in sums.items() if v],
    )


def country_chart(counts: Counter[str], lang: str) -> charts.BarChart:
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
        """This page in another language: a query-only link, so the path (whatever the
        visitor typed, ``//host`` included) is never written into the page."""
        return "?" + urlencode({**args, "lang": target})

    return {
        "prologue": sparql_prologue(),
        "lang": lang,
        "languages": i18n.LANGUAGES,
        "_": lambda key, **values: i18n.translate(key, lang, **values),
        "switch_language": switch,
        "today": date.today,
    }
