"""The change feed (issue 18, part 3): what a build changed against the one before it, as a
Linked Data Event Stream, and dcterms:modified kept for what did not change.

The end-to-end test builds twice with ``eulod build`` (one record changed, one new, one
removed), serves the second build with ``eulod serve`` and follows the feed over HTTP from its
first page as a harvester would, replaying the members; what it ends with must be the second
build's projects and organisations, triple for triple.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import EULOD, RECORDS, start_server
from rdflib import Graph
from rdflib.compare import isomorphic

from eulod.core.config import load_settings
from eulod.core.feed import AS, CHANGES, TREE, Owners, read_pages
from eulod.core.generation import current_generation
from eulod.pipeline.build import build
from eulod.pipeline.changes import compare
from eulod.pipeline.entity_hashes import scan_entities

BASE = "http://127.0.0.1:5000/"
FIRST = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECOND = datetime(2026, 2, 1, tzinfo=timezone.utc)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
MODIFIED = "http://purl.org/dc/terms/modified"
CHANGED, ADDED, REMOVED = "co4cities", "cities-at-heart-again", "conet"


def project(name: str) -> str:
    return f"{BASE}project/{name}"


# --- the diff, on its own -----------------------------------------------------------------

def hashes(text: str) -> tuple[dict[str, str], dict[str, str]]:
    lines = [line.encode() for line in text.strip().splitlines() if line.strip()]
    scan = scan_entities(lines, Owners(BASE), frozenset({MODIFIED}))
    return scan.hashes(), scan.kinds


ONE = f"""
<{BASE}project/a> <{BASE}v#title> "A" .
<{BASE}project/a/participation/x> <{BASE}v#organisation> <{BASE}organisation/x> .
<{BASE}project/a/participation/x#amount> <{BASE}v#value> "10" .
<{BASE}project/b> <{BASE}v#title> "B" .
<{BASE}project/c> <{BASE}v#title> "C" .
<{BASE}organisation/x> <{BASE}v#name> "X" .
<{BASE}record/a> <{BASE}v#note> "not an entity" .
"""


def test_the_diff_flags_exactly_the_changed_new_and_removed_entities():
    before, kinds = hashes(ONE)
    assert set(before) == {project("a"), project("b"), project("c"), f"{BASE}organisation/x"}
    previous = {iri: (kinds[iri], digest, "2026-01-01T00:00:00Z") for iri, digest in before.items()}
    # b changes, c goes, d comes; a's amount is a part of a: changing it changes a
    after_text = (ONE.replace('"B"', '"B, renamed"').replace(f'<{BASE}project/c> <{BASE}v#title> "C" .', "")
                  + f'<{BASE}project/d> <{BASE}v#title> "D" .\n')
    after, kinds = hashes(after_text)
    diff = compare(after, kinds, previous, "2026-02-01T00:00:00Z")
    assert diff.actions == {project("b"): "update", project("c"): "delete", project("d"): "create"}
    assert diff.current[project("a")][2] == "2026-01-01T00:00:00Z"  # unchanged: modified kept
    assert diff.current[project("b")][2] == "2026-02-01T00:00:00Z"
    assert diff.current[project("d")][2] == "2026-02-01T00:00:00Z"
    deeper, kinds = hashes(ONE.replace('"10"', '"11"'))
    assert compare(deeper, kinds, previous, "t").actions == {project("a"): "update"}


def test_hashes_ignore_order_blank_node_labels_and_build_stamps():
    blank = (f'<{BASE}project/a> <{BASE}v#place> _:p1 .\n_:p1 <{BASE}v#name> "Cesena" .\n'
             f'_:p1 <{BASE}v#in> _:p2 .\n_:p2 <{BASE}v#name> "Italy" .\n')
    base_hashes, _ = hashes(ONE + blank)
    relabelled = blank.replace("_:p1", "_:zz9").replace("_:p2", "_:q")
    shuffled = "\n".join(reversed((ONE + relabelled).strip().splitlines())) + "\n"
    stamped = shuffled + f'<{BASE}project/a> <{MODIFIED}> "2030-01-01T00:00:00Z" .\n'
    assert hashes(stamped)[0] == base_hashes
    nested_change, _ = hashes(ONE + blank.replace('"Italy"', '"Italia"'))
    assert nested_change[project("a")] != base_hashes[project("a")]
    assert nested_change[project("b")] == base_hashes[project("b")]


# --- two real builds ------------------------------------------------------------------------

def change_records(folder: Path) -> None:
    """One record changed (its title), one new (a copy of another under a new id), one removed."""
    changed = folder / "002-co4cities.yaml"
    changed.write_text(changed.read_text("utf-8").replace("Collaborative Tools for Cities", "Collaborative Tools for Towns"),
                       "utf-8")
    text = (folder / "000-cities-at-heart.yaml").read_text("utf-8")
    text = re.sub(r"^id: cities-at-heart$", f"id: {ADDED}", text, count=1, flags=re.M)
    (folder / "005-again.yaml").write_text(text, "utf-8")
    (folder / "004-conet.yaml").unlink()


def modified_dates(build_dir: Path) -> dict[str, str]:
    generation = current_generation(build_dir)
    store = ox.Store.read_only(str(generation.store_path))
    rows = store.query(f"SELECT ?p ?m WHERE {{ ?p a <https://w3id.org/eulod/ontology#Project> ; <{MODIFIED}> ?m }}",
                       use_default_graph_as_union=True)
    found = {row["p"].value: row["m"].value for row in rows}
    del store
    return found


def test_modified_is_kept_for_unchanged_projects_and_set_for_changed_ones(tmp_path, monkeypatch):
    records = tmp_path / "records"
    shutil.copytree(RECORDS, records)
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(records,), personal_data="publish")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FIRST.timestamp())))
    assert build(settings).loaded
    first = modified_dates(settings.build_dir)
    assert set(first.values()) == {"2026-01-01T00:00:00Z"} and len(first) == 5
    change_records(records)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(SECOND.timestamp())))
    assert build(settings).loaded
    second = modified_dates(settings.build_dir)
    assert second == {**{iri: stamp for iri, stamp in first.items() if iri != project(REMOVED)},
                      project(CHANGED): "2026-02-01T00:00:00Z", project(ADDED): "2026-02-01T00:00:00Z"}
    dump = gzip.decompress((current_generation(settings.build_dir).dumps_path / "eulod.nt.gz").read_bytes()).decode()
    assert f'<{project(CHANGED)}> <{MODIFIED}> "2026-02-01T00:00:00Z"' in dump
    assert (current_generation(settings.build_dir).path / CHANGES).is_file()
    pages = read_pages(current_generation(settings.build_dir))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp())))
    assert build(settings).loaded  # the same records again: nothing changed, nothing to announce
    assert modified_dates(settings.build_dir) == second
    assert read_pages(current_generation(settings.build_dir)) == pages


# --- following the feed over HTTP -----------------------------------------------------------

def eulod_build(records: Path, build_dir: Path, when: datetime) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(when.timestamp()))}
    result = subprocess.run([str(EULOD), "build", str(records), "--build-dir", str(build_dir), "--base-iri", BASE,
                             "--personal-data", "publish", "-q"], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def feed_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feed")
    records = folder / "records"
    shutil.copytree(RECORDS, records)
    eulod_build(records, folder / "build", FIRST)
    change_records(records)
    eulod_build(records, folder / "build", SECOND)
    server = start_server(folder / "build", folder / "serve.log", {"EULOD_BASE_IRI": BASE})
    yield server, folder / "build"
    server.stop()


def fetch(url: str, accept: str = "text/turtle") -> tuple[list[ox.Triple], dict[str, str]]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=30) as response:
        body, headers = response.read(), {k.lower(): v for k, v in response.headers.items()}
    fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/ld+json": ox.RdfFormat.JSON_LD,
           "application/n-triples": ox.RdfFormat.N_TRIPLES}[accept]
    return [q.triple for q in ox.parse(body, fmt, base_iri=url)], headers


def local(iri: str, server_url: str) -> str:
    """The server's URL for a data IRI (the base IRI names the deployment, the test server runs elsewhere)."""
    return server_url + "/" + iri.removeprefix(BASE)


def owned_by(subject: str, entity: str) -> bool:
    return subject == entity or subject.startswith((entity + "/", entity + "#"))


def follow(server_url: str) -> tuple[dict[str, set[ox.Triple]], list[tuple[str, str]], list[dict[str, str]]]:
    """A harvester: from /feed, every page in order; Create/Update replace an entity's description
    with the one the page carries, Delete removes it. Returns the entities, the members, the headers."""
    stream, _ = fetch(server_url + "/feed")
    views = [t.object.value for t in stream if t.predicate.value == TREE + "view"]
    assert len(views) == 1
    entities: dict[str, set[ox.Triple]] = {}
    members, headers, url = [], [], views[0]
    accepts = ["text/turtle", "application/ld+json", "application/n-triples"]
    while url:
        triples, header = fetch(local(url, server_url), accepts[len(headers) % len(accepts)])
        headers.append(header)
        activities = {t.subject.value: t.object.value for t in triples
                      if t.predicate.value == RDF_TYPE and t.object.value.startswith(AS)}
        for activity, kind in sorted(activities.items()):
            entity = next(t.object.value for t in triples if t.subject.value == activity and t.predicate.value == AS + "object")
            members.append((kind.removeprefix(AS), entity))
            if kind == AS + "Delete":
                entities.pop(entity, None)
            else:
                entities[entity] = {t for t in triples if isinstance(t.subject, ox.NamedNode)
                                    and owned_by(t.subject.value, entity)}
        relations = [t.object.value for t in triples if t.predicate.value == TREE + "relation"]
        url = next((t.object.value for t in triples if relations and t.subject.value == relations[0]
                    and t.predicate.value == TREE + "node"), None)
    return entities, members, headers


def rdflib_graph(triples) -> Graph:
    return Graph().parse(data="".join(f"{t} .\n" for t in triples), format="nt")


def test_a_client_following_the_feed_rebuilds_the_second_build(feed_server):
    server, build_dir = feed_server
    entities, members, headers = follow(server.url)
    kept = {e: d for e, d in entities.items() if e.startswith((f"{BASE}project/", f"{BASE}organisation/"))}

    generation = current_generation(build_dir)
    store = ox.Store.read_only(str(generation.store_path))
    owners = Owners(BASE)
    expected = {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(f"{BASE}graph/projects"))
                if isinstance(q.subject, ox.NamedNode) and owners.owner(q.subject.value)}
    projects = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode(RDF_TYPE), ox.NamedNode("https://w3id.org/eulod/ontology#Project"), None)}
    del store
    rebuilt = set().union(*kept.values())
    assert rebuilt == expected
    assert isomorphic(rdflib_graph(rebuilt), rdflib_graph(expected))
    assert {e for e in kept if e.startswith(f"{BASE}project/")} == projects

    pages = read_pages(generation)
    assert len(pages) == len(headers) >= 2
    second_build = [m for m in members[-sum(p.members for p in pages if p.published.startswith("2026-02")):]
                    if m[1].startswith(f"{BASE}project/")]
    assert sorted(second_build) == sorted([("Update", project(CHANGED)), ("Create", project(ADDED)),
                                           ("Delete", project(REMOVED))])
    for header in headers[:-1]:
        assert header["cache-control"] == "public, max-age=31536000, immutable"
    assert "immutable" not in headers[-1]["cache-control"]
    for header in headers:
        assert header["vary"] == "Accept" and header["access-control-allow-origin"] == "*" and header["etag"]


def test_pages_answer_conditional_requests_and_every_format(feed_server):
    server, build_dir = feed_server
    pages = read_pages(current_generation(build_dir))
    url = f"{server.url}/feed/{pages[0].name}"
    counts = set()
    for accept in ("text/turtle", "application/ld+json", "application/n-triples"):
        triples, headers = fetch(url, accept)
        assert headers["content-type"].startswith(accept)
        counts.add(len(triples))
        request = urllib.request.Request(url, headers={"Accept": accept, "If-None-Match": headers["etag"]})
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)
        answer.value.close()
        assert answer.value.code == 304
    assert len(counts) == 1
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(f"{server.url}/feed/no-such-page", timeout=30)
    answer.value.close()
    assert answer.value.code == 404


def test_the_catalogue_points_to_the_feed(feed_server):
    server, _ = feed_server
    triples, _ = fetch(server.url + "/catalogue")
    access = {t.object.value for t in triples if t.predicate.value == "http://www.w3.org/ns/dcat#accessURL"}
    assert f"{BASE}feed" in access
