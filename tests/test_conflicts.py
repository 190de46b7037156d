"""Sources that disagree about a shared organisation never block publication (issue 15).

An organisation's IRI is shared by every record that names it, and real exports disagree about
it: CORDIS gives one organisation activityType PRC in one year's row and HES in another's. Before,
both values landed on the one organisation node, the shapes' sh:maxCount 1 failed, and the
violation belonged to every record naming the organisation, so the build refused them all.

Now each record's statement is kept (an rdf:Statement derived from that record), one value is
published on the organisation by a documented rule (the value most records state, ties to the
alphabetically first), and the build reports one warning per disagreement naming both records
and both values.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

from conftest import EULOD, ROOT
from eulod.converters.conflicts import organisation_conflicts
from eulod.converters.records import Record

BASE = "http://data.example.org/"
EULOD_NS = "https://w3id.org/eulod/ontology#"
ORGTYPE = "https://w3id.org/eulod/code/organisation-type/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
CORDIS_TABLES = yaml.safe_load((ROOT / "converters" / "mappings" / "cordis.yaml").read_text("utf-8"))

PROJECT_HEADER = ["id", "acronym", "status", "title", "startDate", "endDate", "totalCost", "ecMaxContribution",
                  "legalBasis", "topics", "ecSignatureDate", "frameworkProgramme", "masterCall", "subCall",
                  "fundingScheme", "nature", "objective", "contentUpdateDate", "rcn", "grantDoi"]
ORGANISATION_HEADER = ["projectID", "projectAcronym", "organisationID", "vatNumber", "name", "shortName", "SME",
                       "activityType", "street", "postCode", "city", "country", "nutsCode", "geolocation",
                       "organizationURL", "contactForm", "contentUpdateDate", "rcn", "order", "role", "ecContribution",
                       "netEcContribution", "totalCost", "endOfParticipation", "active"]
PROJECTS = 12


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


def organisation_row(project: str, order: int, pic: str, name: str, activity: str, city: str, country: str,
                     role: str) -> dict[str, str]:
    row = dict.fromkeys(ORGANISATION_HEADER, "")
    row.update(projectID=project, projectAcronym=f"P{project}", organisationID=pic, name=name, SME="false",
               activityType=activity, city=city, country=country, order=str(order), role=role,
               ecContribution="100000", netEcContribution="100000", totalCost="100000",
               endOfParticipation="false", active="false")
    return row


def write_cordis(folder: Path) -> tuple[Path, Path]:
    """A CORDIS export as published (semicolons) in which two organisations' rows disagree.

    ACME RESEARCH (PIC 999000001) is a company (PRC) in the first project's row and a university
    (HES) in the eleven others; BETA INSTITUTE (PIC 999000002) is in Belgium in two rows and in the
    Netherlands in three. GAMMA UNIVERSITY's rows all agree.
    """
    projects, organisations = folder / "project.csv", folder / "organization.csv"
    with open(projects, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, PROJECT_HEADER, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for n in range(1, PROJECTS + 1):
            row = dict.fromkeys(PROJECT_HEADER, "")
            row.update(id=str(100000 + n), acronym=f"P{n}", status="CLOSED", title=f"Project number {n}",
                       startDate="2019-01-01", endDate="2021-12-31", totalCost="1000000", ecMaxContribution="900000",
                       frameworkProgramme="H2020", fundingScheme="RIA", objective=f"Objective {n}", rcn=str(n))
            writer.writerow(row)
    with open(organisations, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ORGANISATION_HEADER, delimiter=";", quoting=csv.QUOTE_MINIMAL)
        writer.writeheader()
        for n in range(1, PROJECTS + 1):
            project = str(100000 + n)
            writer.writerow(organisation_row(project, 1, "999000001", "ACME RESEARCH", "PRC" if n == 1 else "HES",
                                             "Delft", "NL", "coordinator"))
            writer.writerow(organisation_row(project, 2, "999000003", "GAMMA UNIVERSITY", "HES", "Gent", "BE",
                                             "participant"))
            if n <= 5:
                writer.writerow(organisation_row(project, 3, "999000002", "BETA INSTITUTE", "REC", "Leiden",
                                                 "BE" if n <= 2 else "NL", "participant"))
    return projects, organisations


def source_rows(organisations: Path, name: str) -> list[dict[str, str]]:
    """The organization.csv rows of one organisation, read with the csv module."""
    with open(organisations, newline="", encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle, delimiter=";") if row["name"] == name]


def select(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    return [tuple(term.value for term in solution) for solution in store.query(query, use_default_graph_as_union=True)]


@pytest.fixture(scope="module")
def cordis_build(tmp_path_factory: pytest.TempPathFactory):
    """`eulod import cordis` then `eulod build`, as a new user runs them (no --skip-invalid)."""
    folder = tmp_path_factory.mktemp("cordis-conflicts")
    projects, organisations = write_cordis(folder)
    imported = run("import", "cordis", str(projects), str(organisations), "-o", "cordis.jsonl", cwd=folder)
    assert imported.returncode == 0, imported.stdout + imported.stderr
    built = run("build", "cordis.jsonl", "--build-dir", "build", "--base-iri", BASE, cwd=folder)
    store = None
    if (folder / "build" / "current").exists():
        store = ox.Store.read_only(str(folder / "build" / "current" / "store"))
    yield folder, organisations, built, store
    del store


def warning_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip().startswith("! warning")]


def test_a_conflict_does_not_block_publication(cordis_build):
    _folder, _organisations, built, store = cordis_build
    assert built.returncode == 0, built.stdout + built.stderr
    assert f"built {PROJECTS} records ({PROJECTS} projects" in built.stdout
    [(count,)] = select(store, f"SELECT (COUNT(?p) AS ?n) WHERE {{ ?p a <{EULOD_NS}Project> }}")
    assert int(count) == PROJECTS


def test_one_warning_per_conflicting_property_names_both_records_and_values(cordis_build):
    _folder, _organisations, built, _store = cordis_build
    assert "0 errors, 0 violations, 2 warnings" in built.stdout, built.stdout
    [acme] = [line for line in warning_lines(built.stdout) if "pic-999000001" in line]
    assert "[organisationType]" in acme
    assert "company" in acme and "university" in acme
    assert "cordis.jsonl record 'cordis-100001'" in acme and "cordis.jsonl record 'cordis-100002'" in acme
    [beta] = [line for line in warning_lines(built.stdout) if "pic-999000002" in line]
    assert "[country]" in beta and "BEL" in beta and "NLD" in beta
    assert "'cordis-100001'" in beta and "'cordis-100003'" in beta
    assert not [line for line in warning_lines(built.stdout) if "gamma-university" in line]


def test_the_published_value_is_the_one_most_records_state(cordis_build):
    _folder, _organisations, _built, store = cordis_build
    types = select(store, f"SELECT ?t WHERE {{ <{BASE}organisation/pic-999000001> <{EULOD_NS}organisationType> ?t }}")
    assert types == [(ORGTYPE + "university",)]  # 11 rows of 12
    countries = select(store, f"SELECT ?c WHERE {{ <{BASE}organisation/pic-999000002> <{EULOD_NS}country> ?c }}")
    assert countries == [(COUNTRY + "NLD",)]  # 3 rows of 5


def statements(store: ox.Store, organisation: str, predicate: str) -> set[tuple[str, str]]:
    """(source record, value) of every kept statement about ``organisation``'s ``predicate``."""
    query = f"""
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?record ?value WHERE {{
          ?s a rdf:Statement ; rdf:subject <{BASE}organisation/{organisation}> ; rdf:predicate <{predicate}> ;
             rdf:object ?value ; prov:wasDerivedFrom ?record .
          ?record a <{EULOD_NS}SourceRecord> .
        }}"""
    return set(select(store, query))


def test_every_records_statement_stays_queryable_with_its_provenance(cordis_build):
    _folder, organisations, _built, store = cordis_build
    types = CORDIS_TABLES["activity_types"]
    expected = {(f"{BASE}record/cordis-{row['projectID']}", ORGTYPE + types[row["activityType"]])
                for row in source_rows(organisations, "ACME RESEARCH")}
    assert len(expected) == PROJECTS
    assert statements(store, "pic-999000001", EULOD_NS + "organisationType") == expected
    expected = {(f"{BASE}record/cordis-{row['projectID']}", COUNTRY + {"BE": "BEL", "NL": "NLD"}[row["country"]])
                for row in source_rows(organisations, "BETA INSTITUTE")}
    assert statements(store, "pic-999000002", EULOD_NS + "country") == expected
    assert statements(store, "gamma-university", EULOD_NS + "organisationType") == set()  # no disagreement


def test_the_warning_is_on_the_page_of_the_record_whose_value_was_not_published(cordis_build):
    folder, _organisations, _built, _store = cordis_build
    validation = json.loads((folder / "build" / "current" / "validation.json").read_text("utf-8"))
    conflicts = {record: [r for r in results if r["severity"] == "warning"] for record, results in validation.items()}
    [acme] = conflicts["cordis-100001"][:1]
    assert acme["focus"] == f"{BASE}organisation/pic-999000001"
    assert acme["path"] == EULOD_NS + "organisationType"
    assert "cordis-100002" in acme["messages"]["en"] and "cordis-100001" in acme["messages"]["it"]
    assert sum(len(found) for found in conflicts.values()) == 2


# --- records that disagree, through eulod build and eulod validate ---------------------------


def record(record_id: str, language: str, organisation: dict) -> dict:
    return {"id": record_id, "language": language, "title": f"Project {record_id}",
            "source": {"file": f"{record_id}.txt"},
            "participants": [{"role": "coordinator", "organisation": {"id": "acme", "name": "Acme", **organisation}}]}


DISAGREEING = [
    record("first", "en", {"type": "company", "country": "NL", "city": "Delft", "website": "https://acme.example.org"}),
    record("second", "en", {"type": "company", "country": "BE", "city": "Gent", "website": "https://acme.example"}),
    record("third", "it", {"type": "company", "city": "Delfo"}),  # another language: no disagreement
]


@pytest.fixture()
def disagreeing(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    folder.mkdir()
    for data in DISAGREEING:
        (folder / f"{data['id']}.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return folder


def test_two_records_that_disagree_build_with_a_warning_per_property(disagreeing: Path, tmp_path: Path):
    built = run("build", str(disagreeing), "--build-dir", "build", "--base-iri", BASE, cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    warnings = warning_lines(built.stdout)
    assert sorted(line.split("]")[0].split("[")[1] for line in warnings) == ["city", "country", "homepage"]
    for line in warnings:
        assert "record 'first'" in line and "record 'second'" in line
    store = ox.Store.read_only(str(tmp_path / "build" / "current" / "store"))
    acme = f"<{BASE}organisation/acme>"
    # a tie (one record each) goes to the alphabetically first value
    assert select(store, f"SELECT ?c WHERE {{ {acme} <{EULOD_NS}country> ?c }}") == [(COUNTRY + "BEL",)]
    assert sorted(select(store, f"SELECT ?c WHERE {{ {acme} <{EULOD_NS}city> ?c }}")) == [("Delfo",), ("Delft",)]
    assert select(store, f"SELECT ?w WHERE {{ {acme} <http://xmlns.com/foaf/0.1/homepage> ?w }}") == [
        ("https://acme.example",)]
    assert statements(store, "acme", "http://xmlns.com/foaf/0.1/homepage") == {
        (f"{BASE}record/first", "https://acme.example.org"), (f"{BASE}record/second", "https://acme.example")}
    del store


def test_eulod_validate_reports_the_same_warnings_and_passes(disagreeing: Path, tmp_path: Path):
    checked = run("validate", str(disagreeing), "--format", "json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    results = [r for entry in json.loads(checked.stdout) for r in entry["results"] if r["severity"] == "warning"]
    assert sorted(r["path"].rsplit("#", 1)[-1].rsplit("/", 1)[-1] for r in results) == ["city", "country", "homepage"]
    strict = run("validate", str(disagreeing), "--fail-on", "warning", cwd=tmp_path)
    assert strict.returncode == 1  # --fail-on warning still lets a publisher refuse disagreements


# --- the rule itself ----------------------------------------------------------------------


def records_stating(*countries: str) -> list[Record]:
    return [Record(record(f"r{n}", "en", {"country": country}), f"r{n}.yaml") for n, country in enumerate(countries)]


def chosen_country(found) -> str:
    [conflict] = found
    return conflict.chosen.rsplit("/", 1)[-1]


def test_most_records_win_and_ties_go_to_the_alphabetically_first():
    assert chosen_country(organisation_conflicts(records_stating("NL", "BE", "NL"), BASE)) == "NLD"
    assert chosen_country(organisation_conflicts(records_stating("NL", "BE"), BASE)) == "BEL"
    assert chosen_country(organisation_conflicts(records_stating("NL", "BE", "DE", "DE"), BASE)) == "DEU"


def test_agreement_or_silence_is_no_conflict():
    assert organisation_conflicts(records_stating("NL", "NL"), BASE) == []
    silent = Record(record("quiet", "en", {}), "quiet.yaml")
    assert organisation_conflicts([*records_stating("NL"), silent], BASE) == []


def test_each_record_counts_once_however_often_it_names_the_organisation():
    thrice = record("thrice", "en", {"country": "NL"})
    thrice["participants"] += [{"role": "partner", "organisation": {"id": "acme", "name": "Acme", "country": "NL"}}] * 2
    found = organisation_conflicts([*records_stating("BE", "BE"), Record(thrice, "thrice.yaml")], BASE)
    assert chosen_country(found) == "BEL"  # two records against one, though NL is named three times


def test_the_terms_of_a_kept_statement_are_declared():
    """The statement's classes and predicates are looked up where test_emitted_terms looks them up."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    from conftest import ontology
    from eulod.converters.conflicts import preferred_values
    from eulod.converters.rdf import MappingOptions, RecordMapper

    records = [Record(data, f"{data['id']}.yaml") for data in DISAGREEING]
    mapper = RecordMapper(MappingOptions(BASE, preferred=preferred_values(organisation_conflicts(records, BASE))))
    graph = Graph()
    for one in records:
        graph += mapper.graph(one)
    statements_ = set(graph.subjects(RDF.type, RDF.Statement))
    assert len(statements_) == 6  # country, city (en) and homepage of two records each
    excerpts = Graph()
    for path in sorted((ROOT / "tests" / "data" / "vocabularies").glob("*.ttl")):
        excerpts.parse(path, format="turtle")
    for statement in statements_:
        for predicate, obj in graph.predicate_objects(statement):
            if predicate == RDF.type:
                declared = ontology() if str(obj).startswith(EULOD_NS) else excerpts
                assert set(declared.objects(obj, RDF.type)) & {OWL.Class, RDFS.Class}, obj
            else:
                assert set(excerpts.objects(predicate, RDF.type)) & {RDF.Property, OWL.ObjectProperty}, predicate
        assert isinstance(graph.value(statement, RDF.subject), URIRef)


def test_every_kept_statement_dereferences_and_the_pages_show_the_disagreement(cordis_build):
    from eulod.core.config import load_settings
    from eulod.endpoint.app import create_app

    folder, _organisations, _built, store = cordis_build
    found = [iri for (iri,) in select(store, "SELECT ?s WHERE { ?s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> }")]
    assert len(found) == PROJECTS + 5
    app = create_app(load_settings(environ={}, build_dir=folder / "build", base_iri=BASE))
    app.config["TESTING"] = True
    client = app.test_client()
    for iri in found:
        answer = client.get("/" + iri[len(BASE):], headers={"Accept": "application/n-triples"})
        assert answer.status_code == 200, iri
        assert f"<{iri}> <http://www.w3.org/ns/prov#wasDerivedFrom>" in answer.get_data(as_text=True)
    page = client.get("/organisation/pic-999000001", headers={"Accept": "text/html"})
    assert page.status_code == 200
    project = client.get("/project/cordis-100001", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert "Records disagree on the organisation type of organisation pic-999000001" in project
