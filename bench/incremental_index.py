"""Incremental listing and search index (issue 19): the full writes against the updates, after one change.

At one size it generates records (bench/generate.py, seeded, all valid, as N-Triples), loads
them into a store as the build does (bulk load into the data graph, optimise), and writes the
listing and the search index in full: the previous generation's files. Then, for each change
below, on a copy of that store patched with the change (eulod.pipeline.delta), in the same run:
the full writes (eulod.core.listing.write_listing, eulod.core.search.write_search) against the
updates from the previous files (eulod.core.listing_update.update_listing,
eulod.core.search_update.update_search), and the ratio; each update's output is checked against
the full write's (the listing table by table, the index's rows in rowid order and the answers
to a few questions).

- one record changed: a project's title, EU contribution and end date;
- one record added: a project like another, whose IRI sorts in the middle (the listing
  renumbers the projects after it, the index takes a rowid between two);
- one record removed;
- a partner renamed in every record: the most frequent organisation's preferred name, which
  is in the search document of each of its projects (beyond eulod.core.search_update's
  TOUCHED_AT_MOST share of the documents: written whole);
- a partner of about 20 projects moved to another country: their listing rows (countries,
  the participations per country).

    python bench/incremental_index.py --projects 20000 --work bench/out/incremental-index
    python bench/incremental_index.py --projects 100000 --work bench/out/incremental-index

:func:`compare` is the measurement itself, for another bench to call with its own store and change.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from eulod.core import search
from eulod.core.listing import write_listing
from eulod.core.listing_update import update_listing
from eulod.core.search import write_search
from eulod.core.search_update import update_search
from eulod.pipeline.delta import Delta, apply, copy_store

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from derived_files import listing_contents  # noqa: E402 -- tests/derived_files.py: contents without the handles

BASE = "http://127.0.0.1:5000/"
GRAPH = BASE + "graph/projects"
EULOD = "https://w3id.org/eulod/ontology#"
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
YEAR = 2026
QUESTIONS = ["mobility", "circular economy", "Harbours", "regenerating", "Lyon", "municipality", "renamed"]


def e(name: str) -> ox.NamedNode:
    return ox.NamedNode(EULOD + name)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def prepare(size: int, work: Path) -> tuple[Path, Path, Path]:
    """The store of ``size`` generated projects and its full listing and index (made once, kept in ``work``)."""
    work.mkdir(parents=True, exist_ok=True)
    nt, store_dir = work / f"p{size}.nt", work / f"store-{size}"
    listing, index = work / f"listing-{size}.sqlite", work / f"search-{size}.sqlite"
    if not nt.is_file():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--projects", str(size), "--invalid-every", "0",
                        "--format", "nt", "--seed", "19", "--out", str(nt)], check=True)
    if not store_dir.is_dir():
        store = ox.Store(str(store_dir))
        store.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(GRAPH))
        store.optimize()
        del store
    if not listing.is_file() or not index.is_file():
        store = ox.Store.read_only(str(store_dir))
        took = timed(lambda: write_listing(store, listing, YEAR, "g1"))
        print(f"full listing of the previous generation: {took:.1f} s")
        print(f"full search index of the previous generation: {timed(lambda: write_search(store, index, 'g1')):.1f} s")
        del store
    return store_dir, listing, index


def record_triples(store: ox.Store, project: ox.NamedNode) -> set[ox.Triple]:
    """The triples of a project's record: the project and the nodes named under its IRI."""
    found: set[ox.Triple] = set()
    frontier = [project]
    seen = set()
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in store.quads_for_pattern(node, None, None, ox.NamedNode(GRAPH)):
            found.add(quad.triple)
            if isinstance(quad.object, ox.NamedNode) and quad.object.value.startswith(project.value):
                frontier.append(quad.object)
    return found


def renamed(term: Any, old: str, new: str) -> Any:
    return ox.NamedNode(new + term.value[len(old):]) if isinstance(term, ox.NamedNode) and term.value.startswith(old) \
        else term


def changes(store: ox.Store) -> dict[str, Delta]:
    projects = sorted(q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), e("Project"), None))
    middle = ox.NamedNode(projects[len(projects) // 2])
    record = record_triples(store, middle)
    changed: set[ox.Triple] = set()
    for t in record:
        if t.subject == middle and t.predicate == TITLE:
            changed.add(ox.Triple(t.subject, t.predicate, ox.Literal(t.object.value + " (revised)", language="en")))
        elif t.predicate == e("endDate"):
            changed.add(ox.Triple(t.subject, t.predicate, ox.Literal("2031-12-31", datatype=t.object.datatype)))
        elif t.predicate == e("amount") and t.subject.value == middle.value + "#eu-contribution":
            changed.add(ox.Triple(t.subject, t.predicate, ox.Literal("1234567.89", datatype=t.object.datatype)))
        else:
            changed.add(t)
    other = ox.NamedNode(projects[len(projects) // 3])
    new_iri = middle.value + "x"
    added = {ox.Triple(renamed(t.subject, other.value, new_iri), t.predicate, renamed(t.object, other.value, new_iri))
             for t in record_triples(store, other)}
    counts = Counter(q.object for q in store.quads_for_pattern(None, e("organisation"), None, None))
    busiest, uses = counts.most_common(1)[0]
    labels = {q.triple for q in store.quads_for_pattern(busiest, PREF, None, ox.NamedNode(GRAPH))}
    print(f"the busiest partner, {busiest.value}, takes part in {uses} projects")
    some = min(counts, key=lambda o: (abs(counts[o] - 20), o.value))
    located = {q.triple for q in store.quads_for_pattern(some, e("country"), None, ox.NamedNode(GRAPH))}
    print(f"a partner of {counts[some]} projects: {some.value}")
    return {
        "one record changed": Delta.between(record, changed),
        "one record added": Delta(added=frozenset(added)),
        "one record removed": Delta(removed=frozenset(record_triples(store, ox.NamedNode(projects[-7])))),
        "a busy partner renamed": Delta(frozenset(labels), frozenset(
            {ox.Triple(busiest, PREF, ox.Literal("Renamed Partner of Many Projects", language="en"))})),
        "a partner of 20 projects moved": Delta(frozenset(located), frozenset(
            {ox.Triple(some, e("country"), ox.NamedNode(COUNTRY + "MLT"))})),
    }


def search_answers(path: Path) -> tuple[list, dict]:
    with sqlite3.connect(path) as db:
        rows = [row[1:] for row in db.execute("SELECT * FROM entity ORDER BY id")]
        languages = search.languages(db)
        answers = {q: search.ranked(db, search.question(q, languages), 50) for q in QUESTIONS}
        return rows, answers


def compare(store_dir: Path, listing: Path, index: Path, delta: Delta, work: Path, graph: str = GRAPH,
            year: int = YEAR) -> dict[str, float]:
    """Full writes against updates on a copy of ``store_dir`` patched with ``delta``; seconds, checked equal."""
    patched = work / "patched-store"
    shutil.rmtree(patched, ignore_errors=True)
    copy_store(store_dir, patched)
    store = ox.Store(str(patched))
    apply(store, delta, graph)
    out = work / "out"
    out.mkdir(exist_ok=True)
    result = {
        "full listing": timed(lambda: write_listing(store, out / "full-listing.sqlite", year, "g2")),
        "updated listing": timed(lambda: update_listing(store, listing, out / "listing.sqlite", delta, year, "g2")),
        "full search": timed(lambda: write_search(store, out / "full-search.sqlite", "g2")),
        "updated search": timed(lambda: update_search(store, index, out / "search.sqlite", delta, "g2")),
    }
    store = None  # closes the copy before it is removed
    assert listing_contents(out / "listing.sqlite") == listing_contents(out / "full-listing.sqlite"), \
        "listings differ"
    assert search_answers(out / "search.sqlite") == search_answers(out / "full-search.sqlite"), "indexes differ"
    shutil.rmtree(patched)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=HERE / "out" / "incremental-index")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="  %(name)s: %(message)s")
    store_dir, listing, index = prepare(args.projects, args.work)
    print(f"listing {listing.stat().st_size / 1e6:.0f} MB, search index {index.stat().st_size / 1e6:.0f} MB")
    store = ox.Store.read_only(str(store_dir))
    deltas = changes(store)
    del store
    lines = [f"| change at {args.projects:,} projects | listing: full | updated | ratio "
             "| search: full | updated | ratio |",
             "|---|---|---|---|---|---|---|"]
    for name, delta in deltas.items():
        print(f"{name}: {len(delta.removed)} triples out, {len(delta.added)} in")
        r = compare(store_dir, listing, index, delta, args.work)
        lines.append(f"| {name} | {r['full listing']:.1f} s | {r['updated listing']:.2f} s | "
                     f"{r['full listing'] / r['updated listing']:.0f}x | {r['full search']:.1f} s | "
                     f"{r['updated search']:.2f} s | {r['full search'] / r['updated search']:.0f}x |")
        print(lines[-1], flush=True)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
