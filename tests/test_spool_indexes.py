"""The home page listing and the search index read from the records' N-Triples beside the bulk load (issue 19).

At 1 000 000 projects the listing's queries over the loaded store took 31 minutes, most of it
random reads turning ids back into text; eulod.pipeline.spool_indexes asks the same queries of
small in-memory stores, each holding a group of whole records, while the store is loaded. These
tests hold the build to it (the listing's and the index's queries never reach the generation's
store) and the files it writes to those written from the sealed store, with groups of a few
records, records left out by --skip-invalid, projects stating no EU contribution (the partners'
sums), organisations shared between groups and their preferred names after the records.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT
from hypothesis import given
from hypothesis import strategies as st
from incremental_builds import assert_dumps_hold, parsed_dumps

from eulod.core import listing, search, staging
from eulod.core.config import load_settings
from eulod.core.generation import current_generation
from eulod.pipeline import build as build_module
from eulod.pipeline import changes, paircounts, spool_indexes, stream, summaries
from eulod.pipeline.build import build

WHEN = 1_780_000_000  # SOURCE_DATE_EPOCH of both builds, so their dcterms:modified agree
INDEX_QUERIES = {"listing-projects.rq", "listing-titles.rq", "listing-facts.rq", "listing-amounts.rq",
                 "listing-partner-funding.rq", "listing-countries.rq", "listing-members.rq", "search-entities.rq",
                 "search-facts.rq", "search-texts.rq"}


@given(st.lists(st.integers(min_value=1, max_value=500), max_size=60), st.integers(min_value=1, max_value=7))
def test_the_groups_are_whole_records_covering_the_spool_once(lengths, per_store):
    ranges = spool_indexes.record_ranges(lengths, per_store)
    ends, at = set(), 0
    for length in lengths:
        at += length
        ends.add(at)
    assert [start for start, _ in ranges] == ([0] + [end for _, end in ranges[:-1]] if ranges else [])  # no gap
    assert (ranges[-1][1] if ranges else 0) == sum(lengths)
    for start, end in ranges:
        assert end in ends and end > start  # cut at the end of a record only
        assert sum(1 for e in ends if start < e <= end) <= per_store


@given(st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"") + b"\n"), max_size=30),
       st.integers(min_value=1, max_value=64))
def test_the_lines_after_the_records_are_read_whole_in_parts(lines, tail_bytes):
    records = b"<http://e.org/a> <http://e.org/p> <http://e.org/b> .\n" * 3
    spool = io.BytesIO(records + b"".join(lines))
    ranges = [(0, len(records) // 3), (len(records) // 3, len(records))]
    read = list(spool_indexes.parts(spool, ranges, tail_bytes))
    assert read[:2] == [records[:len(records) // 3], records[len(records) // 3:]]
    assert b"".join(read[2:]) == b"".join(lines)
    assert all(part.endswith(b"\n") for part in read[2:])  # never a line cut in two


def test_a_stopped_reading_leaves_no_file(tmp_path):
    stop = threading.Event()
    stop.set()
    targets = spool_indexes.Parked(tmp_path / ".listing.parked", tmp_path / ".search.parked", tmp_path / ".data.nt")
    spool = io.BytesIO(b"<http://e.org/p> <http://e.org/q> <http://e.org/o> .\n")
    with pytest.raises(spool_indexes.Stopped):
        spool_indexes.park_indexes(spool, [(0, len(spool.getvalue()))], targets, stop, "http://e.org/")
    assert list(tmp_path.iterdir()) == []
    assert spool.closed


def records(out: Path) -> list[dict]:
    """60 generated records, every seventh broken; a few with no EU contribution of their own (the
    listing then sums their partners') and a few in Swedish kronor."""
    generated = out.with_suffix(".generated.jsonl")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", "60", "--invalid-every", "7",
                    "--seed", "19", "--out", str(generated)], check=True, capture_output=True)
    rows = [json.loads(line) for line in generated.read_text("utf-8").splitlines()]
    for n, row in enumerate(rows):
        if n % 5 == 1:
            row["budget"].pop("eu_contribution", None)
            row["budget"].pop("eu_contribution_rate", None)
        if n % 9 == 4:
            row["currency"] = "SEK"
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return rows


COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def tables(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        names = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    found["meta"] = [row for row in found["meta"] if row[0] != "software"]
    return found


@pytest.fixture(scope="module")
def spied_build(tmp_path_factory: pytest.TempPathFactory):
    """A --skip-invalid build in groups of three records, every listing query's store noted."""
    folder = tmp_path_factory.mktemp("spool-listing")
    written = records(folder / "records.jsonl")
    asked: list[tuple[str, bool]] = []  # (query, whether the store has named graphs: the generation's)
    original = listing.run_stored
    dumped: list[str] = []  # graphs the change step read out of the store
    dump_graph = changes.dump_graph

    def spy(store, name, package=None):
        asked.append((name, any(True for _ in store.named_graphs())))
        return original(store, name, package)

    def dump_spy(store, graph, target):
        dumped.append(graph)
        return dump_graph(store, graph, target)

    scanned: list[str] = []  # the summaries' reads of memberships and dates from the store

    def members_spy(*args, **kwargs):
        scanned.append("memberships")
        return members(*args, **kwargs)

    def values_spy(store, graph, predicate):
        scanned.append(predicate)
        return values(store, graph, predicate)

    def totals_spy(*args, **kwargs):
        scanned.append("country totals")
        return totals(*args, **kwargs)

    members, values, totals = summaries.memberships, summaries._values, summaries.country_totals
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(spool_indexes, "RECORDS_PER_STORE", 3)
        patcher.setattr(spool_indexes, "TAIL_BYTES", 200)  # the preferred names in several parts
        patcher.setattr(listing, "run_stored", spy)
        patcher.setattr(search, "run_stored", spy)
        patcher.setattr(changes, "dump_graph", dump_spy)
        patcher.setattr(summaries, "memberships", members_spy)
        patcher.setattr(summaries, "_values", values_spy)
        patcher.setattr(summaries, "country_totals", totals_spy)
        patcher.setenv("SOURCE_DATE_EPOCH", str(WHEN))
        settings = load_settings(environ={}, build_dir=folder / "build", records=(folder / "records.jsonl",))
        outcome = build(settings, skip_invalid=True)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return {"records": written, "generation": current_generation(folder / "build"), "asked": asked,
            "dumped": dumped, "folder": folder, "scanned": scanned}


@pytest.fixture(scope="module")
def store_build(spied_build):
    """The same records built the way builds did before: every file read from the loaded store."""
    folder = spied_build["folder"]
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(build_module, "record_ranges", lambda lengths: None)
        patcher.setenv("SOURCE_DATE_EPOCH", str(WHEN))
        settings = load_settings(environ={}, build_dir=folder / "store-build", records=(folder / "records.jsonl",))
        outcome = build(settings, skip_invalid=True)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return current_generation(folder / "store-build")


def test_the_build_asks_the_index_queries_of_the_records_not_of_the_loaded_store(spied_build):
    asked = spied_build["asked"]
    stores = sum(1 for name, whole in asked if name == "listing-projects.rq" and not whole)
    assert stores >= 18  # about 52 valid records, three a store, and the preferred names in parts of 200 bytes
    assert {name for name, _ in asked} >= INDEX_QUERIES  # the files were written, their queries asked
    of_the_store = sorted({name for name, whole in asked if whole and name in INDEX_QUERIES})
    assert of_the_store == []


def test_the_listing_read_from_the_records_is_the_one_written_from_the_store(spied_build, tmp_path):
    generation = spied_build["generation"]
    store = ox.Store.read_only(str(generation.store_path))
    built = tables(generation.listing_path)
    again = tmp_path / "listing.sqlite"
    listing.write_listing(store, again, int(dict(built["meta"])["current_year"]), generation.id)
    assert tables(again) == built
    # What the comparison covered: records left out, partners' sums, two currencies, shared organisations.
    listed = {iri.rsplit("/", 1)[-1] for _, iri, *_ in built["project"]}
    ids = [row["id"] for row in spied_build["records"]]
    assert 40 <= len(listed) < len(ids)  # the broken records are not listed
    assert {currency for _, currency, _ in built["project_funding"]} == {"EUR", "SEK"}
    without = {row["id"] for row in spied_build["records"] if "eu_contribution" not in row["budget"]}
    assert listed & without
    shared = [org for org, count in _counts(built["membership"]).items() if count > 3]
    assert shared  # organisations taking part in projects of different groups
    assert not list(generation.path.glob("*.parked"))  # the parked rows are gone


def test_the_search_index_read_from_the_records_is_the_one_written_from_the_store(spied_build, tmp_path):
    generation = spied_build["generation"]
    store = ox.Store.read_only(str(generation.store_path))
    built = tables(generation.search_path)
    again = tmp_path / "search.sqlite"
    search.write_search(store, again, generation.id)
    assert tables(again) == built
    with sqlite3.connect(generation.search_path) as db:
        kinds = dict(db.execute("SELECT kind, COUNT(*) FROM entity GROUP BY kind").fetchall())
    assert kinds["project"] >= 40 and kinds["organisation"] >= 20


def _small_build(folder: Path) -> object:
    records(folder / "records.jsonl")
    return load_settings(environ={}, build_dir=folder / "build", records=(folder / "records.jsonl",))


def test_the_listing_and_the_search_index_are_written_while_the_store_loads(tmp_path, monkeypatch):
    """Neither needs anything from the store: they are written from their parked rows on the
    thread that parked them, while the store loads, not after the load on the summaries' thread;
    the parked listing, which the summaries read after the load, is removed once they have."""
    written = {"search": threading.Event(), "listing": threading.Event()}
    threads: list[str] = []
    originals = {"search": build_module.write_parked_search, "listing": build_module.write_parked_listing}
    original_load = build_module._bulk_loaded

    def spy(kind):
        def spied(*args, **kwargs):
            threads.append(threading.current_thread().name)
            count = originals[kind](*args, **kwargs)
            written[kind].set()
            return count
        return spied

    waited: list[bool] = []

    def load_spy(*args):
        waited.extend(event.wait(60) for event in written.values())  # before the load: only work beside it ends
        return original_load(*args)

    monkeypatch.setattr(build_module, "write_parked_search", spy("search"))
    monkeypatch.setattr(build_module, "write_parked_listing", spy("listing"))
    monkeypatch.setattr(build_module, "_bulk_loaded", load_spy)
    settings = _small_build(tmp_path)
    outcome = build(settings, skip_invalid=True)
    assert outcome.loaded
    assert waited == [True, True]
    assert len(threads) == 2 and all(name.startswith("eulod-spool") for name in threads)
    generation = current_generation(settings.build_dir)
    with sqlite3.connect(generation.search_path) as db:
        assert db.execute("SELECT COUNT(*) FROM entity WHERE kind = 'project'").fetchone()[0] >= 40
    with sqlite3.connect(generation.listing_path) as db:
        assert db.execute("SELECT COUNT(*) FROM project").fetchone()[0] >= 40
    assert not list(generation.path.glob("*.parked"))


def test_a_load_that_fails_stops_the_search_index_beside_it(tmp_path, monkeypatch):
    """The search index is being written when the load fails: it stops at its next batch, and the
    build fails with the load's error, leaving no generation, no index and no parked rows."""
    started = threading.Event()
    stops: list = []
    ended: list[str] = []
    original_search, original_insert = build_module.write_parked_search, search.insert_documents

    def search_spy(*args, stop=None, **kwargs):
        stops.append(stop)
        try:
            return original_search(*args, stop=stop, **kwargs)
        except staging.Stopped:
            ended.append("stopped")
            raise

    def insert_spy(db, batch):
        started.set()
        for _ in range(600):  # until the failed load stops it (at most a minute)
            if stops[0]():
                break
            threading.Event().wait(0.1)
        return original_insert(db, batch)

    def failing_load(*args):
        assert started.wait(60)
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(search, "DOCUMENTS_PER_INSERT", 1)
    monkeypatch.setattr(search, "insert_documents", insert_spy)
    monkeypatch.setattr(build_module, "write_parked_search", search_spy)
    monkeypatch.setattr(build_module, "_bulk_loaded", failing_load)
    settings = _small_build(tmp_path)
    with pytest.raises(RuntimeError, match="the disk is full"):
        build(settings, skip_invalid=True)
    assert ended == ["stopped"]
    assert current_generation(settings.build_dir) is None
    assert list((settings.build_dir / "generations").iterdir()) == []  # nothing half written


def test_a_line_the_validation_refuses_never_reaches_the_lenient_load(tmp_path, monkeypatch):
    """The store loads the spool without checking its IRIs again, because the validation batches
    parsed every record's lines strictly: a record whose N-Triples hold an IRI with a space fails
    the build there, and nothing is published."""
    original = stream.Converter._convert

    def converted(self, mapper, record):
        text = original(self, mapper, record)
        if text is not None and record.position == 5:
            text += b'<http://e.org/a b> <http://e.org/p> "x" .\n'
        return text

    monkeypatch.setattr(stream.Converter, "_convert", converted)
    settings = _small_build(tmp_path)
    with pytest.raises(SyntaxError) as raised:
        build(settings, skip_invalid=True)
    assert any(entry.name == "check" for entry in raised.traceback)  # refused by a validation batch
    assert current_generation(settings.build_dir) is None
    assert list((settings.build_dir / "generations").iterdir()) == []


PROJECT = (b"<http://e.org/project/p> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
           b"<https://w3id.org/eulod/ontology#Project> .\n"
           b'<http://e.org/project/p> <http://purl.org/dc/terms/title> "Green streets"@en .\n')


def _one_project_parked(folder: Path) -> spool_indexes.Parked:
    return spool_indexes.park_indexes(io.BytesIO(PROJECT), [(0, len(PROJECT))],
                                      spool_indexes.Parked(folder / ".listing.parked", folder / ".search.parked", None))


def test_a_stopped_search_index_leaves_no_file(tmp_path):
    parked = _one_project_parked(tmp_path)
    assert search.write_parked_search(parked.search, tmp_path / "kept.sqlite", "g", stop=lambda: False) == 1
    assert (tmp_path / "kept.sqlite").is_file() and not parked.search.exists()
    (tmp_path / "kept.sqlite").unlink()
    parked = _one_project_parked(tmp_path)
    with pytest.raises(staging.Stopped):
        search.write_parked_search(parked.search, tmp_path / "search.sqlite", "g", stop=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".listing.parked"]


def test_a_stopped_listing_leaves_no_file_and_a_kept_parked_listing_stays(tmp_path):
    parked = _one_project_parked(tmp_path)
    assert listing.write_parked_listing(parked.listing, tmp_path / "kept.sqlite", 2026, "g", keep=True,
                                        stop=lambda: False) == 1
    assert parked.listing.is_file()  # kept: the summaries read it too
    with pytest.raises(staging.Stopped):
        listing.write_parked_listing(parked.listing, tmp_path / "listing.sqlite", 2026, "g", stop=lambda: True)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".search.parked", "kept.sqlite"]


def _counts(memberships: list[tuple]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for organisation, _project in memberships:
        counts[organisation] = counts.get(organisation, 0) + 1
    return counts


def test_what_many_stores_say_of_an_organisation_is_parked_once(tmp_path):
    """Every group of records naming a shared organisation repeats its names and facts; read
    repeated, a popular organisation's names were joined to each of its memberships once per
    group (the search index took 149 s instead of 13 s at 100 000 projects)."""
    lines = (b'<http://e.org/organisation/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
             b'<https://w3id.org/eulod/ontology#Organisation> .\n'
             b'<http://e.org/organisation/a> <http://www.w3.org/2004/02/skos/core#altLabel> "City of A"@en .\n'
             b'<http://e.org/organisation/a> <https://w3id.org/eulod/ontology#city> "A"@en .\n')
    db = sqlite3.connect(tmp_path / "parked")
    staging.create_tables(db, search.PARKED)
    for _ in range(3):
        store = ox.Store()
        store.load(lines, format=ox.RdfFormat.N_TRIPLES)
        staging.fill_tables(db, search.PARKED, store)
    staging.finish_tables(db, search.PARKED, search.DISTINCT)
    assert db.execute("SELECT COUNT(*) FROM text").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM fact").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM entity").fetchone()[0] == 1


def test_the_change_step_and_the_dumps_take_the_data_graph_from_the_spool(spied_build):
    assert spied_build["dumped"] == []  # the change step did not read the data graph out of the store
    generation = spied_build["generation"]
    store = ox.Store.read_only(str(generation.store_path))
    assert_dumps_hold(generation, store, generation.manifest()["dumps"])  # every dump is exactly the store


def test_the_changes_from_the_spool_are_those_from_the_store(spied_build, store_build):
    """changes.sqlite (each entity's hash and dcterms:modified, the data graph's hash) and the dumps'
    triples of a build reading the data graph from the spool, against one reading it from the store."""
    spooled, stored = spied_build["generation"], store_build
    for table in ("entities", "totals"):
        with sqlite3.connect(spooled.path / "changes.sqlite") as a, sqlite3.connect(stored.path / "changes.sqlite") as b:
            rows = a.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            assert rows == b.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            assert len(rows) >= (50 if table == "entities" else 4)
    generated = "http://www.w3.org/ns/prov#generatedAtTime"
    mine, theirs = parsed_dumps(spooled), parsed_dumps(stored)
    for name in mine:  # the generation's own ids and times aside, the same triples
        assert {t for t in mine[name] if spooled.id not in t and generated not in t} == \
            {t for t in theirs[name] if stored.id not in t and generated not in t}, name


def _parked(tmp_path: Path, lines: bytes, ranges: list[tuple[int, int]]) -> spool_indexes.Parked:
    targets = spool_indexes.Parked(tmp_path / ".listing.parked", tmp_path / ".search.parked", tmp_path / ".data.nt")
    return spool_indexes.park_indexes(io.BytesIO(lines), ranges, targets, None, "http://e.org/")


def test_the_data_lines_are_the_store_s_and_a_blank_node_leaves_the_store_to_say_them(tmp_path):
    """Projects' lines as they come, every other line once; a part holding a blank node (each part
    labels its blank nodes anew, so two parts could not be told apart) gives no data file, and the
    build then dumps the data graph from its store."""
    project = b'<http://e.org/project/p%d> <http://purl.org/dc/terms/title> "P%d"@en .\n'
    shared = b'<http://e.org/organisation/o> <http://www.w3.org/2004/02/skos/core#altLabel> "O"@en .\n'
    first, second = project % (1, 1) + shared, project % (2, 2) + shared
    spool = first + second
    parked = _parked(tmp_path, spool, [(0, len(first)), (len(first), len(spool))])
    assert parked.data is not None
    written = parked.data.read_bytes().splitlines(keepends=True)
    assert sorted(written) == sorted({*first.splitlines(keepends=True), *second.splitlines(keepends=True)})
    assert written.count(shared) == 1
    for path in (parked.listing, parked.search, parked.data):
        path.unlink()
    blank = b'<http://e.org/project/p3> <http://e.org/has> _:b1 .\n_:b1 <http://e.org/says> "x" .\n'
    spool = first + blank
    parked = _parked(tmp_path, spool, [(0, len(first)), (len(first), len(spool))])
    assert parked.data is None
    assert sorted(p.name for p in tmp_path.iterdir()) == [".listing.parked", ".search.parked"]  # no data file left


def test_a_build_whose_parts_hold_a_blank_node_dumps_the_data_graph_from_its_store(tmp_path, monkeypatch):
    """The fallback, through a build: the parts say "blank node", the change step reads the store,
    and the changes and dumps are still the store's."""
    records(tmp_path / "records.jsonl")
    dumped: list[str] = []
    dump_graph = changes.dump_graph

    def dump_spy(store, graph, target):
        dumped.append(graph)
        return dump_graph(store, graph, target)

    def blank_seen(self, store):
        self.blank = True

    monkeypatch.setattr(changes, "dump_graph", dump_spy)
    monkeypatch.setattr(spool_indexes.DataLines, "add", blank_seen)
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(tmp_path / "records.jsonl",))
    outcome = build(settings, skip_invalid=True)
    assert outcome.loaded
    assert len(dumped) == 1  # the data graph, once, from the store
    generation = current_generation(tmp_path / "build")
    assert_dumps_hold(generation, ox.Store.read_only(str(generation.store_path)), generation.manifest()["dumps"])
    assert not list(generation.path.glob(".data.nt*")) and not list(generation.path.glob("*.parked"))


def _summary_graph(generation) -> set[str]:
    store = ox.Store.read_only(str(generation.store_path))
    graph = ox.NamedNode(generation.manifest()["graphs"]["summaries"])
    return {str(q.triple) for q in store.quads_for_pattern(None, None, None, graph)}


def test_the_summaries_from_the_records_parts_are_those_from_the_store(spied_build, store_build):
    """The collaborations' pair counts, the years of activity, the country totals and the city keys,
    computed from the listing's rows read beside the load (memberships, dates, contributions joined
    to the countries other parts state, cities) rather than from the store, are the same: every
    summary triple, every pair's count."""
    assert spied_build["scanned"] == []  # no membership, date or contribution was read from the store
    spooled = spied_build["generation"]
    mine, theirs = _summary_graph(spooled), _summary_graph(store_build)
    assert mine == theirs
    assert sum("activeInYear" in t for t in mine) >= 40 and sum("Collaboration" in t for t in mine) >= 1
    assert sum("CountryTotal>" in t for t in mine) >= 5 and any("/currency/SEK" in t for t in mine)
    assert sum("cityKey" in t for t in mine) >= 10
    pairs = paircounts.read_pairs(spooled.summary_counts_path)
    assert pairs == paircounts.read_pairs(store_build.summary_counts_path) and len(pairs) >= 50


def test_a_contribution_counts_for_the_country_another_part_states(tmp_path, monkeypatch):
    """Records read one to a part: the first gives the organisation's country, the others state
    its EU contribution without it. The country totals join them as the store does, once every
    part is read."""
    from streaming import participant, record, write_jsonl

    def paid(org_id: str, amount: str, role: str = "partner", **organisation) -> dict:
        return {**participant(org_id, role, **organisation), "budget": {"eu_contribution": amount}}

    rows = [
        record("a", participants=[participant("city-x", "coordinator", name="City X", country="IT")]),
        record("b", currency="EUR", participants=[paid("city-x", "1000.50", "coordinator", name="City X"),
                                                  paid("town-y", "99.5", name="Town Y", country="FR")]),
        record("c", participants=[paid("city-x", "0.25", name="City X")]),
    ]
    write_jsonl(tmp_path / "records.jsonl", rows)
    monkeypatch.setattr(spool_indexes, "RECORDS_PER_STORE", 1)
    asked: list[str] = []
    totals = summaries.country_totals
    monkeypatch.setattr(summaries, "country_totals", lambda *a: asked.append("store") or totals(*a))
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(tmp_path / "records.jsonl",))
    outcome = build(settings)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    assert asked == []
    generation = current_generation(tmp_path / "build")
    store = ox.Store.read_only(str(generation.store_path))
    graphs = generation.manifest()["graphs"]
    found = {(row["c"].value.rsplit("/", 1)[1], row["t"].value, row["k"].value) for row in store.query(
        "PREFIX e: <https://w3id.org/eulod/ontology#> SELECT ?c ?t ?k WHERE { GRAPH ?g { ?x a e:CountryTotal ; "
        "e:totalFor ?c ; e:totalAmount ?t ; e:participationCount ?k } }")}
    assert found == {("ITA", "1000.75", "2"), ("FRA", "99.5", "1")}
    written = {(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graphs["summaries"]))}
    from_store = set(totals(store, ox.NamedNode(graphs["data"]), settings.base_iri))
    assert from_store and from_store <= written  # the same triples as the store's own totals


def test_a_partners_country_in_the_listing_is_the_stores_whatever_its_part_states(tmp_path, monkeypatch):
    """The listing takes each participation's country from the participation's own part of the data, not from
    a lookup per participation (36 s at 1 000 000 projects): a part that states none, and parts that disagree,
    still give the country the store gives (the greatest of those stated), as the listing written from the
    loaded store says."""
    from streaming import participant, record, write_jsonl

    rows = [
        record("a", participants=[participant("city-x", "coordinator", name="City X", country="IT")]),
        record("b", participants=[participant("city-x", "coordinator", name="City X"),
                                  participant("town-y", "partner", name="Town Y", country="FR")]),
        record("c", participants=[participant("city-x", "coordinator", name="City X", country="AT"),
                                  participant("town-y", "partner", name="Town Y", country="FR")]),
    ]
    write_jsonl(tmp_path / "records.jsonl", rows)
    monkeypatch.setattr(spool_indexes, "RECORDS_PER_STORE", 1)
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(tmp_path / "records.jsonl",))
    outcome = build(settings, skip_invalid=True)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    generation = current_generation(tmp_path / "build")
    built = tables(generation.listing_path)
    countries = {iri.rsplit("/", 1)[-1]: set(places.split()) for _, iri, *_, places in built["project"]}
    (city,) = countries["a"]  # the one the build kept for City X (the records disagree: a warning, not a wall)
    assert countries == {"a": {city}, "b": {city, f"{COUNTRY}FRA"}, "c": {city, f"{COUNTRY}FRA"}}, countries
    store = ox.Store.read_only(str(generation.store_path))
    again = tmp_path / "listing.sqlite"
    listing.write_listing(store, again, int(dict(built["meta"])["current_year"]), generation.id)
    assert tables(again) == built
