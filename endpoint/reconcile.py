"""``/reconcile``: the W3C Reconciliation Service API v0.2 for organisations and projects.

A researcher's sheet of partner names is matched to eulod IRIs in OpenRefine (or any
client of the protocol, https://reconciliation-api.github.io/specs/0.2/):

- ``GET /reconcile``: the service manifest;
- ``GET /reconcile?queries=...`` or ``POST /reconcile`` (form field ``queries``): a batch of
  reconciliation queries, answered with a batch of candidates, best first;
- ``/reconcile/suggest/entity|property|type?prefix=...``: auto-completion;
- ``/reconcile/preview?id=IRI``: a small HTML summary made to be framed; ``/reconcile/view?id=IRI``
  sends the browser to the entity's own page.

Entities are identified by their IRIs. Candidates come from the search index
(eulod.core.search: the name's words, accents and case aside), and are then scored by how
alike their names are (names.py: every label in every language, generic words such as
"Comune di" or "Stadt" left out), adjusted by the ``country`` (ISO code or a name in any
EU language) and ``city`` properties when given. A name equal to an identifier (PIC, VAT
number, grant agreement number), an owl:sameAs IRI or an eulod IRI finds that entity.

The score is 0-100. ``match`` is true only for the best candidate, and only when its score
is at least :data:`MATCH_SCORE` and at least :data:`MATCH_LEAD` ahead of the second: so
OpenRefine matches automatically the names that point to one organisation, and leaves the
ambiguous ones for a person to choose.
"""

from __future__ import annotations

import html
import json
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, request

from eulod.core.countries import EU_LANGUAGES, by_iri, countries

from .caching import caching
from .context import settings, store_handle
from .i18n import in_language
from .links import safe_href
from .names import core, fold, similarity
from .search_api import json_response
from .search_index import Entity, SearchIndex, search_cache

blueprint = Blueprint("reconcile", __name__)

ONTOLOGY = "https://w3id.org/eulod/ontology#"
TYPES = {ONTOLOGY + "Organisation": ("organisation", "Organisation"), ONTOLOGY + "Project": ("project", "Project")}
KIND_TYPE = {kind: (iri, name) for iri, (kind, name) in TYPES.items()}
PROPERTIES = {
    "country": ("Country", "ISO 3166 code (IT, ITA) or the country's name in any EU language"),
    "city": ("City", "the city the organisation is in, in any language"),
}
MATCH_SCORE = 85.0  # a candidate scoring less is never matched automatically
MATCH_LEAD = 8.0  # ... nor one whose lead over the second candidate is smaller
MAX_QUERIES = 100  # queries in one batch
DEFAULT_LIMIT, MAX_LIMIT = 5, 25
RETRIEVED = 40  # candidates taken from the search index per query, before scoring
COUNTRY_MISMATCH = 0.6  # factor of a candidate in another country than the one asked for
COUNTRY_UNKNOWN = 0.95  # ... of one whose country is not stated
CITY_MISMATCH = 0.85  # ... of one in another city than the one asked for


class BadBatch(ValueError):
    """A batch that is not what the protocol describes; the message says what is wrong."""


def index() -> SearchIndex:
    return search_cache(current_app).get(store_handle())


def root() -> str:
    """The service's own address: the configured base IRI, never the request's Host header (which a
    client chooses, and a shared cache would keep for everyone)."""
    return settings().base_iri


def manifest() -> dict[str, Any]:
    base = root()
    return {
        "versions": ["0.2"],
        "name": f"{settings().dataset_title}: organisations and projects",
        "identifierSpace": settings().base_iri,
        "schemaSpace": ONTOLOGY,
        "documentation": base + "sparql",
        "serviceVersion": "eulod",
        "view": {"url": base + "reconcile/view?id={{id}}"},
        "defaultTypes": [{"id": iri, "name": name} for iri, (_, name) in TYPES.items()],
        "preview": {"url": base + "reconcile/preview?id={{id}}", "width": 420, "height": 180},
        "suggest": {
            "entity": {"service_url": base.rstrip("/"), "service_path": "/reconcile/suggest/entity"},
            "property": {"service_url": base.rstrip("/"), "service_path": "/reconcile/suggest/property"},
            "type": {"service_url": base.rstrip("/"), "service_path": "/reconcile/suggest/type"},
        },
        "batchSize": 20,
    }


@blueprint.route("/reconcile", methods=["GET", "HEAD", "POST"])
def reconcile() -> Response:
    raw = request.values.get("queries")
    if raw is None:
        if request.method == "POST":
            return json_response({"error": "a POST to /reconcile carries a form field 'queries'"}, 400)
        return caching(json_response(manifest()), "reconcile-manifest|" + root())
    try:
        batch = parse_batch(raw)
    except BadBatch as bad:
        return json_response({"error": str(bad)}, 400)
    searched = index()
    answer = {key: {"result": candidates(searched, query)} for key, query in batch.items()}
    response = json_response(answer)
    if request.method == "GET":
        return caching(response, "reconcile|" + request.query_string.decode("latin-1"))
    return response


def parse_batch(raw: str) -> dict[str, dict[str, Any]]:
    try:
        batch = json.loads(raw)
    except ValueError:
        raise BadBatch("queries is not JSON") from None
    except RecursionError:  # "[[[[..." thousands deep: Python's parser recurses per level
        raise BadBatch("queries nests too deeply") from None
    if not isinstance(batch, dict) or not batch:
        raise BadBatch("queries must be a JSON object of queries, each named by a key")
    if len(batch) > MAX_QUERIES:
        raise BadBatch(f"at most {MAX_QUERIES} queries in one batch")
    for key, query in batch.items():
        if not isinstance(query, dict):
            raise BadBatch(f"query {key!r} is not a JSON object")
        if not isinstance(query.get("query", ""), str) or not (query.get("query") or query.get("properties")):
            raise BadBatch(f"query {key!r} needs a 'query' string or 'properties'")
    return batch


def kinds_of(query: dict[str, Any]) -> list[str | None]:
    """The kinds a query asks for (its ``type``: our type IRIs, or their names); both when none."""
    wanted = query.get("type")
    wanted = [wanted] if isinstance(wanted, str) else wanted if isinstance(wanted, list) else []
    found = []
    for value in wanted:
        if not isinstance(value, str):
            continue
        key = value if value in TYPES else ONTOLOGY + value[:1].upper() + value[1:].lower()
        if key in TYPES:
            found.append(TYPES[key][0])
    return found or [None]


def _limit(query: dict[str, Any]) -> int:
    value = query.get("limit", DEFAULT_LIMIT)
    return max(1, min(MAX_LIMIT, int(value))) if isinstance(value, (int, float)) else DEFAULT_LIMIT


def _values(query: dict[str, Any], pid: str) -> list[str]:
    out = []
    for prop in query.get("properties") or []:
        if isinstance(prop, dict) and str(prop.get("pid", "")).lower() == pid:
            values = prop.get("v")
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, dict):
                    value = value.get("id") or value.get("name")
                if isinstance(value, (str, int, float)) and str(value).strip():
                    out.append(str(value).strip())
    return out


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Folded codes and names (every label, every language) -> country IRI."""
    names: dict[str, str] = {}
    for country in countries().values():
        for code in (country.alpha2, country.alpha3, country.eu_code):
            names.setdefault(fold(code), country.iri)
        for labels in country.labels.values():
            for label in labels:
                names.setdefault(fold(label), country.iri)
    return names


def country_iri(value: str) -> str | None:
    """The country an ISO code, an EU code, a name in any language or an authority IRI means."""
    if by_iri(value) is not None:
        return value
    return country_names().get(fold(value))


def candidates(searched: SearchIndex, query: dict[str, Any]) -> list[dict[str, Any]]:
    """The scored candidates for one query, best first, the first marked ``match`` when unambiguous."""
    text = str(query.get("query") or "").strip()[:500]
    limit = _limit(query)
    kinds = kinds_of(query)
    countries_wanted = {iri for iri in map(country_iri, _values(query, "country")) if iri}
    cities_wanted = _values(query, "city")
    found: dict[str, float] = {}
    if text:
        for iri in searched.by_identifier(text):
            found[iri] = 1.0
    words = text or " ".join(cities_wanted)
    for kind in kinds:
        for asked, any_word in ((core(words), False), (words, True)):
            if len(found) >= RETRIEVED:
                break
            for iri, _ in searched.candidates(asked, kind, RETRIEVED, any_word=any_word):
                found.setdefault(iri, 0.0)
    entities = searched.entities(list(found))
    scored = []
    for iri, entity in entities.items():
        if kinds != [None] and entity.kind not in kinds:
            continue
        exact = found[iri] == 1.0
        name_score = 1.0 if exact else max((similarity(text, name) for _, name in entity.names), default=0.0) if text else 0.5
        score, features = name_score, [{"id": "name", "value": round(name_score, 3)}]
        if countries_wanted:
            same = entity.country in countries_wanted
            score *= 1.0 if same else COUNTRY_UNKNOWN if entity.country is None else COUNTRY_MISMATCH
            features.append({"id": "country", "value": same})
        if cities_wanted:
            best = max((similarity(city, name) for city in cities_wanted for _, name in entity.cities), default=None)
            if best is not None:
                score *= 1.0 if best >= 0.85 else CITY_MISMATCH
            features.append({"id": "city", "value": bool(best is not None and best >= 0.85)})
        scored.append((round(100 * score, 1), iri, entity, features))
    scored.sort(key=lambda item: (-item[0], item[1]))
    results = [candidate(entity, score, features) for score, _, entity, features in scored[:limit]]
    if results:
        top = results[0]["score"]
        second = results[1]["score"] if len(results) > 1 else 0.0
        results[0]["match"] = top >= MATCH_SCORE and top - second >= MATCH_LEAD
    return results


def candidate(entity: Entity, score: float, features: list[dict[str, Any]]) -> dict[str, Any]:
    type_iri, type_name = KIND_TYPE[entity.kind]
    return {"id": entity.iri, "name": in_language(entity.labels, "en", entity.iri), "description": describe(entity),
            "type": [{"id": type_iri, "name": type_name}], "score": score, "features": features, "match": False}


def describe(entity: Entity, lang: str = "en") -> str:
    """One line that tells namesakes apart: an organisation's city and country, a project's description."""
    if entity.kind == "organisation":
        country = by_iri(entity.country or "")
        cities = dict(entity.cities)
        parts = [in_language(cities, lang) if cities else "", country.name(lang) if country else ""]
        return ", ".join(p for p in parts if p)
    text = in_language(entity.descriptions, lang)
    return text[:160] + ("…" if len(text) > 160 else "")


# --- suggest, preview, view -------------------------------------------------------------------


def _cursor() -> int:
    raw = request.args.get("cursor", "0")
    return min(int(raw), 10_000) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 0


@blueprint.route("/reconcile/suggest/entity")
def suggest_entity() -> Response:
    prefix = request.args.get("prefix", "").strip()[:200]
    kind = TYPES.get(request.args.get("type", ""), (None, None))[0]
    result = []
    if prefix:
        searched = index()
        _, hits = searched.find(prefix, kind, limit=10, offset=_cursor(), prefix=True)
        described = searched.entities([hit.iri for hit in hits])
        for hit in hits:
            type_iri, type_name = KIND_TYPE[hit.kind]
            item = {"id": hit.iri, "name": in_language(hit.labels, "en", hit.iri),
                    "notable": [{"id": type_iri, "name": type_name}]}
            entity = described.get(hit.iri)
            if entity is not None and describe(entity):
                item["description"] = describe(entity)
            result.append(item)
    return caching(json_response({"result": result}), "suggest-entity|" + request.query_string.decode("latin-1"))


@blueprint.route("/reconcile/suggest/property")
def suggest_property() -> Response:
    prefix = fold(request.args.get("prefix", ""))
    result = [{"id": pid, "name": name, "description": text} for pid, (name, text) in PROPERTIES.items()
              if prefix in fold(pid) or prefix in fold(name)]
    return caching(json_response({"result": result}), "suggest-property|" + prefix)


@blueprint.route("/reconcile/suggest/type")
def suggest_type() -> Response:
    prefix = fold(request.args.get("prefix", ""))
    result = [{"id": iri, "name": name} for iri, (_, name) in TYPES.items() if prefix in fold(name)]
    return caching(json_response({"result": result}), "suggest-type|" + prefix)


def _known(iri: str) -> Entity:
    found = index().entities([iri]) if iri else {}
    if iri not in found:
        abort(404)
    return found[iri]


@blueprint.route("/reconcile/preview")
def preview() -> Response:
    """A framed summary: name, type, city and country or description, link; no script, no style."""
    entity = _known(request.args.get("id", ""))
    lang = request.args.get("lang", "en")
    lang = lang if lang in EU_LANGUAGES else "en"
    name = html.escape(in_language(entity.labels, lang, entity.iri))
    others = sorted({text for _, text in entity.names} - {in_language(entity.labels, lang, entity.iri)})[:6]
    target = safe_href(entity.iri)  # an IRI of the data, checked like every link eulod writes
    link = f'<a href="{html.escape(target)}" target="_blank" rel="noopener">{name}</a>' if target else name
    body = [f"<p><strong>{link}</strong> ({KIND_TYPE[entity.kind][1]})</p>"]
    if describe(entity, lang):
        body.append(f"<p>{html.escape(describe(entity, lang))}</p>")
    if others:
        body.append("<p>Also: " + html.escape("; ".join(others)) + "</p>")
    page = ('<!DOCTYPE html><html lang="' + lang + '"><head><meta charset="utf-8"><title>' + name
            + "</title></head><body>" + "".join(body) + "</body></html>")
    return caching(Response(page, mimetype="text/html"), "preview|" + request.query_string.decode("latin-1"))


@blueprint.route("/reconcile/view")
def view() -> Response:
    """The entity's own page (its IRI): only for entities eulod publishes, so this redirects nowhere else."""
    entity = _known(request.args.get("id", ""))
    return redirect(entity.iri, code=303)
