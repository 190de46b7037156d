"""eulod's SHACL shapes (Turtle files beside this module) and the one call that applies them.

``validate(graph)`` returns a :class:`Report` whose results are plain values, so the CLI,
the build and the endpoint can group, format and count them without touching the SHACL
report graph.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pyshacl
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from eulod.namespaces import bind_prefixes

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


def parse_report(report: Graph) -> Report:
    out = Report()
    for node in report.subjects(RDF.type, SH.ValidationResult):
        messages: dict[str, str] = {}
        for message in report.objects(node, SH.resultMessage):
            lang = message.language if isinstance(message, Literal) and message.language else "en"
            messages.setdefault(lang, str(message))
        severity = report.value(node, SH.resultSeverity)
        out.results.append(
            Result(
                severity=SEVERITIES.get(severity, "violation"),
                focus=str(report.value(node, SH.focusNode)),
                path=_text(report.value(node, SH.resultPath)),
                value=_text(report.value(node, SH.value)),
                messages=messages,
                source_shape=str(report.value(node, SH.sourceShape)),
                constraint=str(report.value(node, SH.sourceConstraintComponent)),
            )
        )
    out.results.sort(key=lambda r: (-SEVERITY_RANK[r.severity], r.focus, r.path or "", r.source_shape))
    return out


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
