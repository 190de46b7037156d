"""Human- and machine-readable reports of record problems and SHACL results, per record."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Iterable

from eulod.converters.records import RecordProblem
from eulod.shapes import Result

SYMBOLS = {"violation": "✗", "warning": "!", "info": "i"}


def format_result(result: Result, language: str = "en") -> str:
    where = f" [{result.path.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}]" if result.path else ""
    value = f" (value: {result.value})" if result.value else ""
    return f"  {SYMBOLS[result.severity]} {result.severity}{where}: {result.message(language)}{value}\n      at {result.focus}"


def text_report(
    grouped: dict[str, tuple[str, list[RecordProblem], list[Result]]], language: str = "en"
) -> str:
    """One block per record: file, problems, then SHACL results by severity."""
    lines = []
    for record, (file, problems, results) in grouped.items():
        if not problems and not results:
            continue
        lines.append(f"{file}: record {record!r}")
        for problem in problems:
            field = f" field {problem.field}:" if problem.field else ""
            lines.append(f"  ✗ error:{field} {problem.reason}")
        lines.extend(format_result(result, language) for result in results)
    return "\n".join(lines)


def summary(counts: dict[str, int]) -> str:
    def plural(kind: str, n: int) -> str:
        return kind if n == 1 or kind == "info" else kind + "s"

    return ", ".join(f"{counts.get(k, 0)} {plural(k, counts.get(k, 0))}" for k in ("error", "violation", "warning", "info"))


def json_report(grouped: dict[str, tuple[str, list[RecordProblem], list[Result]]]) -> str:
    return json.dumps(
        [
            {
                "record": record,
                "file": file,
                "errors": [asdict(p) for p in problems],
                "results": [asdict(r) for r in results],
            }
            for record, (file, problems, results) in grouped.items()
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
