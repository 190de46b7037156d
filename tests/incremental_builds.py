"""Builds the incremental steps' tests share (issue 19): the sample records built, changed and
built again, a previous generation's store patched with the delta between two builds, and
what is compared between a full and an incremental build."""

from __future__ import annotations

import gzip
import hashlib
import re
from collections import Counter
import shutil
import sqlite3
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import strategies as st

from eulod.core.config import Settings, load_settings
from eulod.core.feed import CHANGES, feed_folder, read_pages
from eulod.core.generation import Generation, current_generation, data_graph_iri, summary_graph_iri, vocabulary_graph_iri
from eulod.pipeline import dumps
from eulod.pipeline.build import build
from eulod.pipeline.changes import publish_changes
from eulod.pipeline.delta import Delta, apply, copy_store, difference
from eulod.pipeline.generations import new_generation, write_manifest

from conftest import RECORDS

FIRST = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECOND = datetime(2026, 2, 1, tzinfo=timezone.utc)
GENERATED_AT = "http://www.w3.org/ns/prov#generatedAtTime"


# --- what is compared ------------------------------------------------------------------------

def tables(path: Path) -> dict[str, list[tuple]]:
    """Every table of a sqlite file, rows sorted: files are compared by content, not bytes."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        found = {name: sorted(connection.execute(f"SELECT * FROM {name}")) for name in names}
    connection.close()
    return found


def data_graph(store: ox.Store, graph: str) -> set[ox.Triple]:
    """The data graph but prov:generatedAtTime, the build time of each record's conversion: a
    full build stamps every record anew, an incremental one only the changed ones."""
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
            if q.predicate.value != GENERATED_AT}


def feed(generation: Generation, rename: tuple[str, str] = ("", "")) -> tuple[list[dict], list[set[ox.Triple]]]:
    """pages.json's entries but their checksums, and each page's triples; a page named after the
    generation that made it (``rename``: that generation's id and the one to compare with)."""
    old, new = rename
    entries, contents = [], []
    for page in read_pages(generation):
        text = (feed_folder(generation) / f"{page.name}.nt").read_text("utf-8")
        if old:
            text = text.replace(old, new)
        entries.append({"name": page.name.replace(old, new) if old else page.name, "published": page.published,
                        "members": page.members})
        contents.append({t for t in ox.parse(text.encode("utf-8"), ox.RdfFormat.N_TRIPLES)
                         if t.predicate.value != GENERATED_AT})
    return entries, contents


def assert_same(incremental: Generation, store: ox.Store, full: Generation, graph: str) -> None:
    """What the change step leaves, incremental against full."""
    assert tables(incremental.path / CHANGES) == tables(full.path / CHANGES)
    reference = ox.Store.read_only(str(full.store_path))
    try:
        assert data_graph(store, graph) == data_graph(reference, graph)
    finally:
        del reference
    assert feed(incremental) == feed(full, rename=(full.id, incremental.id))


def parsed_dumps(generation: Generation) -> dict[str, Counter]:
    """Each dump file's triples (as N-Triples text, counted), unpacked."""
    folder = generation.dumps_path
    formats = {"eulod.nt.gz": ox.RdfFormat.N_TRIPLES, "eulod.ttl.gz": ox.RdfFormat.TURTLE,
               "eulod.jsonld.gz": ox.RdfFormat.JSON_LD}
    return {name: Counter(str(t) for t in ox.parse(gzip.decompress((folder / name).read_bytes()), fmt))
            for name, fmt in formats.items()}


def assert_dumps_hold(generation: Generation, store: ox.Store, described: dict[str, dict]) -> None:
    """Every dump parses to exactly the store's triples, is one gzip member, and ``described`` (for
    the manifest) is right."""
    in_store = Counter(str(q.triple) for q in store.quads_for_pattern(None, None, None, None))
    for name, triples in parsed_dumps(generation).items():
        assert triples == in_store, f"{name}: {len(triples - in_store)} triples too many, {len(in_store - triples)} missing"
    assert sorted(described) == sorted(p.name for p in generation.dumps_path.iterdir())
    for name, facts in described.items():
        data = (generation.dumps_path / name).read_bytes()
        packed = zlib.decompressobj(wbits=31)  # one gzip member, as readers that stop after the first one read it
        content = packed.decompress(data)
        assert packed.eof and not packed.unused_data, name
        assert content == gzip.decompress(data), name
        assert facts == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
                         "uncompressed_bytes": len(content)}, name


def patch(settings_: Settings, previous: Generation, full: Generation) -> tuple[Generation, ox.Store, Delta]:
    """A new generation whose store is ``previous``'s with the delta to ``full`` applied to its
    data graph, as the incremental build makes it."""
    graph = data_graph_iri(settings_)
    generation = new_generation(settings_.build_dir)
    copy_store(previous.store_path, generation.store_path)
    before, after = ox.Store.read_only(str(previous.store_path)), ox.Store.read_only(str(full.store_path))
    delta = difference(before, after, graph)
    del before, after
    store = ox.Store(str(generation.store_path))
    apply(store, delta, graph)
    return generation, store, delta


# --- generated data graphs ----------------------------------------------------------------------

BASE = "http://example.org/"
V = BASE + "v#"
ORGS = [f"o{n}" for n in range(5)]
PROJECTS = [f"p{n}" for n in range(6)]

world = st.fixed_dictionaries({
    "projects": st.dictionaries(st.sampled_from(PROJECTS), st.fixed_dictionaries({
        "title": st.sampled_from(["A", "B", "C \"quoted\"", "D\nline"]),
        "partners": st.dictionaries(st.sampled_from(ORGS), st.integers(0, 3), max_size=3),
        "linked": st.booleans(),  # whether the project points to its participations (else they cannot be reached)
    }), max_size=5),
    "orgs": st.dictionaries(st.sampled_from(ORGS), st.sampled_from(["X", "Y", "Zé"]), max_size=5),
    "programme": st.sampled_from(["P1", "P2"]),
})


def triples(data: dict, stamp: str) -> list[ox.Triple]:
    """A data graph of projects owning participations (and their amounts), organisations, and
    triples of no entity (a record with its build stamp, a programme)."""
    n, lit = ox.NamedNode, ox.Literal
    found = [ox.Triple(n(BASE + "programme/x"), n(V + "name"), lit(data["programme"]))]
    for name, project in data["projects"].items():
        entity = n(f"{BASE}project/{name}")
        found += [ox.Triple(entity, n(V + "title"), lit(project["title"])),
                  ox.Triple(n(f"{BASE}record/{name}"), n(V + "about"), entity),
                  ox.Triple(n(f"{BASE}record/{name}"), n(GENERATED_AT), lit(stamp))]
        for org, amount in project["partners"].items():
            participation = n(f"{BASE}project/{name}/participation/{org}")
            if project["linked"]:
                found.append(ox.Triple(entity, n(V + "participation"), participation))
            found += [ox.Triple(participation, n(V + "organisation"), n(f"{BASE}organisation/{org}")),
                      ox.Triple(participation, n(V + "amount"), n(f"{participation.value}#amount")),
                      ox.Triple(n(f"{participation.value}#amount"), n(V + "value"), lit(str(amount)))]
    for org, label in data["orgs"].items():
        found.append(ox.Triple(n(f"{BASE}organisation/{org}"), n(V + "name"), lit(label)))
    return found


def summaries(data: list[ox.Triple]) -> list[ox.Triple]:
    """What a summary step would compute from a generated data graph: the partnerships of each organisation."""
    counts = Counter(t.object for t in data if t.predicate.value == V + "organisation")
    return [ox.Triple(org, ox.NamedNode(V + "partnerships"), ox.Literal(str(count))) for org, count in counts.items()]


def put_summaries(store: ox.Store, settings_: Settings, data: list[ox.Triple]) -> None:
    """The summary graph replaced by the one of ``data`` (what the summaries step leaves)."""
    graph = ox.NamedNode(summary_graph_iri(settings_))
    for quad in list(store.quads_for_pattern(None, None, None, graph)):
        store.remove(quad)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in summaries(data))


def generation_of(settings_: Settings, data: list[ox.Triple], when: datetime, previous: Generation | None,
                  chunk_bytes: int | None = None) -> Generation:
    """A generation with ``data`` in its data graph, its summaries, a vocabulary of one triple and
    the full change step run, sealed, not switched to; with ``chunk_bytes`` its dumps too, cut in
    sections that small."""
    generation = new_generation(settings_.build_dir)
    store = ox.Store(str(generation.store_path))
    graph = ox.NamedNode(data_graph_iri(settings_))
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in data)
    store.add(ox.Quad(ox.NamedNode(V + "title"), ox.NamedNode(V + "label"), ox.Literal("title"),
                      ox.NamedNode(vocabulary_graph_iri(settings_))))
    put_summaries(store, settings_, data)
    publish_changes(store, generation, settings_, when, previous_generation=previous)
    if chunk_bytes:
        with pytest.MonkeyPatch.context() as patcher:
            patcher.setattr(dumps, "CHUNK_BYTES", chunk_bytes)
            dumps.write_dumps(store, generation, None, settings_.base_iri)
    del store
    write_manifest(generation, {"generation": generation.id, "base_iri": settings_.base_iri})
    return generation


# --- the sample records, built with eulod build ----------------------------------------------

def change_records(folder: Path) -> None:
    """A shared organisation renamed (in every record naming it), a partner's amounts, a start
    date, a partner added to one project and taken from another, a record removed, one added."""
    for path in folder.glob("*.yaml"):
        text = path.read_text("utf-8")
        text = text.replace('"Città di Torino"', '"Città di Torino (renamed)"')
        path.write_text(text, "utf-8")
    values = folder / "001-amif-820885-volunteering.yaml"
    text = values.read_text("utf-8").replace('total_cost: "22732.15"', 'total_cost: "22999.15"')
    values.write_text(text, "utf-8")
    heart = folder / "000-cities-at-heart.yaml"
    text = heart.read_text("utf-8")
    text = re.sub(r'^start_date: "([0-9-]+)"', 'start_date: "2009-01-01"', text, count=1, flags=re.M)
    heart.write_text(text, "utf-8")
    (folder / "005-again.yaml").write_text(re.sub(r"^id: cities-at-heart$", "id: cities-at-heart-again", text,
                                                  count=1, flags=re.M), "utf-8")
    (folder / "004-conet.yaml").unlink()


def move_partner(folder: Path) -> None:
    """The last participant of 001 moves to the end of 002's participants."""
    source, target = folder / "001-amif-820885-volunteering.yaml", folder / "002-co4cities.yaml"
    lines = source.read_text("utf-8").splitlines(keepends=True)
    start = max(n for n, line in enumerate(lines) if line.startswith("  - role:") and _in_participants(lines, n))
    end = start + 1
    while end < len(lines) and lines[end].startswith("    "):
        end += 1
    moved = lines[start:end]
    source.write_text("".join(lines[:start] + lines[end:]), "utf-8")
    target_lines = target.read_text("utf-8").splitlines(keepends=True)
    at = max(n for n, line in enumerate(target_lines) if line.startswith("  - role:") and _in_participants(target_lines, n))
    while at + 1 < len(target_lines) and target_lines[at + 1].startswith("    "):
        at += 1
    target.write_text("".join(target_lines[:at + 1] + moved + target_lines[at + 1:]), "utf-8")


def _in_participants(lines: list[str], number: int) -> bool:
    """Whether line ``number`` is in the top-level ``participants:`` block."""
    for line in reversed(lines[:number]):
        if not line.startswith(" "):
            return line.startswith("participants:")
    return False


def built(records: Path, build_dir: Path, when: datetime, chunk_bytes: int | None = None) -> tuple[Settings, Generation]:
    """A full ``eulod build`` at ``when``; ``chunk_bytes`` cuts the dumps into sections that small
    (the sample's data graph is less than one section of the real size)."""
    found = load_settings(environ={}, build_dir=build_dir, records=(records,), personal_data="publish")
    with pytest.MonkeyPatch.context() as patcher:
        patcher.setenv("SOURCE_DATE_EPOCH", str(int(when.timestamp())))
        if chunk_bytes:
            patcher.setattr(dumps, "CHUNK_BYTES", chunk_bytes)
        outcome = build(found)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return found, current_generation(build_dir)


def two_builds(root: Path, chunk_bytes: int | None = None) -> dict:
    """G1 from the sample in folder a; a copy of folder a in b, where G2 is built in full from the changed records."""
    first = root / "records-1"
    shutil.copytree(RECORDS, first)
    settings_a, g1 = built(first, root / "a", FIRST, chunk_bytes)
    shutil.copytree(root / "a", root / "b", symlinks=True)
    second = root / "records-2"
    shutil.copytree(first, second)
    change_records(second)
    move_partner(second)
    settings_b, g2 = built(second, root / "b", SECOND, chunk_bytes)
    return {"settings": settings_a, "g1": g1, "g2": g2}
