"""What a generation publishes beside its store: per-record validation results, source documents, counts.

Shared by the full build (eulod/pipeline/build.py) and the incremental one
(eulod/pipeline/incremental.py), which write the same files.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib.namespace import RDF

from eulod.converters.extract import extract_file
from eulod.converters.extract.text import UnreadableFile, decode
from eulod.converters.personal import Redactor, contact_emails, contact_names
from eulod.converters.sources import SOURCE_FIELD, SourceDocument, SourceLocator, UnsafeSource, read_source
from eulod.core.config import Settings
from eulod.core.generation import SOURCES_DIR, VALIDATION_FILE, Generation
from eulod.core.iris import slugify_file
from eulod.core.namespaces import EULOD
from eulod.pipeline.generations import atomic_write_bytes, atomic_writer
from eulod.pipeline.stream import SourceUse

log = logging.getLogger(__name__)


def write_validation(generation: Generation, results: Iterable[tuple[str, list[dict]]]) -> None:
    """The SHACL results of each loaded record that has any, so its page can show them.

    JSON beside the manifest rather than RDF in the store: the results describe the
    publication process, not the projects, so they stay out of the data set, its dumps
    and its triple counts; and SHACL reports are blank-node graphs that serve pages badly.
    ``results`` are (record id, results) in id order, as eulod.pipeline.findings gives them;
    they are written as they come (a record without results has no entry).
    """
    with atomic_writer(generation.path / VALIDATION_FILE) as out:
        out.write(b"{")
        for number, (record_id, found) in enumerate(results):
            out.write((b",\n" if number else b"\n") + _entry(record_id, found))
        out.write(b"\n}\n")


def update_validation(previous: Generation, generation: Generation, changed: set[str],
                      results: Iterable[tuple[str, list[dict]]]) -> bool:
    """validation.json of an incremental build: the previous file's entries of the records not in
    ``changed`` copied as they are, and ``results`` (those of the ``changed`` records, in id order)
    in their place. Rewriting every entry cost 2.5 s at 100 000 projects for one changed record.
    False when the previous file is not one :func:`write_validation` wrote (nothing written then)."""
    path = previous.path / VALIDATION_FILE
    try:
        with open(path, "rb") as handle:
            lines = handle.read().split(b"\n")
    except OSError:
        return False
    if len(lines) < 3 or lines[0] != b"{" or lines[-2:] != [b"}", b""]:
        return False
    decoder = json.JSONDecoder()
    new = iter(results)
    waiting = next(new, None)
    with atomic_writer(generation.path / VALIDATION_FILE) as out:
        out.write(b"{")
        number = 0

        def entry(text: bytes) -> None:
            nonlocal number
            out.write((b",\n" if number else b"\n") + text)
            number += 1

        for line in lines[1:-2]:
            line = line.removesuffix(b",")
            record_id, _end = decoder.raw_decode(line.decode("utf-8"))
            while waiting is not None and waiting[0] < record_id:
                entry(_entry(*waiting))
                waiting = next(new, None)
            if record_id not in changed:
                entry(line)
        while waiting is not None:
            entry(_entry(*waiting))
            waiting = next(new, None)
        out.write(b"\n}\n")
    return True


def _entry(record_id: str, found: list[dict]) -> bytes:
    return f"{json.dumps(record_id)}: {json.dumps(found, sort_keys=True, ensure_ascii=False)}".encode("utf-8")


@dataclass(frozen=True)
class Located:
    """A source document a build found for the records of a folder, and what it made of it: the
    file it published (None: withheld, unreadable, not redactable) and the file's state then, so
    that the next build can tell it is the same file without reading it
    (eulod/pipeline/incremental_sources.py)."""

    folder: str
    name: str
    path: str
    size: int
    mtime: int
    inode: int
    file: str | None


def copy_sources(generation: Generation, uses: Iterable[tuple[Path, str, SourceUse]], settings: Settings,
                 locator: SourceLocator, persons: frozenset[str], located: list[Located] | None = None,
                 taken: set[str] = frozenset()) -> dict[str, str]:
    """Copy each record's source document into the generation, named as its IRI's last segment.

    ``uses`` are the documents the published records name, per folder, and who names them
    (eulod.pipeline.stream.source_uses). Only what
    :func:`eulod.converters.sources.locate_source` locates and allows is copied. Each document
    is located, read and copied once, however many records name it (every record of an import
    names its export); a missing or withheld one is logged once, with the number of records
    naming it, and skipped: their data stands without it. Without personal_data = publish the
    copy is redacted (:func:`public_source_text`); ``persons`` are the build's contact names.
    Returns record id -> copied file name; ``located`` (when given) gets every document found,
    copied or not. ``taken`` are file names already in the folder (an incremental build's
    documents kept): a document that would take one is :class:`NameTaken`.
    """
    folder = generation.path / SOURCES_DIR
    folder.mkdir(exist_ok=True)
    found: dict[str, tuple[SourceDocument, list[SourceUse]]] = {}  # IRI name -> document, who names it
    where: dict[str, list[tuple[str, str]]] = {}  # IRI name -> (folder, name) of the uses copied under it
    warnings = SourceWarnings()
    for use_folder, name, named in uses:
        document = publishable_source(locator, name, named, warnings, located, str(use_folder))
        if document is None:
            continue
        iri_name = slugify_file(name)  # as converters.rdf names its IRI
        if iri_name in taken:
            raise NameTaken(f"{iri_name} is the name of a document kept from the previous build")
        if iri_name in found and found[iri_name][0].path != document.path:
            log.warning("%s: %s is also the name of %s; that one is published", named_by(name, named), iri_name,
                        found[iri_name][0].path)
            continue
        found.setdefault(iri_name, (document, []))[1].append(named)
        where.setdefault(iri_name, []).append((str(use_folder), name))
    warnings.say_the_rest()
    copied = {}
    published: dict[tuple[str, str], str] = {}
    for name, (document, owners) in found.items():
        try:
            data = read_source(document)
        except (OSError, UnsafeSource) as exc:
            log.error("%s: source document %s not published: %s", owners[0].sample[0].file, document.path, exc)
            continue
        if settings.personal_data != "publish":
            data = public_source_text(data, document, owners, persons)
            if data is None:
                continue
        atomic_write_bytes(folder / name, data)
        copied.update((record_id, name) for use in owners for record_id in use.ids)
        published.update((use, name) for use in where[name])
    if located is not None:  # the documents published under a name
        located[:] = [replace(entry, file=published.get((entry.folder, entry.name))) for entry in located]
    return copied


class NameTaken(Exception):
    """A document would be published under the name of one an incremental build kept."""


def named_by(name: str, use: SourceUse) -> str:
    """Where a log line about a source document points: the file, the document and the records naming it."""
    sample = use.sample
    more = len(use.ids) - len(sample)
    ids = ", ".join(repr(r.id) for r in sample) + (f" and {more} more" if more > 0 else "")
    count = f"{len(use.ids)} record" + ("" if len(use.ids) == 1 else "s")
    return f"{sample[0].file}: field {SOURCE_FIELD}: source document {name!r}, named by {count} ({ids})"


SAID_ONE_BY_ONE = 20  # documents not published that are named one by one; the others are counted in one line


@dataclass
class SourceWarnings:
    """The warnings about source documents left out, said one by one up to :data:`SAID_ONE_BY_ONE`,
    then counted, so that a million records each naming a document of their own that is not
    there do not print a million lines."""

    said: int = 0
    documents: int = 0  # left out and not said
    records: int = 0  # naming those

    def warn(self, use: SourceUse, text: str, *args: object) -> None:
        if self.said < SAID_ONE_BY_ONE:
            self.said += 1
            log.warning(text, *args)
        else:
            self.documents += 1
            self.records += len(use.ids)

    def say_the_rest(self) -> None:
        if self.documents:
            log.warning("%d more source documents, named by %d records, not published (not found or not fact "
                        "sheets); the first %d are named above", self.documents, self.records, SAID_ONE_BY_ONE)


def publishable_source(locator: SourceLocator, name: str, records: SourceUse,
                       warnings: SourceWarnings | None = None, located: list[Located] | None = None,
                       folder: str = "") -> SourceDocument | None:
    """The document ``records`` (of one folder) name, if it may be published; else None, said
    once for them all (through ``warnings``, the build's count of what it said)."""
    warnings = warnings or SourceWarnings()

    def warn(text: str, *args: object) -> None:
        warnings.warn(records, text, *args)

    if not name:
        warn("%s: no source document named", named_by(name, records))
        return None
    try:
        document = locator.locate(name, records.sample[0].file)
    except UnsafeSource as exc:  # with the build's locator, load_sources refused these records already
        log.error("%s: not published: %s", named_by(name, records), exc)
        return None
    if document is None:
        warn("%s: not found", named_by(name, records))
        return None
    if located is not None:
        try:
            info = document.path.stat()
        except OSError:  # gone since it was found: the next build looks again
            info = None
        if info is not None:
            located.append(Located(folder, name, str(document.path), info.st_size, info.st_mtime_ns, info.st_ino, None))
    if document.withheld:
        warn("%s: not published: %s", named_by(name, records), document.withheld)
        return None
    return document


def public_source_text(data: bytes, document: SourceDocument, owners: list[SourceUse],
                       persons: frozenset[str]) -> bytes | None:
    """A source document as published without personal_data = publish: redacted, or None.

    Every e-mail address and phone number goes, and the names of the contact persons: all
    of the build's in full, those of the records citing the document and of the contacts
    the fact-sheet reader finds in it also part by part (converters/personal.py). A document
    that cannot be read as text cannot be redacted, so it is not published at all.
    """
    try:
        text, _warnings = decode(data, str(document.path))
    except UnreadableFile as exc:
        log.warning("%s: not published: %s, so it cannot be cleared of personal data", document.path, exc)
        return None
    names = set().union(*(use.names for use in owners))
    emails = set().union(*(use.emails for use in owners))
    draft = extract_file(document.path)  # contacts the fact sheet states, even those no record lists
    if draft.record is not None:
        names |= contact_names([draft.record])
        emails |= contact_emails([draft.record])
    redactor = Redactor(persons, parts_of=names, emails=emails)
    return redactor.redact(text).encode("utf-8")


def statistics(store: ox.Store) -> dict[str, int]:
    """Triples, projects and organisations: counted from the store's indexes, not by a scan.

    Instances are counted by the store's query engine, in every graph as a quad pattern would
    count them: iterating the matching quads in Python took 5 s at 100 000 projects, the
    query 0.03 s."""

    def instances(cls: str) -> int:
        query = (f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ ?s <{RDF.type}> <{cls}> }} "
                 f"UNION {{ GRAPH ?g {{ ?s <{RDF.type}> <{cls}> }} }} }}")
        return int(next(iter(store.query(query)))["n"].value)

    return {
        "triples": len(store),
        "projects": instances(str(EULOD.Project)),
        "organisations": instances(str(EULOD.Organisation)),
    }
