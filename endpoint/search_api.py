"""``/api/search``: full-text search over projects and organisations, as JSON.

    GET /api/search?q=soil health&type=project&lang=it&limit=20&offset=0

``q`` holds the words (every one must be found, case, accents and word endings aside;
eulod.core.search); ``type`` keeps projects or organisations; ``lang`` keeps entities with
text in that language and picks the label shown; ``limit`` (1-100, 20 by default) and
``offset`` (up to 10 000) page through the answers, best first. Answers carry an ETag and
Last-Modified from the generation like every other answer, and any origin may read them
(CORS: endpoint/app.py).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, request

from .caching import caching
from .context import store_handle
from .i18n import in_language
from .search_index import Hit, search_cache

blueprint = Blueprint("search_api", __name__)

MAX_LIMIT = 100
MAX_OFFSET = 10_000
MAX_QUESTION = 500
TYPES = ("project", "organisation")
_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


class BadParameter(ValueError):
    """A parameter of the request is out of range; the message says which and why."""


def _number(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name, "")
    if raw == "":
        return default
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw[:8]) <= high or len(raw) > 8:
        raise BadParameter(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def json_response(payload: object, status: int = 200) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return Response(body, status=status, mimetype="application/json")


def present(hit: Hit, lang: str) -> dict:
    """One answer: the IRI, its type, relevance, and its label and description in ``lang`` (else English, else any)."""
    return {"id": hit.iri, "type": hit.kind, "score": hit.score, "label": in_language(hit.labels, lang, hit.iri),
            "labels": hit.labels, "description": in_language(hit.descriptions, lang)}


@blueprint.route("/api/search", methods=["GET", "HEAD"])
def search_api() -> Response:
    question = request.args.get("q", "").strip()
    kind = request.args.get("type", "") or None
    lang = request.args.get("lang", "")
    try:
        if not question:
            raise BadParameter("q (the words to search for) is missing")
        if len(question) > MAX_QUESTION:
            raise BadParameter(f"q is longer than {MAX_QUESTION} characters")
        if kind is not None and kind not in TYPES:
            raise BadParameter("type must be one of: " + ", ".join(TYPES))
        if lang and not _TAG.match(lang):
            raise BadParameter("lang must be a language tag such as en or pt-PT")
        limit = _number("limit", 20, 1, MAX_LIMIT)
        offset = _number("offset", 0, 0, MAX_OFFSET)
    except BadParameter as bad:
        return json_response({"error": str(bad)}, 400)
    index = search_cache(current_app).get(store_handle())
    total, hits = index.find(question, kind, lang or None, limit, offset)
    payload = {"query": question, "type": kind, "lang": lang or None, "total": total, "offset": offset,
               "limit": limit, "results": [present(hit, lang or "en") for hit in hits]}
    return caching(json_response(payload), "search|" + request.query_string.decode("latin-1"))
