"""Human- and machine-readable reports of record problems and SHACL results, per record."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import asdict
from typing import Iterable

from rdflib import BNode, Graph, Literal
from rdflib.namespace import RDF, SH

from eulod.converters.documents import printable
from eulod.converters.records import RecordProblem
from eulod.core.namespaces import bind_prefixes
from eulod.shapes import SEVERITY_RANK, Result

# (file, record) -> (file, problems, SHACL results). Keyed by file too: problems of files that
# cannot be read are all "(file)" (or "line 2", "#1"), and each must stay under its own file.
Grouped = dict[tuple[str, str], tuple[str, list[RecordProblem], list[Result]]]


def group_by_record(problems: Iterable[RecordProblem], outcomes: Iterable, grouped: Grouped | None = None) -> Grouped:
    """(file, record id) -> (file, problems, SHACL results), the shape every report format reads.

    ``outcomes`` are eulod.pipeline.build.RecordOutcome objects (record, problems, report).
    """
    grouped = {} if grouped is None else grouped
    for problem in problems:
        grouped.setdefault((problem.file, problem.record), (problem.file, [], []))[1].append(problem)
    for outcome in outcomes:
        file = printable(outcome.record.file, 500)  # as RecordProblem shows it
        entry = grouped.setdefault((file, outcome.record.id), (file, [], []))
        entry[1].extend(outcome.problems)
        entry[2].extend(outcome.report.results)
    return grouped

SYMBOLS = {"violation": "✗", "warning": "!", "info": "i"}


def format_result(result: Result, language: str = "en") -> str:
    """One result in two lines; the value and the message (which may quote values) are cut short."""
    where = f" [{result.path.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}]" if result.path else ""
    value = f" (value: {printable(result.value)})" if result.value else ""
    message = printable(result.message(language), 1000)
    return f"  {SYMBOLS[result.severity]} {result.severity}{where}: {message}{value}\n      at {printable(result.focus, 500)}"


def text_report(grouped: Grouped, language: str = "en") -> str:
    """One block per record: file, problems, then SHACL results by severity."""
    lines = []
    for (_key, record), (file, problems, results) in grouped.items():
        if not problems and not results:
            continue
        lines.append(f"{printable(file, 500)}: record {printable(record)!r}")
        for problem in problems:
            field = f" field {problem.field}:" if problem.field else ""
            lines.append(f"  ✗ error:{field} {problem.reason}")
        lines.extend(format_result(result, language) for result in results)
    return "\n".join(lines)


def summary(counts: dict[str, int]) -> str:
    def plural(kind: str, n: int) -> str:
        return kind if n == 1 or kind == "info" else kind + "s"

    return ", ".join(f"{counts.get(k, 0)} {plural(k, counts.get(k, 0))}" for k in ("error", "violation", "warning", "info"))


def json_report(grouped: Grouped) -> str:
    return json.dumps(
        [
            {
                "record": record,
                "file": file,
                "errors": [asdict(p) for p in problems],
                "results": [asdict(r) for r in results],
            }
            for (_key, record), (file, problems, results) in grouped.items()
        ],
        indent=2,
        ensure_ascii=False,
    )


def count(grouped_values: Iterable[tuple[str, list[RecordProblem], list[Result]]]) -> dict[str, int]:
    counts = {"error": 0, "violation": 0, "warning": 0, "info": 0}
    for _file, problems, results in grouped_values:
        counts["error"] += len(problems)
        for result in results:
            counts[result.severity] += 1
    return counts


def at_or_above(severity: str, threshold: str) -> bool:
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


def turtle_report(reports: Iterable[Graph], conforms: bool) -> str:
    """One sh:ValidationReport holding the results of every SHACL report graph, as Turtle.

    The result nodes are pySHACL's (values keep their RDF terms); ``conforms`` is what the
    exit code says (no result at or above --fail-on), as pySHACL's allow_warnings does.
    Record problems that never reached RDF are not SHACL results; they are in text/json/junit.
    """
    out = bind_prefixes(Graph())
    out.bind("sh", SH)
    report = BNode()
    out.add((report, RDF.type, SH.ValidationReport))
    out.add((report, SH.conforms, Literal(conforms)))
    for graph in reports:
        for triple in graph:
            if triple[1] == SH.result or triple[1] == SH.conforms or triple[2] == SH.ValidationReport:
                if triple[1] == SH.result:
                    out.add((report, SH.result, triple[2]))
                continue
            out.add(triple)
    return out.serialize(format="turtle")


def junit_report(grouped: Grouped, fail_on: str, language: str = "en") -> str:
    """JUnit XML: one test case per record (or RDF file), so CI dashboards list each one.

    Record problems and results at or above ``fail_on`` are <failure>s; lower results go to
    the case's <system-out>, so they are visible without failing the case.
    """
    suite = ET.Element("testsuite", name="eulod validate")
    failures = 0
    for (_key, record), (file, problems, results) in grouped.items():
        case = ET.SubElement(suite, "testcase", classname=printable(file, 500), name=printable(record))
        failing = [format_result(r, language) for r in results if at_or_above(r.severity, fail_on)]
        failing[:0] = [f"error: field {p.field}: {p.reason}" if p.field else f"error: {p.reason}" for p in problems]
        if failing:
            failures += 1
            failure = ET.SubElement(case, "failure", message=f"{len(failing)} problem(s) at or above {fail_on}", type=fail_on)
            failure.text = "\n".join(line.strip() for line in failing)
        lower = [format_result(r, language) for r in results if not at_or_above(r.severity, fail_on)]
        if lower:
            ET.SubElement(case, "system-out").text = "\n".join(lower)
    suite.set("tests", str(len(grouped)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suites = ET.Element("testsuites", name="eulod", tests=str(len(grouped)), failures=str(failures))
    suites.append(suite)
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True)
