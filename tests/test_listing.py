"""The home page's listing file: what the build writes agrees with the store, and a store
without the file (a remote store, an older generation) serves the same home page from a
listing written on first need, leaving nothing behind."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.core.config import load_settings
from eulod.endpoint.listing import Filter, Listing
from eulod.core.listing import write_listing
from eulod.core.generation import current_generation

from test_home_paging import generated  # noqa: F401 -- the 120-record build, shared fixture

PREFIX = "PREFIX eulod: <https://w3id.org/eulod/ontology#>\n"
HTML = {"Accept": "text/html", "Accept-Language": "en"}
PAGES = ["/", "/?page=2", "/?page=3&lang=it", "/?country=ITA", "/?programme=HORIZON-2020&lang=it", "/?year=2021",
         "/?year=2021&country=DEU&page=1", "/?year=abc"]


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIX + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def table(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


@pytest.mark.slow
def test_the_build_writes_a_listing_that_agrees_with_the_store(generated):  # noqa: F811
    generation = current_generation(generated["build_dir"])
    path = generation.listing_path
    assert path.is_file()
    store = ox.Store.read_only(str(generation.store_path))
    projects = {r["p"] for r in select(store, "SELECT ?p WHERE { ?p a eulod:Project }")}
    rows = {iri: (partners, first, last, countries) for iri, partners, first, last, countries in
            table(path, "SELECT iri, partners, first_year, last_year, countries FROM project")}
    assert set(rows) == projects and len(projects) == generation.manifest()["statistics"]["projects"]
    partners = {r["p"]: int(r["n"]) for r in select(store, """SELECT ?p (COUNT(DISTINCT ?o) AS ?n) WHERE {
        ?p a eulod:Project ; eulod:hasParticipation/eulod:organisation ?o } GROUP BY ?p""")}
    assert {iri: row[0] for iri, row in rows.items() if row[0]} == partners
    # The year filter and eulod:activeInYear are one definition (eulod.core.years.project_years).
    spans = {r["p"]: (int(r["first"]), int(r["last"])) for r in select(store, """SELECT ?p (MIN(STR(?y)) AS ?first)
        (MAX(STR(?y)) AS ?last) WHERE { ?p eulod:activeInYear ?y } GROUP BY ?p""")}
    assert {iri: (row[1], row[2]) for iri, row in rows.items() if row[1] is not None} == spans
    countries = {}
    for r in select(store, "SELECT DISTINCT ?p ?c WHERE { ?p eulod:hasParticipation/eulod:organisation/eulod:country ?c }"):
        countries.setdefault(r["p"], set()).add(r["c"])
    assert {iri: set(row[3].split()) for iri, row in rows.items() if row[3]} == countries
    pairs = set(table(path, "SELECT country, project FROM project_country"))
    ids = dict(table(path, "SELECT iri, id FROM project"))
    assert pairs == {(c, ids[p]) for p, found in countries.items() for c in found}


@pytest.mark.slow
def test_a_generation_without_its_listing_serves_the_same_home_page(generated, tmp_path, caplog):  # noqa: F811
    from eulod.endpoint.app import create_app

    copy = tmp_path / "build"
    shutil.copytree(generated["build_dir"], copy, symlinks=True)
    current_generation(copy).listing_path.unlink()
    with_file = create_app(load_settings(environ={}, build_dir=generated["build_dir"])).test_client()
    without = create_app(load_settings(environ={}, build_dir=copy)).test_client()
    leftovers = set(Path(tempfile.gettempdir()).glob("eulod-listing-*"))
    caplog.set_level(logging.INFO, logger="eulod.core.listing")
    for url in PAGES:
        first, second = with_file.get(url, headers=HTML), without.get(url, headers=HTML)
        assert (first.status_code, first.data) == (second.status_code, second.data), url
    assert [r for r in caplog.records if "wrote the home page listing of 120 projects" in r.getMessage()]
    assert set(Path(tempfile.gettempdir()).glob("eulod-listing-*")) == leftovers
    assert not current_generation(copy).listing_path.exists()  # a served generation is not written to


@pytest.mark.slow
def test_a_listing_of_another_format_is_not_used(generated, tmp_path, caplog):  # noqa: F811
    from eulod.endpoint.app import create_app

    copy = tmp_path / "build"
    shutil.copytree(generated["build_dir"], copy, symlinks=True)
    path = current_generation(copy).listing_path
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value = 'older' WHERE key = 'format'")
    db.execute("DELETE FROM project WHERE id > 3")  # would show 4 projects if it were read
    db.commit()
    db.close()
    caplog.set_level(logging.INFO)
    response = create_app(load_settings(environ={}, build_dir=copy)).test_client().get("/", headers=HTML)
    assert response.status_code == 200 and b"120" in response.data
    assert any("listing format 'older'" in r.getMessage() for r in caplog.records)


class FailingStore:
    """A store whose second query fails, as a remote store that goes away mid-reading would."""

    def __init__(self, store: ox.Store) -> None:
        self.store, self.calls = store, 0

    def query(self, *args, **kwargs):
        self.calls += 1
        if self.calls == 2:
            raise ConnectionError("store went away")
        return self.store.query(*args, **kwargs)


@pytest.mark.slow
def test_a_failed_writing_leaves_no_file(generated, tmp_path):  # noqa: F811
    store = ox.Store.read_only(str(current_generation(generated["build_dir"]).store_path))
    with pytest.raises(ConnectionError):
        write_listing(FailingStore(store), tmp_path / "listing.sqlite", 2025)
    assert list(tmp_path.iterdir()) == []
    assert write_listing(store, tmp_path / "listing.sqlite", 2025) == 120
    assert [p.name for p in tmp_path.iterdir()] == ["listing.sqlite"]


@pytest.mark.slow
def test_filters_that_match_nothing(generated):  # noqa: F811
    listing = Listing(current_generation(generated["build_dir"]).listing_path, "test")
    everything = listing.matching("en", Filter())
    assert len(everything) == listing.total == 120
    assert len(listing.matching("en", Filter(nothing=True))) == 0
    assert len(listing.matching("en", Filter(programmes=frozenset()))) == 0
    assert len(listing.matching("en", Filter(country="http://example.org/no-such-country"))) == 0
    years = listing.matching("en", Filter(year=2021))
    assert 0 < len(years) < 120 and [i for i in everything if i in set(years)] == list(years)
    titles = [row.title("en").lower() for row in listing.rows(everything)]
    assert titles == sorted(titles)


def test_several_stated_dates_give_the_years_the_activity_index_gives(tmp_path):
    """Of several start or end dates (the shapes warn; the data may still hold them), the
    listing takes the earliest start and the latest end, as eulod:activeInYear does."""
    from eulod.pipeline.summaries import add_summaries

    eulod, xsd = "https://w3id.org/eulod/ontology#", "http://www.w3.org/2001/XMLSchema#"
    graph, project = ox.NamedNode("http://example.org/graph/data"), ox.NamedNode("http://example.org/project/p")
    store = ox.Store()
    store.add(ox.Quad(project, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode(eulod + "Project"), graph))
    store.add(ox.Quad(project, ox.NamedNode("http://purl.org/dc/terms/title"), ox.Literal("P", language="en"), graph))
    for predicate, value in (("startDate", "2019-05-01"), ("startDate", "2018-02-01"),
                             ("endDate", "2020-01-31"), ("endDate", "2022-12-31")):
        store.add(ox.Quad(project, ox.NamedNode(eulod + predicate), ox.Literal(value, datatype=ox.NamedNode(xsd + "date")), graph))
    add_summaries(store, graph.value, "http://example.org/graph/summaries", "http://example.org/", 10, current_year=2025)
    indexed = sorted(int(q.object.value) for q in store.quads_for_pattern(project, ox.NamedNode(eulod + "activeInYear"), None))
    write_listing(store, tmp_path / "listing.sqlite", 2025)
    assert table(tmp_path / "listing.sqlite", "SELECT first_year, last_year FROM project") == [(indexed[0], indexed[-1])]
    assert (indexed[0], indexed[-1]) == (2018, 2022)


XSD = "http://www.w3.org/2001/XMLSchema#"
PRECISIONS = {4: "gYear", 7: "gYearMonth", 10: "date"}


def _dated(draw_date, precision: int) -> ox.Literal:
    text = draw_date.isoformat()[:precision]
    return ox.Literal(text, datatype=ox.NamedNode(XSD + PRECISIONS[precision]))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(
    st.one_of(st.none(), st.tuples(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
                                   st.sampled_from(sorted(PRECISIONS)))),
    st.one_of(st.none(), st.tuples(st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)),
                                   st.sampled_from(sorted(PRECISIONS)))),
    st.lists(st.sampled_from(["AT", "BE", "CZ", "EL", "FI", "MT", None]), max_size=3)), max_size=8))
def test_the_catalogue_coverage_read_from_the_listing_is_the_data_s(projects):
    """The catalogue's countries and period, read from the listing, against the values stated:
    every partner country of a project, the first day of the earliest start's period and the
    last day of the latest end's (a year ends on 31 December, a month on its last day)."""
    import calendar

    from eulod.endpoint.catalogue import coverage

    eulod = "https://w3id.org/eulod/ontology#"
    graph = ox.NamedNode("http://example.org/graph/data")
    store = ox.Store()
    countries, starts, ends = set(), [], []
    for n, (start, end, partners) in enumerate(projects):
        project = ox.NamedNode(f"http://example.org/project/p{n}")
        store.add(ox.Quad(project, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                          ox.NamedNode(eulod + "Project"), graph))
        for key, stated, out in (("startDate", start, starts), ("endDate", end, ends)):
            if stated:
                day, precision = stated
                store.add(ox.Quad(project, ox.NamedNode(eulod + key), _dated(day, precision), graph))
                first = date(day.year, day.month if precision > 4 else 1, day.day if precision > 7 else 1)
                last_month = day.month if precision > 4 else 12
                last = date(day.year, last_month, day.day if precision > 7 else
                            calendar.monthrange(day.year, last_month)[1])
                out.append(first if key == "startDate" else last)
        for m, code in enumerate(partners):
            part = ox.NamedNode(f"http://example.org/participation/p{n}-{m}")
            organisation = ox.NamedNode(f"http://example.org/organisation/o{n}-{m}")
            store.add(ox.Quad(project, ox.NamedNode(eulod + "hasParticipation"), part, graph))
            store.add(ox.Quad(part, ox.NamedNode(eulod + "organisation"), organisation, graph))
            if code:
                country = f"http://publications.europa.eu/resource/authority/country/{code}"
                store.add(ox.Quad(organisation, ox.NamedNode(eulod + "country"), ox.NamedNode(country), graph))
                countries.add(country)
    with tempfile.TemporaryDirectory() as folder:
        write_listing(store, Path(folder) / "listing.sqlite", 2025)
        listing = Listing(Path(folder) / "listing.sqlite", "test")
        covered = coverage(listing)
    assert covered.countries == sorted(countries)
    assert covered.first == min(starts, default=None)
    assert covered.last == max(ends, default=None)
