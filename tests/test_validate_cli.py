"""``eulod validate`` as CI runs it: the real console script, its output formats and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from rdflib import Graph
from rdflib.namespace import RDF, SH

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "data" / "records"
FACTSHEETS = ROOT / "data" / "factsheets"
EULOD = Path(sys.executable).with_name("eulod")

pytestmark = pytest.mark.slow  # every test here runs `eulod validate` in a subprocess: ~1 s each


def eulod_validate(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run(
        [str(EULOD), "validate", *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture()
def broken_records(records_copy: Path) -> Path:
    """The sample records with seed 000's end date moved before its start date."""
    path = records_copy / "000-cities-at-heart.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["end_date"] = "2020-01-31"
    data.pop("duration_months", None)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return records_copy


def test_the_sample_records_hold_and_their_warnings_are_shown(tmp_path):
    run = eulod_validate(RECORDS, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "record 'cities-at-heart'" in run.stdout
    assert "! warning [durationMonths]" in run.stdout
    assert "5 checked: 0 errors, 0 violations" in run.stdout and run.stdout.rstrip().endswith("OK")


def test_a_broken_record_fails_and_is_named(tmp_path, broken_records):
    run = eulod_validate(broken_records, cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    block = run.stdout.split("record 'cities-at-heart'", 1)[1].split("record '", 1)[0]
    assert "✗ violation [endDate]" in block and "2020-01-31" in block
    assert "FAILED" in run.stdout


def test_fail_on_warning_fails_the_seeds(tmp_path):
    assert eulod_validate(RECORDS, "--fail-on", "warning", cwd=tmp_path).returncode == 1
    assert eulod_validate(RECORDS, "--fail-on", "violation", cwd=tmp_path).returncode == 0


def test_messages_in_italian(tmp_path):
    run = eulod_validate(RECORDS, "--lang", "it", cwd=tmp_path)
    assert "La durata (eulod:durationMonths) di 30 mesi" in run.stdout


def test_malformed_rdf_is_an_input_error(tmp_path):
    bad = tmp_path / "broken.ttl"
    bad.write_text("<http://example.org/a> <http://example.org/b> .\n", encoding="utf-8")
    run = eulod_validate(bad, RECORDS, cwd=tmp_path)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "broken.ttl" in run.stdout and "cannot be parsed" in run.stdout
    assert "record 'cities-at-heart'" in run.stdout  # the other inputs were still checked


def test_a_missing_path_is_an_input_error(tmp_path):
    run = eulod_validate(tmp_path / "no-such-records", cwd=tmp_path)
    assert run.returncode == 2
    assert "no-such-records" in run.stderr and "Traceback" not in run.stderr


def test_an_unknown_kind_of_file_is_a_usage_error(tmp_path):
    odd = tmp_path / "notes.xyz"
    odd.write_text("hello", encoding="utf-8")
    run = eulod_validate(odd, cwd=tmp_path)
    assert run.returncode == 2 and "notes.xyz" in run.stderr


def test_json_report(tmp_path, broken_records):
    run = eulod_validate(broken_records, "--format", "json", cwd=tmp_path)
    assert run.returncode == 1
    entries = {entry["record"]: entry for entry in json.loads(run.stdout)}
    assert set(entries) >= {"cities-at-heart", "co4cities"}
    severities = {r["severity"] for r in entries["cities-at-heart"]["results"]}
    assert "violation" in severities
    assert all(r["messages"]["en"] and r["messages"]["it"] for r in entries["cities-at-heart"]["results"])


def test_turtle_report_is_the_shacl_report_graph(tmp_path, broken_records):
    as_json = json.loads(eulod_validate(broken_records, "--format", "json", cwd=tmp_path).stdout)
    run = eulod_validate(broken_records, "--format", "turtle", cwd=tmp_path)
    assert run.returncode == 1
    graph = Graph().parse(data=run.stdout, format="turtle")
    reports = list(graph.subjects(RDF.type, SH.ValidationReport))
    assert len(reports) == 1
    assert graph.value(reports[0], SH.conforms).toPython() is False
    results = list(graph.objects(reports[0], SH.result))
    assert len(results) == sum(len(e["results"]) for e in as_json)
    assert {str(graph.value(r, SH.resultSeverity)).rsplit("#", 1)[1] for r in results} >= {"Violation", "Warning", "Info"}


def test_junit_report_has_a_test_case_per_record(tmp_path, broken_records):
    run = eulod_validate(broken_records, "--format", "junit", cwd=tmp_path)
    assert run.returncode == 1
    root = ET.fromstring(run.stdout)
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"cities-at-heart", "amif-820885-volunteering", "co4cities", "citta-attrattive-e-partecipate", "conet"}
    assert cases["cities-at-heart"].find("failure") is not None
    assert "endDate" in cases["cities-at-heart"].find("failure").text
    assert cases["co4cities"].find("failure") is None
    assert "info" in cases["co4cities"].find("system-out").text  # lower severities shown, not failing
    assert root.get("failures") == "1"


def test_an_rdf_file_is_validated_and_grouped_by_project(tmp_path):
    data = tmp_path / "generated.nt"
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", "12", "--invalid-every", "5",
         "--format", "nt", "--out", str(data)],
        check=True, capture_output=True,
    )
    run = eulod_validate(data, "--format", "json", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    entries = json.loads(run.stdout)
    failing = {e["record"].rsplit("#", 1)[1] for e in entries if any(r["severity"] == "violation" for r in e["results"])}
    assert failing >= {"gen-0000005"}  # the generator breaks every 5th record
    assert all(e["file"] == str(data) for e in entries)


@pytest.mark.skipif(not any(FACTSHEETS.glob("*.txt")), reason="no sample fact sheets")
def test_a_fact_sheet_is_converted_then_validated(tmp_path):
    sheet = sorted(FACTSHEETS.glob("*.txt"))[0]
    run = eulod_validate(sheet, "--format", "json", cwd=tmp_path)
    assert run.returncode in (0, 1), run.stdout + run.stderr
    entries = json.loads(run.stdout)
    assert entries and all(e["file"] == str(sheet) for e in entries)
