"""The dumps of an incremental build: the previous generation's files, their unchanged sections
copied, the sections holding a changed entity written anew (eulod/pipeline/dumps.py says how
the files are cut into sections).

Which sections changed:

- the data graph: those of the keys (owning entities) of the delta's subjects, and of the
  entities this build's change feed names (their dcterms:modified changed). A changed section
  is the previous one without the lines of its changed keys, and those keys' subjects' triples
  as the store now holds them (a subject of a changed key was in the previous section or is in
  the delta);
- every other graph (summaries, vocabulary), for which the build has no delta unless one is
  given: read from the store and compared with the previous sections, chunk by chunk.

The files are copied and hashed in one pass (the manifest's sha256 needs every byte read once).
When it cannot be sure (no index, one of another format or base IRI, other graphs, blank nodes
in the delta, too large a change), it says why in the log and writes the dumps in full.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections import defaultdict

import pyoxigraph as ox

from eulod.core.config import Settings
from eulod.core.feed import AS, Page, feed_folder, page_file, read_pages, rules
from eulod.core.generation import DUMP_NAME, Generation, data_graph_iri
from eulod.pipeline.delta import Delta
from eulod.pipeline.dumps import (
    FILES,
    INDEX,
    Dumps,
    Index,
    Keys,
    graph_file,
    graph_node,
    graph_order,
    read_index,
    render,
    section_lines,
    subject_of,
    write_dumps,
    write_graph,
)

log = logging.getLogger(__name__)

MOST_CHANGED_KEYS = 20_000  # past this many changed entities the dumps are written in full
AS_OBJECT = f"<{AS}object> "


class Unsure(Exception):
    """The incremental dumps cannot vouch for their result: the full ones are written (the message says why)."""


def this_builds_members(generation: Generation) -> set[str]:
    """The entities of a kind that carries dcterms:modified that this build's pages name: their
    dcterms:modified changed, whatever the delta says (a full change step may renew them all)."""
    pages: list[Page] = [p for p in read_pages(generation) if p.name.startswith(f"{generation.id}-")]
    if sum(p.members for p in pages) > MOST_CHANGED_KEYS:
        raise Unsure(f"this build's change feed names more than {MOST_CHANGED_KEYS} entities")
    if pages and not feed_folder(generation).is_dir():
        raise Unsure("this build's pages are missing")
    found = set()
    marker = AS_OBJECT.encode("utf-8")
    for page in pages:
        with open(page_file(generation, page.name), "rb") as handle:
            for line in handle:
                at = line.find(marker)
                if at > 0:
                    found.add(line[at + len(marker):].rstrip(b" .\n")[1:-1].decode("utf-8"))
    return found


def changed_keys(delta: Delta, members: set[str], keys: Keys, chunks: int) -> dict[int, dict[bytes, set[bytes]]]:
    """Chunk -> changed key -> the subjects of it the delta names (the key itself when an IRI)."""
    changed: dict[int, dict[bytes, set[bytes]]] = defaultdict(dict)
    if any(_blank(t) for t in (*delta.removed, *delta.added)):
        raise Unsure("the delta holds blank nodes")
    subjects = [f"<{t.subject.value}>".encode("utf-8") for t in (*delta.removed, *delta.added)]
    carrying = {k.name for k in rules().kinds if k.modified}
    for iri in members:
        found = keys.owners.owner(iri) if keys.owners is not None else None
        if found is not None and found[0] in carrying:
            subjects.append(f"<{found[1]}>".encode("utf-8"))
    for subject in subjects:
        key = keys.key(subject)
        named = changed[keys.chunk(subject, chunks)].setdefault(key, set())
        named.add(subject)
        if key.startswith(b"<"):
            named.add(key)
    if sum(len(k) for k in changed.values()) > MOST_CHANGED_KEYS:
        raise Unsure(f"more than {MOST_CHANGED_KEYS} entities changed")
    return changed


def _blank(triple: ox.Triple) -> bool:
    return isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode)


def rebuilt(previous: list[bytes], changed: dict[bytes, set[bytes]], keys: Keys, store: ox.Store,
            graph: ox.NamedNode) -> bytes:
    """A section of the data graph anew: the previous lines of unchanged keys, and the store's
    triples of every subject of a changed key (those in the previous section, those the delta names)."""
    kept: list[bytes] = []
    subjects: set[bytes] = set().union(*changed.values())
    last, dropped = b"\0", False
    for line in previous:
        if not line.startswith(last):
            subject = subject_of(line)
            last, dropped = subject + b" ", keys.key(subject) in changed
            if dropped:
                subjects.add(subject)
        if not dropped:
            kept.append(line)
    for subject in sorted(subjects):
        if not subject.startswith(b"<"):
            raise Unsure("a changed entity's section holds blank nodes")
        node = ox.NamedNode(subject[1:-1].decode("utf-8"))
        kept.extend(f"{quad.triple} .\n".encode("utf-8") for quad in store.quads_for_pattern(node, None, None, graph))
    return b"".join(kept)


def compared(store: ox.Store, name: str, index: Index, chunks: int, first: int, handle: int,
             keys: Keys) -> list[bytes | None]:
    """Each section of a graph without a delta: None where it holds what the previous one held,
    else its new N-Triples. The graph is read whole from the store (the summaries: a tenth of the data)."""
    lines = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=graph_node(name)).splitlines(keepends=True)
    chunked: list[list[bytes]] = [[] for _ in range(chunks)]
    last, chunk = b"\0", 0
    for line in lines:
        if not line.startswith(last):
            subject = subject_of(line)
            last, chunk = subject + b" ", keys.chunk(subject, chunks)
        chunked[chunk].append(line)
    found: list[bytes | None] = []
    for number, new in enumerate(chunked):
        old = section_lines(handle, index.sections[first + number])
        found.append(None if sorted(old) == sorted(new) else b"".join(new))
    return found


def update_dumps(store: ox.Store, previous: Generation, generation: Generation, delta: Delta, settings: Settings,
                 graph_deltas: dict[str, Delta] | None = None) -> dict[str, dict]:
    """The dumps of ``generation``, whose store is ``previous``'s with ``delta`` applied to the data
    graph and the later steps run (summaries, change step: call this after them, it reads this
    build's pages). Returns what :func:`eulod.pipeline.dumps.write_dumps` returns, for the manifest.

    ``graph_deltas`` gives the change of other graphs, graph IRI -> Delta (only its subjects
    matter, so the summaries step's quads taken out and put in will do, net or not); ``Delta()``
    for a graph known unchanged (the vocabulary: the store is a copy of the previous one). A graph
    without one is read whole from the store and compared section by section: at 100 000
    projects the summary graph's 360 000 triples cost seconds (each term is a look-up), so pass
    its delta whenever the summaries step has one.
    """
    started = time.perf_counter()
    try:
        described, copied, written = _update(store, previous, generation, delta, settings, graph_deltas or {})
    except Unsure as reason:
        log.info("dumps: written in full: %s", reason)
        shutil.rmtree(generation.dumps_path, ignore_errors=True)
        (generation.path / INDEX).unlink(missing_ok=True)
        return write_dumps(store, generation, None, settings.base_iri)
    log.info("updated the dumps in %.2f s: %d sections copied, %d written", time.perf_counter() - started,
             copied, written)
    return described


def _update(store: ox.Store, previous: Generation, generation: Generation, delta: Delta, settings: Settings,
            graph_deltas: dict[str, Delta]) -> tuple[dict[str, dict], int, int]:
    index = read_index(previous)
    if index is None:
        raise Unsure("the previous generation's dumps have no index of this format, or not the files it describes")
    if index.base_iri != settings.base_iri:
        raise Unsure("the previous dumps were cut for another base IRI")
    data = data_graph_iri(settings)
    if not index.graphs or index.graphs[0][0] != data:
        raise Unsure("the previous dumps do not start with the data graph")
    keys = Keys(index.base_iri)
    deltas = {**graph_deltas, data: delta}
    members = this_builds_members(generation)
    folder = generation.dumps_path
    folder.mkdir()
    handles = {suffix: os.open(previous.dumps_path / f"{DUMP_NAME}{suffix}", os.O_RDONLY) for suffix in FILES}
    dumps = Dumps.open(folder, deferred=True)
    copied = written = 0
    before = {name: (index.first_section(name), chunks) for name, chunks in index.graphs}
    graphs: list[tuple[str, int]] = []
    work = generation.path / ".dump-split"
    try:
        for name in graph_order(store, data):
            if name not in before:  # a graph the previous generation did not have (an empty one has no quads)
                work.mkdir(exist_ok=True)
                chunks = write_graph(dumps, graph_file(store, name, work), keys, work)
                graphs.append((name, chunks))
                written += chunks
                continue
            first, chunks = before[name]
            graphs.append((name, chunks))
            if name in deltas:
                changed = changed_keys(deltas[name], members if name == data else set(), keys, chunks)
                sections: list[bytes | None] = [None] * chunks
                for chunk, named in changed.items():
                    sections[chunk] = rebuilt(section_lines(handles[FILES[0]], index.sections[first + chunk]), named,
                                              keys, store, ox.NamedNode(name))
            else:
                sections = compared(store, name, index, chunks, first, handles[FILES[0]], keys)
            for number, section in enumerate(sections):
                if section is None:
                    dumps.copy(handles, index.sections[first + number])
                    copied += 1
                else:
                    dumps.write(render(section))
                    written += 1
        described = dumps.close(graphs, index.base_iri)
    except BaseException:
        dumps.discard()
        raise
    finally:
        for handle in handles.values():
            os.close(handle)
        shutil.rmtree(work, ignore_errors=True)
    return described, copied, written

