"""`eulod import csv FILE --mapping M`: tabular exports through the shipped declarative mappings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from eulod.converters import cells
from eulod.converters.records import load_file
from eulod.converters.tabular import MappingError, joined_specs, load_mapping, read_table, shipped_mappings
from eulod.core.namespaces import EULOD

SAMPLES = Path(__file__).resolve().parent / "data" / "import"


def imported(sample: str | Path, mapping: str) -> tuple[dict[str, dict], set[tuple[str, str]]]:
    """(records by id, {(record, field)} of the problems) of a sample through a mapping."""
    records, problems = imported_with_files(sample, mapping)
    return records, {(record, field) for _, record, field in problems}


def imported_with_files(sample: str | Path, mapping: str) -> tuple[dict[str, dict], set[tuple[str, str, str]]]:
    """As imported(), the problems with the file (and sheet) they name."""
    items = list(read_table(SAMPLES / sample, load_mapping(mapping)))
    records = {i.record["id"]: i.record for i in items if i.record is not None}
    problems = {(i.problem.file, i.problem.record, i.problem.field) for i in items if i.problem is not None}
    return records, problems


def organisations(record: dict) -> list[tuple[str, str]]:
    """(role, organisation id) of each participant, in record order."""
    return [(p["role"], p["organisation"]["id"]) for p in record.get("participants", [])]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], capture_output=True, text=True)


def test_kohesio_export():
    records, problems = imported("kohesio.csv", "kohesio")
    assert problems == {("line 5", "Operation_End_Date"), ("line 6", "Country")}
    assert set(records) == {"kohesio-q2861046", "kohesio-q3167423", "kohesio-q5550001"}  # last segment of the URI
    torino = records["kohesio-q2861046"]
    assert torino["budget"] == {"total_cost": "1250000.0", "eu_contribution": "625000.0", "eu_contribution_rate": 50}
    assert torino["funds"] == ["ERDF"] and torino["programme_reference"] == "2014IT16RFOP014"
    assert (torino["start_date"], torino["end_date"]) == ("2017-03-01", "2021-12-31")  # written 01/03/2017
    assert "\n" in torino["description"]  # a quoted cell over two lines
    assert torino["participants"][0]["organisation"]["id"] == "torino-municipality"
    assert torino["identifiers"] == [{"scheme": "kohesio", "value": "https://linkedopendata.eu/entity/Q2861046"}]
    greek = records["kohesio-q3167423"]
    organisation = greek["participants"][0]["organisation"]
    assert (organisation["country"], organisation["country_as_stated"]) == ("GR", "Greece")  # as written
    assert greek["budget"]["eu_contribution_rate"] == 85  # written 85.0


def test_kohesio_blank_markers_are_blank_cells():
    records, _ = imported("kohesio.csv", "kohesio")
    seville = records["kohesio-q5550001"]  # end date "N/A", rate "-", EU budget "n/a", currency "N/A"
    assert "end_date" not in seville and seville["currency"] == "EUR"  # the column's default, as for a blank
    assert seville["budget"] == {"total_cost": "500000.0"}
    assert organisations(seville) == [("beneficiary", "sevilla-municipality")]


PROJECTS_SHEET = "keep-eu.xlsx [Search results, projects]"
PARTNERS_SHEET = "keep-eu.xlsx [Search results, partners]"


def test_keep_eu_workbook_projects_sheet():
    records, problems = imported_with_files("keep-eu.xlsx", "keep-eu")
    assert problems == {
        (PROJECTS_SHEET, "row 4", "Project's total budget / expenditure"),
        (PARTNERS_SHEET, "row 6", "Partner's total eligible budget / expenditure"),  # 'lots'
        (PARTNERS_SHEET, "row 9", "Programme, Project acronym"),  # a project the export does not have
        (PARTNERS_SHEET, "row 10", "Programme, Project ID (2021-2027 only), Project acronym"),  # no key at all
    }
    conet = records["keep-eu-2007-2013-urbact-ii-conet"]
    assert (conet["programme"], conet["acronym"], conet["start_date"]) == ("URBACT-II", "CoNet", "2008-04-21")
    assert conet["budget"] == {"total_cost": "710000", "eu_contribution": "530000", "eu_contribution_rate": 75}
    green = records["keep-eu-2021-2027-interreg-europe-green-path"]
    assert green["programme"] == "INTERREG-EUROPE-2021-2027"
    assert green["identifiers"] == [{"scheme": "keep-eu", "value": "01C0042"}]


def test_keep_eu_partners_sheet_gives_the_participants():
    records, _ = imported("keep-eu.xlsx", "keep-eu")
    conet = records["keep-eu-2007-2013-urbact-ii-conet"]  # before 2021: Programme + acronym
    assert organisations(conet) == [("coordinator", "berlin-municipality"), ("partner", "palermo-municipality")]
    berlin = conet["participants"][0]
    assert berlin["budget"] == {"total_cost": "160000", "eu_contribution": "120000"}  # ERDF contribution (2014-2020)
    assert (berlin["organisation"]["city"], berlin["organisation"]["type"]) == ("Berlin", "municipality")
    green = records["keep-eu-2021-2027-interreg-europe-green-path"]  # 2021-2027: Programme + project id
    assert organisations(green) == [("coordinator", "region-of-vastra-gotaland"), ("partner", "palermo-municipality")]
    region = green["participants"][0]
    assert region["organisation"]["type"] == "regional-authority"
    assert region["budget"] == {"total_cost": "500000", "eu_contribution": "400000"}  # programme co-financing (2021-2027)
    # The partner with an unreadable budget is reported (row 6), the project keeps its other partner.
    citylab = records["keep-eu-2014-2020-urbact-iii-citylab"]
    assert organisations(citylab) == [("coordinator", "thessaloniki-municipality")]
    organisation = citylab["participants"][0]["organisation"]
    assert (organisation["country"], organisation["country_as_stated"]) == ("GR", "EL")
    assert "budget" not in citylab["participants"][0]  # every amount "N.a."
    assert "keep-eu-2014-2020-interreg-vb-north-sea-coben" not in records  # bad project row: its partner goes with it


def test_keep_eu_na_cells_are_blank_not_bad():
    records, _ = imported("keep-eu.xlsx", "keep-eu")
    citylab = records["keep-eu-2014-2020-urbact-iii-citylab"]  # end, budget, rate, website, id all "N.a."
    assert citylab["start_date"] == "2016-05-01" and citylab["programme"] == "URBACT-III"
    assert not {"end_date", "budget", "website", "identifiers"} & set(citylab)


def test_blank_markers_are_the_mappings_own(tmp_path):
    """Without the mapping's list (the default is none), "N.a." is a cell like any other: bad dates and amounts."""
    mapping = yaml.safe_load(shipped_mappings()["keep-eu"])
    del mapping["blank_markers"]
    plain = tmp_path / "keep-eu-plain.yaml"
    plain.write_text(yaml.safe_dump(mapping, allow_unicode=True), "utf-8")
    records, problems = imported_with_files("keep-eu.xlsx", str(plain))
    assert "keep-eu-2014-2020-urbact-iii-citylab" not in records
    assert {(PROJECTS_SHEET, "row 5", "Project end"), (PROJECTS_SHEET, "row 5", "Project's EU funding")} <= problems


def test_keep_eu_partner_is_the_organisation_a_fact_sheet_names():
    """A keep.eu partner and the same city in a fact sheet get one organisation IRI, so the sources reconcile."""
    from eulod.converters.extract.factsheet import extract_file
    from eulod.converters.rdf import MappingOptions, RecordMapper
    from eulod.converters.records import Record

    base = "http://127.0.0.1:5000/"
    mapper = RecordMapper(MappingOptions(base_iri=base))
    factsheet = Path(__file__).resolve().parents[1] / "data" / "factsheets" / "004_fd8f106ac58b7d0c.txt"
    draft = extract_file(factsheet)  # names "Città di Palermo", "Città di Berlino"
    assert draft.record is not None, draft.problems
    records, _ = imported("keep-eu.xlsx", "keep-eu")  # names "Municipality of Palermo", "City of Berlin"

    def organisation_iris(record: dict) -> set[str]:
        graph = mapper.graph(Record(record, record["source"]["file"]))
        return {str(o) for o in graph.objects(None, EULOD.organisation)}

    keep_eu = organisation_iris(records["keep-eu-2007-2013-urbact-ii-conet"])
    assert f"{base}organisation/palermo-municipality" in keep_eu
    assert keep_eu <= organisation_iris(draft.record)  # Berlin, exonym in the fact sheet, too


def test_join_a_second_csv_file_on_differently_named_columns(tmp_path):
    (tmp_path / "projects.csv").write_text("Code,Name\nP1,First project\nP2,Second project\n", "utf-8")
    (tmp_path / "partners.csv").write_text(
        "Project;Partner;Role;Country\np1;Comune di Cesena;lead;IT\nP2;Stadt Wien;member;AT\nP9;Nobody Inc;member;FR\n",
        "utf-8",
    )
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "record: {id: {template: 'x-{Code}', slug: true}, title: Name}\n"
        "join:\n"
        "  - file: partners.csv\n"
        "    delimiter: ';'\n"
        "    keys: [{Code: Project}]\n"
        "    participants:\n"
        "      - role: {column: Role, map: {lead: coordinator, member: partner}}\n"
        "        organisation: {name: Partner, country: {column: Country, type: country}}\n",
        "utf-8",
    )
    items = list(read_table(tmp_path / "projects.csv", load_mapping(str(mapping))))
    records = {i.record["id"]: i.record for i in items if i.record is not None}
    assert organisations(records["x-p1"]) == [("coordinator", "cesena-municipality")]  # key case ignored
    assert organisations(records["x-p2"]) == [("partner", "wien-municipality")]
    [problem] = [i.problem for i in items if i.problem is not None]
    assert (problem.file, problem.record, problem.field) == ("partners.csv", "line 4", "Project")
    assert problem.reason == "matches no row of projects.csv (Project 'P9')"


def test_join_mistakes_are_refused_before_any_row(tmp_path):
    bad = tmp_path / "bad.yaml"
    record = "record: {id: A, title: B}\n"
    bad.write_text(record + "join: [{sheet: S, file: f.csv, keys: [A], participants: [{organisation: {name: N}}]}]\n", "utf-8")
    with pytest.raises(MappingError, match=r"join\[0\]: give either sheet"):
        load_mapping(str(bad))
    bad.write_text(record + "join: [{sheet: S, keys: [A], participants: [{role: {value: partner}}]}]\n", "utf-8")
    with pytest.raises(MappingError, match=r"join\[0\].participants\[0\]: a participant needs organisation"):
        load_mapping(str(bad))
    joined = "join: [{sheet: S, keys: [A], participants: [{organisation: {name: N}, budget: {eu_contribution: {column: E, type: amout}}}]}]\n"
    bad.write_text(record + joined, "utf-8")  # a joined table's specs are checked like the main table's
    with pytest.raises(MappingError, match=r"join\[0\].participants\[0\].budget.eu_contribution: type 'amout'"):
        load_mapping(str(bad))
    bad.write_text(record + "blank_markers: N.a.\n", "utf-8")
    with pytest.raises(MappingError, match="blank_markers"):
        load_mapping(str(bad))
    bad.write_text("record: {id: {column: A, part: first-letter}, title: B}\n", "utf-8")
    with pytest.raises(MappingError, match="part 'first-letter'"):
        load_mapping(str(bad))
    # A sheet join needs a workbook; a key column the table lacks stops the import (exit 2), not each row.
    bad.write_text(record + "join: [{sheet: S, keys: [A], participants: [{organisation: {name: N}}]}]\n", "utf-8")
    with pytest.raises(MappingError, match="needs an XLSX workbook"):
        list(read_table(SAMPLES / "kohesio.csv", load_mapping(str(bad))))
    bad.write_text(shipped_mappings()["keep-eu"].replace('[Programme, "Project acronym"]', '[Programme, "Acronym"]'), "utf-8")
    with pytest.raises(cells.CellError, match="no column Acronym, which mapping .* reads"):
        list(read_table(SAMPLES / "keep-eu.xlsx", load_mapping(str(bad))))


def test_country_as_stated_is_the_cell_as_written():
    assert cells.country(" Greece ", {"GREECE": "GR"}) == ("GR", "Greece")
    assert cells.country("el", {"EL": "GR"}) == ("GR", "el")
    assert cells.country("it", {}) == ("IT", None)  # only the case differs: nothing was corrected


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


@pytest.mark.slow
def test_cli_writes_records_that_load_and_exits_1_with_bad_rows(tmp_path):
    output = tmp_path / "k.jsonl"
    result = run("import", "csv", str(SAMPLES / "kohesio.csv"), "--mapping", "kohesio", "-o", str(output))
    assert result.returncode == 1
    assert "kohesio.csv: record 'line 5': field Operation_End_Date: '30/02/2020' is not a calendar date" in result.stderr
    loaded = load_file(output)
    assert loaded.problems == [] and len(loaded.records) == 3


@pytest.mark.slow
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
    bad.write_text(shipped_mappings()["keep-eu"].replace("Search results, partners", "Partners"), "utf-8")
    result = run("import", "csv", str(SAMPLES / "keep-eu.xlsx"), "--mapping", str(bad), "-o", str(output))
    assert result.returncode == 2 and "keep-eu.xlsx: no sheet named 'Partners'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not output.exists()


@pytest.mark.slow
def test_cli_keep_eu_reports_partners_by_sheet_and_row(tmp_path):
    output = tmp_path / "keep.jsonl"
    result = run("import", "csv", str(SAMPLES / "keep-eu.xlsx"), "--mapping", "keep-eu", "-o", str(output))
    assert result.returncode == 1
    assert (f"{PARTNERS_SHEET}: record 'row 9': field Programme, Project acronym: matches no row of {PROJECTS_SHEET} "
            "(Programme '2014 - 2020 URBACT III', Project acronym 'GHOST')") in result.stderr
    loaded = load_file(output)
    assert loaded.problems == [] and len(loaded.records) == 3
    assert sum(len(r.data.get("participants", [])) for r in loaded.records) == 5


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


KEEP_EU_PARTNER_COLUMNS = {
    "Programme", "Project ID (2021-2027 only)", "Project acronym", "Organisation in English",
    "Organisation in language 2", "Lead partner", "Country code", "Town", "NUTS2 code (or equivalent)",
    "NUTS3 code (or equivalent)", "Type of Organisation", "Participant Identification Code", "Partner’s ID if not PIC",
    "Website", "ERDF contribution (2014-2020 only)", "Partner's programme co-financing (EUR) (2021-2027 only)",
    "Partner's total eligible budget / expenditure",
}


def spec_columns(specs) -> set[str]:
    """Every column some specs read: named columns (or lists of them) and the cells their templates use."""
    import string

    found = set()
    for _where, spec in specs:
        if isinstance(spec, str):
            found.add(spec)
        elif isinstance(spec, dict) and "column" in spec:
            found.update(spec["column"] if isinstance(spec["column"], list) else [spec["column"]])
        elif isinstance(spec, dict) and "template" in spec:
            found.update(name for _, name, _, _ in string.Formatter().parse(spec["template"]) if name)
    return found


def mapped_columns(mapping) -> set[str]:
    """Every column a mapping reads from the main table, join keys included."""
    from eulod.converters.tabular import _all_specs

    keys = {pair[0] for join in mapping.join for alternative in join.keys for pair in alternative}
    return spec_columns(_all_specs(mapping)) | keys


def joined_columns(mapping) -> set[str]:
    """Every column a mapping reads from its joined tables, join keys included."""
    keys = {pair[1] for join in mapping.join for alternative in join.keys for pair in alternative}
    return keys.union(*(spec_columns(joined_specs(join)) for join in mapping.join))


def required_groups_missing(mapping, header: set[str]) -> list[list[str]]:
    """The columns (or alternatives) a mapping needs that the header lacks; optional ones may be absent."""
    from eulod.converters.tabular import _all_specs, spec_column_groups

    return [columns for _where, spec in _all_specs(mapping) for columns, optional in spec_column_groups(spec)
            if not optional and not header.intersection(columns)]


def fed_by(spec, header: set[str]) -> bool:
    """Whether a spec reads a column the header has (a field of another vintage's columns is not)."""
    from eulod.converters.tabular import spec_column_groups

    return any(header.intersection(columns) for columns, _optional in spec_column_groups(spec))


def mapped_fields(mapping, header: set[str] | None = None) -> set[str]:
    """The dotted record fields a mapping fills from the file (constants, and fields of columns the header lacks, left out)."""
    fields = {key for key, spec in mapping.record.items() if not (isinstance(spec, dict) and "value" in spec)
              and (header is None or fed_by(spec, header))}
    if mapping.identifiers:
        fields.add("identifiers")
    if mapping.participants:
        fields.add("participants")
    return fields


def header_of(sample: str, sheet: str | None) -> list[str]:
    path = SAMPLES / sample
    rows = cells.xlsx_rows(path, sheet) if path.suffix == ".xlsx" else cells.csv_rows(path, ",")
    _, row = next(iter(rows))
    return list(row)


def has_field(record: dict, dotted: str) -> bool:
    for key in dotted.split("."):
        if not isinstance(record, dict) or key not in record:
            return False
        record = record[key]
    return record not in (None, "", [], {})


@pytest.mark.parametrize(
    ("sample", "name", "real", "complete", "blank"),
    # A 2014-2020 Kohesio row has the Policy_Objective columns, empty (policy objectives are 2021-2027's).
    [("kohesio.csv", "kohesio", KOHESIO_COLUMNS, "kohesio-q2861046", {"policy_objectives"}),
     ("keep-eu.xlsx", "keep-eu", KEEP_EU_PROJECT_COLUMNS, "keep-eu-2021-2027-interreg-europe-green-path", set())],
)
def test_samples_with_the_real_header_map_every_mapped_column(sample, name, real, complete, blank):
    mapping = load_mapping(name)
    header = header_of(sample, mapping.sheet)
    assert set(header) == real  # the sample's header row is the export's, no invented column
    assert not required_groups_missing(mapping, real), required_groups_missing(mapping, real)
    records, _ = imported(sample, name)
    missing = {f for f in mapped_fields(mapping, real) - blank if not has_field(records[complete], f)}
    assert not missing, f"{complete}: mapped fields left empty: {missing}"


def test_keep_eu_partners_sheet_has_the_real_header():
    mapping = load_mapping("keep-eu")
    [join] = mapping.join
    assert set(header_of("keep-eu.xlsx", join.sheet)) == KEEP_EU_PARTNER_COLUMNS
    assert joined_columns(mapping) <= KEEP_EU_PARTNER_COLUMNS, joined_columns(mapping) - KEEP_EU_PARTNER_COLUMNS
    records, _ = imported("keep-eu.xlsx", "keep-eu")
    # Every organisation and budget field the join maps is filled for GREEN-PATH's lead partner.
    lead = records["keep-eu-2021-2027-interreg-europe-green-path"]["participants"][0]
    wanted = {f"organisation.{k}" for k in join.participants[0]["organisation"]} - {"organisation.website"}
    wanted |= {f"budget.{k}" for k in join.participants[0]["budget"]}
    assert not {f for f in wanted if not has_field(lead, f)}
