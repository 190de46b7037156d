"""The source documents of an incremental build: those no change touches kept from the served
generation (hard-linked), the others copied as a full build copies them (eulod/pipeline/publication.py).

A document's published copy depends on the file, on the records naming it (their contact names
and e-mail addresses take part in its redaction) and on every contact name of the build (the
incremental build falls back to a full one when those change). So a document is kept when no
changed or removed record names it and its file has the same size, time and inode as when the
previous build found it. A document the previous build did not find is still not there while
none of the folders it looked in has changed (their modification times, recorded when listed):
a new file changes its folder's time. Where it cannot be sure (other folders to look in, a
folder changed, a new document taking a kept one's name), it says why and copies them all: the
outcome is the same, only slower (100 000 records naming a document each: seconds, not 0.1 s).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import stat
from pathlib import Path

from eulod.converters.sources import SourceLocator
from eulod.core.config import Settings
from eulod.core.generation import SOURCES_DIR, Generation
from eulod.pipeline.checkpoint import roots_key
from eulod.pipeline.findings import Findings
from eulod.pipeline.publication import Located, NameTaken, copy_sources
from eulod.pipeline.stream import SourceUse

log = logging.getLogger(__name__)


class Unsure(Exception):
    """The previous build's documents cannot be vouched for: copy them all (the message says why)."""


def listing_unchanged(folder: str, mtime: int | None) -> bool:
    """Whether a folder the previous build looked in is as it was then (see SourceLocator.listings)."""
    if mtime is None:
        return False
    try:
        info = os.stat(folder)
    except (FileNotFoundError, NotADirectoryError):
        return mtime == -1
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return mtime == -1
    return info.st_mtime_ns == mtime


def same_file(document: Located) -> bool:
    try:
        info = os.stat(document.path)
    except OSError:
        return False
    return (info.st_size, info.st_mtime_ns, info.st_ino) == (document.size, document.mtime, document.inode)


def copy_sources_since(served: Generation, generation: Generation, checkpoint: sqlite3.Connection,
                       findings: Findings, touched_records: set[str], settings: Settings, locator: SourceLocator,
                       persons: frozenset[str]) -> tuple[dict[str, str], list[Located], dict[str, int | None]]:
    """(record id -> published file name, the documents found, the folders looked in), as a full
    build would have them; ``touched_records`` are the records changed, added or removed."""
    try:
        return _since(served, generation, checkpoint, findings, touched_records, settings, locator, persons)
    except Unsure as why:
        log.info("source documents: all copied again (%s)", why)
        folder = generation.path / SOURCES_DIR
        shutil.rmtree(folder, ignore_errors=True)
        located: list[Located] = []
        copied = copy_sources(generation, _all_uses(findings), settings, locator, persons, located)
        return copied, located, locator.listings()


def _all_uses(findings: Findings):
    for folder, name, named, names, emails in findings.documents_named():
        yield Path(folder), name, SourceUse([ref.id for ref in named], named[:3], names, emails)


def _since(served: Generation, generation: Generation, checkpoint: sqlite3.Connection, findings: Findings,
           touched_records: set[str], settings: Settings, locator: SourceLocator,
           persons: frozenset[str]) -> tuple[dict[str, str], list[Located], dict[str, int | None]]:
    meta = dict(checkpoint.execute("SELECT key, value FROM meta WHERE key = 'source_roots'"))
    if meta.get("source_roots") != roots_key(locator.roots):
        raise Unsure("the folders a source document may be in are not the previous build's")
    listings = dict(checkpoint.execute("SELECT folder, mtime FROM listings"))
    changed = next((folder for folder, mtime in listings.items() if not listing_unchanged(folder, mtime)), None)
    if changed is not None:
        raise Unsure(f"{changed} changed since the previous build looked in it")
    touched = _touched(checkpoint, findings, touched_records)
    kept: dict[tuple[str, str], Located] = {}
    redo: set[tuple[str, str]] = set(touched)
    for row in checkpoint.execute("SELECT folder, name, path, size, mtime, inode, file FROM documents"):
        document = Located(*row)
        key = (document.folder, document.name)
        if key in touched:
            continue
        if same_file(document):
            kept[key] = document
        else:
            redo.add(key)
    target = generation.path / SOURCES_DIR
    target.mkdir(exist_ok=True)
    names = {d.file for d in kept.values() if d.file}
    for name in names:
        _link(served.path / SOURCES_DIR / name, target / name)
    copied = _kept_mapping(checkpoint, kept)
    located = list(kept.values())
    uses = [(Path(folder), name, SourceUse([r.id for r in named], named[:3], people, emails))
            for folder, name, named, people, emails in findings.documents_named(only=redo)]
    try:
        copied.update(copy_sources(generation, uses, settings, locator, persons, located, taken=names))
    except NameTaken as exc:
        raise Unsure(str(exc)) from None
    log.info("source documents: %d kept from the previous build, %d looked at again", len(kept), len(uses))
    return copied, located, {**listings, **locator.listings()}


def _touched(checkpoint: sqlite3.Connection, findings: Findings, records: set[str]) -> set[tuple[str, str]]:
    """The documents a changed, added or removed record names (before or now)."""
    touched: set[tuple[str, str]] = set()
    ids = sorted(records)
    for db in (checkpoint, findings.db):
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            touched.update(db.execute(f"SELECT folder, name FROM sources WHERE record IN ({marks})", chunk))
    return touched


def _kept_mapping(checkpoint: sqlite3.Connection, kept: dict[tuple[str, str], Located]) -> dict[str, str]:
    published = {key: d.file for key, d in kept.items() if d.file}
    if not published:
        return {}
    return {record: published[(folder, name)]
            for record, folder, name in checkpoint.execute("SELECT record, folder, name FROM sources")
            if (folder, name) in published}


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or no hard links
        shutil.copyfile(source, target)
