"""Dumps of everything in a store generation, for harvesters and bulk users.

Three gzipped files: N-Triples, Turtle and JSON-LD (``eulod.nt.gz``, ``eulod.ttl.gz``,
``eulod.jsonld.gz``), each written under a temporary name in the dumps folder and then renamed,
so a reader never sees half a file; each is hashed as it is written, and the description (bytes,
sha256, uncompressed bytes) goes into the generation's manifest. The endpoint also serves each
uncompressed (``/dumps/eulod.nt``), inflating as it sends. Only compressed files are kept
because an incremental build copies every byte no change touched: 2.6 GB of plain files at
100 000 projects took 7 s to copy, their compressed forms a twentieth of that.

The files are cut into *sections* that an incremental build can copy from the previous
generation's files unread when nothing in them changed (eulod/pipeline/incremental_dumps.py):
each graph's triples are split into a fixed number of chunks by a hash of their subject's *key*
(the entity that owns it, :class:`eulod.core.feed.Owners`, else the subject itself), so an
entity's whole description is in one chunk and one changed record rewrites a few chunks of
about a megabyte. A chunk is one section of each file:

- N-Triples: its lines; Turtle: its triples serialized with the prefixes, whose declarations
  are written once at the top of the file; JSON-LD: its node objects, the sections joined with
  commas into one array;
- each compressed on its own (eulod/pipeline/gzipped.py: one gzip member whose deflate stream
  is cut by full flushes), so a section copies as compressed bytes; the trailer's CRC-32 is
  combined from the sections' (kept in the index), never computed over bytes that were copied.

Where each section lies in each file, and its content's CRC-32 and size, is kept in the
generation's :data:`INDEX`, outside the dumps folder, which holds the three files only. Readers
see ordinary gzip files: each format parses to the store's triples.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import shutil
import time
import zlib
from collections import deque
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pyoxigraph as ox

from eulod.core.feed import Owners
from eulod.core.generation import DUMP_NAME, Generation
from eulod.core.namespaces import PREFIXES
from eulod.pipeline.draining import draining_lines
from eulod.pipeline.gzipped import EMPTY, Segment, crc32_combine, header, inflate, segment, trailer
from eulod.pipeline.workers import process_pool

log = logging.getLogger(__name__)

CHUNK = 1 << 20
CHUNK_BYTES = 1 << 20  # a graph's N-Triples per chunk, at the full build that fixes the number of chunks
INDEX = ".dump-sections.json"  # in the generation, beside the dumps folder: where each section lies in each file
INDEX_FORMAT = 3  # 3: three gzipped files, spans of 4 (2: plain files and one gzipped; 1: a member per section)
FLUSH_RUNS = 40_000  # subjects (about 200 000 lines) held in memory while a graph is split into chunks
RENDERED_AHEAD = 6  # sections a rendering pool works on ahead of the one written
PROCESSES_FROM = 32 << 20  # data graph N-Triples (bytes) from which rendering processes are worth starting

FILES = (".nt.gz", ".ttl.gz", ".jsonld.gz")  # the order of a section's spans in the index
SPAN = 4  # per file and section: offset, length (compressed), CRC-32, size of its content
JSONLD_SIZE = 2 * SPAN + 3  # a section's span item: the size of its JSON-LD content
TURTLE, JSONLD = FILES[1], FILES[2]
COMMA = segment(b",\n")
DEFAULT_GRAPH = ""  # the default graph's name in the index


def graph_node(name: str) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if name == DEFAULT_GRAPH else ox.NamedNode(name)


def graph_order(store: ox.Store, first: str | None) -> list[str]:
    """The graphs in file order: ``first`` (the data graph), the other named graphs by IRI, the default graph."""
    names = sorted(g.value for g in store.named_graphs())
    if first in names:
        names.remove(first)
        names.insert(0, first)
    return [*names, DEFAULT_GRAPH]


class Keys:
    """A subject's key (the entity owning it, else the subject itself) and its chunk: a CRC-32 of the key.

    The same test as :class:`eulod.core.feed.Owners`, as one regular expression on the subject
    as N-Triples writes it (a million subjects at 100 000 projects: a microsecond each)."""

    def __init__(self, base_iri: str | None) -> None:
        self.owners = Owners(base_iri) if base_iri else None
        self.pattern: re.Pattern[bytes] | None = None
        if self.owners is not None:
            paths = [path for path in self.owners.kinds if path.endswith("/") and path.count("/") == 1]
            if paths:
                kinds = b"|".join(re.escape(path.encode("utf-8")) for path in paths)
                self.pattern = re.compile(b"<" + re.escape(base_iri.encode("utf-8")) + b"(?:" + kinds + b")[^/#>]+")

    def key(self, subject: bytes) -> bytes:
        """The key of a subject as N-Triples writes it (``<iri>`` or ``_:id``)."""
        if self.pattern is not None:
            found = self.pattern.match(subject)
            if found is not None:
                return found.group() + b">"
        return subject

    def chunk(self, subject: bytes, chunks: int) -> int:
        return zlib.crc32(self.key(subject)) % chunks


def subject_of(line: bytes) -> bytes:
    return line[:line.index(b" ")]


# --- one section in every format ----------------------------------------------------------------

def turtle_header() -> bytes:
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in sorted(PREFIXES.items())).encode("utf-8")


def _turtle_body(triples: list[ox.Triple]) -> bytes:
    """Turtle of ``triples`` without the prefix declarations (the file's header declares them all)."""
    text = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    while text.startswith(b"@prefix ") or text.startswith(b"\n"):
        text = text[text.index(b"\n") + 1:]
    return text if not text or text.endswith(b"\n") else text + b"\n"


def _jsonld_items(triples: list[ox.Triple]) -> bytes:
    """The node objects of ``triples`` as JSON-LD, without the array's brackets."""
    text = ox.serialize(triples, format=ox.RdfFormat.JSON_LD).strip()
    if not (text.startswith(b"[") and text.endswith(b"]")):
        raise ValueError("pyoxigraph's JSON-LD is no longer a plain array of node objects")
    return text[1:-1].strip()


def parsed(ntriples: bytes) -> list[ox.Triple]:
    """The triples of a section, parsed once for both formats that need them (a third faster than
    parsing for each). Python's cyclic collector is paused meanwhile: a million new triples
    would set it off again and again over objects it can never free (a third of the time)."""
    paused = gc.isenabled()
    gc.disable()
    try:
        return list(ox.parse(ntriples, ox.RdfFormat.N_TRIPLES))
    finally:
        if paused:
            gc.enable()


def render(ntriples: bytes) -> dict[str, Segment]:
    """One section in each file's format, from its N-Triples (lines ending in a newline), compressed
    (the three at once: zlib gives up the interpreter's lock, two cores compress twice as much)."""
    if not ntriples:
        return {suffix: EMPTY for suffix in FILES}
    triples = parsed(ntriples)
    contents = (ntriples, _turtle_body(triples), _jsonld_items(triples))
    return dict(zip(FILES, _POOL.map(segment, contents)))


_POOL = ThreadPoolExecutor(3, thread_name_prefix="eulod-deflate")


# --- the three files, written section by section -------------------------------------------------

def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


class Output:
    """One gzipped dump file being written: its temporary file, its sha256 and size so far, and
    the CRC-32 and size of its content (for the trailer).

    ``deferred``: writes and copies are queued (the sizes and CRC still grow) and done by
    :meth:`run`, so the files of an incremental build are copied and hashed at once, in threads
    (both release the interpreter's lock: two cores hash twice as much)."""

    def __init__(self, target: Path, deferred: bool = False) -> None:
        self.target = target
        self.temporary = _temporary(target)
        self.handle = open(self.temporary, "wb", buffering=0)  # unbuffered: copies write to the descriptor itself
        self.digest = hashlib.sha256()
        self.size = 0
        self.crc = 0  # of the content so far
        self.content = 0  # its size
        self.queue: list[tuple[bytes | int, int, int]] | None = [] if deferred else None
        self.write_raw(header(target.name.removesuffix(".gz")))

    def write_raw(self, data: bytes) -> None:
        """Bytes of the file that are no content's (the gzip header and trailer)."""
        if not data:
            return
        self.size += len(data)
        if self.queue is not None:
            self.queue.append((data, 0, 0))
        else:
            self._write(data)

    def write(self, part: Segment) -> None:
        self._content(part.crc, part.size)
        self.write_raw(part.data)

    def _content(self, crc: int, size: int) -> None:
        self.crc = crc32_combine(self.crc, crc, size)
        self.content += size

    def copy(self, source: int, offset: int, length: int, crc: int, size: int) -> None:
        """``length`` bytes of the open file ``source`` from ``offset``, whole segments whose content
        has CRC-32 ``crc`` and ``size`` bytes, hashed on the way."""
        if length <= 0:
            return
        self._content(crc, size)
        self.size += length
        if self.queue is None:
            self._copy(source, offset, length)
        elif self.queue and self.queue[-1][0] == source and sum(self.queue[-1][1:]) == offset:
            self.queue[-1] = (source, self.queue[-1][1], self.queue[-1][2] + length)  # contiguous: one copy
        else:
            self.queue.append((source, offset, length))

    def run(self) -> None:
        """What was queued, in order; later writes are done at once."""
        for item, offset, length in self.queue or []:
            if isinstance(item, bytes):
                self._write(item)
            else:
                self._copy(item, offset, length)
        self.queue = None

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:  # an unbuffered write may take part of it
            view = view[self.handle.write(view):]
        self.digest.update(data)

    def _copy(self, source: int, offset: int, length: int) -> None:
        """Copied by the kernel (``copy_file_range``: no pass through Python, and on a file system
        with reflinks, XFS or btrfs, no bytes written at all), then hashed from the source."""
        target, done = self.handle.fileno(), 0
        while done < length:
            try:
                copied = os.copy_file_range(source, target, length - done, offset + done)
            except OSError:  # not between these two files (another file system on an old kernel)
                copied = os.write(target, os.pread(source, min(CHUNK, length - done), offset + done))
            if copied <= 0:
                raise ValueError(f"{self.target.name}: the previous file ends before its index says")
            done += copied
        while length > 0:
            block = os.pread(source, min(CHUNK, length), offset)
            self.digest.update(block)
            offset += len(block)
            length -= len(block)

    def close(self) -> dict:
        self.write_raw(trailer(self.crc, self.content))
        self.run()
        self.handle.close()
        os.replace(self.temporary, self.target)
        return {"bytes": self.size, "sha256": self.digest.hexdigest(), "uncompressed_bytes": self.content}

    def discard(self) -> None:
        self.handle.close()
        self.temporary.unlink(missing_ok=True)


@dataclass
class Dumps:
    """The three files of a generation being written, and where each section went (the index)."""

    folder: Path
    outputs: dict[str, Output] = field(default_factory=dict)
    sections: list[list[int]] = field(default_factory=list)  # per section and file: offset, length, crc, size
    items: int = 0  # JSON-LD sections written (the ones after the first get a comma)

    @classmethod
    def open(cls, folder: Path, deferred: bool = False) -> "Dumps":
        """The three files, written as sections come, or with ``deferred`` all at :meth:`close` (see :class:`Output`)."""
        dumps = cls(folder)
        dumps.outputs = {suffix: Output(folder / f"{DUMP_NAME}{suffix}", deferred) for suffix in FILES}
        dumps.outputs[TURTLE].write(segment(turtle_header()))
        dumps.outputs[JSONLD].write(segment(b"["))
        return dumps

    def _comma(self, items: bool) -> None:
        if items:
            if self.items:
                self.outputs[JSONLD].write(COMMA)
            self.items += 1

    def write(self, section: dict[str, Segment]) -> None:
        self._comma(section[JSONLD].size > 0)
        spans = []
        for suffix in FILES:
            output, part = self.outputs[suffix], section[suffix]
            spans += [output.size, len(part.data), part.crc, part.size]
            output.write(part)
        self.sections.append(spans)

    def copy(self, previous: dict[str, int], spans: list[int]) -> None:
        """A section unchanged since the previous generation: its bytes copied from its files."""
        self._comma(spans[JSONLD_SIZE] > 0)
        mine = []
        for number, suffix in enumerate(FILES):
            offset, length, crc, size = spans[SPAN * number:SPAN * number + SPAN]
            output = self.outputs[suffix]
            mine += [output.size, length, crc, size]
            output.copy(previous[suffix], offset, length, crc, size)
        self.sections.append(mine)

    def close(self, graphs: list[tuple[str, int]], base_iri: str | None) -> dict[str, dict]:
        self.outputs[JSONLD].write(segment(b"]\n"))
        with ThreadPoolExecutor(len(self.outputs)) as pool:
            closed = [pool.submit(output.close) for output in self.outputs.values()]
            described = {output.target.name: done.result() for output, done in zip(self.outputs.values(), closed)}
        index = {"format": INDEX_FORMAT, "base_iri": base_iri, "graphs": [list(g) for g in graphs],
                 "sections": self.sections, "files": {name: facts["bytes"] for name, facts in described.items()}}
        (self.folder.parent / INDEX).write_text(json.dumps(index, separators=(",", ":")), "utf-8")
        return dict(sorted(described.items()))

    def discard(self) -> None:
        for output in self.outputs.values():
            output.discard()


# --- the full path --------------------------------------------------------------------------------

def split(lines: Iterable[bytes], chunks: int, keys: Keys, folder: Path) -> list[Path]:
    """A graph's N-Triples lines sorted into ``chunks`` files by their subject's key, streamed:
    about :data:`FLUSH_RUNS` subjects' lines in memory. A store dumps a subject's lines together, so the
    key is found once per run of them and each other line costs one comparison."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{number:06d}.nt" for number in range(chunks)]
    buffers: list[list[bytes]] = [[] for _ in range(chunks)]
    runs, last, bucket, line = 0, b"\0", buffers[0], b""

    def flush() -> None:
        for number, held in enumerate(buffers):
            if held:
                with open(paths[number], "ab") as handle:
                    handle.writelines(held)
                held.clear()  # in place: ``bucket`` may be this list

    for line in lines:
        if line.startswith(last):
            bucket.append(line)
            continue
        if not line.strip():
            continue
        subject = subject_of(line)
        last, bucket = subject + b" ", buffers[keys.chunk(subject, chunks)]
        bucket.append(line)
        runs += 1
        if runs >= FLUSH_RUNS:
            flush()
            runs = 0
    if line and not line.endswith(b"\n") and bucket and bucket[-1] is line:  # a last line without its end
        bucket[-1] = line + b"\n"
    flush()
    return paths


def graph_file(store: ox.Store, name: str, folder: Path) -> Path:
    """One graph's N-Triples, written by the store itself (no Python per triple)."""
    target = folder / "graph.nt"
    store.dump(output=str(target), format=ox.RdfFormat.N_TRIPLES, from_graph=graph_node(name))
    return target


def render_file(path: Path) -> dict[str, Segment]:
    """:func:`render` of a chunk file (none: an empty chunk), which is removed: what a rendering process does."""
    section = render(path.read_bytes() if path.exists() else b"")
    path.unlink(missing_ok=True)
    return section


def rendered(paths: list[Path], pool: Executor | None = None) -> Iterator[dict[str, Segment]]:
    """The sections of the chunk files ``paths``, in their order; rendered by ``pool``'s processes
    when given, a few sections ahead of the one written (memory: a few sections of about 1 MB)."""
    if pool is None:
        yield from map(render_file, paths)
        return
    ahead: deque[Future] = deque()
    for path in paths:
        ahead.append(pool.submit(render_file, path))
        if len(ahead) > RENDERED_AHEAD:
            yield ahead.popleft().result()
    while ahead:
        yield ahead.popleft().result()


def write_graph(dumps: Dumps, source: Path, keys: Keys, work: Path, pool: Executor | None = None) -> int:
    """One graph's sections, from a file of its N-Triples (removed, and given back to the disk as
    it is read: eulod.pipeline.draining): returns the number of chunks. ``pool``: processes that
    render the sections (:func:`rendered`)."""
    chunks = max(1, source.stat().st_size // CHUNK_BYTES)
    paths = split(draining_lines(source), chunks, keys, work / "chunks")  # the chunks grow as the file shrinks
    source.unlink()
    for section in rendered(paths, pool):
        dumps.write(section)
    return chunks


def write_dumps(store: ox.Store, generation: Generation, data: tuple[Path, str] | None = None,
                base_iri: str | None = None, ready: Callable[[], object] | None = None,
                processes: int = 0) -> dict[str, dict]:
    """N-Triples, gzipped N-Triples, Turtle and JSON-LD of everything, each written atomically.

    ``data`` is (an N-Triples file holding exactly one graph of the store, that graph's IRI):
    the build's change step has just read the data graph out of the store into such a file, so
    it is not read from the store a second time; the file is removed. ``base_iri`` names the
    entities whose triples stay together in one section (without it, each subject's do).

    ``ready`` is called once the data graph's sections (first in the files, and nearly all of
    them) are written from ``data``, before any other graph is read from the store: a build
    writes its summaries into the store meanwhile, and the dumps wait for them only there.

    ``processes`` render the sections (parsing, Turtle, JSON-LD, compression: Python work that
    a build's other threads would share one interpreter lock with) when the data graph's file
    holds at least :data:`PROCESSES_FROM` bytes (about 2 500 projects); 0: this process does.
    """
    folder = generation.dumps_path
    folder.mkdir()
    work = generation.path / ".dump-split"
    work.mkdir()
    keys = Keys(base_iri)
    dumps = Dumps.open(folder)
    graphs: list[tuple[str, int]] = []
    started = time.perf_counter()
    large = data is not None and data[0].stat().st_size >= PROCESSES_FROM
    pool = process_pool(processes) if processes > 0 and large else None
    try:
        if data is not None:  # first in the files, from the file given: nothing of the store read yet
            graphs.append((data[1], write_graph(dumps, data[0], keys, work, pool)))
        if ready is not None:
            ready()
        for name in graph_order(store, None):
            if data is not None and name == data[1]:
                continue
            graphs.append((name, write_graph(dumps, graph_file(store, name, work), keys, work, pool)))
        described = dumps.close(graphs, base_iri)
    except BaseException:
        dumps.discard()
        raise
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # before the chunks go: a process may still be reading one
        shutil.rmtree(work, ignore_errors=True)
        if data is not None:
            data[0].unlink(missing_ok=True)
    log.info("wrote %d dump sections in %.2f s", len(dumps.sections), time.perf_counter() - started)
    return described


# --- reading a generation's dumps back (the incremental path, tests) --------------------------------

@dataclass(frozen=True)
class Index:
    """Where a generation's dump sections lie: graphs (name, chunks) in order, spans per section."""

    base_iri: str | None
    graphs: list[tuple[str, int]]
    sections: list[list[int]]
    files: dict[str, int]

    def first_section(self, graph: str) -> int:
        number = 0
        for name, chunks in self.graphs:
            if name == graph:
                return number
            number += chunks
        raise KeyError(graph)


def read_index(generation: Generation) -> Index | None:
    """The index of a generation's dumps; None when there is none, it is of another format, or
    the files it describes are not those on disk (by size)."""
    path = generation.path / INDEX
    if not path.is_file():
        return None
    data = json.loads(path.read_text("utf-8"))
    if data.get("format") != INDEX_FORMAT:
        return None
    for name, size in data["files"].items():
        file = generation.dumps_path / name
        if not file.is_file() or file.stat().st_size != size:
            return None
    return Index(data["base_iri"], [tuple(g) for g in data["graphs"]], data["sections"], data["files"])


def section_lines(handle: int, spans: list[int]) -> list[bytes]:
    """The N-Triples lines of one section of the previous generation's ``eulod.nt.gz``."""
    offset, length = spans[0], spans[1]
    return inflate(os.pread(handle, length, offset)).splitlines(keepends=True) if length else []

