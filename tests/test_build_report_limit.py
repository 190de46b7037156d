"""``eulod build`` prints the findings of at most ``--report-limit`` records, and counts them all.

A build of a whole export may find something in every record (the generator's records each
carry an info result); the command used to read every finding back into objects and print them
all: about 1 GB more at 300 000 records, after the store was built (issue 19). The counts of
the summary line and the exit code come from the report file by SQL, so they stay exact."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from eulod.converters.records import RecordProblem
from eulod.pipeline.findings import Findings, RecordRef
from eulod.shapes import Result


def eulod(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eulod.cli", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=900)


def records(folder: Path, count: int) -> Path:
    """``count`` valid projects shaped as bench/generate.py writes them; each draws an info result."""
    path = folder / "projects.jsonl"
    with path.open("w") as out:
        for n in range(count):
            out.write(json.dumps({
                "id": f"gen-{n:03d}", "language": "en", "source": {"file": f"generated/{n:07d}.json"}, "title": f"Commons {n}: urban regeneration",
                "acronym": f"Commons{n}", "description": f"Project {n} on energy efficiency.", "programme": "URBACT-III",
                "currency": "EUR", "budget": {"total_cost": "4000.00", "eu_contribution": "2000.00"},
                "participants": [
                    {"organisation": {"id": f"paris-{n}", "name": {"en": f"Paris Solutions {n}"}, "type": "company",
                                      "city": "Paris", "country": "FR"}, "role": "coordinator"},
                    {"organisation": {"id": f"lyon-{n}", "name": {"en": f"University of Lyon {n}"},
                                      "type": "university", "city": "Lyon", "country": "FR"}, "role": "partner"}],
                "funds": ["ERDF"], "start_date": "2015-04", "duration_months": 30}) + "\n")
    return path


@pytest.mark.slow
def test_the_report_is_cut_at_the_limit_and_the_counts_stay_whole(tmp_path):
    source = records(tmp_path, 6)
    whole = eulod("build", source, "--build-dir", tmp_path / "a", "--report-limit", "0", cwd=tmp_path)
    cut = eulod("build", source, "--build-dir", tmp_path / "b", "--report-limit", "2", cwd=tmp_path)
    assert whole.returncode == cut.returncode, (whole.stderr, cut.stderr)
    blocks = [line for line in whole.stdout.splitlines() if ": record " in line]
    assert len(blocks) >= 3, whole.stdout  # the test needs records with findings
    shown = [line for line in cut.stdout.splitlines() if ": record " in line]
    assert shown == blocks[:2]
    assert f"... and {len(blocks) - 2} more records with findings (--report-limit 2); all are in " in cut.stdout
    assert "report.sqlite" in cut.stdout.split("all are in ")[-1]
    summary = [line for line in whole.stdout.splitlines() if line.startswith("built ")]
    assert summary and summary[-1].split("; ")[-1] == [
        line for line in cut.stdout.splitlines() if line.startswith("built ")][-1].split("; ")[-1]


def fill(findings: Findings, count: int) -> None:
    for n in range(count):
        record = RecordRef(f"r{n:06d}", "projects.jsonl", n + 1)
        if n % 5 == 0:
            findings.convert_problem(RecordProblem(record.file, record.id, "start_date", f"bad date {n}"))
        findings.results(record, [Result("info", f"{record.id}", "https://w3id.org/eulod/ontology#acronym", None,
                                         {"en": "an acronym helps"}, "", "")] * 2)
    findings.load_problem(RecordProblem("projects.jsonl", "x", "", "not JSON"))
    findings.flush()


def test_the_outcomes_are_read_one_record_at_a_time(tmp_path):
    """iter_outcomes against outcomes (the list), and the counts against counting the list; then
    the memory of a cut report and its counts does not grow with the records."""
    findings = Findings(tmp_path / "report.sqlite")
    fill(findings, 50)
    listed = findings.outcomes()
    assert [(o.record, o.problems, o.report.results) for o in findings.iter_outcomes()] == \
        [(o.record, o.problems, o.report.results) for o in listed]
    assert [o.record.id for o in listed] == [f"r{n:06d}" for n in range(50)]
    counts = findings.severity_counts()
    assert counts == {"error": 10 + 1, "violation": 0, "warning": 0, "info": 100}
    assert findings.count_reported_records() == 51
    assert findings.any_rejected("violation") and findings.any_rejected("info")

    def peak(count: int) -> int:
        many = Findings(tmp_path / f"report-{count}.sqlite")
        fill(many, count)
        tracemalloc.start()
        try:
            list(itertools.islice(many.iter_outcomes(), 10))
            many.severity_counts()
            many.count_reported_records()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(1_000), peak(4_000)
    assert large < 1.6 * small, (small, large)
