"""A harvester's visit: fetch the catalogue from a real server, follow every distribution,
parse what it gets with rdflib, and check that every copy of the data holds the same triples
as the SPARQL endpoint.

The sample build names its IRIs and URLs under the default base, http://127.0.0.1:5000/,
while the test server listens on a free port; the endpoint resolves request paths against
its base, so the harvester follows each URL's path on the test server.
"""

from __future__ import annotations

import gzip
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

FORMATS = {"application/n-triples": "nt", "text/turtle": "turtle", "application/ld+json": "json-ld"}
IANA = "http://www.iana.org/assignments/media-types/"
LDES = "https://w3id.org/ldes#"
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")

pytestmark = [pytest.mark.server]


class Harvester:
    def __init__(self, server_url: str, base: str) -> None:
        self.server = server_url + "/"
        self.base = base

    def fetch(self, url: str, accept: str = "*/*", headers: dict[str, str] | None = None):
        assert url.startswith(self.base), f"{url} is not under the base IRI {self.base}"
        local = self.server + url[len(self.base):]
        request = urllib.request.Request(local, headers={"Accept": accept, **(headers or {})})
        return urllib.request.urlopen(request, timeout=30)


def endpoint_count(harvester: Harvester, endpoint: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    with harvester.fetch(url, "application/sparql-results+json") as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
def test_harvester_follows_every_distribution(live_server, sample_settings):
    base = sample_settings.base_iri
    harvester = Harvester(live_server.url, base)
    fetch = harvester.fetch
    home = fetch(base, "text/html").read().decode()
    assert 'href="/catalogue"' in home  # a crawler finds the catalogue from the home page
    with fetch(base + "catalogue", "text/turtle") as response:
        catalogue = Graph().parse(data=response.read(), format="turtle")
    dataset = URIRef(base + "dataset")
    assert (URIRef(base + "catalogue"), DCAT.dataset, dataset) in catalogue

    counts: dict[str, int] = {}
    services, feeds = [], []
    for distribution in catalogue.objects(dataset, DCAT.distribution):
        download = catalogue.value(distribution, DCAT.downloadURL)
        if (distribution, DCTERMS.conformsTo, LDES_SPECIFICATION) in catalogue:  # the change feed
            feeds.append(str(catalogue.value(distribution, DCAT.accessURL)))
            continue
        if download is None:
            services.append(catalogue.value(distribution, DCAT.accessService))
            continue
        with fetch(str(download)) as response:
            payload = response.read()
            assert response.headers["ETag"] and response.headers["Last-Modified"], download
            etag = response.headers["ETag"]
        assert len(payload) == int(catalogue.value(distribution, DCAT.byteSize)), f"{download}: dcat:byteSize"
        if catalogue.value(distribution, DCAT.compressFormat) == URIRef(IANA + "application/gzip"):
            payload = gzip.decompress(payload)
        media_type = str(catalogue.value(distribution, DCAT.mediaType)).removeprefix(IANA)
        graph = Graph().parse(data=payload, format=FORMATS[media_type])
        counts[str(download)] = len(graph)
        try:
            fetch(str(download), headers={"If-None-Match": etag})
            raise AssertionError(f"{download}: a conditional request with its ETag should get 304")
        except urllib.error.HTTPError as error:
            assert error.code == 304

    assert {url.rsplit("/", 1)[-1] for url in counts} == {"eulod.nt.gz", "eulod.ttl.gz", "eulod.jsonld.gz"}
    assert len(set(counts.values())) == 1, f"the dumps disagree: {counts}"

    assert feeds == [base + "feed"], "the catalogue names the change feed"
    with fetch(feeds[0], "text/turtle") as response:
        stream = Graph().parse(data=response.read(), format="turtle")
    assert (URIRef(feeds[0]), RDF.type, URIRef(LDES + "EventStream")) in stream

    assert services, "no distribution reaches the data through the SPARQL endpoint"
    for service in services:
        endpoint = str(catalogue.value(service, DCAT.endpointURL))
        assert endpoint == base + "sparql"
        assert endpoint_count(harvester, endpoint) == next(iter(counts.values()))
