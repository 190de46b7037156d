"""The "takes part twice" rule (eulodsh:Project-duplicateOrganisation) at many partners.

The rule used to pair every participation of a project with every other one (?first, ?second
both free), so its cost grew with the square of the partners: 2 000 partners took 4 s, 20 000
minutes and 1.3 GB, and one organisation listed 3 000 times never finished (4.5 million pairs,
each a SHACL result). Issue 14, item 7. These run the real command line on real files; there
is no timing assert, only a generous hang guard (the old rule needed far longer than it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph

from eulod.shapes import validate, validate_graphs

EULOD = Path(sys.executable).with_name("eulod")
BASE = "http://127.0.0.1:5000/"
DUPLICATE_RULE = "https://w3id.org/eulod/shapes#Project-duplicateOrganisation"


def record(partners: list[str], project: str = "big") -> dict:
    """A valid record whose participants are the given organisation ids (first: coordinator)."""
    return {
        "id": project,
        "language": "en",
        "title": "Many partners",
        "programme": "URBACT-IV",
        "source": {"file": "factsheets/none.txt"},
        "participants": [
            {
                "role": "coordinator" if number == 0 else "partner",
                "organisation": {"id": org, "name": {"en": f"Organisation {org}"}, "country": "IT"},
            }
            for number, org in enumerate(partners)
        ],
    }


def validate_json(tmp_path: Path, data: dict) -> dict:
    """``eulod validate --format json`` on one record file; the report entry of the record."""
    path = tmp_path / f"{data['id']}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    run = subprocess.run(
        [str(EULOD), "validate", "--format", "json", str(path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900,  # a hang guard, not a timing assert
    )
    assert run.returncode == 1, run.stderr[-2000:]
    (entry,) = [e for e in json.loads(run.stdout) if e["record"] == data["id"]]
    return entry


def duplicates(entry: dict) -> list[dict]:
    return [r for r in entry["results"] if r["source_shape"] == DUPLICATE_RULE]


@pytest.mark.slow
def test_a_record_with_20000_partners_validates_and_names_its_duplicate(tmp_path):
    partners = [f"org-{n}" for n in range(20_000)] + ["org-5"]
    entry = validate_json(tmp_path, record(partners))
    found = duplicates(entry)
    assert len(found) == 1, found
    assert found[0]["value"] == f"{BASE}organisation/org-5"
    assert found[0]["focus"] == f"{BASE}project/big"
    message = found[0]["messages"]["en"]
    assert f"{BASE}project/big/participation/org-5 and {BASE}project/big/participation/org-5-2" in message
    assert not entry["errors"]


@pytest.mark.slow
def test_one_organisation_listed_thousands_of_times_gives_one_result_per_extra_listing(tmp_path):
    """k listings of one organisation: k - 1 results, each against the first listing (not k(k-1)/2 pairs)."""
    listings = 3_000
    entry = validate_json(tmp_path, record(["lead"] + ["same"] * listings, project="same"))
    found = duplicates(entry)
    assert len(found) == listings - 1
    first = f"{BASE}project/same/participation/same"
    assert all(f"takes part in the project twice: {first} and " in r["messages"]["en"] for r in found)
    seconds = {r["messages"]["en"].rsplit(" and ", 1)[1] for r in found}
    assert len(seconds) == listings - 1 and f"{first}." not in seconds


THREE_TIMES = """
@prefix eulod: <https://w3id.org/eulod/ontology#> .
@prefix role: <https://w3id.org/eulod/code/role/> .
<http://127.0.0.1:5000/project/p> a eulod:Project ;
    eulod:hasParticipation <http://127.0.0.1:5000/project/p/participation/a> ,
        <http://127.0.0.1:5000/project/p/participation/b> , <http://127.0.0.1:5000/project/p/participation/c> .
<http://127.0.0.1:5000/project/p/participation/a> a eulod:Participation ; eulod:role role:coordinator ;
    eulod:organisation <http://127.0.0.1:5000/organisation/x> .
<http://127.0.0.1:5000/project/p/participation/b> a eulod:Participation ; eulod:role role:partner ;
    eulod:organisation <http://127.0.0.1:5000/organisation/x> .
<http://127.0.0.1:5000/project/p/participation/c> a eulod:Participation ; eulod:role role:partner ;
    eulod:organisation <http://127.0.0.1:5000/organisation/x> .
"""


def test_three_listings_give_the_same_two_results_in_pyshacl_and_the_fast_validator():
    graph = Graph().parse(data=THREE_TIMES, format="turtle")

    def found(report) -> list[str]:
        return sorted(r.message("en") for r in report.results if r.source_shape == DUPLICATE_RULE)

    expected = [
        f"Organisation (eulod:organisation) {BASE}organisation/x takes part in the project twice: "
        f"{BASE}project/p/participation/a and {BASE}project/p/participation/{other}."
        for other in ("b", "c")
    ]
    assert found(validate(graph)) == expected
    assert found(validate_graphs([graph])) == expected
