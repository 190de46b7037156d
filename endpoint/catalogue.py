"""The DCAT-AP 3 catalogue that open-data portals harvest, at the stable URL ``/catalogue``.

Everything in it comes from the settings (publisher, licence, themes) and from the current
build (dumps and their sizes and checksums, countries, project dates, build time), so it can
never drift from what is served. Referenced authority concepts (licence, themes, file types,
countries) carry their type and ``skos:inScheme`` so that a validator can check the DCAT-AP
range and controlled-vocabulary shapes without fetching the authority tables.
"""

from __future__ import annotations

import calendar
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable, NamedTuple

from flask import Blueprint, Response, abort, current_app, render_template, request
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

from eulod.core.config import Settings
from eulod.core.countries import EU_LANGUAGES, by_iri
from eulod.core.feed import dump_distribution_iri, feed_distribution_iri, feed_iri
from eulod.core.namespaces import AUTHORITY, VCARD, bind_prefixes

from . import media
from .caching import caching
from .context import settings, store_handle
from .i18n import language
from .listing import Listing, listing_cache

log = logging.getLogger(__name__)
blueprint = Blueprint("catalogue", __name__)

IANA = "http://www.iana.org/assignments/media-types/"
DATA_THEME = URIRef(AUTHORITY + "data-theme")
FILE_TYPE = URIRef(AUTHORITY + "file-type")
COUNTRY_TABLE = URIRef(AUTHORITY + "country")
AVAILABILITY = URIRef(AUTHORITY + "planned-availability")
DCATAP = Namespace("http://data.europa.eu/r5r/")
KEYWORDS = ("EU funding", "projects", "partners", "linked data")
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")
SUFFIXES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
            "rdf": "application/rdf+xml", "html": media.HTML}


@dataclass(frozen=True)
class DumpFormat:
    """How a dump file is described: its IANA media type, file-type authority code, packaging."""

    media_type: str
    file_type: str
    label: str
    compress: str | None = None


DUMP_FORMATS: dict[str, DumpFormat] = {
    ".nt.gz": DumpFormat("application/n-triples", "RDF_N_TRIPLES", "N-Triples, gzip", compress="application/gzip"),
    ".ttl.gz": DumpFormat("text/turtle", "RDF_TURTLE", "Turtle, gzip", compress="application/gzip"),
    ".jsonld.gz": DumpFormat("application/ld+json", "JSON_LD", "JSON-LD, gzip", compress="application/gzip"),
}


def dump_format(name: str) -> DumpFormat | None:
    for suffix in sorted(DUMP_FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return DUMP_FORMATS[suffix]
    return None


def catalogue_iri(s: Settings) -> URIRef:
    return URIRef(f"{s.base_iri}catalogue")


def dataset_iri(s: Settings) -> URIRef:
    """The one dataset; the same node as the VoID dataset of the service description."""
    return URIRef(f"{s.base_iri}dataset")


def sparql_iri(s: Settings) -> URIRef:
    return URIRef(f"{s.base_iri}sparql")


def period_bounds(value: str) -> tuple[date, date] | None:
    """First and last day of a date stated as YYYY, YYYY-MM or YYYY-MM-DD."""
    parts = value.split("-")
    try:
        if len(parts) == 1:
            year = int(parts[0])
            return date(year, 1, 1), date(year, 12, 31)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        day = date.fromisoformat(value[:10])
        return day, day
    except ValueError:
        return None


class Coverage(NamedTuple):
    """Where and when the data set's projects take place: the catalogue's dct:spatial and dct:temporal."""

    countries: list[str]  # country IRIs of the partners, sorted
    first: date | None  # earliest project start
    last: date | None  # latest project end


def coverage(index: Listing) -> Coverage:
    """The coverage of the projects in the generation's listing (eulod.core.listing).

    Read from the listing rather than the store: the partners' countries took 29 s at
    100 000 projects as a query over every participation, the listing's table of project
    countries a millisecond. The listing keeps each project's earliest start and latest end
    as stated (day, month or year), so the bounds of the periods they name are the same.
    """
    starts = [bounds[0] for bounds in map(period_bounds, index.starts) if bounds]
    ends = [bounds[1] for bounds in map(period_bounds, index.ends) if bounds]
    return Coverage(sorted(index.countries), min(starts, default=None), max(ends, default=None))


@lru_cache(maxsize=1)
def authority_labels() -> Graph:
    """Labels of the authority concepts and schemes the catalogue cites (catalogue-labels.ttl)."""
    text = resources.files(__package__).joinpath("catalogue-labels.ttl").read_text("utf-8")
    return Graph().parse(data=text, format="turtle")


def country_labels(iri: str) -> dict[str, str]:
    """An authority-table country's preferred names in the EU's languages, as the table states them
    (the names the vocabulary graph carries), so a portal shows the country in its reader's language."""
    found = by_iri(iri)
    if found is None:
        return {"en": iri.rsplit("/", 1)[-1]}
    return {lang: found.names[lang] for lang in EU_LANGUAGES if lang in found.names}


def _concept(graph: Graph, iri: URIRef, scheme: URIRef, *types: URIRef) -> URIRef:
    """An authority concept with the typing, labels and scheme a validator needs to check it offline."""
    graph.add((iri, RDF.type, SKOS.Concept))
    for kind in types:
        graph.add((iri, RDF.type, kind))
    graph.add((iri, SKOS.inScheme, scheme))
    labels = authority_labels()
    for label in labels.objects(iri, SKOS.prefLabel):
        graph.add((iri, SKOS.prefLabel, label))
    if scheme == COUNTRY_TABLE:
        for lang, name in country_labels(str(iri)).items():
            graph.add((iri, SKOS.prefLabel, Literal(name, lang=lang)))
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for title in labels.objects(scheme, DCTERMS.title):
        graph.add((scheme, DCTERMS.title, title))
    return iri


def known_themes(codes: Iterable[str]) -> list[URIRef]:
    """The configured data themes that the authority table has; unknown codes are logged and left out."""
    labels = authority_labels()
    themes = []
    for code in codes:
        iri = URIRef(f"{AUTHORITY}data-theme/{code}")
        if labels.value(iri, SKOS.prefLabel) is None:
            log.warning("setting 'themes': %r is not an EU data-theme code; left out of the catalogue", code)
            continue
        themes.append(iri)
    return themes


def catalogue_graph(s: Settings, manifest: dict[str, Any], covered: Coverage) -> Graph:
    """The whole catalogue: catalogue, dataset, one distribution per dump and one for SPARQL."""
    graph = bind_prefixes(Graph())
    catalogue, dataset, service = catalogue_iri(s), dataset_iri(s), sparql_iri(s)
    built = manifest.get("built", "")
    modified = Literal(built, datatype=XSD.dateTime) if built else None
    issued = Literal(s.catalogue_issued, datatype=XSD.date) if s.catalogue_issued else modified
    licence = URIRef(s.licence)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    publisher = _publisher(graph, s)
    contact = _contact(graph, s)
    themes = [_concept(graph, theme, DATA_THEME) for theme in known_themes(s.themes)]

    graph.add((catalogue, RDF.type, DCAT.Catalog))
    graph.add((catalogue, DCTERMS.title, Literal(f"{s.dataset_title}: catalogue", lang="en")))
    graph.add((catalogue, DCTERMS.description, Literal(
        f"The DCAT-AP catalogue of {s.dataset_title}: the dataset, its dumps and its SPARQL endpoint.", lang="en")))
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, FOAF.homepage, URIRef(s.base_iri)))
    graph.add((catalogue, DCAT.contactPoint, contact))
    graph.add((catalogue, DCAT.themeTaxonomy, DATA_THEME))
    graph.add((catalogue, DCAT.dataset, dataset))
    graph.add((catalogue, DCAT.service, service))
    for triple_date in ((DCTERMS.issued, issued), (DCTERMS.modified, modified)):
        if triple_date[1] is not None:
            graph.add((catalogue, *triple_date))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(s.dataset_title, lang="en")))
    stats = manifest.get("statistics", {})
    graph.add((dataset, DCTERMS.description, Literal(
        f"Projects funded by EU programmes, with their partners, money and contacts, as linked open data: "
        f"{stats.get('projects', 0)} projects, {stats.get('organisations', 0)} organisations.", lang="en")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.landingPage, URIRef(s.base_iri)))
    graph.add((URIRef(s.base_iri), RDF.type, FOAF.Document))
    for theme in themes:
        graph.add((dataset, DCAT.theme, theme))
    if issued is not None:
        graph.add((dataset, DCTERMS.issued, issued))
    if modified is not None:
        graph.add((dataset, DCTERMS.modified, modified))
    countries, first, last = covered
    for country in countries:
        place = _concept(graph, URIRef(country), COUNTRY_TABLE, DCTERMS.Location)
        graph.add((dataset, DCTERMS.spatial, place))
        graph.add((catalogue, DCTERMS.spatial, place))
    for keyword in KEYWORDS:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    if first or last:
        period = URIRef(f"{catalogue}#temporal")
        graph.add((dataset, DCTERMS.temporal, period))
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        if first:
            graph.add((period, DCAT.startDate, Literal(first, datatype=XSD.date)))
        if last:
            graph.add((period, DCAT.endDate, Literal(last, datatype=XSD.date)))

    _provenance(graph, s, dataset, manifest, modified)
    for name, facts in manifest.get("dumps", {}).items():
        _dump_distribution(graph, s, dataset, name, facts, licence, modified)
    _service(graph, s, dataset, service, publisher, contact, licence, themes)
    _feed_distribution(graph, s, dataset, licence)
    return graph


def _provenance(graph: Graph, s: Settings, dataset: URIRef, manifest: dict[str, Any], built: Literal | None) -> None:
    """The build that made the data (prov:wasGeneratedBy, a DCAT-AP 3 dataset property) and the
    eulod that ran it: its version and git commit as the build's manifest recorded them, so a
    reader can tell which conversion and which shapes the data went through."""
    version, commit = manifest.get("eulod_version"), manifest.get("eulod_commit")
    if not version:  # a build older than the manifest's software fields
        return
    activity = URIRef(f"{s.base_iri}catalogue#build")
    agent = URIRef(f"{s.base_iri}catalogue#software")
    described = f"eulod {version}" + (f" (git commit {commit})" if commit else "")
    graph.add((dataset, PROV.wasGeneratedBy, activity))
    graph.add((activity, RDF.type, PROV.Activity))
    graph.add((activity, RDFS.label, Literal(f"eulod build {manifest.get('generation', '')}".strip(), lang="en")))
    if built is not None:
        graph.add((activity, PROV.endedAtTime, built))
    graph.add((activity, PROV.wasAssociatedWith, agent))
    graph.add((agent, RDF.type, PROV.SoftwareAgent))
    graph.add((agent, FOAF.name, Literal("eulod")))
    graph.add((agent, RDFS.label, Literal(described)))
    graph.add((agent, OWL.versionInfo, Literal(version)))


def _feed_distribution(graph: Graph, s: Settings, dataset: URIRef, licence: URIRef) -> None:
    """The change feed (endpoint/feed.py): what each build created, updated and removed, as a
    Linked Data Event Stream a harvester follows instead of fetching every dump again."""
    node = URIRef(feed_distribution_iri(s.base_iri))
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal("Change feed (Linked Data Event Stream)", lang="en")))
    graph.add((node, DCTERMS.description, Literal(
        "The projects, organisations and catalogue entries each build created, updated or removed, as "
        "ActivityStreams activities in a Linked Data Event Stream (LDES 1.0, TREE pages); Create and Update "
        "carry the entity's description.", lang="en")))
    graph.add((node, DCATAP.availability, _stable(graph)))
    graph.add((node, DCAT.accessURL, URIRef(feed_iri(s.base_iri))))
    graph.add((node, DCAT.mediaType, _media_type(graph, "text/turtle")))
    graph.add((node, DCTERMS["format"], _concept(graph, URIRef(f"{AUTHORITY}file-type/RDF_TURTLE"), FILE_TYPE,
                                                  DCTERMS.MediaTypeOrExtent)))
    graph.add((node, DCTERMS.conformsTo, LDES_SPECIFICATION))
    graph.add((LDES_SPECIFICATION, RDF.type, DCTERMS.Standard))
    graph.add((node, DCTERMS.license, licence))


def _publisher(graph: Graph, s: Settings) -> URIRef:
    publisher = URIRef(s.publisher_iri or f"{s.base_iri}catalogue#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(s.publisher_name)))
    if s.publisher_email:
        graph.add((publisher, FOAF.mbox, URIRef(f"mailto:{s.publisher_email}")))
    return publisher


def _contact(graph: Graph, s: Settings) -> URIRef:
    contact = URIRef(f"{s.base_iri}catalogue#contact")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(s.publisher_name)))
    if s.publisher_email:
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{s.publisher_email}")))
    else:
        graph.add((contact, VCARD.hasURL, URIRef(s.base_iri)))
    return contact


def _dump_distribution(graph: Graph, s: Settings, dataset: URIRef, name: str, facts: dict,
                       licence: URIRef, modified: Literal | None) -> None:
    fmt = dump_format(name)
    if fmt is None:
        return
    url = URIRef(f"{s.base_iri}dumps/{name}")
    node = URIRef(dump_distribution_iri(s.base_iri, name))
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal(f"Dump of all data, {fmt.label}", lang="en")))
    graph.add((node, DCTERMS.description, Literal(
        f"Every triple of the current build (data, ontology and code lists) in one {fmt.label} file"
        + (f"; uncompressed at {url.removesuffix('.gz')}." if fmt.compress and url.endswith(".gz") else "."),
        lang="en")))
    graph.add((node, DCATAP.availability, _stable(graph)))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCAT.mediaType, _media_type(graph, fmt.media_type)))
    graph.add((node, DCTERMS["format"], _concept(graph, URIRef(f"{AUTHORITY}file-type/{fmt.file_type}"), FILE_TYPE,
                                                  DCTERMS.MediaTypeOrExtent)))
    if fmt.compress:
        graph.add((node, DCAT.compressFormat, _media_type(graph, fmt.compress)))
    graph.add((node, DCTERMS.license, licence))
    if "bytes" in facts:
        graph.add((node, DCAT.byteSize, Literal(facts["bytes"], datatype=XSD.nonNegativeInteger)))
    if modified is not None:
        graph.add((node, DCTERMS.modified, modified))


def _stable(graph: Graph) -> URIRef:
    """Planned availability 'stable': the dumps and the endpoint are kept at their URLs."""
    return _concept(graph, URIRef(f"{AVAILABILITY}/STABLE"), AVAILABILITY)


def _media_type(graph: Graph, media_type: str) -> URIRef:
    iri = URIRef(IANA + media_type)
    graph.add((iri, RDF.type, DCTERMS.MediaType))
    return iri


def _service(graph: Graph, s: Settings, dataset: URIRef, service: URIRef, publisher: URIRef, contact: URIRef,
             licence: URIRef, themes: Iterable[URIRef]) -> None:
    """The SPARQL endpoint as a dcat:DataService, and a distribution that reaches the data through it."""
    graph.add((service, RDF.type, DCAT.DataService))
    graph.add((service, DCTERMS.title, Literal(f"SPARQL endpoint of {s.dataset_title}", lang="en")))
    graph.add((service, DCAT.endpointURL, service))
    graph.add((service, DCAT.endpointDescription, service))  # the SPARQL Service Description
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.conformsTo, SPARQL_PROTOCOL))
    graph.add((SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((service, DCTERMS.license, licence))
    for theme in themes:
        graph.add((service, DCAT.theme, theme))
    for keyword in ("SPARQL", *KEYWORDS):
        graph.add((service, DCAT.keyword, Literal(keyword, lang="en")))
    node = URIRef(f"{s.base_iri}catalogue#sparql")
    graph.add((dataset, DCAT.distribution, node))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCTERMS.title, Literal("SPARQL endpoint", lang="en")))
    graph.add((node, DCTERMS.description, Literal(
        "The same data through the SPARQL 1.1 Protocol: SELECT, ASK, CONSTRUCT and DESCRIBE.", lang="en")))
    graph.add((node, DCATAP.availability, _stable(graph)))
    graph.add((node, DCAT.accessURL, service))
    graph.add((node, DCAT.accessService, service))
    graph.add((node, DCTERMS.license, licence))


def current_catalogue() -> Graph:
    handle = store_handle()
    return catalogue_graph(settings(), handle.manifest, coverage(listing_cache(current_app).get(handle)))


def _serve(override: str | None = None) -> Response:
    offered = list(media.GRAPHS) + [media.HTML]
    chosen = override or media.negotiate(request.accept_mimetypes, offered, request.args.get("format"))
    if chosen is None:
        abort(406)
    graph = current_catalogue()
    if chosen == media.HTML:
        body = render_template("catalogue.html", catalogue=describe_for_page(graph, settings()),
                               suffixes=[ext for ext in SUFFIXES if ext != "html"])
        response = Response(body, mimetype=media.HTML)
    else:
        response = Response(media.serialize_graph(graph, chosen), mimetype=chosen)
    response.headers["Link"] = ", ".join(f'</catalogue.{ext}>; rel="alternate"; type="{mt}"' for ext, mt in SUFFIXES.items())
    return caching(response, f"catalogue|{chosen}|{language() if chosen == media.HTML else ''}")


@blueprint.route("/catalogue")
@blueprint.route("/dataset")
def catalogue() -> Response:
    return _serve()


@blueprint.route("/catalogue.<ext>")
def catalogue_as(ext: str) -> Response:
    if ext not in SUFFIXES:
        abort(404)
    return _serve(SUFFIXES[ext])


def describe_for_page(graph: Graph, s: Settings) -> dict[str, Any]:
    """What the HTML view of the catalogue shows, read back from the graph it describes."""
    dataset = dataset_iri(s)
    distributions = []
    for node in sorted(graph.objects(dataset, DCAT.distribution)):
        distributions.append({
            "title": str(graph.value(node, DCTERMS.title)),
            "url": str(graph.value(node, DCAT.downloadURL) or graph.value(node, DCAT.accessURL)),
            "media_type": str(graph.value(node, DCAT.mediaType) or "").removeprefix(IANA),
            "bytes": graph.value(node, DCAT.byteSize),
        })
    temporal = graph.value(dataset, DCTERMS.temporal)
    return {
        "title": str(graph.value(dataset, DCTERMS.title)),
        "description": str(graph.value(dataset, DCTERMS.description)),
        "publisher": s.publisher_name,
        "licence": s.licence,
        "themes": sorted(str(t) for t in graph.objects(dataset, DCAT.theme)),
        "spatial": sorted(str(c).rsplit("/", 1)[-1] for c in graph.objects(dataset, DCTERMS.spatial)),
        "start": graph.value(temporal, DCAT.startDate) if temporal else None,
        "end": graph.value(temporal, DCAT.endDate) if temporal else None,
        "modified": graph.value(dataset, DCTERMS.modified),
        "distributions": distributions,
    }
