"""The reconciliation service (endpoint/reconcile.py) as OpenRefine uses it, on a real server.

Every answer is validated against the JSON Schemas of the Reconciliation Service API v0.2
(copied into tests/data/reconciliation, README there), and a batch of names written as
people write them must find the sample data's organisations, matched automatically only
where the name points to one organisation.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SCHEMAS = Path(__file__).parent / "data" / "reconciliation"
ORGANISATION = "https://w3id.org/eulod/ontology#Organisation"
PROJECT = "https://w3id.org/eulod/ontology#Project"

# (name as written, properties, organisation id expected first or None for any, match expected)
BATCH = [
    ("Comune di Cesena", {}, "cesena-municipality", True),
    ("Cesena municipality", {}, "cesena-municipality", True),
    ("CITY OF CESENA", {}, "cesena-municipality", True),
    ("Municipiul Cluj-Napoca", {}, "cluj-napoca-municipality", True),
    ("Primăria Cluj-Napoca", {"country": "RO"}, "cluj-napoca-municipality", True),
    ("Gemeente Amsterdam", {}, "amsterdam-municipality", True),
    ("Landeshauptstadt Düsseldorf", {"country": "Deutschland"}, "dusseldorf-municipality", True),
    ("Mairie de Toulouse", {"city": "Toulouse"}, "toulouse-municipality", True),
    ("Città di Torino", {"country": "ITA"}, "torino-municipality", True),
    ("Ayuntamiento de Madrid", {"country": "España"}, "madrid-municipality", True),
    ("Δήμος Θεσσαλονίκης", {}, "thessaloniki-municipality", True),
    ("Malmo stad", {"country": "Sverige"}, "malmo-municipality", True),
    ("Bristol City Council", {}, "bristol-municipality", True),
    ("Mestna občina Celje", {"country": "SI"}, "celje-municipality", True),
    ("Grand Paris", {}, "metropole-du-grand-paris", True),
    ("City of Brno", {"city": "Brno", "country": "CZ"}, "brno-municipality", True),
    # the right one first, but not for sure: the sheet says another country
    ("Comune di Cesena", {"country": "Spain"}, "cesena-municipality", False),
    # a kind of body and a country, no name: several organisations are as likely
    ("Municipality", {"country": "DE"}, None, False),
    ("Città", {"country": "Italia"}, None, False),
    ("Stadt", {}, None, False),
]


def registry() -> Registry:
    resources = []
    for path in SCHEMAS.glob("*.json"):
        contents = json.loads(path.read_text("utf-8"))
        resources.append((contents["$id"], Resource.from_contents(contents, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


def validate(instance: object, schema_file: str) -> None:
    schema = json.loads((SCHEMAS / schema_file).read_text("utf-8"))
    errors = sorted(Draft7Validator(schema, registry=registry()).iter_errors(instance), key=str)
    assert not errors, f"{schema_file}: " + "; ".join(e.message for e in errors[:5])


def fetch(url: str, data: bytes | None = None) -> tuple[int, Any, bytes]:
    request = urllib.request.Request(url, data=data, headers={"Origin": "http://127.0.0.1:3333"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def as_query(name: str, properties: dict[str, str]) -> dict:
    query: dict = {"query": name, "type": ORGANISATION, "limit": 5}
    if properties:
        query["properties"] = [{"pid": pid, "v": value} for pid, value in properties.items()]
    return query


def test_manifest_is_valid_and_cors(live_server) -> None:
    status, headers, body = fetch(live_server.url + "/reconcile")
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers.get("ETag")
    manifest = json.loads(body)
    validate(manifest, "manifest.json")
    assert "0.2" in manifest["versions"]
    assert {t["id"] for t in manifest["defaultTypes"]} == {ORGANISATION, PROJECT}


def test_manifest_names_the_base_iri_whatever_the_host(live_server, sample_settings) -> None:
    """The manifest's URLs (view, preview, suggest) come from the configured base IRI: a client's Host
    header must not reach an answer a shared cache keeps for everyone (found by the blind attack set)."""
    request = urllib.request.Request(live_server.url + "/reconcile", headers={"Host": "evil.example"})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    assert b"evil.example" not in body
    assert json.loads(body)["view"]["url"].startswith(sample_settings.base_iri)


def test_batch_of_names_as_people_write_them(live_server, sample_settings) -> None:
    batch = {f"q{n}": as_query(name, properties) for n, (name, properties, _, _) in enumerate(BATCH)}
    status, headers, body = fetch(live_server.url + "/reconcile",
                                  urllib.parse.urlencode({"queries": json.dumps(batch)}).encode())
    assert status == 200, body
    assert headers["Access-Control-Allow-Origin"] == "*"
    answer = json.loads(body)
    validate(answer, "reconciliation-result-batch.json")
    wrong = []
    for n, (name, properties, expected, match) in enumerate(BATCH):
        result = answer[f"q{n}"]["result"]
        first = result[0] if result else None
        if expected is not None and (first is None or first["id"] != f"{sample_settings.base_iri}organisation/{expected}"):
            wrong.append(f"{name!r} {properties}: first {first and first['id']}, expected {expected}")
        if first is not None and first["match"] != match:
            wrong.append(f"{name!r} {properties}: match {first['match']} (score {first['score']}, "
                         f"second {result[1]['score'] if len(result) > 1 else None}), expected {match}")
        assert all(not c["match"] for c in result[1:]), f"{name!r}: only the first candidate may match"
        assert [c["score"] for c in result] == sorted((c["score"] for c in result), reverse=True)
    assert not wrong, "\n".join(wrong)


def test_batch_by_get_and_projects_and_identifiers(live_server, sample_settings) -> None:
    batch = {"a": {"query": "CO4CITIES", "type": PROJECT},
             "b": {"query": f"{sample_settings.base_iri}organisation/cesie"},
             "c": {"query": "zzzz qqqq"}}
    status, _, body = fetch(live_server.url + "/reconcile?" + urllib.parse.urlencode({"queries": json.dumps(batch)}))
    assert status == 200
    answer = json.loads(body)
    validate(answer, "reconciliation-result-batch.json")
    assert answer["a"]["result"][0]["id"] == f"{sample_settings.base_iri}project/co4cities"
    assert answer["a"]["result"][0]["match"] is True
    assert answer["b"]["result"][0]["id"] == f"{sample_settings.base_iri}organisation/cesie"
    assert answer["c"]["result"] == []


@pytest.mark.parametrize("queries", ["not json", "[]", '{"q": "text"}', '{"q": {"limit": 3}}'])
def test_malformed_batches_are_400(live_server, queries: str) -> None:
    status, _, body = fetch(live_server.url + "/reconcile", urllib.parse.urlencode({"queries": queries}).encode())
    assert status == 400
    assert "error" in json.loads(body)


def test_suggest_services(live_server, sample_settings) -> None:
    status, headers, body = fetch(live_server.url + "/reconcile/suggest/entity?prefix=Cese")
    assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
    entities = json.loads(body)
    validate(entities, "suggest-entities-response.json")
    assert f"{sample_settings.base_iri}organisation/cesena-municipality" in [e["id"] for e in entities["result"]]
    _, _, body = fetch(live_server.url + "/reconcile/suggest/property?prefix=cou")
    properties = json.loads(body)
    validate(properties, "suggest-properties-response.json")
    assert [p["id"] for p in properties["result"]] == ["country"]
    _, _, body = fetch(live_server.url + "/reconcile/suggest/type?prefix=org")
    types = json.loads(body)
    validate(types, "suggest-types-response.json")
    assert [t["id"] for t in types["result"]] == [ORGANISATION]


def test_preview_can_be_framed_and_view_redirects(live_server, sample_settings) -> None:
    iri = f"{sample_settings.base_iri}organisation/cluj-napoca-municipality"
    status, headers, body = fetch(live_server.url + "/reconcile/preview?" + urllib.parse.urlencode({"id": iri}))
    assert status == 200
    assert "Cluj-Napoca" in body.decode("utf-8") and "Romania" in body.decode("utf-8")
    assert "frame-ancestors *" in headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in headers
    assert "<script" not in body.decode("utf-8")
    status, _, _ = fetch(live_server.url + "/reconcile/preview?id=http%3A%2F%2Felsewhere.example%2Fx")
    assert status == 404
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as redirected:
        opener.open(live_server.url + "/reconcile/view?" + urllib.parse.urlencode({"id": iri}), timeout=30)
    with redirected.value as answer:
        assert answer.code == 303 and answer.headers["Location"] == iri


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003 -- urllib's signature
        return None
