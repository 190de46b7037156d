"""What every resource page reads: one stored query's answer as :class:`Facts`, and the page's response.

Each resource page runs one query from ``endpoint/queries`` and reads the answer through
:class:`Facts`, so the templates receive plain values already in the reader's language.
"""

from __future__ import annotations

import json
import mmap
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox
from flask import Response, render_template

from eulod.core.countries import by_iri
from eulod.core.generation import VALIDATION_FILE
from eulod.core.namespaces import PREFIXES
from eulod.core.queryfiles import stored_query

from .. import i18n
from ..caching import caching
from ..context import settings, store_handle

LINK_SUFFIXES = ("ttl", "jsonld", "nt", "rdf")
# Namespace IRIs as plain strings, from eulod's one table of them: pyoxigraph gives a term's IRI
# as a plain string, which an rdflib URIRef (eulod.core.namespaces' other form) never equals.
RDF_TYPE = PREFIXES["rdf"] + "type"
EULOD, DCT, SKOS, PROV, FOAF, VCARD, ADMS, COUNTRY = (
    PREFIXES[name] for name in ("eulod", "dcterms", "skos", "prov", "foaf", "vcard", "adms", "country"))


def query_text(name: str) -> str:
    return stored_query("eulod.endpoint", name)  # endpoint/queries/


def run(name: str, **bindings: str | list[str]) -> Any:
    """Run a stored query with ``$name`` placeholders filled by IRIs (a list: by its IRIs, for VALUES).

    Each IRI goes through ``ox.NamedNode`` first, which rejects anything that is not an IRI,
    so what is written into the query text is always a well-formed ``<...>`` term.
    """
    text = query_text(name)
    for key, value in sorted(bindings.items(), key=lambda item: -len(item[0])):  # $projects before $project
        terms = value if isinstance(value, list) else [value]
        text = text.replace(f"${key}", " ".join(str(ox.NamedNode(iri)) for iri in terms))
    return store_handle().store.query(text, use_default_graph_as_union=True)


class Facts:
    """A small graph indexed by subject and predicate, read in one language at a time."""

    def __init__(self, triples: Iterable[ox.Triple], lang: str) -> None:
        self.lang = lang
        self.index: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.inverse: dict[tuple[str, str], list[str]] = defaultdict(list)
        for triple in triples:
            key = (triple.subject.value, triple.predicate.value)
            if triple.object not in self.index[key]:
                self.index[key].append(triple.object)
                self.inverse[(triple.predicate.value, triple.object.value)].append(triple.subject.value)

    def objects(self, subject: str, predicate: str) -> list[Any]:
        return self.index.get((subject, predicate), [])

    def iris(self, subject: str, predicate: str) -> list[str]:
        return sorted(o.value for o in self.objects(subject, predicate) if isinstance(o, ox.NamedNode))

    def iri(self, subject: str, predicate: str) -> str | None:
        found = self.iris(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(set(self.inverse.get((predicate, obj), [])))

    def value(self, subject: str, predicate: str) -> str | None:
        found = self.objects(subject, predicate)
        return found[0].value if found else None

    def texts(self, subject: str, predicate: str) -> list[str]:
        """Literals in the reader's language, else in English, else in whatever language there is."""
        literals = [o for o in self.objects(subject, predicate) if isinstance(o, ox.Literal)]
        for wanted in (self.lang, "en"):
            chosen = [o.value for o in literals if o.language == wanted]
            if chosen:
                return chosen
        by_language: dict[str, list[str]] = defaultdict(list)
        for literal in literals:
            by_language[literal.language or ""].append(literal.value)
        return by_language[min(by_language)] if by_language else []

    def text(self, subject: str, predicate: str) -> str:
        found = self.texts(subject, predicate)
        return found[0] if found else ""

    def label(self, iri: str | None) -> str:
        if not iri:
            return ""
        for predicate in (SKOS + "prefLabel", DCT + "title", FOAF + "name", VCARD + "fn"):
            text = self.text(iri, predicate)
            if text:
                return text
        return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def amount(self, owner: str, kind: str) -> dict[str, str] | None:
        """A monetary amount of ``owner`` (project or participation), formatted for the reader."""
        node = self.iri(owner, EULOD + kind)
        if node is None or self.value(node, EULOD + "amount") is None:
            return None
        currency = (self.iri(node, EULOD + "currency") or "EUR").rsplit("/", 1)[-1]
        value = self.value(node, EULOD + "amount")
        rate = self.value(node, EULOD + "rate")
        return {
            "value": value,
            "currency": currency,
            "text": i18n.money(value, currency, self.lang),
            "rate": i18n.percent(rate, self.lang) if rate else "",
        }


def local(iri: str) -> str:
    """The path at which a data or vocabulary IRI is served here, so links work on any host."""
    base = settings().base_iri
    if iri.startswith(base):
        return "/" + iri[len(base):]
    if iri.startswith("https://w3id.org/eulod/"):
        return "/" + iri[len("https://w3id.org/eulod/"):]
    return iri


def country(iri: str | None, lang: str) -> dict[str, str] | None:
    """An authority-table country as pages show it: its code and its name from the EU table."""
    found = by_iri(iri) if iri else None
    if found is None:
        return None
    return {"iri": iri, "code": found.alpha3, "alpha2": found.alpha2, "name": found.name(lang)}


def validation_results(record_id: str) -> list[dict[str, Any]]:
    """The SHACL results the build kept for ``record_id`` (see eulod.pipeline.publication.write_validation)."""
    return find_validation(Path(store_handle().generation.path) / VALIDATION_FILE, record_id)


def find_validation(path: Path, record_id: str) -> list[dict[str, Any]]:
    """``record_id``'s entry of a validation.json, by a binary search over its lines.

    The build writes one entry a line, in record-id order (write_validation, and
    update_validation keeps the order), so a page reads a few lines of the file instead of
    all of it: loaded whole, it was 105 MB at 300 000 records, two seconds for the first
    project page of each server process and a dict of every record in each (issue 19). A file
    of another shape is read whole, as before.
    """
    try:
        handle = open(path, "rb")
    except OSError:
        return []
    with handle:
        if handle.read(2) != b"{\n":
            handle.seek(0)
            return json.loads(handle.read().decode("utf-8") or "{}").get(record_id, [])
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            return _search(data, record_id)


def _search(data: mmap.mmap, record_id: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    low, high = 0, len(data)  # both at the start of a line; the entry, if any, starts in [low, high)
    while low < high:
        middle = (low + high) // 2
        start = data.rfind(b"\n", 0, middle) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        line = data[start:end].rstrip(b",").decode("utf-8")
        if not line.startswith('"'):  # the opening or the closing brace
            if start == 0:
                low = end + 1
            else:
                high = start
            continue
        key, at = decoder.raw_decode(line)
        if key == record_id:
            return json.loads(line[at:].lstrip().removeprefix(":"))
        if key < record_id:
            low = end + 1
        else:
            high = start
    return []


def page_response(template: str, variant: str, status: int = 200, **context: Any) -> Response:
    """A page in the reader's language; only a 200 gets validators (a 404 must never become a 304)."""
    response = Response(render_template(template, **context), status=status, mimetype="text/html")
    if status == 200:
        response = caching(response, f"{variant}|html|{i18n.language()}")
    response.headers["Vary"] = "Accept, Accept-Language"
    response.headers["Content-Language"] = i18n.language()
    return response


def alternates(path: str) -> list[tuple[str, str]]:
    return [(ext, f"/{path}.{ext}") for ext in LINK_SUFFIXES]
