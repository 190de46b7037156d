"""Former organisation IRIs answer with a 301 to the current one (issue 15).

CORDIS organisations were published as organisation/{slug of the name} until they were identified
by their PIC (organisation/pic-{PIC}). The CORDIS import keeps the former slug as an alias of the
organisation; the data state ``<old> dcterms:isReplacedBy <new>``; and the endpoint answers the
old IRI with a 301 to the new one, keeping a format suffix and the query, with the headers every
answer from the data carries. Built from tests/data/import/cordis, as a user does.
"""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import EULOD, ROOT
from eulod.converters.organisations import organisation_id

SAMPLE = ROOT / "tests" / "data" / "import" / "cordis"
PROJECTS, ORGANISATIONS = SAMPLE / "project.csv", SAMPLE / "organization.csv"
BASE = "http://data.example.org/"
REPLACED = "http://purl.org/dc/terms/isReplacedBy"
CODES = {"REC": "research-organisation", "HES": "university", "PRC": "company", "PUB": "public-body"}


def nottingham() -> dict[str, str]:
    with open(ORGANISATIONS, newline="", encoding="utf-8") as handle:
        return next(r for r in csv.DictReader(handle, delimiter=";") if r["name"] == "UNIVERSITY OF NOTTINGHAM")


def former_slug(row: dict[str, str]) -> str:
    """The id the importer gave this organisation before PICs: the slug of its name."""
    return organisation_id(row["name"], kind=CODES.get(row["activityType"]), city=row["city"] or None)


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aliases")
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(EULOD), *args], cwd=folder, env=environment, capture_output=True, text=True, timeout=300)

    run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", "cordis.jsonl")  # exit 1: the sample's bad rows
    result = run("build", "cordis.jsonl", "--build-dir", "build", "--base-iri", BASE, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "build"


@pytest.fixture(scope="module")
def client(build_dir: Path):
    from eulod.core.config import load_settings
    from eulod.endpoint.app import create_app

    return create_app(load_settings(environ={}, build_dir=build_dir, base_iri=BASE)).test_client()


@pytest.mark.slow
def test_the_former_iri_is_published_as_replaced_by_the_pic_iri(build_dir):
    row = nottingham()
    store = ox.Store.read_only(str((build_dir / "current" / "store").resolve()))
    old = ox.NamedNode(f"{BASE}organisation/{former_slug(row)}")
    found = [q.object.value for q in store.quads_for_pattern(old, None, None)]
    assert found == [f"{BASE}organisation/pic-{row['organisationID']}"]
    assert [q.predicate.value for q in store.quads_for_pattern(old, None, None)] == [REPLACED]


@pytest.mark.slow
@pytest.mark.parametrize(("suffix", "query", "accept"), [("", "", "text/html"), (".ttl", "", "*/*"), ("", "?lang=it", "text/html"),
                                                         ("", "", "text/turtle")])
def test_the_former_iri_answers_301_to_the_pic_iri(client, suffix, query, accept):
    row = nottingham()
    response = client.get(f"/organisation/{former_slug(row)}{suffix}{query}", headers={"Accept": accept})
    assert response.status_code == 301
    assert response.headers["Location"] == f"/organisation/pic-{row['organisationID']}{suffix}{query}"
    assert response.headers["ETag"] and response.headers["Last-Modified"] and "Accept" in response.headers["Vary"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    followed = client.get(response.headers["Location"], headers={"Accept": accept})
    assert followed.status_code == 200


@pytest.mark.slow
def test_current_and_unknown_iris_are_not_redirected(client):
    row = nottingham()
    assert client.get(f"/organisation/pic-{row['organisationID']}", headers={"Accept": "text/html"}).status_code == 200
    assert client.get("/organisation/pic-1", headers={"Accept": "text/html"}).status_code == 404
    # a municipality keeps its id, so it has no alias
    assert client.get("/organisation/porto-municipality", headers={"Accept": "text/html"}).status_code == 200


def triple(s: str, p: str, o: str) -> ox.Triple:
    return ox.Triple(ox.NamedNode(s), ox.NamedNode(p), ox.NamedNode(o))


def test_only_an_iri_that_is_nothing_but_a_former_name_of_one_resource_is_redirected():
    from eulod.endpoint.resources import replaced_by

    old, new, other = BASE + "organisation/acme", BASE + "organisation/pic-1", BASE + "organisation/pic-2"
    assert replaced_by(old, [triple(old, REPLACED, new)]) == new
    # two organisations of one name had the same slug: which one is meant is not known
    assert replaced_by(old, [triple(old, REPLACED, new), triple(old, REPLACED, other)]) is None
    # the IRI is also a resource of the current data (another record's organisation): served as it is
    typed = triple(old, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", "https://w3id.org/eulod/ontology#Organisation")
    assert replaced_by(old, [triple(old, REPLACED, new), typed]) is None
    # triples that only point at the IRI do not make it a former name
    assert replaced_by(new, [triple(old, REPLACED, new)]) is None
