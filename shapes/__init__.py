"""eulod's SHACL shapes (Turtle files beside this module) and the one call that applies them.

``validate(graph)`` returns a :class:`Report` whose results are plain values, so the CLI,
the build and the endpoint can group, format and count them without touching the SHACL
report graph.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Iterable

import pyshacl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from eulod.core.namespaces import bind_prefixes
from eulod.shapes import fast

log = logging.getLogger(__name__)

SEVERITIES = {SH.Info: "info", SH.Warning: "warning", SH.Violation: "violation"}
SEVERITY_RANK = {"info": 0, "warning": 1, "violation": 2}


@dataclass(frozen=True)
class Result:
    """One SHACL result, reduced to what people and machines need to act on it."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    messages: dict[str, str]
    source_shape: str
    constraint: str

    def message(self, language: str = "en") -> str:
        return self.messages.get(language) or self.messages.get("en") or next(iter(self.messages.values()), "")


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    graph: Graph | None = field(default=None, repr=False, compare=False)  # the SHACL report graph, when kept

    def count(self, severity: str) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    def fails(self, threshold: str = "violation") -> bool:
        """True when any result is at least as severe as ``threshold``."""
        rank = SEVERITY_RANK[threshold]
        return any(SEVERITY_RANK[r.severity] >= rank for r in self.results)

    def extend(self, other: "Report") -> None:
        self.results.extend(other.results)


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """All Turtle files of the shapes package, parsed once per process."""
    graph = bind_prefixes(Graph())
    for entry in sorted(resources.files(__name__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".ttl"):
            graph.parse(data=entry.read_text("utf-8"), format="turtle", publicID=f"urn:eulod:shapes:{entry.name}")
    return graph


def _text(node) -> str | None:
    return None if node is None else str(node)


_PLACEHOLDER = re.compile(r"\\\{\\[?$]\w+\\\}")  # a re.escape()d {?var} or {$this}


@lru_cache(maxsize=None)
def _templates(shape: str) -> tuple[tuple[re.Pattern[str], str], ...]:
    """(pattern, language) for every tagged sh:message of a shape and its SPARQL constraints.

    pySHACL drops the language tag when it fills ``{?var}`` into a SPARQL constraint's
    message, so the tag is recovered by matching the filled text against the templates.
    """
    graph = shapes_graph()
    node = URIRef(shape)
    sources = [node, *graph.objects(node, SH.sparql)]
    out = []
    for source in sources:
        for template in graph.objects(source, SH.message):
            if isinstance(template, Literal) and template.language:
                pattern = _PLACEHOLDER.sub(".*?", re.escape(str(template)))
                out.append((re.compile(pattern + r"\Z", re.DOTALL), template.language))
    return tuple(out)


def _language(message: Literal, shape: str) -> str:
    if message.language:
        return message.language
    for pattern, language in _templates(shape):
        if pattern.match(str(message)):
            return language
    return "en"


def _path_text(report: Graph, path) -> str | None:
    """A result path as text: the IRI of a predicate path, ``^IRI`` for an inverse path."""
    if path is None or not isinstance(path, BNode):
        return _text(path)
    inverse = report.value(path, SH.inversePath)
    return f"^{inverse}" if inverse is not None else path.n3()


def _result(value, messages: Iterable, path: str | None) -> Result:
    """One result from its report values (``value(predicate)``: the object, or None) and its
    messages in order, the first per language kept: how both readings below build theirs."""
    shape = str(value(SH.sourceShape))
    texts: dict[str, str] = {}
    for message in messages:
        texts.setdefault(_language(message, shape), str(message))
    texts = dict(sorted(texts.items()))  # pySHACL's message order follows the process's string hashing
    return Result(
        severity=SEVERITIES.get(value(SH.resultSeverity), "violation"),
        focus=str(value(SH.focusNode)),
        path=path,
        value=_text(value(SH.value)),
        messages=texts,
        source_shape=shape,
        constraint=str(value(SH.sourceConstraintComponent)),
    )


def _ordered(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (-SEVERITY_RANK[r.severity], r.focus, r.path or "", r.source_shape))


def parse_report(report: Graph) -> Report:
    results = [_result(lambda p, node=node: report.value(node, p), report.objects(node, SH.resultMessage),
                       _path_text(report, report.value(node, SH.resultPath)))
               for node in report.subjects(RDF.type, SH.ValidationResult)]
    return Report(_ordered(results), graph=report)


def _plain(term):
    """A term of pySHACL's result triples: (graph, node) stands for a node of that graph."""
    return term[1] if isinstance(term, tuple) else term


def results_of(reports: list) -> list[Result]:
    """pySHACL's result tuples as :class:`Result` s, read as :func:`parse_report` reads the report
    graph pySHACL would make of them (a streaming build's batches skip making that graph and
    reading it back: a seventh of their validation).

    A result's messages come in the order pySHACL adds them (which the report graph keeps), each
    once as a graph holds it; an inverse path is read from the shapes graph.
    """
    out = []
    for _description, node, triples in reports:
        found: dict = {}
        messages: list = []
        for s, p, o in triples:
            if s != node:
                continue
            if p == SH.resultMessage:
                if _plain(o) not in messages:
                    messages.append(_plain(o))
            elif p not in found:
                found[p] = o
        path = found.get(SH.resultPath)
        path_text = _path_text(path[0], path[1]) if isinstance(path, tuple) else _text(path)
        out.append(_result(lambda p: _plain(found.get(p)), messages, path_text))
    return _ordered(out)


def validate(data: Graph) -> Report:
    """Validate ``data`` against eulod's shapes (SHACL Core and SPARQL constraints)."""
    _conforms, report_graph, _text_report = pyshacl.validate(
        data,
        shacl_graph=shapes_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    return parse_report(report_graph)


def validate_graphs(graphs: Iterable[Graph], namespaces: Graph | None = None) -> Report:
    """Validate the union of ``graphs`` at once: the results pySHACL gives on that union, fast.

    Uses :mod:`eulod.shapes.fast` (whole-graph queries, pySHACL's own constraint components);
    falls back to pySHACL on the union when the shapes use a feature it does not reproduce.
    ``namespaces`` lends its prefixes to pySHACL's generic messages.
    """
    graphs = list(graphs)
    if namespaces is None:
        namespaces = graphs[0] if graphs else Graph()
    try:
        # Unsupported comes when the plan is compiled (a shape feature, a pySHACL internal that
        # moved) or, rarely, while it runs (a SPARQL row reporting ?failure): either way pySHACL decides.
        return parse_report(fast.validate_triples(fast.triples_from_graphs(graphs), shapes_graph(), namespaces))
    except fast.Unsupported as exc:
        log.warning("fast validation unavailable (%s); using pySHACL on the whole graph", exc)
        union = Graph()
        for graph in graphs:
            union += graph
        return validate(union)


def validate_part(triples: list, namespaces: Graph, targets, text: bytes | None = None) -> Report:
    """Validate pyoxigraph triples with the shapes whose target classes ``targets`` accepts.

    The streaming build's unit of work (eulod/pipeline/checks.py): one batch of records with
    the shapes of what a record holds alone, then the organisations, which records share, with
    theirs. Falls back to pySHACL on these triples when the fast validator cannot run the
    shapes, keeping the results whose focus node is an instance of an accepted class.
    ``text``, the N-Triples the triples were parsed from, if any, fills the store of the SPARQL
    rules without a Python object per triple.
    """
    try:
        source = (text, fast.ox.RdfFormat.N_TRIPLES) if text is not None else None
        _plan, reports = fast.validate_reports(triples, shapes_graph(), namespaces, source=source, targets=targets)
        return Report(results_of(reports))
    except fast.Unsupported as exc:
        log.warning("fast validation unavailable (%s); using pySHACL on this part", exc)
        graph = Graph()
        types: dict[str, list[URIRef]] = {}
        for s, p, o in triples:
            graph.add((_rdflib(s), _rdflib(p), _rdflib(o)))
            if p == fast.RDF_TYPE:
                types.setdefault(s.value, []).append(URIRef(o.value))
        report = validate(graph)
        report.results = [r for r in report.results if targets(types.get(r.focus, []))]
        return report


def _rdflib(term):
    """A pyoxigraph term as rdflib's."""
    if isinstance(term, fast.ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, fast.ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == fast.XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))
