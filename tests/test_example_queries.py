"""Each example query of the editor answers correctly on the sample data.

The expected answers are computed here from the curated YAML records themselves, not from
the store, so a wrong query (or a wrong mapping) cannot agree with itself.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from itertools import combinations

import pytest
import yaml

from conftest import RECORDS
from eulod.endpoint import examples

BASE = "http://127.0.0.1:5000/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
CURRENCY = "http://publications.europa.eu/resource/authority/currency/"


def records() -> list[dict]:
    return [yaml.safe_load(path.read_text("utf-8")) for path in sorted(RECORDS.glob("*.yaml"))]


def organisation_countries() -> dict[str, str]:
    """An organisation's country from any record that states it (organisations are shared)."""
    countries = {}
    for record in records():
        for participant in record["participants"]:
            organisation = participant["organisation"]
            if organisation.get("country"):
                countries[organisation["id"]] = organisation["country"]
    return countries


def expected_programme_counts() -> dict[str, int]:
    return dict(Counter(record["programme"] for record in records() if record.get("programme")))


def expected_funding_per_country() -> dict[tuple[str, str], Decimal]:
    alpha3 = {"IT": "ITA", "FR": "FRA", "PL": "POL", "ES": "ESP", "DE": "DEU", "RO": "ROU", "GB": "GBR",
              "NL": "NLD", "BE": "BEL", "GR": "GRC", "HR": "HRV", "SI": "SVN", "IE": "IRL", "PT": "PRT",
              "HU": "HUN", "BG": "BGR", "SE": "SWE", "CZ": "CZE", "NO": "NOR", "LV": "LVA", "CH": "CHE"}
    countries = organisation_countries()
    totals: dict[tuple[str, str], Decimal] = {}
    for record in records():
        currency = CURRENCY + record.get("currency", "EUR")
        for participant in record["participants"]:
            amount = (participant.get("budget") or {}).get("eu_contribution")
            country = countries.get(participant["organisation"]["id"])
            if amount and country:
                key = (COUNTRY + alpha3[country], currency)
                totals[key] = totals.get(key, Decimal(0)) + Decimal(str(amount))
    return totals


def expected_partners_of(city: str) -> set[tuple[str, str, str]]:
    found = set()
    cities = {}
    for record in records():
        for participant in record["participants"]:
            organisation = participant["organisation"]
            if organisation.get("city"):
                cities.setdefault(organisation["id"], set()).add(organisation["city"].lower())
    for record in records():
        for participant in record["participants"]:
            organisation = participant["organisation"]["id"]
            if city in cities.get(organisation, set()):
                found.add((f"{BASE}organisation/{organisation}", f"{BASE}project/{record['id']}",
                           f"https://w3id.org/eulod/code/role/{participant['role']}"))
    return found


def expected_active_in(year: int) -> set[str]:
    active = set()
    for record in records():
        start, end = record.get("start_date"), record.get("end_date")
        if start and int(str(start)[:4]) <= year and (not end or int(str(end)[:4]) >= year):
            active.add(f"{BASE}project/{record['id']}")
    return active


def expected_pairs() -> Counter:
    pairs: Counter = Counter()
    for record in records():
        members = sorted({f"{BASE}organisation/{p['organisation']['id']}" for p in record["participants"]})
        pairs.update(combinations(members, 2))
    return pairs


def run(client, name: str) -> list[dict[str, str]]:
    example = next(e for e in examples.load() if e["name"] == name)
    response = client.post("/sparql", data={"query": example["query"]},
                           headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = [{k: v["value"] for k, v in b.items()} for b in response.get_json()["results"]["bindings"]]
    assert rows, f"{name} gave no answer on the sample data"
    return rows


def test_the_five_examples_are_there_with_a_header():
    found = {e["name"]: e for e in examples.load()}
    assert set(found) == {"projects-per-programme", "eu-funding-per-country", "partners-of-a-city",
                          "projects-active-in-a-year", "organisations-working-together"}
    assert all(e["title"] and len(e["description"]) > 20 for e in found.values())


def test_projects_per_programme(client):
    rows = run(client, "projects-per-programme")
    assert {row["notation"]: int(row["projects"]) for row in rows} == expected_programme_counts()
    assert all(row.get("name") for row in rows)


def test_eu_funding_per_country(client):
    rows = run(client, "eu-funding-per-country")
    expected = expected_funding_per_country()
    assert expected
    assert {(row["country"], row["currency"]): Decimal(row["euContribution"]) for row in rows} == expected


def test_partners_of_a_city(client):
    rows = run(client, "partners-of-a-city")
    assert {(r["organisation"], r["project"], r["role"]) for r in rows} == expected_partners_of("torino")


def test_projects_active_in_a_year(client):
    rows = run(client, "projects-active-in-a-year")
    assert {row["project"] for row in rows} == expected_active_in(2021)


def test_organisations_working_together(client):
    rows = run(client, "organisations-working-together")
    pairs = expected_pairs()
    for row in rows:
        assert int(row["projects"]) == pairs[(row["organisation"], row["partner"])]
    assert int(rows[0]["projects"]) == max(pairs.values())
    counts = [int(row["projects"]) for row in rows]
    assert counts == sorted(counts, reverse=True)
    assert len(rows) == min(50, len(pairs))


@pytest.mark.server
def test_examples_are_served_as_json(live_server):
    import json
    import urllib.request

    with urllib.request.urlopen(live_server.url + "/sparql/examples", timeout=10) as response:
        served = json.loads(response.read())
    assert [e["name"] for e in served] == [e["name"] for e in examples.load()]
