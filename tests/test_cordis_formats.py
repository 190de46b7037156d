"""`eulod import cordis` reads the same export however it was written: CSV with semicolons or
commas, minimal or full quoting, decimal commas or points (found, not assumed), XLSX, JSON.

A generated CORDIS-like table written every way must give the same records; the real export
(../shared/real/cordis-he) re-written as XLSX (openpyxl) and JSON (json) inside the test must
give the records its CSV gives.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.converters.cells import CellError
from eulod.converters.cordis import read_cordis
from eulod.converters.sniff import DecimalMarks, detect_dialect, value_mark

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("EULOD_SHARED", ROOT.parent / "shared")) / "real" / "cordis-he"
PROJECTS, ORGANISATIONS = REAL / "project_df_100.csv", REAL / "organization_df_100.csv"
DAY = "2025-06-30"

PROJECT_HEADER = ["id", "acronym", "status", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
                  "legalBasis", "frameworkProgramme", "objective", "rcn"]
ORGANISATION_HEADER = ["projectID", "organisationID", "vatNumber", "name", "activityType", "city", "country", "order",
                       "role", "ecContribution", "netEcContribution", "totalCost"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def records_of(projects: Path, organisations: Path) -> dict[str, dict[str, Any]]:
    """id -> record, amounts as Decimal (1499998.0 and 1499998 are one amount), source file left out."""
    found = {}
    for item in read_cordis(projects, organisations, today=DAY):
        assert item.problem is None, str(item.problem)
        record = json.loads(json.dumps(item.record), parse_float=Decimal)
        record.pop("source")
        for owner in [record, *record.get("participants", [])]:
            if "budget" in owner:
                owner["budget"] = {k: Decimal(str(v)) for k, v in owner["budget"].items()}
        found[record["id"]] = record
    return found


# --- a generated table written every way ----------------------------------------------------

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30) \
    .map(lambda t: " ".join(t.split())).filter(bool)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2).map(
    lambda d: d.normalize() if d == d.to_integral_value() else d)
days = st.dates(min_value=date(2014, 1, 1), max_value=date(2030, 12, 31))


@st.composite
def projects(draw) -> list[dict[str, Any]]:
    rows = []
    for number in range(draw(st.integers(min_value=1, max_value=4))):
        start = draw(days)
        rows.append({
            "id": str(101000000 + number), "acronym": draw(texts), "status": draw(st.sampled_from(["SIGNED", "CLOSED"])),
            "title": draw(texts) + draw(st.sampled_from(["", "; with a semicolon", ", with a comma", ' "quoted"'])),
            "startDate": start.isoformat(), "endDate": date(start.year + 2, start.month, 1).isoformat(),
            "totalCost": draw(amounts), "ecMaxContribution": draw(amounts), "legalBasis": "HORIZON.1.1",
            "frameworkProgramme": "HORIZON", "objective": draw(texts) + "\nsecond line", "rcn": str(200000 + number),
        })
    return rows


def written(value: Any, mark: str) -> str:
    """A cell as a spreadsheet writes it: an amount with the file's decimal mark."""
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", mark)
    return value


def write(path: Path, header: list[str], rows: list[dict[str, Any]], delimiter: str, quoting: int, mark: str) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter, quoting=quoting)
        writer.writerow(header)
        for row in rows:
            writer.writerow([written(row.get(column, ""), mark) for column in header])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=projects(), delimiter=st.sampled_from([";", ","]), quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       mark=st.sampled_from([",", "."]), share=amounts)
def test_a_generated_table_reads_the_same_values_however_it_is_written(tmp_path, rows, delimiter, quoting, mark, share):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))  # one folder per example: the fixture is shared
    parts = [{"projectID": rows[0]["id"], "organisationID": "999981634", "vatNumber": "NL811383696B01",
              "name": "WAGENINGEN UNIVERSITY", "activityType": "HES", "city": "Wageningen", "country": "NL",
              "order": "1", "role": "coordinator", "ecContribution": share, "netEcContribution": share, "totalCost": share}]
    write(folder / "project.csv", PROJECT_HEADER, rows, delimiter, quoting, mark)
    write(folder / "organization.csv", ORGANISATION_HEADER, parts, delimiter, quoting, mark)
    records = records_of(folder / "project.csv", folder / "organization.csv")
    assert sorted(records) == sorted(f"cordis-{row['id']}" for row in rows)
    for row in rows:
        record = records[f"cordis-{row['id']}"]
        assert record["title"] == " ".join(row["title"].split())
        assert record["description"] == row["objective"]
        assert record["budget"] == {"total_cost": row["totalCost"], "eu_contribution": row["ecMaxContribution"]}
        assert (record["start_date"], record["end_date"]) == (row["startDate"], row["endDate"])
    first = records[f"cordis-{rows[0]['id']}"]["participants"][0]
    assert first["budget"] == {"total_cost": share, "eu_contribution": share, "gross_eu_contribution": share}


def test_the_delimiter_is_the_one_that_shows_the_expected_columns(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text('"id","title;with;semicolons","acronym"\n1,2,3\n', "utf-8")
    assert detect_dialect(path, ["id", "acronym"]).delimiter == ","
    path.write_text("id;title, with, commas;acronym\n1;2;3\n", "utf-8")
    assert detect_dialect(path, ["id", "acronym"]).delimiter == ";"
    path.write_text("id\ttitle\tacronym\n1\t2\t3\n", "utf-8")
    assert detect_dialect(path, ["id", "acronym"]).delimiter == "\t"


@pytest.mark.parametrize(("text", "mark"), [
    ("2835524,25", ","), ("1499998.0", "."), ("1.234.567,5", ","), ("1,234,567.5", "."), ("1,234,567", "."),
    ("1.500", None), ("1,500", None), ("1500", None), ("0,5", ","), ("abc", None),
])
def test_a_value_shows_its_decimal_mark_only_when_it_can(text, mark):
    assert value_mark(text) == mark


def test_a_value_that_reads_two_ways_takes_its_columns_mark_or_is_reported():
    marks = DecimalMarks(["totalCost", "other"])
    for row in ({"totalCost": "2835524,25", "other": "1.500"}, {"totalCost": "1.500", "other": "7"}):
        marks.observe(row)
    assert marks.plain("totalCost", "1.500") == "1500"  # the column writes decimal commas: '.' groups
    assert marks.plain("totalCost", "2835524,25") == "2835524.25"
    assert marks.plain("totalCost", "1499998.0") == "1499998.0"  # says its mark itself
    with pytest.raises(CellError, match="no other value of the column"):
        marks.plain("other", "1.500")
    marks.observe({"other": "2,5"})
    marks.observe({"other": "2.5"})
    with pytest.raises(CellError, match="both decimal commas and points"):
        marks.plain("other", "1.500")


# --- the real export as XLSX and JSON -------------------------------------------------------

real = pytest.mark.skipif(not PROJECTS.is_file(), reason=f"the real CORDIS files are not in {REAL} (set EULOD_SHARED)")

WHOLE = {"id", "projectID", "organisationID", "rcn", "order"}
AMOUNTS = {"totalCost", "ecMaxContribution", "ecContribution", "netEcContribution"}


def typed(column: str, text: str) -> Any:
    """A cell as a spreadsheet types it: whole numbers, amounts as numbers, dates, booleans."""
    if text == "":
        return None
    if column in WHOLE and text.isdigit():
        return int(text)
    if column in AMOUNTS:
        return float(text.replace(",", "."))
    if column in ("startDate", "endDate", "ecSignatureDate"):
        return date.fromisoformat(text)
    if text in ("True", "False"):
        return text == "True"
    return text


def write_xlsx(source: Path, target: Path) -> None:
    from openpyxl import Workbook

    rows = read_csv(source)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append([typed(column, value) for column, value in row.items()])
    book.save(target)


def write_json(source: Path, target: Path) -> None:
    """As CORDIS's project.json / organization.json: an array of objects with the CSV's keys."""
    rows = read_csv(source)
    objects = [{column: typed(column, value) for column, value in row.items()} for row in rows]
    target.write_text(json.dumps(objects, ensure_ascii=False, indent=1, default=str), "utf-8")


@pytest.fixture(scope="module")
def from_csv() -> dict[str, dict[str, Any]]:
    return records_of(PROJECTS, ORGANISATIONS)


@real
def test_the_real_export_as_xlsx_gives_the_same_records(tmp_path, from_csv):
    write_xlsx(PROJECTS, tmp_path / "project.xlsx")
    write_xlsx(ORGANISATIONS, tmp_path / "organization.xlsx")
    assert records_of(tmp_path / "project.xlsx", tmp_path / "organization.xlsx") == from_csv


@real
def test_the_real_export_as_json_gives_the_same_records(tmp_path, from_csv):
    write_json(PROJECTS, tmp_path / "project.json")
    write_json(ORGANISATIONS, tmp_path / "organization.json")
    assert records_of(tmp_path / "project.json", tmp_path / "organization.json") == from_csv


@real
def test_the_real_export_as_cordis_publishes_it_gives_the_same_records(tmp_path, from_csv):
    """Semicolons, every cell quoted, decimal commas: the CSV as CORDIS writes it."""
    for source in (PROJECTS, ORGANISATIONS):
        rows = read_csv(source)
        with open(tmp_path / source.name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";", quoting=csv.QUOTE_ALL)
            writer.writerow(list(rows[0]))
            for row in rows:
                writer.writerow([v.replace(".", ",") if c in AMOUNTS else v for c, v in row.items()])
    assert records_of(tmp_path / PROJECTS.name, tmp_path / ORGANISATIONS.name) == from_csv


@real
def test_a_json_export_is_known_by_its_content_whatever_its_name(tmp_path, from_csv):
    write_json(PROJECTS, tmp_path / "project.txt")
    write_xlsx(ORGANISATIONS, tmp_path / "organization.dat")
    assert records_of(tmp_path / "project.txt", tmp_path / "organization.dat") == from_csv


def test_a_json_file_that_is_not_an_array_is_one_error(tmp_path):
    (tmp_path / "project.json").write_text('{"id": 1}', "utf-8")
    (tmp_path / "organization.json").write_text("[]", "utf-8")
    with pytest.raises(CellError, match="not a CORDIS JSON export"):
        list(read_cordis(tmp_path / "project.json", tmp_path / "organization.json"))


def test_a_broken_workbook_is_one_error_and_exit_2(tmp_path):
    import subprocess
    import sys

    (tmp_path / "project.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (tmp_path / "organization.json").write_text("[]", "utf-8")
    result = subprocess.run([sys.executable, "-m", "eulod.cli", "import", "cordis", str(tmp_path / "project.xlsx"),
                             str(tmp_path / "organization.json"), "-o", str(tmp_path / "out.jsonl")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "not a readable XLSX workbook" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize(("role", "gross", "net", "expected"), [
    ("participant", "816250.0", "62500.0", {"eu_contribution": "62500.0", "gross_eu_contribution": "816250.0"}),  # a beneficiary with third parties
    ("thirdParty", "0.0", "753750.0", {"eu_contribution": "753750.0"}),  # its third party: no gross amount of its own
    ("participant", "330000", "0.0", {"eu_contribution": "0.0", "gross_eu_contribution": "330000"}),  # keeps 0, passes everything on
    ("participant", "1217500", "", {"eu_contribution": "1217500"}),  # no net amount stated: the gross one is all there is
    ("associatedPartner", "", "0.0", {"eu_contribution": "0.0"}),  # an associated partner: a share of 0 is stated
])
def test_a_participation_states_net_and_gross_as_the_row_does(role, gross, net, expected):
    from eulod.converters.cells import RowProblems
    from eulod.converters.cordis import participant

    row = {"projectID": "1", "organisationID": "954616286", "name": "EIT DIGITAL", "role": role, "country": "BE",
           "ecContribution": gross, "netEcContribution": net, "totalCost": ""}
    problems = RowProblems("organization.csv", 2)
    found = participant(row, problems)
    assert problems.items == []
    assert found[1].get("budget", {}) == expected
