"""The change feed: a Linked Data Event Stream at ``/feed``, its pages at ``/feed/{page}``.

The build writes the log (eulod.pipeline.changes, in the format of eulod.core.feed); this
serves it from the current generation. A page's members never change, so every page but the
last is sent as immutable for a year; the last one can still gain the link to a page a later
build adds, so it is cached briefly. Each answer's ETag comes from the page's content and its
link, not from the generation, so a harvester's cached pages stay valid across builds.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, request

from eulod.core.feed import Page, page_file, page_links, read_pages, stream_triples
from eulod.core.generation import Generation

from . import media
from .caching import caching
from .context import settings, store_handle

blueprint = Blueprint("feed", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"
LATEST = "public, max-age=60"
OFFERED = list(media.GRAPHS)


@lru_cache(maxsize=4)
def _pages(folder: Path) -> tuple[Page, ...]:
    """The log of one generation (read once: a generation never changes)."""
    return tuple(read_pages(Generation(folder)))


def _generation() -> Generation:
    generation = getattr(store_handle(), "generation", None)
    if generation is None:  # a remote store whose generation this replica does not hold
        abort(404)
    return generation


def _chosen(override: str | None) -> str:
    chosen = media.EXTENSIONS.get(override) if override else None
    if override and chosen not in OFFERED:
        abort(404)
    chosen = chosen or media.negotiate(request.accept_mimetypes, OFFERED, request.args.get("format"))
    if chosen is None:
        abort(406)
    return chosen


def _split(name: str) -> tuple[str, str | None]:
    stem, dot, extension = name.rpartition(".")
    if dot and extension in media.EXTENSIONS:
        return stem, extension
    return name, None


@blueprint.route("/feed")
@blueprint.route("/feed.<ext>")
def stream(ext: str | None = None) -> Response:
    """The event stream: its paths (time, version of, create, delete) and its first page."""
    chosen = _chosen(ext)
    pages = list(_pages(_generation().path))
    body = media.serialize_triples(stream_triples(settings().base_iri, pages), media.GRAPHS[chosen])
    return caching(Response(body, mimetype=chosen), f"feed|{chosen}")


@blueprint.route("/feed/<name>")
def page(name: str) -> Response:
    """One page: its members and the descriptions they carry, the stream, the link to the next page."""
    name, ext = _split(name)
    chosen = _chosen(ext)
    generation = _generation()
    pages = list(_pages(generation.path))
    index = next((i for i, p in enumerate(pages) if p.name == name), None)
    if index is None:
        abort(404)
    base = settings().base_iri
    last = index == len(pages) - 1
    triples = [*stream_triples(base, pages), *page_links(base, pages, index),
               *(q.triple for q in ox.parse(path=str(page_file(generation, name)), format=ox.RdfFormat.N_TRIPLES))]
    response = Response(media.serialize_triples(triples, media.GRAPHS[chosen]), mimetype=chosen)
    following = "" if last else pages[index + 1].name
    response.set_etag(hashlib.sha256(f"{pages[index].sha256}|{following}|{chosen}".encode()).hexdigest()[:32])
    response.last_modified = datetime.fromisoformat(pages[index].published.replace("Z", "+00:00"))
    response.headers["Cache-Control"] = LATEST if last else IMMUTABLE
    response.headers["Vary"] = "Accept"
    return response.make_conditional(request)
