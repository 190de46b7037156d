"""``eulod validate``: check records or RDF files against the shapes, for CI pipelines.

Records are converted first (exactly as ``eulod build`` would); RDF files are validated as
they are. Output is grouped by record; the exit code says whether the data holds.
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph
from rdflib.util import guess_format

from eulod.build import convert_and_validate
from eulod.config import Settings
from eulod.converters.records import RECORD_SUFFIXES, RecordProblem, load_records
from eulod.report import count, json_report, summary, text_report
from eulod.shapes import validate

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2


def _expand(paths: list[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        out.extend(sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path])
    return out


def validate_paths(settings: Settings, paths: list[Path], fmt: str, fail_on: str) -> int:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        print(f"eulod validate: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    files = _expand(paths)
    record_paths = [p for p in files if p.suffix in RECORD_SUFFIXES]
    rdf_paths = [p for p in files if p.suffix not in RECORD_SUFFIXES and guess_format(str(p))]
    grouped: dict[str, tuple] = {}
    loaded = load_records(record_paths)
    for problem in loaded.problems:
        grouped.setdefault(problem.record, (problem.file, [], []))[1].append(problem)
    for outcome in convert_and_validate(loaded.records, settings):
        entry = grouped.setdefault(outcome.record.id, (outcome.record.file, [], []))
        entry[1].extend(outcome.problems)
        entry[2].extend(outcome.report.results)
    for path in rdf_paths:
        try:
            graph = Graph().parse(path, format=guess_format(str(path)))
        except Exception as exc:  # rdflib raises many types for malformed input
            grouped[str(path)] = (str(path), [RecordProblem(str(path), "(file)", "", f"cannot be parsed: {exc}")], [])
            continue
        grouped[str(path)] = (str(path), [], validate(graph).results)
    if not grouped:
        print("eulod validate: no records or RDF files found", file=sys.stderr)
        return EXIT_ERROR
    counts = count(grouped.values())
    if fmt == "json":
        print(json_report(grouped))
    else:
        report = text_report(grouped)
        if report:
            print(report)
        print(f"{len(grouped)} checked: {summary(counts)}")
    if counts["error"]:
        return EXIT_ERROR if not loaded.records and not rdf_paths else EXIT_INVALID
    severities = ("violation", "warning", "info")
    failing = severities[: severities.index(fail_on) + 1]
    return EXIT_INVALID if any(counts[s] for s in failing) else EXIT_OK
