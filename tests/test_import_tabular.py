"""`eulod import csv FILE --mapping M`: tabular exports through the shipped declarative mappings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from eulod.converters import cells
from eulod.converters.records import load_file
from eulod.converters.tabular import MappingError, load_mapping, read_table

SAMPLES = Path(__file__).resolve().parent / "data" / "import"


def imported(sample: str, mapping: str) -> tuple[dict[str, dict], set[tuple[str, str]]]:
    items = list(read_table(SAMPLES / sample, load_mapping(mapping)))
    records = {i.record["id"]: i.record for i in items if i.record is not None}
    problems = {(i.problem.record, i.problem.field) for i in items if i.problem is not None}
    return records, problems


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], capture_output=True, text=True)


def test_kohesio_export():
    records, problems = imported("kohesio.csv", "kohesio")
    assert problems == {("line 5", "End date"), ("line 6", "Fund")}
    torino = records["kohesio-q2861046"]
    assert torino["budget"] == {"total_cost": "1250000.00", "eu_contribution": "625000.00", "eu_contribution_rate": 50}
    assert torino["funds"] == ["ERDF"]
    assert "\n" in torino["description"]  # a quoted cell over two lines
    assert torino["participants"][0]["organisation"]["id"] == "torino-municipality"
    assert torino["identifiers"] == [{"scheme": "kohesio", "value": "Q2861046"}]
    greek = records["kohesio-q3167423"]
    organisation = greek["participants"][0]["organisation"]
    assert (organisation["country"], organisation["country_as_stated"]) == ("GR", "EL")
    assert greek["budget"]["eu_contribution_rate"] == 85  # written 0.85


def test_keep_eu_export_reconciles_partners_with_the_fact_sheets():
    records, problems = imported("keep-eu.csv", "keep-eu")
    assert problems == {("line 4", "Total budget")}
    conet = records["keep-eu-12345"]
    ids = [p["organisation"]["id"] for p in conet["participants"]]
    # the ids data/records/004-conet.yaml gives the same organisations
    assert ids == ["berlin-municipality", "palermo-municipality", "liverpool-municipality", "sofia-municipality", "cesie"]
    assert [p["role"] for p in conet["participants"]][:2] == ["coordinator", "partner"]
    assert conet["budget"] == {"total_cost": "710000.00", "eu_contribution": "530000.00"}
    assert records["keep-eu-23456"]["programme"] == "INTERREG-EUROPE-2021-2027"


def test_municipality_spreadsheet_xlsx_rows_are_named_by_row_number():
    records, problems = imported("municipality.xlsx", "municipality")
    assert problems == {("row 4", "Our role"), ("row 6", "Start")}
    cities = records["comune-di-cesena-cities-heart"]
    assert (cities["start_date"], cities["end_date"]) == ("2023-06-01", "2025-12-31")  # XLSX date cells
    assert cities["participants"][0]["organisation"]["id"] == "cesena-municipality"
    assert cities["participants"][0]["budget"] == {"total_cost": "82500"}
    conet = records["citta-di-palermo-conet"]
    assert (conet["language"], conet["start_date"], conet["website"]) == ("it", "2008-04-21", "https://www.urbact.eu/conet")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234,5", "1234.5"), ("1.234.567,50", "1234567.50"), ("1,234,567.50", "1234567.50"), ("€ 2 000", "2000"),
     (1000.5, "1000.5"), ("-3", "-3")],
)
def test_amount_cells(text, expected):
    assert cells.amount(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,2,3.4.5", "NaN", ""])
def test_bad_amount_cells(text):
    with pytest.raises(cells.CellError):
        cells.amount(text)


def test_bad_mappings_are_refused_with_their_key(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("record: {id: A, title: B}\nsheeet: x\n", "utf-8")
    with pytest.raises(MappingError, match="unknown key"):
        load_mapping(str(bad))
    bad.write_text("record: {id: A, title: {column: B, type: money}}\n", "utf-8")
    with pytest.raises(MappingError, match="record.title: type 'money'"):
        load_mapping(str(bad))
    with pytest.raises(MappingError, match="no such mapping"):
        load_mapping("no-such-mapping")


def test_cli_writes_records_that_load_and_exits_1_with_bad_rows(tmp_path):
    output = tmp_path / "k.jsonl"
    result = run("import", "csv", str(SAMPLES / "kohesio.csv"), "--mapping", "kohesio", "-o", str(output))
    assert result.returncode == 1
    assert "kohesio.csv: record 'line 5': field End date: '2020-02-30' is not a calendar date" in result.stderr
    loaded = load_file(output)
    assert loaded.problems == [] and len(loaded.records) == 2


def test_cli_mapping_and_workbook_errors_exit_2(tmp_path):
    output = tmp_path / "out.jsonl"
    bad = tmp_path / "bad.yaml"
    bad.write_text("record: [1, 2]\n", "utf-8")
    result = run("import", "csv", str(SAMPLES / "kohesio.csv"), "--mapping", str(bad), "-o", str(output))
    assert result.returncode == 2 and "mapping error" in result.stderr
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a workbook", "utf-8")
    result = run("import", "csv", str(fake), "--mapping", "municipality", "-o", str(output))
    assert result.returncode == 2 and "not a readable XLSX workbook" in result.stderr
    assert not output.exists()
