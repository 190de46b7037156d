"""The DCAT-AP 3 catalogue: what it states, how it is served, and its conformance to the
official DCAT-AP 3.0.1 SHACL shapes (copied in tests/data/dcat-ap/, see its README)."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, RDFS, SH, XSD

from eulod.core.countries import by_alpha2
from eulod.endpoint import service

DCAT_AP = Path(__file__).parent / "data" / "dcat-ap"
RECORDS = Path(__file__).resolve().parent.parent / "data" / "records"

# Each official shapes file on its own, as the split releases are meant to be used (README.md).
SHAPE_FILES = [
    "dcat-ap-SHACL.ttl",  # the complete 3.0.1 shapes, with class ranges
    "shapes.ttl",  # mandatory properties
    "shapes_recommended.ttl",  # recommended properties (warnings only)
    "range.ttl",  # class ranges
    "mdr-vocabularies.shape.ttl",  # EU authority tables for themes, formats, countries...
    "deprecateduris.ttl",  # properties deprecated since DCAT-AP 1.x
]


def catalogue(client, accept: str = "text/turtle") -> Graph:
    response = client.get("/catalogue", headers={"Accept": accept})
    assert response.status_code == 200, response.data[:500]
    fmt = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
           "application/n-triples": "nt"}[accept]
    return Graph().parse(data=response.data, format=fmt)


def shapes(name: str) -> Graph:
    """An official shapes file, minus sh:property links to shapes the file never defines.

    dcat-ap-SHACL.ttl 3.0.1 lists two property shapes of dcat:DataServiceShape that it does
    not define; pySHACL refuses such a graph, so the two dangling links are dropped here
    (the data files stay byte-for-byte as published).
    """
    graph = Graph().parse(DCAT_AP / name)
    for shape, prop in list(graph.subject_objects(SH.property)):
        if next(graph.predicate_objects(prop), None) is None:
            graph.remove((shape, SH.property, prop))
    return graph


@pytest.mark.parametrize("name", SHAPE_FILES)
def test_catalogue_conforms_to_dcat_ap_shapes(client, name):
    data = catalogue(client)
    _conforms, report, text = pyshacl.validate(data, shacl_graph=shapes(name), inference="none",
                                               allow_warnings=True, advanced=True)
    results = list(report.objects(None, SH.result))  # top-level results; nested details are not counted
    violations = [r for r in results if report.value(r, SH.resultSeverity) == SH.Violation]
    assert not violations, f"{len(violations)} DCAT-AP violations against {name}:\n{text}"


def test_shape_files_are_the_official_ones():
    for name in SHAPE_FILES:
        graph = Graph().parse(DCAT_AP / name)
        assert len(graph) > 40, name
    readme = (DCAT_AP / "README.md").read_text()
    assert "SEMICeu/DCAT-AP" in readme and "CC-BY 4.0" in readme


def test_catalogue_describes_every_dump_with_its_size(client, sample_build):
    graph = catalogue(client)
    base = "http://127.0.0.1:5000/"
    dataset = URIRef(base + "dataset")
    assert (URIRef(base + "catalogue"), DCAT.dataset, dataset) in graph
    downloads = {}
    for distribution in graph.objects(dataset, DCAT.distribution):
        url = graph.value(distribution, DCAT.downloadURL)
        if url is not None:
            downloads[str(url)] = graph.value(distribution, DCAT.byteSize)
            assert graph.value(distribution, DCAT.mediaType).startswith("http://www.iana.org/assignments/media-types/")
            assert graph.value(distribution, DCTERMS["format"]).startswith(
                "http://publications.europa.eu/resource/authority/file-type/")
    expected = {f"{base}dumps/{name}": facts["bytes"] for name, facts in sample_build.manifest["dumps"].items()}
    assert {url: int(size) for url, size in downloads.items()} == expected
    assert set(sample_build.manifest["dumps"]) == {"eulod.nt.gz", "eulod.ttl.gz", "eulod.jsonld.gz"}


def test_sparql_endpoint_is_a_data_service(client):
    graph = catalogue(client)
    service_node = URIRef("http://127.0.0.1:5000/sparql")
    assert (service_node, RDF.type, DCAT.DataService) in graph
    assert graph.value(service_node, DCAT.endpointURL) == service_node
    access = [d for d in graph.subjects(DCAT.accessService, service_node)]
    assert access and all((URIRef("http://127.0.0.1:5000/dataset"), DCAT.distribution, d) in graph for d in access)


def records() -> list[dict]:
    return [yaml.safe_load(path.read_text("utf-8")) for path in sorted(RECORDS.glob("*.yaml"))]


def test_spatial_and_temporal_coverage_come_from_the_data(client):
    graph = catalogue(client)
    dataset = URIRef("http://127.0.0.1:5000/dataset")
    countries = {by_alpha2(p["organisation"]["country"]).iri for r in records() for p in r["participants"]
                 if p["organisation"].get("country")}
    assert {str(c) for c in graph.objects(dataset, DCTERMS.spatial)} == countries
    starts = sorted(str(r["start_date"]) for r in records() if r.get("start_date"))
    ends = sorted(str(r["end_date"]) for r in records() if r.get("end_date"))
    period = graph.value(dataset, DCTERMS.temporal)
    start, end = graph.value(period, DCAT.startDate), graph.value(period, DCAT.endDate)
    assert start.datatype == XSD.date and str(start).startswith(starts[0])
    assert str(end).startswith(ends[-1][:7])


def test_configuration_flows_into_the_catalogue(sample_settings, sample_build):
    from dataclasses import replace

    from eulod.endpoint.app import create_app

    settings = replace(sample_settings, publisher_name="Comune di Esempio", publisher_email="open@example.org",
                       themes=("ECON", "NOPE"), licence="http://publications.europa.eu/resource/authority/licence/CC0",
                       catalogue_issued="2024-05-01")
    client = create_app(settings).test_client()
    graph = catalogue(client)
    dataset = URIRef("http://127.0.0.1:5000/dataset")
    publisher = graph.value(dataset, DCTERMS.publisher)
    assert str(graph.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == "Comune di Esempio"
    themes = {str(t) for t in graph.objects(dataset, DCAT.theme)}
    assert themes == {"http://publications.europa.eu/resource/authority/data-theme/ECON"}  # NOPE is left out
    assert graph.value(URIRef("http://127.0.0.1:5000/catalogue"), DCTERMS.license) == URIRef(settings.licence)
    assert graph.value(dataset, DCTERMS.issued) == Literal("2024-05-01", datatype=XSD.date)
    contact = graph.value(dataset, DCAT.contactPoint)
    assert str(graph.value(contact, URIRef("http://www.w3.org/2006/vcard/ns#hasEmail"))) == "mailto:open@example.org"


# rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7 itself deprecates.
RDFLIB_JSONLD = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")


@RDFLIB_JSONLD
@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples"])
def test_catalogue_formats_agree(client, accept):
    assert len(catalogue(client, accept)) == len(catalogue(client))


def test_catalogue_negotiation_suffixes_and_caching(client):
    html = client.get("/catalogue", headers={"Accept": "text/html"})
    assert html.status_code == 200 and html.mimetype == "text/html"
    assert b"/dumps/eulod.nt.gz" in html.data and b"/catalogue.ttl" in html.data
    assert "Accept" in html.headers["Vary"]
    turtle = client.get("/catalogue.ttl")
    assert turtle.mimetype == "text/turtle" and 'rel="alternate"' in turtle.headers["Link"]
    assert client.get("/catalogue.xyz").status_code == 404
    again = client.get("/catalogue.ttl", headers={"If-None-Match": turtle.headers["ETag"]})
    assert again.status_code == 304
    since = client.get("/catalogue.ttl", headers={"If-Modified-Since": turtle.headers["Last-Modified"]})
    assert since.status_code == 304
    assert client.get("/dataset", headers={"Accept": "text/turtle"}).data == turtle.data


def test_home_page_and_service_description_link_the_catalogue(client, sample_settings, sample_build):
    home = client.get("/", headers={"Accept": "text/html"}).data.decode()
    assert 'href="/catalogue"' in home
    graph = service.service_description(sample_settings, "http://127.0.0.1:5000/sparql", sample_build.manifest)
    catalogue_iri = URIRef("http://127.0.0.1:5000/catalogue")
    assert (URIRef("http://127.0.0.1:5000/dataset"), RDFS.seeAlso, catalogue_iri) in graph
    assert (catalogue_iri, RDF.type, DCAT.Catalog) in graph


def test_catalogue_names_the_eulod_version_and_commit_that_built_the_data(client, sample_build):
    """prov:wasGeneratedBy (a DCAT-AP 3 dataset property) -> the build -> the eulod that ran it,
    with the version and the git commit the build's manifest recorded (this clone's HEAD here)."""
    from rdflib.namespace import OWL, PROV

    from eulod.core.software import software

    graph = catalogue(client)
    activity = graph.value(URIRef("http://127.0.0.1:5000/dataset"), PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in graph
    agent = graph.value(activity, PROV.wasAssociatedWith)
    assert (agent, RDF.type, PROV.SoftwareAgent) in graph
    assert graph.value(agent, OWL.versionInfo) == Literal(software().version)
    assert sample_build.manifest["eulod_commit"] == software().commit
    label = str(graph.value(agent, RDFS.label))
    assert label == str(software()) and (software().commit in label)
