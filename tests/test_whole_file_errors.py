"""Whole-file errors of `eulod import csv` and `eulod import cordis`: said once, naming the file, exit 2.

A file that is not a table (an HTML page saved as .csv, an empty file, a binary one) and a
header that lacks columns the mapping reads make the whole input unusable: one error naming the
file (and the columns), exit 2, no output, instead of the same message for every row. Zero
amounts are facts; negative ones are refused naming file, record and field, and the other rows
of the import still build.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from eulod.converters.records import check_record

HTML = """<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"""

# The header of Kohesio's 2021-2027 files (as in ../shared/real/kohesio-2021-2027).
KOHESIO_2021 = [
    "Operation_Unique_Identifier", "Operation_Local_Identifier", "Operation_Name_English",
    "Operation_Name_Programme_Language", "Country", "Operation_Start_Date", "Operation_End_Date", "Cofinancing_Rate",
    "Total_Eligible_Expenditure_amount", "Total_Eligible_Expenditure_Currency", "Project_EU_Budget",
    "Beneficiary_Unique_Identifier", "Location_Indicator_latitude_longitude", "Category_Of_Intervention",
    "Category_Label", "Thematic_Objective_ID", "Thematic_Objective_Label", "Policy_Objective_ID",
    "Policy_Objective_Label", "Specific_Objective_ID", "Specific_Objective_Label", "Fund_Code", "Fund_Name",
    "Programme_Code", "Programme_Name", "Postal_Code", "LAU_IDs", "LAU_Labels", "NUTS1_Label", "NUTS2_Label",
    "NUTS3_Label", "NUTS1_Code", "NUTS2_Code", "NUTS3_Code", "Programming_Period", "Operation_Summary_English",
    "Operation_Summary_Programme_Language", "ManagingAuthority", "Image_URL", "InfoRegio_ID", "InfoRegio_URL",
    "CountryCode",
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], capture_output=True, text=True)


def kohesio_row(number: int, eu_budget: str = "60000.0", fund: str = "ERDF") -> dict[str, str]:
    row = dict.fromkeys(KOHESIO_2021, "")
    row.update({
        "Operation_Unique_Identifier": f"https://linkedopendata.eu/entity/Q90000{number}",
        "Operation_Name_English": f"Project {number}", "Country": "France", "CountryCode": "FR",
        "Operation_Start_Date": "01/05/2023", "Operation_End_Date": "31/05/2024", "Cofinancing_Rate": "22.14",
        "Total_Eligible_Expenditure_amount": "270985.74", "Total_Eligible_Expenditure_Currency": "EUR",
        "Project_EU_Budget": eu_budget, "Beneficiary_Unique_Identifier": "https://linkedopendata.eu/entity/Q7354899",
        "Fund_Code": fund, "Programme_Code": "2021FR16FFPR014", "Programme_Name": "Grand Est - ERDF-ESF+-JTF",
        "Programming_Period": "2021-2027", "NUTS3_Code": "FRF23", "NUTS3_Label": "Marne",
    })
    return row


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def one_error(result: subprocess.CompletedProcess) -> str:
    """The single line a refused input gives (exit 2)."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in result.stderr
    return lines[0]


NOT_TABLES = {
    "html.csv": (HTML.encode("ascii"), "HTML page ('504 Gateway Time-out')"),
    "empty.csv": (b"", "the file is empty"),
    "blank.csv": (b"\n\n  \n", "the file is empty"),
    "binary.csv": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)), "not a table but a binary file"),
}


@pytest.mark.parametrize("name", sorted(NOT_TABLES))
def test_import_csv_refuses_a_file_that_is_not_a_table_once(tmp_path, name):
    content, said = NOT_TABLES[name]
    source = tmp_path / name
    source.write_bytes(content)
    output = tmp_path / "out.jsonl"
    line = one_error(run("import", "csv", str(source), "--mapping", "kohesio", "-o", str(output)))
    assert name in line and said in line
    assert not output.exists()


@pytest.mark.parametrize("name", sorted(NOT_TABLES))
@pytest.mark.parametrize("which", ["projects", "organisations"])
def test_import_cordis_refuses_a_file_that_is_not_a_table_once(tmp_path, name, which):
    content, said = NOT_TABLES[name]
    bad = tmp_path / name
    bad.write_bytes(content)
    good = tmp_path / "good.csv"
    good.write_text("id;acronym;title;startDate;endDate;totalCost;ecMaxContribution;frameworkProgramme\n", "utf-8")
    projects, organisations = (bad, good) if which == "projects" else (good, bad)
    output = tmp_path / "out.jsonl"
    line = one_error(run("import", "cordis", str(projects), str(organisations), "-o", str(output)))
    assert name in line and said in line
    assert not output.exists()


def test_a_header_without_mapped_columns_is_one_error_naming_file_and_columns(tmp_path):
    header = [c for c in KOHESIO_2021 if c not in ("Operation_Name_English", "Beneficiary_Unique_Identifier")]
    source = write_csv(tmp_path / "FR.csv", header, [kohesio_row(n) for n in range(1, 6)])
    output = tmp_path / "out.jsonl"
    line = one_error(run("import", "csv", str(source), "--mapping", "kohesio", "-o", str(output)))
    assert line.startswith("eulod import: FR.csv: no column ")
    assert "Operation_Name_English" in line and "Beneficiary_Unique_Identifier" in line and "mapping kohesio" in line
    assert not output.exists()


def test_a_column_of_the_other_vintage_may_be_absent(tmp_path):
    # 2021-2027 files have no Beneficiary_Name (optional) and no Region (unmapped): every row imports.
    source = write_csv(tmp_path / "FR.csv", KOHESIO_2021, [kohesio_row(n) for n in range(1, 4)])
    output = tmp_path / "out.jsonl"
    result = run("import", "csv", str(source), "--mapping", "kohesio", "-o", str(output))
    assert result.returncode == 0, result.stderr
    assert len(output.read_text("utf-8").splitlines()) == 3


def test_an_unknown_fund_is_reported_not_dropped(tmp_path):
    source = write_csv(tmp_path / "FR.csv", KOHESIO_2021, [kohesio_row(1), kohesio_row(2, fund="XYZ")])
    output = tmp_path / "out.jsonl"
    result = run("import", "csv", str(source), "--mapping", "kohesio", "-o", str(output))
    assert result.returncode == 1
    assert "FR.csv: record 'line 3': field Fund_Code: 'XYZ' is not one of the values the mapping knows" in result.stderr
    assert [json.loads(line)["funds"] for line in output.read_text("utf-8").splitlines()] == [["ERDF"]]


# --- zero and negative amounts -----------------------------------------------------------------

def test_a_zero_amount_is_published_and_a_negative_one_refused_by_the_import(tmp_path):
    rows = [kohesio_row(1, eu_budget="0.0"), kohesio_row(2, eu_budget="-1"), kohesio_row(3)]
    source = write_csv(tmp_path / "FR.csv", KOHESIO_2021, rows)
    output = tmp_path / "fr.jsonl"
    result = run("import", "csv", str(source), "--mapping", "kohesio", "-o", str(output))
    assert result.returncode == 1
    problems = result.stderr.strip().splitlines()
    assert problems == ["FR.csv: record 'line 3': field budget.eu_contribution: '-1' is negative: an amount is zero or more"]
    build_dir = tmp_path / "build"
    built = run("build", str(output), "--build-dir", str(build_dir), "-q")
    assert built.returncode == 0, built.stdout + built.stderr  # the bad row never blocks the good ones
    store = ox.Store.read_only(str(build_dir / "current" / "store"))
    query = """SELECT ?p ?amount WHERE { ?p <https://w3id.org/eulod/ontology#euContribution>/<https://w3id.org/eulod/ontology#amount> ?amount }"""
    amounts = {s["p"].value.rsplit("/", 1)[-1]: Decimal(s["amount"].value)
               for s in store.query(query, use_default_graph_as_union=True)}
    assert amounts == {"kohesio-q900001": Decimal(0), "kohesio-q900003": Decimal("60000")}


@pytest.mark.parametrize("value", [-1, "-1", "-0.01", -0.5])
def test_a_negative_amount_is_a_problem_naming_file_record_and_field(value):
    record = {"id": "p", "language": "en", "title": "T", "source": {"file": "f.txt"},
              "participants": [{"role": "beneficiary", "organisation": {"name": "X", "country": "FR"},
                                "budget": {"total_cost": value}}]}
    problems = check_record(record, "records.jsonl", 4)
    assert [(p.file, p.record, p.field) for p in problems] == [("records.jsonl", "p", "participants[0].budget.total_cost")]
    assert "negative" in problems[0].reason


@pytest.mark.parametrize("value", [0, "0", "0.0", 0.0])
def test_a_zero_amount_is_no_problem(value):
    record = {"id": "p", "language": "en", "title": "T", "source": {"file": "f.txt"}, "budget": {"eu_contribution": value}}
    assert check_record(record, "records.jsonl") == []


def test_a_negative_amount_in_a_record_stops_only_that_record_with_skip_invalid(tmp_path):
    records = tmp_path / "r.jsonl"
    good = {"id": "zero", "language": "en", "title": "Zero", "source": {"file": "f.txt"}, "budget": {"eu_contribution": "0"}}
    bad = {"id": "minus", "language": "en", "title": "Minus", "source": {"file": "f.txt"}, "budget": {"eu_contribution": "-1"}}
    records.write_text("\n".join(json.dumps(r) for r in (good, bad)) + "\n", "utf-8")
    result = run("build", str(records), "--build-dir", str(tmp_path / "build"), "--skip-invalid")
    assert result.returncode == 1
    assert "record 'minus'" in result.stdout + result.stderr and "budget.eu_contribution" in result.stdout + result.stderr
    store = ox.Store.read_only(str(tmp_path / "build" / "current" / "store"))
    query = "SELECT ?p WHERE { ?p a <https://w3id.org/eulod/ontology#Project> }"
    assert [s["p"].value.rsplit("/", 1)[-1] for s in store.query(query, use_default_graph_as_union=True)] == ["zero"]


def test_a_zero_amount_record_is_published(tmp_path):
    records = tmp_path / "r.jsonl"
    zero = {"id": "zero", "language": "en", "title": "Zero", "source": {"file": "f.txt"},
            "budget": {"total_cost": "75404.21", "eu_contribution": "0.0", "eu_contribution_rate": 0}}
    records.write_text(json.dumps(zero) + "\n", "utf-8")
    result = run("build", str(records), "--build-dir", str(tmp_path / "build"), "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    store = ox.Store.read_only(str(tmp_path / "build" / "current" / "store"))
    query = "SELECT ?a WHERE { ?p <https://w3id.org/eulod/ontology#euContribution>/<https://w3id.org/eulod/ontology#amount> ?a }"
    assert [Decimal(s["a"].value) for s in store.query(query, use_default_graph_as_union=True)] == [Decimal(0)]
