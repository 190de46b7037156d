"""The change step's pass over the data graph (eulod.pipeline.entity_hashes.scan_entities) keeps a
sum per entity, not a note per subject: at 1 000 000 projects the data graph has tens of
millions of subjects (participations, amounts, identifiers), and a dict of them all took
gigabytes (issue 19). The store writes a subject's triples together, so one look-up per
run of a subject is enough."""

from __future__ import annotations

import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st

from eulod.core.config import load_settings
from eulod.core.feed import Owners
from eulod.core.generation import data_graph_iri
from eulod.pipeline import changes, entity_hashes, feed_pages
from eulod.pipeline.changes import compare, compared, publish_changes
from eulod.pipeline.entity_hashes import scan_entities
from eulod.pipeline.generations import new_generation, switch_to, write_manifest

BASE = "https://example.org/"


def lines(entities: int, subjects_each: int) -> list[bytes]:
    """N-Triples as the store dumps them: each subject's triples together."""
    out = []
    for e in range(entities):
        project = f"{BASE}project/{e:05d}"
        out.append(f'<{project}> <{BASE}p> "title {e}" .\n'.encode())
        for s in range(subjects_each):
            subject = f"{project}/participation/{s}"
            out.append(f'<{subject}> <{BASE}p> "a" .\n'.encode())
            out.append(f'<{subject}> <{BASE}q> <{BASE}organisation/{s}> .\n'.encode())
    return out


def peak(data: list[bytes]) -> tuple[int, object]:
    tracemalloc.start()
    try:
        scan = scan_entities(iter(data), Owners(BASE), frozenset())
        return tracemalloc.get_traced_memory()[1], scan
    finally:
        tracemalloc.stop()


def test_the_scan_keeps_nothing_per_subject():
    few_data, many_data = lines(500, 1), lines(500, 40)
    few, few_scan = peak(few_data)
    many, many_scan = peak(many_data)
    assert set(few_scan.sums) == set(many_scan.sums) and len(few_scan.sums) == 500
    assert many_scan.triples == 500 * 81
    assert many < 1.5 * few, (few, many)


def test_a_subject_seen_again_later_still_counts_for_its_entity():
    """The one-subject memory is only a shortcut: a subject whose triples are not together
    (another store's order) hashes the same."""
    data = lines(3, 2)
    together = scan_entities(iter(data), Owners(BASE), frozenset())
    apart = scan_entities(iter(data[::2] + data[1::2]), Owners(BASE), frozenset())
    assert together.sums == apart.sums and together.kinds == apart.kinds


# --- the full build's comparison, streamed ----------------------------------------------

state_ = st.dictionaries(st.sampled_from([f"{BASE}project/{k}" for k in range(12)]),
                         st.tuples(st.just("project"), st.sampled_from(["h1", "h2"]), st.sampled_from(["t0", "t1"])),
                         max_size=12)


@given(state_, state_)
def test_the_streamed_comparison_is_the_comparison(now, before):
    """changes.compared (a merge of two sorted streams) against changes.compare (dict look-ups)."""
    hashes = {iri: digest for iri, (_, digest, _) in now.items()}
    kinds = {iri: kind for iri, (kind, _, _) in now.items()}
    diff = compare(hashes, kinds, before, "T")
    streamed = list(compared(((iri, kinds[iri], hashes[iri], True) for iri in sorted(now)),
                             ((iri, *before[iri]) for iri in sorted(before)), "T"))
    assert [iri for iri, *_ in streamed] == sorted(now.keys() | before.keys())
    assert {iri: action for iri, action, _, _ in streamed if action} == diff.actions
    assert {iri: state for iri, _, state, _ in streamed if state} == diff.current


def test_the_change_step_memory_does_not_grow_with_the_entities(tmp_path, monkeypatch):
    """The whole full-build change step (scan, comparison with a previous generation, pages), a
    few entities held at a time: four times the projects, not four times the memory."""
    monkeypatch.setattr(entity_hashes, "HELD_ENTITIES", 100)
    monkeypatch.setattr(feed_pages, "FLUSH_LINES", 500)
    monkeypatch.setattr(changes, "COMPARED_BATCH", 100)

    def run(projects: int, folder: Path) -> int:
        settings_ = load_settings(environ={}, build_dir=folder, base_iri=BASE)
        peaks = []
        for round_ in range(2):  # a first build, then one where a third of the projects changed
            generation = new_generation(folder)
            store = ox.Store(str(generation.store_path))
            graph = ox.NamedNode(data_graph_iri(settings_))
            quads = []
            for p in range(projects):
                project = ox.NamedNode(f"{BASE}project/{p:05d}")
                title = f"Project {p}" + (" changed" if round_ and p % 3 == 0 else "")
                quads.append(ox.Quad(project, ox.NamedNode(f"{BASE}title"), ox.Literal(title), graph))
                for k in range(3):
                    participation = ox.NamedNode(f"{project.value}/participation/{k}")
                    quads.append(ox.Quad(project, ox.NamedNode(f"{BASE}has"), participation, graph))
                    quads.append(ox.Quad(participation, ox.NamedNode(f"{BASE}organisation"),
                                         ox.NamedNode(f"{BASE}organisation/{(p + k) % 50}"), graph))
            store.extend(quads)
            del quads
            tracemalloc.start()
            try:
                publish_changes(store, generation, settings_, datetime(2026, 1, 1 + round_, tzinfo=timezone.utc))
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            del store
            write_manifest(generation, {"generation": generation.id, "base_iri": BASE})
            switch_to(folder, generation)
        return max(peaks)

    small, large = run(1_000, tmp_path / "small"), run(4_000, tmp_path / "large")
    assert large < 1.6 * small, (small, large)


class Recording:
    """A store that notes the size of each write and each flush, and passes everything on."""

    def __init__(self, store: ox.Store) -> None:
        self._store, self.calls = store, []

    def extend(self, quads) -> None:
        quads = list(quads)
        self.calls.append(len(quads))
        self._store.extend(quads)

    def flush(self) -> None:
        self.calls.append("flush")
        self._store.flush()

    def __getattr__(self, name: str):
        return getattr(self._store, name)


def test_the_modified_dates_go_in_flushed_batches(tmp_path, monkeypatch):
    """dcterms:modified of every entity, written in transactions of at most MODIFIED_BATCH quads,
    each flushed: one transaction of 1 500 000 held 2.8 GB (bench/modified_writes.py), the
    build's peak memory at 1 000 000 projects."""
    monkeypatch.setattr(changes, "MODIFIED_BATCH", 7)
    settings_ = load_settings(environ={}, build_dir=tmp_path, base_iri=BASE)
    generation = new_generation(tmp_path)
    store = ox.Store(str(generation.store_path))
    graph = ox.NamedNode(data_graph_iri(settings_))
    store.extend(ox.Quad(ox.NamedNode(f"{BASE}project/{p:05d}"), ox.NamedNode(f"{BASE}title"), ox.Literal(f"P {p}"), graph)
                 for p in range(30))
    recording = Recording(store)
    publish_changes(recording, generation, settings_, datetime(2026, 1, 1, tzinfo=timezone.utc))
    writes = [c for c in recording.calls if c != "flush"]
    assert sum(writes) == 30 and max(writes) <= 7 and len(writes) == 5
    assert all(recording.calls[i + 1] == "flush" for i, c in enumerate(recording.calls) if c != "flush")
    modified = ox.NamedNode("http://purl.org/dc/terms/modified")
    assert sum(1 for _ in store.quads_for_pattern(None, modified, None, graph)) == 30
