"""The home page listing and the search index are written from a whole store one entity at a
time (eulod.core.staging), not from dicts of every project (issue 19: 10 GB at 1 000 000
projects). What they hold must be what the per-entity definitions make of the store, read the
simple way, for any data: several titles and dates, amounts in several currencies, partners
without a country, results that are projects themselves, duplicate answers. And the memory
they take must not grow with the number of projects; nor may counting the pairs of
organisations that share projects (the collaborations summary)."""

from __future__ import annotations

import functools
import itertools
import json
import sqlite3
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamed_expectations import assert_listing_is_the_definitions, assert_search_is_the_definitions, rows

from eulod.core import listing, search
from eulod.core.staging import create, fill, grouped, in_bulk, merged
from eulod.core.years import DATE_PICK, project_years
from eulod.pipeline import paircounts, summaries

E = "https://w3id.org/eulod/ontology#"
BASE = "https://example.org/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
YEAR = 2026


def n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def literal(text: str, lang: str = "") -> ox.Literal:
    return ox.Literal(text, language=lang) if lang else ox.Literal(text)


# --- the merge join ----------------------------------------------------------------------

keys_ = st.lists(st.text("abcé\u4e2d", max_size=3), unique=True)
rows_ = st.lists(st.tuples(st.text("abcé\u4e2d", max_size=3), st.integers(0, 3)), max_size=30)


@given(keys_, rows_, rows_)
def test_the_merge_join_gives_each_key_its_rows_in_every_stream(keys, first, second):
    """Against a dict of lists; keys of a stream absent from ``keys`` are skipped, and the
    order is Python's (code points), which is SQLite's BINARY order of the same text."""
    db = sqlite3.connect(":memory:")
    streams = []
    for name, pairs in (("a", first), ("b", second)):
        db.execute(f"CREATE TABLE {name} (k, v)")
        db.executemany(f"INSERT INTO {name} VALUES (?, ?)", pairs)
        streams.append(grouped(db.execute(f"SELECT k, v FROM {name} ORDER BY k, v")))
    got = list(merged(sorted(keys), *streams))
    expected = []
    for key in sorted(keys):
        expected.append((key, [sorted((v,) for k, v in rows if k == key) for rows in (first, second)]))
    assert got == expected


# --- the listing -------------------------------------------------------------------------

money_ = st.tuples(st.sampled_from(["EUR", "PLN"]), st.sampled_from(["0", "10.5", "100", "2500.25"]))
date_ = st.sampled_from(["2019-03-01", "2020", "2021-06", "2022-12-31"])
project_ = st.fixed_dictionaries({
    "titles": st.lists(st.tuples(st.sampled_from(["", "en", "it"]), st.sampled_from(["Alpha", "beta", "Città", "Ωmega"])),
                       max_size=3),
    "programme": st.sampled_from([None, "A", "B"]),
    "starts": st.lists(date_, max_size=2), "ends": st.lists(date_, max_size=2),
    "months": st.sampled_from([None, "12", "x"]),
    "amounts": st.lists(st.tuples(st.sampled_from(["totalCost", "euContribution", "coFinancing"]), money_), max_size=3),
    "partners": st.lists(st.tuples(st.integers(0, 5), st.one_of(st.none(), money_)), max_size=4),
})
organisation_ = st.lists(st.sampled_from(["DEU", "ITA", "POL"]), max_size=2)


def listing_store(projects: list[dict], organisations: list[list[str]]) -> ox.Store:
    store = ox.Store()
    quads = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(n(s), n(p), o))

    def money(owner: str, predicate: str, key: str, currency: str, amount: str) -> None:
        node = f"{owner}/money/{key}"
        add(owner, predicate, n(node))
        add(node, E + "amount", ox.Literal(amount, datatype=n(XSD + "decimal")))
        add(node, E + "currency", n(f"http://publications.europa.eu/resource/authority/currency/{currency}"))

    for number, countries in enumerate(organisations):
        for country in countries:
            add(f"{BASE}organisation/{number}", E + "country",
                n(f"http://publications.europa.eu/resource/authority/country/{country}"))
    for number, project in enumerate(projects):
        iri = f"{BASE}project/{number:03d}"
        quads.append(ox.Quad(n(iri), TYPE, n(E + "Project")))
        for lang, text in project["titles"]:
            add(iri, DCT + "title", literal(text, lang))
        if project["programme"]:
            add(iri, E + "programme", n(f"{BASE}programme/{project['programme']}"))
        for date in project["starts"]:
            add(iri, E + "startDate", literal(date))
        for date in project["ends"]:
            add(iri, E + "endDate", literal(date))
        if project["months"]:
            add(iri, E + "durationMonths", literal(project["months"]))
        for k, (kind, (currency, amount)) in enumerate(project["amounts"]):
            money(iri, E + kind, f"{kind}{k}", currency, amount)
        for k, (organisation, eu) in enumerate(project["partners"]):
            participation = f"{iri}/participation/{k}"
            add(iri, E + "hasParticipation", n(participation))
            add(participation, E + "organisation", n(f"{BASE}organisation/{organisation}"))
            if eu:
                money(participation, E + "euContribution", "eu", *eu)
    store.extend(quads)
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(project_, max_size=8), st.lists(organisation_, min_size=6, max_size=6))
def test_the_streamed_listing_holds_what_the_per_project_definitions_make_of_the_store(tmp_path, projects, organisations):
    store = listing_store(projects, organisations)
    target = tmp_path / "listing.sqlite"
    target.unlink(missing_ok=True)
    listing.write_listing(store, target, YEAR, "g")
    assert_listing_is_the_definitions(store, target, YEAR)
    assert not list(tmp_path.glob(".*scratch")), "the scratch file is removed"


# --- the search index --------------------------------------------------------------------

text_ = st.tuples(st.sampled_from([DCT + "title", E + "acronym", SKOS + "prefLabel", SKOS + "altLabel",
                                   DCT + "description", E + "objective"]),
                  st.sampled_from(["", "en", "de"]), st.sampled_from(["Solar roofs", "Grüne Stadt", "Ports", "a"]))
entity_ = st.fixed_dictionaries({
    "project": st.booleans(),
    "texts": st.lists(text_, max_size=4),
    "results": st.lists(st.integers(0, 7), max_size=2),  # results 0-3 are other entities, 4-7 results of their own
    "facts": st.lists(st.tuples(st.sampled_from([E + "city", E + "country", "identifier", "http://www.w3.org/2002/07/owl#sameAs"]),
                                st.sampled_from(["Malmö", "x1", "DEU"]), st.sampled_from(["", "sv"])), max_size=3),
    "partners": st.lists(st.integers(0, 7), max_size=3),
})


def search_store(entities: list[dict], results: list[list[tuple]]) -> ox.Store:
    quads = []

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(n(s), n(p), o))

    def iri(number: int) -> str:
        return f"{BASE}{'project' if entities[number]['project'] else 'organisation'}/{number:03d}" \
            if number < len(entities) else f"{BASE}result/{number}"

    for number, entity in enumerate(entities):
        me = iri(number)
        quads.append(ox.Quad(n(me), TYPE, n(E + ("Project" if entity["project"] else "Organisation"))))
        for predicate, lang, text in entity["texts"]:
            add(me, predicate, literal(text, lang))
        for result in entity["results"]:
            add(me, E + "result", n(iri(result) if result < 4 else f"{BASE}result/{result}"))
        for predicate, value, lang in entity["facts"]:
            if predicate == "identifier":
                add(me, "http://www.w3.org/ns/adms#identifier", n(f"{me}/id/{value}"))
                add(f"{me}/id/{value}", SKOS + "notation", literal(value))
            elif predicate.endswith("country"):
                add(me, predicate, n(f"http://publications.europa.eu/resource/authority/country/{value}"))
            elif predicate.endswith("sameAs"):
                add(me, predicate, n(f"https://other.example/{value}"))
            else:
                add(me, predicate, literal(value, lang))
        for k, partner in enumerate(entity["partners"]):
            if partner < len(entities):
                add(me, E + "hasParticipation", n(f"{me}/participation/{k}"))
                add(f"{me}/participation/{k}", E + "organisation", n(iri(partner)))
    for number, texts in enumerate(results, start=4):
        for predicate, lang, text in texts:
            add(f"{BASE}result/{number}", predicate, literal(text, lang))
    store = ox.Store()
    store.extend(quads)
    return store


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(entity_, min_size=4, max_size=8), st.lists(st.lists(text_, max_size=3), min_size=4, max_size=4))
def test_the_streamed_search_index_holds_what_the_per_entity_definitions_make_of_the_store(tmp_path, entities, results):
    store = search_store(entities, results)
    target = tmp_path / "search.sqlite"
    target.unlink(missing_ok=True)
    search.write_search(store, target, "g")
    expected = assert_search_is_the_definitions(store, target)
    languages = sorted({tag for d in expected for tag in d.languages})
    assert json.loads(rows(target, "SELECT value FROM meta WHERE key = 'languages'")[0][0]) == languages


# --- memory ------------------------------------------------------------------------------


def traced_peak(write, store: ox.Store, target: Path) -> int:
    target.unlink(missing_ok=True)
    tracemalloc.start()
    try:
        write(store, target)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("write", [lambda store, target: listing.write_listing(store, target, YEAR),
                                   lambda store, target: search.write_search(store, target)], ids=["listing", "search"])
def test_the_python_memory_of_writing_the_indexes_does_not_grow_with_the_projects(tmp_path, monkeypatch, write):
    """Python's own allocations (tracemalloc: deterministic, not timing), with a few projects
    per batch: four times the projects must not take anything like four times the memory.
    Before the indexes were streamed, the peak grew with the data (x3.6 for the listing)."""
    monkeypatch.setattr(listing, "ROWS_PER_INSERT", 50)
    monkeypatch.setattr(search, "DOCUMENTS_PER_INSERT", 50)

    def store_of(count: int) -> ox.Store:
        projects = [{"titles": [("en", f"Project number {k} on solar roofs and ports")], "programme": "AB"[k % 2],
                     "starts": ["2020-01-01"], "ends": ["2022-12-31"], "months": "36",
                     "amounts": [("euContribution", ("EUR", f"{k}.5"))],
                     "partners": [(k % 6, ("EUR", "10")), ((k + 1) % 6, None)]} for k in range(count)]
        store = listing_store(projects, [["DEU"], ["ITA"], [], ["POL"], ["DEU"], ["ITA"]])
        store.extend(ox.Quad(n(f"{BASE}project/{k:03d}"), n(DCT + "description"),
                             literal(f"A long description of project {k} " * 8, "en")) for k in range(count))
        return store

    small = traced_peak(write, store_of(1_000), tmp_path / "small.sqlite")
    large = traced_peak(write, store_of(4_000), tmp_path / "large.sqlite")
    assert large < 1.6 * small, (small, large)


# --- the pair counts of the collaborations summary ---------------------------------------

memberships_ = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 5)), max_size=40)


def assert_counts_are_the_model(target: Path, top: list, rows: list[tuple[str, str]], keep: int) -> None:
    """The counts file and top list against a Counter of each project's organisation pairs, and its
    most frequent ones with their ties (summaries.most_frequent); repeated memberships count once."""
    members: dict[str, set[str]] = defaultdict(set)
    for project, organisation in rows:
        members[project].add(organisation)
    model: Counter = Counter()
    for organisations in members.values():
        model.update(itertools.combinations(sorted(organisations), 2))
    assert paircounts.read_pairs(target) == dict(model)
    assert top == summaries.most_frequent(model, keep)
    assert paircounts.read_meta(target)["memberships"] == str(len(set(rows)))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(memberships_, st.integers(0, 5))
def test_pairs_counted_on_disk_are_the_pairs_counted_in_memory(tmp_path, memberships, keep):
    """Against a Counter of each project's organisation pairs, and its most frequent ones with
    their ties (summaries.most_frequent); repeated memberships count once."""
    rows = [(f"<{BASE}project/{p}>", f"{BASE}organisation/{o}") for p, o in memberships]
    target = tmp_path / "pairs.sqlite"
    target.unlink(missing_ok=True)
    top = paircounts.count_pairs(target, iter(rows), lambda members: {"memberships": str(members)}, keep)
    assert_counts_are_the_model(target, top, rows, keep)


# Organisation names whose order differs between code points and other readings (case, accents,
# scripts, a character beyond the BMP, a prefix): the first of a pair is the one sorting first.
names_ = st.sampled_from(["a", "a0", "Z", "z", "\u00e9", "e\u0301", "\u03c9", "\U0001f600", "\u0436"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 6), names_), max_size=40), st.integers(0, 5))
def test_pairs_counted_from_a_parked_listing_are_the_pairs_counted_in_memory(tmp_path, memberships, keep):
    """count_parked_pairs, the build's path, reads the parked listing's member table (made as a
    build makes it, eulod.core.listing.PARKED) inside SQLite: the same counts, top list and
    membership count as a Counter of each project's pairs over the same rows."""
    parked, target = tmp_path / "parked.sqlite", tmp_path / "pairs.sqlite"
    parked.unlink(missing_ok=True)
    target.unlink(missing_ok=True)
    rows = [(f"{BASE}project/{p}", f"{BASE}organisation/{o}") for p, o in memberships]
    ((name, columns, unique, _, _),) = [table for table in listing.PARKED if table[0] == "member"]
    with sqlite3.connect(parked) as db:
        create(db, name, columns, unique)
        fill(db, name, columns, [(*row, f"{BASE}country/{len(row[1]) % 3}") for row in rows])  # each with a country
    db.close()
    top = paircounts.count_parked_pairs(target, parked, lambda members: {"memberships": str(members)}, keep)
    assert_counts_are_the_model(target, top, rows, keep)


def test_the_python_memory_of_counting_pairs_does_not_grow_with_the_projects(tmp_path, monkeypatch):
    """Before, every pair was a Counter entry: the peak grew with the data (x3.3 for 4x the projects,
    measured with summaries.shared_projects on the same memberships)."""

    def peak(projects: int) -> int:
        rows = ((f"<{BASE}project/{p}>", f"{BASE}organisation/{(p * 7 + k * 13) % 997}")
                for p in range(projects) for k in range(5))
        target = tmp_path / f"pairs-{projects}.sqlite"
        tracemalloc.start()
        try:
            # keep=0: the top list with its ties is the answer and may grow with the data (these
            # counts tie more as they grow); what must not grow is the counting itself.
            paircounts.count_pairs(target, rows, lambda members: {}, 0)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2_000), peak(8_000)
    assert large < 1.6 * small, (small, large)


# --- the activity years of the summaries -------------------------------------------------

dates_ = st.lists(st.sampled_from(["2019-03-01", "2020", "2021-06", "2022-12-31", "2018-01-15"]), max_size=3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(dates_, dates_, st.lists(st.sampled_from(["12", "30", "x"]), max_size=1)), max_size=8))
def test_the_activity_years_read_one_project_at_a_time_are_those_of_each_projects_dates(tmp_path, projects):
    """Against the definition applied to dicts of every project's dates (as the summaries did before)."""
    graph = n(BASE + "data")
    store = ox.Store()
    for number, (starts, ends, months) in enumerate(projects):
        project = n(f"{BASE}project/{number}")
        store.extend(ox.Quad(project, n(E + p), literal(v), graph)
                     for p, values in (("startDate", starts), ("endDate", ends), ("durationMonths", months))
                     for v in values)
    got = {(subject.value, year.value) for subject, _, year in summaries.activity(store, graph, YEAR, tmp_path / "x")}
    expected = set()
    for number, (starts, ends, months) in enumerate(projects):
        if starts:
            start = functools.reduce(DATE_PICK["start"], starts)
            end = functools.reduce(DATE_PICK["end"], ends) if ends else None
            duration = int(months[-1]) if months and months[-1].isdigit() else None
            expected |= {(f"{BASE}project/{number}", f"{year:04d}")
                         for year in project_years(start, end, duration, YEAR)}
    assert got == expected
    assert not list(tmp_path.glob(".*scratch"))


_CELL = st.one_of(st.none(), st.integers(-2**63, 2**63 - 1), st.text(st.characters(blacklist_categories=("Cs",)),
                                                                        max_size=8))


@settings(max_examples=80, deadline=None)
@given(table=st.lists(st.tuples(_CELL, _CELL), max_size=40), per_fetch=st.integers(1, 7))
def test_rows_read_in_bulk_are_the_querys_rows(table, per_fetch):
    """eulod.core.staging.in_bulk packs rows in JSON texts so that a side thread does not wait for
    the interpreter's lock once per row: every row comes back once, whatever the number per
    fetch (boundaries inside and between groups), with text of any script, quotes and control
    characters, the integers' whole range and nulls as they were; and a column that holds a
    JSON text of its own comes back parsed."""
    db = sqlite3.connect(":memory:")
    create(db, "cell", "k, v")
    fill(db, "cell", "k, v", table)
    got = list(in_bulk(db, "SELECT k, v FROM cell", ("k", "v"), rows=per_fetch))
    assert Counter(map(tuple, got)) == Counter(table)
    grouped_values = list(in_bulk(db, "SELECT k, json_group_array(v) AS vs FROM cell GROUP BY k",
                                  ("k", "json(vs)"), rows=per_fetch))
    model: dict = defaultdict(Counter)
    for key, value in table:
        model[key][value] += 1
    assert {key: Counter(values) for key, values in grouped_values} == model
