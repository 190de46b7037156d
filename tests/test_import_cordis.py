"""`eulod import cordis`: the CORDIS CSV exports as published -> checked records, bad rows reported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import URIRef

from eulod.converters.cordis import read_cordis
from eulod.converters.rdf import MappingOptions, RecordMapper
from eulod.converters.records import Record, load_file

HERE = Path(__file__).resolve().parent
SAMPLE = HERE / "data" / "import" / "cordis"
PROJECTS, ORGANISATIONS = SAMPLE / "project.csv", SAMPLE / "organization.csv"
BASE = "http://data.example.org/"


@pytest.fixture(scope="module")
def items():
    return list(read_cordis(PROJECTS, ORGANISATIONS))


@pytest.fixture(scope="module")
def records(items):
    return {item.record["id"]: item.record for item in items if item.record is not None}


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_good_projects_become_records_and_bad_rows_are_named_by_line(items, records):
    assert sorted(records) == ["cordis-730426", "cordis-776783", "cordis-821016"]
    problems = {(p.file, p.record, p.field) for p in (i.problem for i in items) if p is not None}
    assert problems == {
        ("project.csv", "line 5", "endDate"),  # 2024-02-30
        ("project.csv", "line 7", "title"),
        ("project.csv", "line 7", "totalCost"),  # abc
        ("organization.csv", "line 10", "country"),  # XX
        ("organization.csv", "line 15", "projectID"),  # a project not in project.csv
    }


def test_quoted_cells_with_newlines_and_decimal_commas(records):
    urbinat = records["cordis-776783"]
    assert urbinat["description"].splitlines()[1].startswith('It co-creates "healthy corridors"')
    assert urbinat["budget"] == {"total_cost": "8123337.5", "eu_contribution": "7999913.75"}
    assert records["cordis-821016"]["budget"]["total_cost"] == "11236405.00"
    assert urbinat["identifiers"] == [
        {"scheme": "eu-grant-agreement", "value": "776783"},
        {"scheme": "cordis-rcn", "value": "214785"},
    ]
    assert (urbinat["programme"], urbinat["status"], urbinat["start_date"]) == ("HORIZON-2020", "closed", "2018-06-01")


def test_participants_in_cordis_order_with_roles_types_and_eu_countries(records):
    progireg = records["cordis-821016"]["participants"]
    assert [p["role"] for p in progireg] == ["coordinator", "partner", "partner"]  # by the order column
    assert progireg[0]["organisation"]["type"] == "university"
    urbinat = {p["organisation"]["id"]: p for p in records["cordis-776783"]["participants"]}
    nottingham = urbinat["pic-986324011"]["organisation"]  # by its PIC (organisationID)
    assert (nottingham["country"], nottingham["country_as_stated"]) == ("GB", "UK")
    athens = urbinat["athinaion-municipality"]
    assert (athens["organisation"]["country"], athens["organisation"]["country_as_stated"]) == ("GR", "EL")
    assert athens["role"] == "third-party"  # thirdParty
    assert urbinat["porto-municipality"]["organisation"]["website"] == "https://www.cm-porto.pt"
    assert urbinat["porto-municipality"]["budget"]["eu_contribution"] == "1217500"


def test_organisations_reconcile_with_the_fact_sheet_extraction(records):
    """MUNICIPIO DO PORTO in CORDIS and 'Câmara Municipal do Porto' in a fact sheet are one IRI."""
    expected = yaml.safe_load((HERE / "data" / "extraction" / "pt-urbinat.expected.yaml").read_text("utf-8"))
    fact_sheet = {p["organisation"]["id"] for p in expected["participants"]}
    cordis = {p["organisation"]["id"] for p in records["cordis-776783"]["participants"]}
    assert {"porto-municipality", "nantes-municipality", "hoje-taastrup-municipality"} <= fact_sheet & cordis
    mapper = RecordMapper(MappingOptions(BASE))
    one = mapper.graph(Record(records["cordis-776783"], "project.csv"))
    other = mapper.graph(Record(expected, "pt-urbinat.yaml"))
    porto = URIRef(BASE + "organisation/porto-municipality")
    assert (porto, None, None) in one and (porto, None, None) in other


@pytest.mark.slow
def test_cli_writes_checked_json_lines_and_exits_1_for_bad_rows(tmp_path):
    output = tmp_path / "cordis.jsonl"
    result = run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", str(output))
    assert result.returncode == 1, result.stderr
    assert "project.csv: record 'line 7': field title" in result.stderr
    assert "organization.csv: record 'line 10': field country" in result.stderr
    loaded = load_file(output)
    assert loaded.problems == []
    assert [r.id for r in loaded.records] == ["cordis-776783", "cordis-730426", "cordis-821016"]
    assert "imported 3 records" in result.stdout


@pytest.mark.slow
def test_cli_input_errors_exit_2_without_output(tmp_path):
    output = tmp_path / "out.jsonl"
    not_cordis = tmp_path / "project.csv"
    not_cordis.write_text("a;b\n1;2\n", "utf-8")
    result = run("import", "cordis", str(not_cordis), str(ORGANISATIONS), "-o", str(output))
    assert result.returncode == 2
    assert "not a CORDIS export: missing column(s) id" in result.stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(PROJECTS.read_bytes().replace(b"URBiNAT", "URBİNAT".encode("cp1254")))
    result = run("import", "cordis", str(latin1), str(ORGANISATIONS), "-o", str(output))
    assert result.returncode == 2 and "not UTF-8" in result.stderr
    result = run("import", "cordis", str(tmp_path / "missing.csv"), str(ORGANISATIONS), "-o", str(output))
    assert result.returncode == 2 and "no such file" in result.stderr
    assert not output.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
