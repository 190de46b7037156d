"""A zero in a CORDIS export is an amount; an empty cell is none (issue 15).

tests/data/import/cordis-zeros/ is a CORDIS-format export (semicolons, as published) written for
these cases: a terminated grant whose amounts are all stated as 0; a beneficiary that keeps 0 of
its grant and passes all of it to its linked third party; an associated partner with a share of
0; a coordination action with a total cost of 0 beside a positive EU contribution (CORDIS's way of
not reporting costs, docs/mapping.md "Zero amounts"); and empty cells. The expected amounts are
read from the files with the csv module.
"""

from __future__ import annotations

import csv
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import EULOD, ROOT
from eulod.converters.cordis import read_cordis

SAMPLE = ROOT / "tests" / "data" / "import" / "cordis-zeros"
PROJECTS, ORGANISATIONS = SAMPLE / "project.csv", SAMPLE / "organization.csv"
BASE = "http://data.example.org/"
E = "https://w3id.org/eulod/ontology#"


def table(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


def stated(cell: str) -> Decimal | None:
    """The amount a cell states: a number, 0 included; an empty cell states none."""
    return Decimal(cell.strip().replace(",", ".")) if cell.strip() else None


def organisation(name: str) -> dict[str, str]:
    return next(row for row in table(ORGANISATIONS) if row["name"] == name)


def project(acronym: str) -> dict[str, str]:
    return next(row for row in table(PROJECTS) if row["acronym"] == acronym)


@pytest.fixture(scope="module")
def records() -> dict[str, dict]:
    items = list(read_cordis(PROJECTS, ORGANISATIONS, today="2025-06-30"))
    assert [i.problem for i in items if i.problem] == []
    return {i.record["id"]: i.record for i in items}


def budget(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def participant(records: dict[str, dict], name: str) -> dict:
    row = organisation(name)
    return next(p for p in records[f"cordis-{row['projectID']}"]["participants"] if p["organisation"]["name"] == name)


def test_a_grant_stated_as_0_has_amounts_of_0(records):
    row = project("ZEROGRANT")
    amounts = records[f"cordis-{row['id']}"]["budget"]
    assert budget(amounts["total_cost"]) == stated(row["totalCost"]) == 0
    assert budget(amounts["eu_contribution"]) == stated(row["ecMaxContribution"]) == 0
    coordinator = participant(records, "ZERO COORDINATOR")["budget"]
    source = organisation("ZERO COORDINATOR")
    assert budget(coordinator["eu_contribution"]) == stated(source["netEcContribution"]) == 0
    assert budget(coordinator["gross_eu_contribution"]) == stated(source["ecContribution"]) == 0
    assert budget(coordinator["total_cost"]) == stated(source["totalCost"]) == 0


def test_a_beneficiary_that_passes_all_on_keeps_0(records):
    source = organisation("PASSING BENEFICIARY")
    amounts = participant(records, "PASSING BENEFICIARY")["budget"]
    assert budget(amounts["eu_contribution"]) == stated(source["netEcContribution"]) == 0
    assert budget(amounts["gross_eu_contribution"]) == stated(source["ecContribution"]) > 0
    assert budget(amounts["total_cost"]) == stated(source["totalCost"])


def test_an_associated_partner_with_a_share_of_0(records):
    source = organisation("UNFUNDED ASSOCIATED PARTNER")
    amounts = participant(records, "UNFUNDED ASSOCIATED PARTNER")["budget"]
    assert budget(amounts["eu_contribution"]) == stated(source["netEcContribution"]) == 0
    assert budget(amounts["total_cost"]) == stated(source["totalCost"]) == 0
    assert stated(source["ecContribution"]) is None and "gross_eu_contribution" not in amounts


def test_a_linked_third_party_has_its_share_and_no_gross_amount(records):
    source = organisation("LINKED THIRD PARTY")
    amounts = participant(records, "LINKED THIRD PARTY")["budget"]
    assert budget(amounts["eu_contribution"]) == stated(source["netEcContribution"]) > 0
    assert stated(source["ecContribution"]) == 0 and "gross_eu_contribution" not in amounts
    # its total cost 0 beside its positive share is not a cost (below)
    assert stated(source["totalCost"]) == 0 and "total_cost" not in amounts


def test_a_total_cost_of_0_beside_a_positive_contribution_is_left_out(records):
    row = project("NOCOST")
    assert stated(row["totalCost"]) == 0 and stated(row["ecMaxContribution"]) > 0
    assert records[f"cordis-{row['id']}"]["budget"] == {"eu_contribution": row["ecMaxContribution"]}


def test_an_empty_cell_is_no_amount(records):
    row = project("EMPTY")
    assert row["totalCost"] == ""
    assert "total_cost" not in records[f"cordis-{row['id']}"]["budget"]
    source = organisation("EMPTY CELLS HOST")
    assert source["netEcContribution"] == "" and source["totalCost"] == ""
    # without a net amount the gross one is what the organisation receives ("Who receives what")
    assert participant(records, "EMPTY CELLS HOST")["budget"] == {"eu_contribution": source["ecContribution"]}


# --- imported and built as a user does: the zeros are published, nothing is refused ----------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cordis-zeros")
    imported = run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", "zeros.jsonl", cwd=folder)
    assert imported.returncode == 0, imported.stderr
    result = run("build", "zeros.jsonl", "--build-dir", "build", "--base-iri", BASE, "-q", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 violations" in result.stdout
    return folder / "build"


@pytest.mark.slow
def test_the_zeros_are_published_as_amounts(built):
    store = ox.Store.read_only(str((built / "current" / "store").resolve()))
    grant = project("ZEROGRANT")["id"]
    query = f"""SELECT ?kind ?v WHERE {{ <{BASE}project/cordis-{grant}> ?kind ?node . ?node <{E}amount> ?v }}"""
    found = {s["kind"].value.rsplit("#", 1)[-1]: Decimal(s["v"].value)
             for s in store.query(query, use_default_graph_as_union=True)}
    assert found == {"totalCost": 0, "euContribution": 0}
    beneficiary = organisation("PASSING BENEFICIARY")
    query = f"""SELECT ?v WHERE {{ ?p <{E}organisation> <{BASE}organisation/pic-{beneficiary['organisationID']}> ;
                <{E}euContribution>/<{E}amount> ?v }}"""
    assert [Decimal(s["v"].value) for s in store.query(query, use_default_graph_as_union=True)] == [0]


@pytest.mark.slow
def test_the_project_page_shows_a_share_of_0_and_what_is_passed_on(built):
    from eulod.core.config import load_settings
    from eulod.endpoint.app import create_app

    client = create_app(load_settings(environ={}, build_dir=built, base_iri=BASE)).test_client()
    beneficiary = organisation("PASSING BENEFICIARY")
    response = client.get(f"/project/cordis-{beneficiary['projectID']}", headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    row = next(r for r in html.split("<tr>") if "PASSING BENEFICIARY" in r)
    gross = stated(beneficiary["ecContribution"])
    assert "€0.00" in row  # what it keeps
    assert f"gross €{gross:,.2f}, of which €{gross:,.2f} passed on to linked third parties" in row
    third = next(r for r in html.split("<tr>") if "LINKED THIRD PARTY" in r)
    assert f"€{stated(organisation('LINKED THIRD PARTY')['netEcContribution']):,.2f}" in third and "gross" not in third
