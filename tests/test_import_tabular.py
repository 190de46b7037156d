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
    assert problems == {("line 5", "Operation_End_Date"), ("line 6", "Country")}
    torino = records["kohesio-https-linkedopendata-eu-entity-q2861046"]
    assert torino["budget"] == {"total_cost": "1250000.0", "eu_contribution": "625000.0", "eu_contribution_rate": 50}
    assert torino["funds"] == ["ERDF"] and torino["programme_reference"] == "2014IT16RFOP014"
    assert (torino["start_date"], torino["end_date"]) == ("2017-03-01", "2021-12-31")  # written 01/03/2017
    assert "\n" in torino["description"]  # a quoted cell over two lines
    assert torino["participants"][0]["organisation"]["id"] == "torino-municipality"
    assert torino["identifiers"] == [{"scheme": "kohesio", "value": "https://linkedopendata.eu/entity/Q2861046"}]
    greek = records["kohesio-https-linkedopendata-eu-entity-q3167423"]
    organisation = greek["participants"][0]["organisation"]
    assert (organisation["country"], organisation["country_as_stated"]) == ("GR", "GREECE")  # written Greece
    assert greek["budget"]["eu_contribution_rate"] == 85  # written 85.0


def test_keep_eu_workbook_projects_sheet():
    records, problems = imported("keep-eu.xlsx", "keep-eu")
    assert problems == {("row 4", "Project's total budget / expenditure")}
    conet = records["keep-eu-2007-2013-urbact-ii-conet"]
    assert (conet["programme"], conet["acronym"], conet["start_date"]) == ("URBACT-II", "CoNet", "2008-04-21")
    assert conet["budget"] == {"total_cost": "710000", "eu_contribution": "530000", "eu_contribution_rate": 75}
    green = records["keep-eu-2021-2027-interreg-europe-green-path"]
    assert green["programme"] == "INTERREG-EUROPE-2021-2027"
    assert green["identifiers"] == [{"scheme": "keep-eu", "value": "01C0042"}]


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
    assert "kohesio.csv: record 'line 5': field Operation_End_Date: '30/02/2020' is not a calendar date" in result.stderr
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


# The column names of the real exports, as public code that reads them uses them (the sources are
# cited in each mapping file). A sample whose header is made of them must feed every column the
# mapping reads, and a complete row must fill every record field the mapping maps.
KOHESIO_COLUMNS = {
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Postal_Code", "Operation_Start_Date", "Operation_End_Date",
    "Cofinancing_Rate", "Total_Eligible_Expenditure_amount", "Total_Eligible_Expenditure_Currency",
    "Project_EU_Budget", "Beneficiary_Unique_Identifier", "Beneficiary_Name", "Location_Indicator_latitude_longitude",
    "Category_Of_Intervention", "Category_Label", "Thematic_Objective_ID", "Thematic_Objective_Label",
    "Policy_Objective_ID", "Policy_Objective_Label", "Fund_Code", "Fund_Name", "Programme_Code", "Programme_Name",
    "Region", "NUTS3_Code", "Programming_Period", "Operation_Summary_English", "Operation_Summary_Programme_Language",
    "ManagingAuthority", "Image_URL", "InfoRegio_ID", "InfoRegio_URL",
}
KEEP_EU_PROJECT_COLUMNS = {
    "Period", "Programme", "Project ID (2021-2027 only)", "Project acronym", "Project name in English",
    "Project name in language 2", "Description in English", "Description in language 2",
    "Expected Achievements in English", "Actual Achievements in English", "Project start", "Project end",
    "Project's total budget / expenditure", "Project's EU funding", "Union co-financing rate", "Website",
    "Theme 1", "Theme 2", "Theme 3",
}


def mapped_columns(mapping) -> set[str]:
    """Every column a mapping reads: named columns and the cells its templates use."""
    import string

    from eulod.converters.tabular import _all_specs

    found = set()
    for _where, spec in _all_specs(mapping):
        if isinstance(spec, str):
            found.add(spec)
        elif isinstance(spec, dict) and "column" in spec:
            found.add(spec["column"])
        elif isinstance(spec, dict) and "template" in spec:
            found.update(name for _, name, _, _ in string.Formatter().parse(spec["template"]) if name)
    return found


def mapped_fields(mapping) -> set[str]:
    """The dotted record fields a mapping fills from the file (constants left out)."""
    fields = {key for key, spec in mapping.record.items() if not (isinstance(spec, dict) and "value" in spec)}
    if mapping.identifiers:
        fields.add("identifiers")
    if mapping.participants:
        fields.add("participants")
    return fields


def header_of(sample: str, mapping) -> list[str]:
    path = SAMPLES / sample
    rows = cells.xlsx_rows(path, mapping.sheet) if path.suffix == ".xlsx" else cells.csv_rows(path, ",")
    _, row = next(iter(rows))
    return list(row)


def has_field(record: dict, dotted: str) -> bool:
    for key in dotted.split("."):
        if not isinstance(record, dict) or key not in record:
            return False
        record = record[key]
    return record not in (None, "", [], {})


@pytest.mark.parametrize(
    ("sample", "name", "real", "complete"),
    [("kohesio.csv", "kohesio", KOHESIO_COLUMNS, "kohesio-https-linkedopendata-eu-entity-q2861046"),
     ("keep-eu.xlsx", "keep-eu", KEEP_EU_PROJECT_COLUMNS, "keep-eu-2021-2027-interreg-europe-green-path")],
)
def test_samples_with_the_real_header_map_every_mapped_column(sample, name, real, complete):
    mapping = load_mapping(name)
    header = header_of(sample, mapping)
    assert set(header) == real  # the sample's header row is the export's, no invented column
    assert mapped_columns(mapping) <= real, mapped_columns(mapping) - real
    records, _ = imported(sample, name)
    missing = {f for f in mapped_fields(mapping) if not has_field(records[complete], f)}
    assert not missing, f"{complete}: mapped fields left empty: {missing}"
