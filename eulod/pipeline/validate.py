"""``eulod validate``: check records, fact sheets or RDF files against the shapes, for CI pipelines.

Records and fact sheets are converted first, exactly as ``eulod build`` does, and validated
together (organisations shared between records are checked as the store would hold them);
each RDF file is validated on its own. Results are grouped by record; for RDF files, by the
project a result is about. The command (eulod.commands.validate) prints the report and turns
the verdict into the exit code.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.util import guess_format

from eulod.converters.records import RECORD_SUFFIXES, LoadResult, RecordProblem, load_records
from eulod.core.config import Settings
from eulod.core.namespaces import bind_prefixes
from eulod.pipeline.build import convert_records, validate_outcomes
from eulod.pipeline.report import (
    Grouped,
    at_or_above,
    count,
    group_by_record,
    json_report,
    junit_report,
    summary,
    text_report,
    turtle_report,
)
from eulod.shapes import Report, fast, parse_report, shapes_graph, validate_graphs

log = logging.getLogger(__name__)

FORMATS = ("text", "turtle", "json", "junit")

try:  # records and fact sheets (issue 4); without it, fact sheets are refused with a clear error
    from eulod.converters.sources import FACTSHEET_SUFFIXES, load_sources
except ImportError:  # pragma: no cover - only while the fact-sheet reader is missing
    FACTSHEET_SUFFIXES, load_sources = (), None

# RDF formats pyoxigraph parses natively (fast, for large dumps); others go through rdflib.
OXIGRAPH_FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "n3": ox.RdfFormat.N3,
    "xml": ox.RdfFormat.RDF_XML,
}


class InputError(Exception):
    """A path that cannot be used (missing, or of an unknown kind): exit code 2."""


def classify(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(record and fact-sheet files, RDF files) under ``paths``.

    Files inside folders are picked by suffix and the rest ignored (a README beside the
    records is not an input); a file named explicitly must be of a known kind.
    """
    sources: list[Path] = []
    rdf: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"no such file or folder: {path}")
        explicit = not path.is_dir()
        for file in [path] if explicit else sorted(p for p in path.rglob("*") if p.is_file()):
            suffix = file.suffix.lower()
            if suffix in RECORD_SUFFIXES or suffix in FACTSHEET_SUFFIXES:
                sources.append(file)
            elif guess_format(str(file)):
                rdf.append(file)
            elif explicit:
                if suffix in (".txt", ".md", ".html", ".htm"):
                    raise InputError(f"{file}: fact sheets need the fact-sheet reader (converters/sources.py)")
                raise InputError(f"{file}: not a record (.yaml, .json, .jsonl), fact sheet or RDF file")
    return sources, rdf


def load(paths: list[Path]) -> LoadResult:
    """Records and fact sheets, through the same loader as ``eulod build``."""
    return load_sources(paths) if load_sources is not None else load_records(paths)


def validate_rdf_file(path: Path) -> Report:
    """Parse one RDF file (any format rdflib reads) and validate it as a whole; raises on bad syntax."""
    fmt = guess_format(str(path))
    if fmt in OXIGRAPH_FORMATS:
        triples = fast.triples_from_file(path, OXIGRAPH_FORMATS[fmt])
        try:
            graph = fast.validate_triples(triples, shapes_graph(), bind_prefixes(Graph()), (path, OXIGRAPH_FORMATS[fmt]))
        except fast.Unsupported:
            return validate_graphs([Graph().parse(path, format=fmt)])
        return parse_report(graph)
    return validate_graphs([Graph().parse(path, format=fmt)])


def owner(focus: str, base_iri: str) -> str:
    """The record an IRI belongs to: {base}project/{id}... and {base}record/{id}... give the id."""
    match = re.match(re.escape(base_iri) + r"(?:project|record)/([^/#?]+)", focus)
    return match.group(1) if match else focus


def _validate_sources(settings: Settings, files: list[Path], grouped: Grouped, graphs: list[Graph]) -> None:
    loaded = load(files)
    outcomes = convert_records(loaded.records, settings)
    whole = validate_outcomes(outcomes)
    if whole.graph is not None:
        graphs.append(whole.graph)
    group_by_record(loaded.problems, outcomes, grouped)


def _validate_rdf(settings: Settings, path: Path, grouped: Grouped, graphs: list[Graph]) -> bool:
    """Validate one RDF file into ``grouped``; False when it could not be read."""
    try:
        report = validate_rdf_file(path)
    except Exception as exc:  # rdflib and pyoxigraph raise many types for malformed input
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        grouped[(str(path), str(path))] = (str(path), [RecordProblem(str(path), "(file)", "", f"cannot be parsed: {reason}")], [])
        return False
    if report.graph is not None:
        graphs.append(report.graph)
    grouped.setdefault((str(path), str(path)), (str(path), [], []))
    for result in report.results:
        key = f"{path}#{owner(result.focus, settings.base_iri)}"
        grouped.setdefault((str(path), key), (str(path), [], []))[2].append(result)
    return True


@dataclass(frozen=True)
class Validation:
    """What ``eulod validate`` found: the report in the asked format, and the verdict the exit code says."""

    report: str
    failing: bool  # results at or above the threshold, or record problems
    unreadable: bool  # an RDF file could not be parsed at all


def validate_paths(settings: Settings, paths: list[Path], fmt: str = "text", fail_on: str = "violation",
                   language: str = "en") -> Validation:
    """Validate everything under ``paths``; :class:`InputError` when there is nothing to validate."""
    source_files, rdf_files = classify(paths)
    if not source_files and not rdf_files:
        raise InputError("no records, fact sheets or RDF files found")
    grouped: Grouped = {}
    graphs: list[Graph] = []
    unreadable = False
    if source_files:
        _validate_sources(settings, source_files, grouped, graphs)
    for path in rdf_files:
        unreadable |= not _validate_rdf(settings, path, grouped, graphs)
    counts = count(grouped.values())
    failing = bool(counts["error"]) or any(
        at_or_above(r.severity, fail_on) for _f, _p, results in grouped.values() for r in results
    )
    return Validation(render(grouped, graphs, fmt, fail_on, language, failing), failing, unreadable)


def render(grouped: Grouped, graphs: list[Graph], fmt: str, fail_on: str, language: str, failing: bool) -> str:
    if fmt == "json":
        return json_report(grouped)
    if fmt == "turtle":
        return turtle_report(graphs, conforms=not failing)
    if fmt == "junit":
        return junit_report(grouped, fail_on, language)
    lines = [text_report(grouped, language)] if any(p or r for _f, p, r in grouped.values()) else []
    verdict = f"FAILED: results at or above {fail_on}" if failing else "OK"
    lines.append(f"{len(grouped)} checked: {summary(count(grouped.values()))}. {verdict}")
    return "\n".join(lines)
