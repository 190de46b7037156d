"""Linked Data: every data and vocabulary IRI dereferences to its description.

A request path is resolved against the configured base IRI (data) or the persistent
vocabulary namespace (``/ontology``, ``/code/...``), so IRIs keep working behind a proxy
that rewrites the host. ``.ttl``, ``.jsonld``, ``.nt``, ``.rdf`` and ``.html`` suffixes
are explicit alternatives to content negotiation.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources
from typing import Iterator

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request, send_file

from eulod.core.namespaces import CURRENCY, ONTOLOGY_IRI, VOCAB_BASE
from eulod.core.queryfiles import stored_query

from . import i18n, media, ontology_docs, pages
from .caching import caching
from .context import settings, store_handle
from .media import EXTENSIONS
from .pages.facts import local
from .pages.paging import BadPage, bad_page, requested_page

blueprint = Blueprint("resources", __name__)

VOCAB_PREFIXES = ("ontology", "code/")
IS_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"

# A resource's document: its own triples (OWN), those of its hash-IRI parts (amounts), and the
# triples that point at it (INBOUND: an organisation's participations, a programme's projects).
# A resource's own triples, and those of the nodes minted under it (``{iri}#...``): what a page
# for people starts from, and every page of its data document. The links pointing at it are
# read apart (INBOUND): a programme 60 000 projects name has 60 000 of them (0.5 s at 100 000
# projects), and its page lists its projects from the listing, a page at a time.
OWN = """
CONSTRUCT {{ {this} ?p ?o . ?part ?pp ?po }}
WHERE {{
  {{ {this} ?p ?o }}
  UNION
  {{ {this} ?link ?part . FILTER(isIRI(?part) && STRSTARTS(STR(?part), "{hash}")) ?part ?pp ?po }}
}}"""
NAMED = "ASK {{ ?in ?ip {this} }}"
# The links pointing at the resource, a page at a time: a programme named by every project of a
# large programme has hundreds of thousands (1.9 s and 5 MB of Turtle at 100 000 projects). The
# order is the store's own, the same for every request on one generation, which never changes.
INBOUND = "CONSTRUCT {{ ?in ?ip {this} }} WHERE {{ ?in ?ip {this} }} OFFSET {offset} LIMIT {limit}"


def resolve(path: str) -> str:
    """The IRI that a local path stands for."""
    if path.startswith(VOCAB_PREFIXES):
        return VOCAB_BASE + path
    return settings().base_iri + path


def describe(iri: str, template: str = OWN) -> list[ox.Triple]:
    """``iri``'s own triples (``template``: a query of ``{this}`` and ``{hash}``); empty when the store knows none."""
    try:
        node = ox.NamedNode(iri)  # rejects anything that is not an IRI, so it is safe to embed
    except ValueError:
        return []
    if iri == ONTOLOGY_IRI:
        return ontology_triples()
    query = template.format(this=str(node), hash=(iri + "#").replace("\\", "\\\\").replace('"', '\\"'))
    return list(store_handle().store.query(query, use_default_graph_as_union=True))


def inbound(iri: str, number: int, size: int) -> tuple[list[ox.Triple], bool]:
    """Page ``number`` of the links pointing at ``iri`` (``size`` a page; the resource's own triples
    go on every page of its data document), and whether a next page has more."""
    if iri == ONTOLOGY_IRI:  # the ontology's document is the file as shipped
        return [], False
    node = str(ox.NamedNode(iri))  # known() checked it is an IRI
    query = INBOUND.format(this=node, offset=(number - 1) * size, limit=size + 1)
    found = list(store_handle().store.query(query, use_default_graph_as_union=True))
    return found[:size], len(found) > size


def known(iri: str) -> list[ox.Triple] | None:
    """``iri``'s own triples (:data:`OWN`) when the store knows it, as subject or object; else None."""
    own = describe(iri)
    if own:
        return own
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return None
    return own if store_handle().store.query(NAMED.format(this=str(node)), use_default_graph_as_union=True) else None


@lru_cache(maxsize=1)
def ontology_triples() -> list[ox.Triple]:
    """The ontology document as shipped (blank-node structures such as unions included)."""
    text = resources.files("eulod.ontology").joinpath("eulod.ttl").read_bytes()
    return [quad.triple for quad in ox.parse(text, format=ox.RdfFormat.TURTLE, base_iri=ONTOLOGY_IRI)]


def valid_iri(text: str) -> bool:
    """Whether ``text`` is an IRI a query may name; a store filled leniently (or a remote one)
    can hold terms that are not, and those are shown as they are, never sent to the store."""
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


MAX_NAMED_TERMS = 500  # a page naming more IRIs than this shows the rest as IRIs


def term_names(triples: list[ox.Triple], lang: str) -> dict[str, str]:
    """Names of the page's predicates and objects in ``lang`` (else English, else any).

    A generic page (a summary node, a contact, an amount) otherwise shows only IRIs; the
    vocabulary graph names the ontology's terms, the code lists' concepts and the countries,
    and CLDR the currencies. A term nobody names stays an IRI.
    """
    terms = sorted(term for term in {t.predicate.value for t in triples}
                   | {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
                   if valid_iri(term))[:MAX_NAMED_TERMS]
    if not terms:
        return {}
    values = " ".join(str(ox.NamedNode(term)) for term in terms)
    text = stored_query("eulod.endpoint", "term-labels.rq").replace("$terms", values)
    found: dict[str, dict[str, str]] = {}
    for row in store_handle().store.query(text, use_default_graph_as_union=True):
        found.setdefault(row["term"].value, {}).setdefault(row["label"].language or "", row["label"].value)
    named = {term: i18n.in_language(names, lang) for term, names in found.items()}
    for term in terms:  # currencies: the vocabulary graph has no names for them, CLDR has
        if term not in named and term.startswith(str(CURRENCY)):
            name = i18n.currency_name(term[len(str(CURRENCY)):], lang)
            if name:
                named[term] = name
    return named


def replaced_by(iri: str, triples: list[ox.Triple]) -> str | None:
    """The one IRI that replaces ``iri``, when ``iri`` is only a former name of it.

    An IRI an earlier build published (a CORDIS organisation's name slug, before organisations
    were identified by their PIC) is kept in the data as ``<old> dcterms:isReplacedBy <new>``
    and nothing else. Such an IRI answers with a 301 to the new one. One that is also a resource
    of its own (it has other triples), or that names several replacements, is not redirected:
    its document is served as usual.
    """
    own = [t for t in triples if t.subject.value == iri]
    targets = {t.object.value for t in own if t.predicate.value == IS_REPLACED_BY and isinstance(t.object, ox.NamedNode)}
    if len(targets) != 1 or any(t.predicate.value != IS_REPLACED_BY for t in own):
        return None
    return targets.pop()


def moved(iri: str, target: str, suffix: str) -> Response:
    """301 to ``target`` as served on this host, keeping an explicit format suffix and the query."""
    location = local(target) + suffix
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return caching(Response(status=301, headers={"Location": location}), f"{iri}|moved|{location}")


DUMP_TYPES = {".nt": "application/n-triples", ".ttl": "text/turtle", ".jsonld": "application/ld+json"}
INFLATED_BLOCK = 1 << 20


@blueprint.route("/dumps/<name>")
def dump(name: str) -> Response:
    """A dump file as built (``eulod.nt.gz``), or its content uncompressed (``eulod.nt``), inflated
    as it is sent: a build keeps the compressed files only (eulod/pipeline/dumps.py says why)."""
    handle = store_handle()
    folder = handle.generation.dumps_path
    if "/" in name or "\\" in name or name.startswith("."):
        abort(404)
    path = folder / name
    kind = DUMP_TYPES.get("." + name.rpartition(".")[2])
    if path.is_file() and (path.suffix == ".gz" or kind is not None):  # plain files: a generation an older eulod built
        response = send_file(path, mimetype=kind or "application/gzip", conditional=False)
        return caching(response, f"dump:{name}")
    facts = handle.manifest.get("dumps", {}).get(f"{name}.gz")
    packed = folder / f"{name}.gz"
    if kind is None or facts is None or not packed.is_file():
        abort(404)
    response = Response(_inflated(packed), mimetype=kind, direct_passthrough=True)
    if "uncompressed_bytes" in facts:
        response.headers["Content-Length"] = str(facts["uncompressed_bytes"])
    return caching(response, f"dump:{name}")


def _inflated(path) -> Iterator[bytes]:
    """The file's content in blocks of a megabyte; opened when the first block is asked for."""
    with gzip.open(path, "rb") as stream:
        while block := stream.read(INFLATED_BLOCK):
            yield block


@blueprint.route("/<path:path>", methods=["GET", "HEAD"])
def resource(path: str) -> Response:
    override = None
    whole = path
    stem, dot, extension = path.rpartition(".")
    if dot and extension in EXTENSIONS and "/" not in extension:
        path, override = stem, EXTENSIONS[extension]
    iri = resolve(path)
    triples = known(iri)
    if triples is None and override:  # an IRI may itself end like a format suffix: a fact sheet source/sheet.html
        path, override = whole, None
        iri = resolve(path)
        triples = known(iri)
    if triples is None:
        abort(404)
    replacement = replaced_by(iri, triples)
    if replacement is not None:
        return moved(iri, replacement, f".{extension}" if override else "")
    offered = list(media.GRAPHS) + [media.HTML]
    chosen = override or media.negotiate(request.accept_mimetypes, offered, request.args.get("format"))
    if chosen is None:
        abort(406)
    if chosen == media.HTML:  # projects, organisations, programmes, sources: pages for people
        page = pages.respond(iri, triples, path)
        if page is not None:
            return page
    try:
        number = requested_page(request.args.get("page", ""))
    except BadPage as bad:
        return bad_page(bad, i18n.language())
    if chosen == media.HTML and ontology_docs.documents(iri):  # ontology and code-list documentation
        return ontology_docs.respond(iri, path)
    # the data document: the resource's own triples (read above) and a page of the links pointing at it
    links, more = inbound(iri, number, settings().document_links)
    if number > 1 and not links:
        abort(404)  # past the last page of links
    triples = triples + links
    if chosen == media.HTML:
        lang = i18n.language()
        body = render_template("resource.html", iri=iri, triples=triples, path=path, extensions=EXTENSIONS,
                               names=term_names(triples, lang))
        response = caching(Response(body, mimetype=chosen), f"{iri}|{chosen}|{lang}|{number}")
        response.headers["Vary"] = "Accept, Accept-Language"
        if more or number > 1:
            response.headers["Link"] = ", ".join(_pages(request.path, number, more))
        return response
    else:
        body = media.serialize_triples(triples, media.GRAPHS[chosen])
    response = Response(body, mimetype=chosen)
    alternates = [f'</{path}.{ext}>; rel="alternate"; type="{mt}"' for ext, mt in EXTENSIONS.items()]
    response.headers["Link"] = ", ".join(alternates + _pages(request.path, number, more))
    return caching(response, f"{iri}|{chosen}|{number}")


def _pages(at: str, number: int, more: bool) -> list[str]:
    """Link header values to the neighbouring pages of a data document's links (none when it has one page)."""
    found = []
    if number > 1:
        found.append(f'<{at}{"?page=" + str(number - 1) if number > 2 else ""}>; rel="prev"')
    if more:
        found.append(f'<{at}?page={number + 1}>; rel="next"')
    return found
