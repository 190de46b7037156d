"""CORDIS as a user gets it: the real Horizon Europe export in ../shared/real/cordis-he, imported
and built with the command line, then every published fact of five projects compared with the
source rows, each fact by its own assertion.

The expected values are read from the CSV files with the csv module, never typed here; the
published ones are read from the built store with SPARQL. The five projects: EIT DIGITAL's
(101113201, whose gross contribution includes its US third party's share), EIT Digital's business
plan (101113245, seven third parties), Add4Kids (101134907, a coordinator with a third party),
SDG-INOV-ECOS (101070806, an associated partner in the UK) and UAinEuratom21 (101072693, Euratom).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox
import pytest

from eulod.core.countries import countries

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("EULOD_SHARED", ROOT.parent / "shared")) / "real" / "cordis-he"
PROJECTS, ORGANISATIONS = REAL / "project_df_100.csv", REAL / "organization_df_100.csv"
EULOD = Path(sys.executable).with_name("eulod")
BASE = "http://data.example.org/"
CHOSEN = ("101113201", "101113245", "101134907", "101070806", "101072693")
# The day the import judges the projects' activity on (SOURCE_DATE_EPOCH): 2025-06-30.
DAY = "2025-06-30"
EPOCH = str(int(datetime(2025, 6, 30, 12, tzinfo=timezone.utc).timestamp()))

PREFIXES = """
PREFIX eulod: <https://w3id.org/eulod/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
"""
# What the codes CORDIS writes mean in eulod's code lists (the meaning, not the importer's table).
PROGRAMMES = {"HORIZON": "HORIZON-EUROPE", "H2020": "HORIZON-2020", "FP7": "FP7"}
EURATOM_LEGAL_BASIS = {"EURATOM2027": "EURATOM-2021-2027"}
ROLES = {"coordinator": "coordinator", "participant": "partner", "thirdParty": "third-party",
         "associatedPartner": "associated-partner", "partner": "associated-partner"}
TYPES = {"PUB": "public-body", "HES": "university", "REC": "research-organisation", "PRC": "company"}

pytestmark = [pytest.mark.skipif(not PROJECTS.is_file(), reason=f"the real CORDIS files are not in {REAL} (set EULOD_SHARED)"), pytest.mark.slow]  # slow: imports and builds the real export


def read_csv(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def source_amount(text: str) -> Decimal | None:
    """An amount of the source file as a number, 0 included; an empty cell states none."""
    if not text.strip():
        return None
    return Decimal(text.strip().replace(",", "."))  # the file has no thousands separators


def source_cost(text: str, *contributions: str) -> Decimal | None:
    """A total cost of the source, but not a 0 beside a positive EU contribution of the same row:
    CORDIS writes that where it reports no costs (docs/mapping.md, "Zero amounts")."""
    cost = source_amount(text)
    if cost == 0 and any((source_amount(c) or 0) > 0 for c in contributions):
        return None
    return cost


def source_gross(row: dict[str, str]) -> Decimal | None:
    """A participation's gross contribution; a linked third party signs none (CORDIS writes 0)."""
    gross = source_amount(row["ecContribution"])
    return None if row["role"] == "thirdParty" and gross == 0 else gross


def country_iri(code: str) -> str:
    """The authority IRI of a CORDIS country code (EU codes EL, UK included)."""
    return next(c.iri for c in countries().values() if code in (c.alpha2, c.eu_code))


def activity(row: dict[str, str]) -> str:
    """The activity a project has on DAY: ended grants are closed, else the dates decide."""
    if row["status"] in ("CLOSED", "TERMINATED") or row["endDate"] < DAY:
        return "closed"
    return "planned" if row["startDate"] > DAY else "ongoing"


def web_address(text: str) -> str | None:
    """A website as CORDIS writes it, as a link (CORDIS also writes bare www. addresses)."""
    return None if not text else text if text.startswith(("http://", "https://")) else f"https://{text}"


def organisation_iri(row: dict[str, str]) -> str:
    return f"{BASE}organisation/pic-{row['organisationID']}"


# --- the facts: (id, expected, SPARQL giving the published values) --------------------------


def project_facts(row: dict[str, str]) -> list[tuple[str, Any, str]]:
    project = f"<{BASE}project/cordis-{row['id']}>"
    legal = EURATOM_LEGAL_BASIS.get(row["legalBasis"])
    facts = [
        ("title", " ".join(row["title"].split()), f"SELECT ?v {{ {project} dcterms:title ?v }}"),
        ("acronym", row["acronym"], f"SELECT ?v {{ {project} eulod:acronym ?v }}"),
        ("description", row["objective"].strip(), f"SELECT ?v {{ {project} dcterms:description ?v }}"),
        ("grant-agreement", row["id"],
         f"SELECT ?v {{ {project} adms:identifier ?i . ?i eulod:identifierScheme <https://w3id.org/eulod/code/identifier-scheme/eu-grant-agreement> ; skos:notation ?v }}"),
        ("rcn", row["rcn"],
         f"SELECT ?v {{ {project} adms:identifier ?i . ?i eulod:identifierScheme <https://w3id.org/eulod/code/identifier-scheme/cordis-rcn> ; skos:notation ?v }}"),
        ("startDate", row["startDate"], f"SELECT ?v {{ {project} eulod:startDate ?v }}"),
        ("endDate", row["endDate"], f"SELECT ?v {{ {project} eulod:endDate ?v }}"),
        ("totalCost", source_cost(row["totalCost"], row["ecMaxContribution"]),
         f"SELECT ?v {{ {project} eulod:totalCost/eulod:amount ?v }}"),
        ("ecMaxContribution", source_amount(row["ecMaxContribution"]),
         f"SELECT ?v {{ {project} eulod:euContribution/eulod:amount ?v }}"),
        ("grantStatus", f"https://w3id.org/eulod/code/grant-status/{row['status'].lower()}",
         f"SELECT ?v {{ {project} eulod:grantStatus ?v }}"),
        ("status", f"https://w3id.org/eulod/code/status/{activity(row)}", f"SELECT ?v {{ {project} eulod:status ?v }}"),
        ("programme", f"https://w3id.org/eulod/code/programme/{legal or PROGRAMMES[row['frameworkProgramme']]}",
         f"SELECT ?v {{ {project} eulod:programme ?v }}"),
        ("source-file", PROJECTS.name,
         f"SELECT ?v {{ {project} <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.w3.org/ns/prov#wasDerivedFrom>/dcterms:title ?v }}"),
    ]
    return facts


def participation_facts(row: dict[str, str]) -> list[tuple[str, Any, str]]:
    project = f"<{BASE}project/cordis-{row['projectID']}>"
    org = f"<{organisation_iri(row)}>"
    where = f"{{ {project} eulod:hasParticipation ?part . ?part eulod:organisation {org} . "
    facts = [
        ("role", f"https://w3id.org/eulod/code/role/{ROLES[row['role']]}", f"SELECT ?v {where} ?part eulod:role ?v }}"),
        # what the organisation itself receives
        ("netEcContribution", source_amount(row["netEcContribution"]),
         f"SELECT ?v {where} ?part eulod:euContribution/eulod:amount ?v }}"),
        # what the grant gives the beneficiary, its third parties' shares included
        ("ecContribution", source_gross(row),
         f"SELECT ?v {where} ?part eulod:grossEuContribution/eulod:amount ?v }}"),
        ("totalCost", source_cost(row["totalCost"], row["ecContribution"], row["netEcContribution"]),
         f"SELECT ?v {where} ?part eulod:totalCost/eulod:amount ?v }}"),
        ("name", row["name"], f"SELECT ?v {{ {org} skos:altLabel ?v }}"),
        ("country", country_iri(row["country"]), f"SELECT ?v {{ {org} eulod:country ?v }}"),
        ("city", row["city"] or None, f"SELECT ?v {{ {org} eulod:city ?v }}"),
        ("organisationID", row["organisationID"],
         f"SELECT ?v {{ {org} adms:identifier ?i . ?i eulod:identifierScheme <https://w3id.org/eulod/code/identifier-scheme/eu-pic> ; skos:notation ?v }}"),
        ("vatNumber", row["vatNumber"] or None,
         f"SELECT ?v {{ {org} adms:identifier ?i . ?i eulod:identifierScheme <https://w3id.org/eulod/code/identifier-scheme/vat-number> ; skos:notation ?v }}"),
        ("activityType", f"https://w3id.org/eulod/code/organisation-type/{TYPES[row['activityType']]}"
         if row["activityType"] in TYPES else None, f"SELECT ?v {{ {org} eulod:organisationType ?v }}"),
        ("organizationURL", web_address(row["organizationURL"]), f"SELECT ?v {{ {org} foaf:homepage ?v }}"),
    ]
    return facts


def all_facts() -> list[Any]:
    projects = {row["id"]: row for row in read_csv(PROJECTS)}
    params = []
    for grant in CHOSEN:
        if grant not in projects:
            continue
        for name, expected, query in project_facts(projects[grant]):
            params.append(pytest.param(expected, query, id=f"{grant}-{name}"))
        for row in (r for r in read_csv(ORGANISATIONS) if r["projectID"] == grant):
            for name, expected, query in participation_facts(row):
                params.append(pytest.param(expected, query, id=f"{grant}-{row['organisationID']}-{row['role']}-{name}"))
    return params or [pytest.param(None, "", id="no-real-files")]


# --- import and build once ------------------------------------------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    environment["SOURCE_DATE_EPOCH"] = EPOCH
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    folder = tmp_path_factory.mktemp("cordis-real")
    output = folder / "out.jsonl"
    return run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", str(output), cwd=folder), output


@pytest.fixture(scope="module")
def built(imported) -> tuple[subprocess.CompletedProcess, ox.Store]:
    _, output = imported
    result = run("build", str(output), "--build-dir", str(output.parent / "build"), "--base-iri", BASE, "-q",
                 cwd=output.parent)
    store = ox.Store.read_only(str((output.parent / "build" / "current" / "store").resolve()))
    return result, store


def values(store: ox.Store, query: str) -> list[Any]:
    """The ?v of each answer, as Python values: IRIs and texts as str, decimals as Decimal."""
    found = []
    for solution in store.query(PREFIXES + query, use_default_graph_as_union=True):
        term = solution["v"]
        if isinstance(term, ox.Literal) and term.datatype.value.endswith("#decimal"):
            found.append(Decimal(term.value))
        else:
            found.append(term.value)
    return found


# --- tests ----------------------------------------------------------------------------------


def test_all_100_projects_are_imported_without_a_problem(imported):
    result, output = imported
    assert result.returncode == 0, result.stderr
    assert f"imported {len(read_csv(PROJECTS))} records" in result.stdout
    assert "0 problem(s)" in result.stdout


def test_all_100_projects_are_published(built):
    result, store = built
    assert result.returncode == 0, result.stdout + result.stderr
    published = values(store, "SELECT ?v { ?v a eulod:Project }")
    assert sorted(published) == sorted(f"{BASE}project/cordis-{row['id']}" for row in read_csv(PROJECTS))


@pytest.mark.parametrize(("expected", "query"), all_facts())
def test_a_published_fact_is_the_source_rows(built, expected, query):
    _, store = built
    assert values(store, query) == ([] if expected is None else [expected])


def test_the_source_file_is_not_given_the_page_of_every_project(built):
    """One export file holds every project: its node must not collect each project's CORDIS page."""
    _, store = built
    pages = values(store, f'SELECT ?v {{ ?doc dcterms:title "{PROJECTS.name}" ; foaf:page ?v }}')
    assert len(pages) <= 1, pages[:3]


@pytest.mark.parametrize("grant", CHOSEN)
def test_each_source_row_of_a_project_is_one_participation(built, grant):
    _, store = built
    rows = [r for r in read_csv(ORGANISATIONS) if r["projectID"] == grant]
    published = values(store, f"SELECT ?v {{ <{BASE}project/cordis-{grant}> eulod:hasParticipation/eulod:organisation ?v }}")
    assert sorted(published) == sorted(organisation_iri(r) for r in rows)


def test_eit_digital_shows_its_own_share_and_its_us_third_party_the_rest(built):
    """EIT DIGITAL signs for EUR 816 250 (ecContribution) but keeps 62 500 (netEcContribution);
    its US third party (same order number) receives 753 750: each amount under its own organisation."""
    _, store = built
    rows = [r for r in read_csv(ORGANISATIONS) if r["projectID"] == "101113201"]
    beneficiary = next(r for r in rows if r["name"] == "EIT DIGITAL")
    third = next(r for r in rows if r["role"] == "thirdParty" and r["order"] == beneficiary["order"])
    project = f"<{BASE}project/cordis-101113201>"

    def received(row: dict[str, str]) -> list[Any]:
        return values(store, f"SELECT ?v {{ {project} eulod:hasParticipation ?p . ?p eulod:organisation <{organisation_iri(row)}> ; "
                             "eulod:euContribution/eulod:amount ?v }")

    assert received(beneficiary) == [source_amount(beneficiary["netEcContribution"])]
    assert received(third) == [source_amount(third["netEcContribution"])]
    assert source_amount(beneficiary["netEcContribution"]) + source_amount(third["netEcContribution"]) \
        == source_amount(beneficiary["ecContribution"])
    assert values(store, f"SELECT ?v {{ <{organisation_iri(third)}> eulod:country ?v }}") == [country_iri(third["country"])]


def test_one_pic_is_one_organisation_across_rows_and_projects(built):
    _, store = built
    rows = read_csv(ORGANISATIONS)
    by_pic: dict[str, set[str]] = {}
    for row in rows:
        by_pic.setdefault(row["organisationID"], set()).add(row["projectID"])
    shared = {pic: grants for pic, grants in by_pic.items() if len(grants) > 1}
    assert shared, "the real file has organisations in several projects"
    for pic, grants in shared.items():
        holders = values(store, f'SELECT DISTINCT ?v {{ ?v adms:identifier/skos:notation "{pic}" }}')
        assert holders == [f"{BASE}organisation/pic-{pic}"]
        projects = values(store, f"SELECT ?v {{ ?v eulod:hasParticipation/eulod:organisation <{BASE}organisation/pic-{pic}> }}")
        assert sorted(projects) == sorted(f"{BASE}project/cordis-{g}" for g in grants)


def write_rows(path: Path, rows: list[dict[str, str]], change: Callable[[dict[str, str]], None]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        for row in rows:
            row = dict(row)
            change(row)
            writer.writerow(row)


def test_an_unknown_framework_programme_is_reported_and_the_project_kept(tmp_path):
    rows = read_csv(PROJECTS)
    first = rows[0]["id"]
    projects = tmp_path / "project.csv"
    write_rows(projects, rows, lambda row: row.update(frameworkProgramme="FP10") if row["id"] == first else None)
    output = tmp_path / "out.jsonl"
    result = run("import", "cordis", str(projects), str(ORGANISATIONS), "-o", str(output), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "field frameworkProgramme" in result.stderr and "'FP10'" in result.stderr
    assert f"imported {len(rows)} records" in result.stdout
    records = {r["id"]: r for r in map(json.loads, output.read_text("utf-8").splitlines())}
    assert "programme" not in records[f"cordis-{first}"]
    assert records[f"cordis-{rows[1]['id']}"]["programme"] == PROGRAMMES[rows[1]["frameworkProgramme"]]
