"""A data document whose resource many others point at comes in pages (setting ``document_links``).

Each page holds the resource's own triples and a page of the links pointing at it, with
``Link: <...?page=n>; rel="next"`` while more follow. Walking the pages must give every link the
store holds, once; the store is asked here by SPARQL for what that is.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pyoxigraph as ox
import pytest

from eulod.core.generation import current_generation

ORGANISATION = "http://127.0.0.1:5000/organisation/cesena-municipality"
CONCEPT = "https://w3id.org/eulod/code/role/partner"  # a code-list concept every partnership names


@pytest.fixture()
def paged_client(sample_settings, sample_build):
    from eulod.endpoint.app import create_app

    return create_app(replace(sample_settings, document_links=2)).test_client()


def inbound_in_store(settings, iri: str) -> set[tuple[str, str]]:
    store = ox.Store.read_only(str(current_generation(settings.build_dir).store_path))
    try:
        return {(row["in"].value, row["p"].value) for row in store.query(
            f"SELECT DISTINCT ?in ?p WHERE {{ ?in ?p <{iri}> }}", use_default_graph_as_union=True)}
    finally:
        del store


def walk(client, path: str) -> list[tuple[set, set]]:
    """Each page's (own triples, links pointing at the resource), following rel="next"."""
    pages, url = [], path
    while url:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        iri = ORGANISATION if "organisation" in path else CONCEPT
        triples = list(ox.parse(response.data, format=ox.RdfFormat.N_TRIPLES))
        inbound = {(q.subject.value, q.predicate.value) for q in triples if q.object.value == iri}
        own = {str(q) for q in triples if q.subject.value == iri}
        pages.append((own, inbound))
        found = re.search(r'<([^>]+)>; rel="next"', response.headers.get("Link", ""))
        url = found.group(1) if found else None
        assert len(pages) < 50
    return pages


@pytest.mark.parametrize("path, iri", [("/organisation/cesena-municipality.nt", ORGANISATION),
                                       ("/code/role/partner.nt", CONCEPT)])
def test_the_pages_of_a_document_hold_every_link_once(paged_client, sample_settings, path, iri):
    expected = inbound_in_store(sample_settings, iri)
    assert len(expected) > 2, "the sample must point at it more often than one page holds"
    pages = walk(paged_client, path)
    assert len(pages) == -(-len(expected) // 2)
    seen: list = [link for _own, inbound in pages for link in inbound]
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert all(own == pages[0][0] and own for own, _inbound in pages), "every page holds the resource's own triples"


def test_past_the_last_page_and_pages_that_are_no_numbers(paged_client, sample_settings):
    count = len(inbound_in_store(sample_settings, ORGANISATION))
    last = -(-count // 2)
    assert paged_client.get(f"/organisation/cesena-municipality.ttl?page={last}").status_code == 200
    assert 'rel="prev"' in paged_client.get(f"/organisation/cesena-municipality.ttl?page={last}").headers["Link"]
    assert paged_client.get(f"/organisation/cesena-municipality.ttl?page={last + 1}").status_code == 404
    for bad in ("0", "-1", "x", "1.5", "²"):
        assert paged_client.get(f"/organisation/cesena-municipality.ttl?page={bad}").status_code == 400


def test_a_document_within_one_page_has_no_page_links(client):
    response = client.get("/organisation/cesena-municipality.ttl")
    assert response.status_code == 200 and 'rel="next"' not in response.headers["Link"]
