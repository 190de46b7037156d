"""The change feed's pages of one build: members in IRI order, each Create or Update with the
entity's description as stored (eulod.pipeline.changes writes the events, this module the pages).

A page never changes once written, so a build shares the previous generation's page files
(:func:`link_pages`) and appends its own.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from eulod.core.feed import (
    DCTERMS_MODIFIED,
    PAGE_SUFFIX,
    XSD_DATETIME,
    Owners,
    Page,
    activity_triples,
    feed_folder,
    page_file,
    rules,
)
from eulod.core.generation import Generation
from eulod.pipeline.change_state import Diff, Previous
from eulod.pipeline.entity_hashes import Scan

FLUSH_LINES = 200_000  # description lines held for the pages before they are appended to their files


def link_pages(previous: Previous, folder: Path) -> None:
    """The previous generation's page files in this one: hard links (no copy of data), or copies
    where the file system cannot link. Pages never change, so sharing their files is safe."""
    if previous.generation is None:
        return
    source_folder, target_folder = str(feed_folder(previous.generation)), str(folder)
    for page in previous.pages:  # plain strings: a log of thousands of pages links in a moment
        name = f"{page.name}{PAGE_SUFFIX}"
        source, target = os.path.join(source_folder, name), os.path.join(target_folder, name)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def published_time(now: datetime, pages: list[Page]) -> str:
    """This build's timestamp for its members, never before the log's last (LDES: timestamps only grow)."""
    stamp = now.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")  # as the store writes it back
    if pages and datetime.fromisoformat(pages[-1].published) > now:
        return pages[-1].published
    return stamp


EVENTS = """CREATE TABLE event (
    n INTEGER PRIMARY KEY,  -- the member's number in this build's log, from 0, in IRI order
    iri TEXT NOT NULL,
    action TEXT NOT NULL,   -- create, update, delete
    kind TEXT NOT NULL,
    described INTEGER NOT NULL,  -- 1: an entity of the data graph whose description the page carries
    modified TEXT
)"""


def write_pages(data: Path, owners: Owners, scan: Scan, diff: Diff, generation: Generation,
                base_iri: str, published: str) -> list[Page]:
    """This build's pages from an in-memory ``diff`` (an incremental build's few entities):
    :func:`write_event_pages` over its events."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute(EVENTS)
        db.executemany("INSERT INTO event VALUES (?, ?, ?, ?, ?, ?)", (
            (n, entity, action, *(_state(diff, entity, scan)))
            for n, (entity, action) in enumerate(sorted(diff.actions.items()))))
        db.execute("CREATE INDEX event_iri ON event (iri)")
        return write_event_pages(data, owners, db, scan.blank_owners, generation, base_iri, published)
    finally:
        db.close()


def _state(diff: Diff, entity: str, scan: Scan) -> tuple[str, int, str | None]:
    kind, _digest, modified = diff.current.get(entity, ("", "", None))
    return kind, int(entity in scan.kinds and entity in diff.current), modified


def write_event_pages(data: Path, owners: Owners, events: sqlite3.Connection, blank_owners: dict[str, set[str]],
                      generation: Generation, base_iri: str, published: str) -> list[Page]:
    """This build's pages: members in IRI order, ``page_size`` to a page, and beside each Create or
    Update the entity's description, gathered in a second pass over the graph's N-Triples
    (``data``, as dumped before dcterms:modified was stated; that triple is added from the events).

    ``events`` holds the :data:`EVENTS` table, indexed on ``iri``: the pages' lines are appended
    to their files ``FLUSH_LINES`` at a time, and a subject's page is asked of the table once
    per run of its lines, so memory does not grow with the number of members.
    """
    size = rules().page_size
    (count,) = events.execute("SELECT COUNT(*) FROM event").fetchone()
    if not count:
        return []
    folder = feed_folder(generation)
    names = [f"{generation.id}-{k + 1:05d}" for k in range((count + size - 1) // size)]
    carrying = {k.name for k in rules().kinds if k.modified}
    buffers: dict[int, list[bytes]] = {}
    held = 0

    def flush() -> None:
        for index, lines in buffers.items():
            with open(folder / f"{names[index]}.nt.part", "ab") as handle:
                handle.writelines(lines)
        buffers.clear()

    described = False
    for number, entity, action, kind, carries, modified in events.execute(
            "SELECT n, iri, action, kind, described, modified FROM event ORDER BY n"):
        index = number // size
        lines = buffers.setdefault(index, [])
        lines.extend(f"{t} .\n".encode("utf-8") for t in activity_triples(base_iri, names[index], number % size + 1,
                                                                          action, entity, published))
        held += 4
        if carries:
            described = True
            if kind in carrying:
                lines.append(f'<{entity}> <{DCTERMS_MODIFIED}> "{modified}"^^<{XSD_DATETIME}> .\n'.encode("utf-8"))
        if held >= FLUSH_LINES:
            flush()
            held = 0
    flush()
    held = 0
    if described:
        ask = "SELECT n FROM event WHERE iri = ? AND described = 1"

        def page(entity: str) -> int | None:
            found = events.execute(ask, (entity,)).fetchone()
            return found[0] // size if found else None

        blank_pages = {node: tuple(p for p in map(page, sorted(entities)) if p is not None)
                       for node, entities in blank_owners.items()}
        last_subject, targets = b"", ()  # a subject's lines are together in the dump: one look-up per subject
        with open(data, "rb") as handle:
            for line in handle:
                subject = line[:line.index(b" ")]
                if subject != last_subject:
                    last_subject = subject
                    if subject.startswith(b"_:"):
                        targets = blank_pages.get(subject[2:].decode("utf-8"), ())
                    else:
                        found = owners.owner(subject[1:-1].decode("utf-8"))
                        index = page(found[1]) if found else None
                        targets = (index,) if index is not None else ()
                for index in targets:
                    buffers.setdefault(index, []).append(line)
                    held += 1
                if held >= FLUSH_LINES:
                    flush()
                    held = 0
        flush()
    pages = []
    for index, name in enumerate(names):
        part, final = folder / f"{name}.nt.part", page_file(generation, name)
        os.replace(part, final)
        members = min(size, count - index * size)
        pages.append(Page(name, published, members, hashlib.sha256(final.read_bytes()).hexdigest()))
    return pages
