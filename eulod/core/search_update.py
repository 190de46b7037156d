"""The search index of a new generation, from the previous one's and the change between them.

Writing the index reads and stems every text of the store (27 s at 100 000 projects). After
a change of a few records, :func:`update_search` copies the previous generation's file and
replaces only the documents the change touches (eulod.core.touched): a project or
organisation whose own triples changed, a project whose results' texts or identifiers'
notations changed, and every project of a partner whose names changed (a project's document
holds its partners' names). They are read with the full write's own queries from a small
excerpt of the store, and made by the same :class:`eulod.core.search.Document`.

FTS5 keeps every document's text, so deleting a document by its rowid takes its words out of
the index and out of bm25's statistics (the number of documents, their lengths, each word's
documents) exactly, and rankings equal the full write's to the last bit. A new document takes a
rowid between those of its neighbours in IRI order (the full write leaves
``eulod.core.search.GAP`` between two), so that equal scores are ranked in the same order too.
The result equals the full write's up to the rowid numbers: the same rows in the same order,
the same answers.

Written whole instead, with a log line: without a previous file of this format and of this
eulod's and stemmer's versions (eulod.core.sqlitefiles.writer), when a new document finds no
free rowid between its neighbours (after ten updates put documents in the same gap), when the
change names blank nodes, and when it touches a large share of the documents.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path

import pyoxigraph as ox

from eulod.core import search
from eulod.core.sqlitefiles import patched_copy, writer
from eulod.core.touched import EULOD, RDF_TYPE, Reach, TripleChange, blank_nodes, instances, read_excerpt, touched

log = logging.getLogger(__name__)

PROJECT, ORGANISATION = EULOD + "Project", EULOD + "Organisation"
_RESULT, _IDENTIFIER = EULOD + "result", "http://www.w3.org/ns/adms#identifier"
_MEMBER, _ORGANISATION = EULOD + "hasParticipation", EULOD + "organisation"
_DCTERMS, _SKOS = "http://purl.org/dc/terms/", "http://www.w3.org/2004/02/skos/core#"
_TO_OWNERS = ((_RESULT,), (_ORGANISATION, _MEMBER))  # a result's project; a partner's projects

# What a document reads besides its owner's own triples (eulod/core/queries/search-*.rq and
# listing-members.rq): the texts of a project's results, the notations of identifiers, which
# organisation each participation names, and the names of those organisations (a name text,
# or the type that makes a node an organisation or a result its own document).
REACH = Reach(
    owners=frozenset({PROJECT, ORGANISATION}),
    up={
        **{name: _TO_OWNERS for name in (_DCTERMS + "title", EULOD + "acronym", EULOD + "subtitle",
                                         _SKOS + "prefLabel", _SKOS + "altLabel")},
        **{body: ((_RESULT,),) for body in (_DCTERMS + "description", EULOD + "objective", EULOD + "expectedResult")},
        RDF_TYPE.value: _TO_OWNERS,
        _SKOS + "notation": ((_IDENTIFIER,),),
        _ORGANISATION: ((_MEMBER,),),
    },
    down=frozenset({_RESULT, _IDENTIFIER, _MEMBER, _ORGANISATION}),
)
# Share of the documents beyond which the full write is about as quick (bench/incremental_index.py):
# an update reads about 4 ms per document touched, the full write 0.6 ms per document.
TOUCHED_AT_MOST = 0.05


class _Unsure(Exception):
    """The previous index cannot be updated to the full write's result: write it whole."""


def update_search(store: ox.Store, previous: Path, target: Path, change: TripleChange, generation: str = "") -> int:
    """Write ``target``, the search index of ``store``, from ``previous`` (the index of ``store``
    before ``change``); returns how many projects and organisations. ``store`` is already changed."""
    started = time.perf_counter()
    try:
        count, rewritten = _update(store, previous, target, change, generation)
    except _Unsure as reason:
        log.info("search index: written whole, not updated (%s)", reason)
        return search.write_search(store, target, generation)
    log.info("updated the search index of %d projects and organisations: %d rewritten in %.2f s", count, rewritten,
             time.perf_counter() - started)
    return count


def _meta(path: Path) -> tuple[dict[str, str], int]:
    if not path.is_file():
        raise _Unsure(f"no previous index at {path}")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT key, value FROM meta")), db.execute("SELECT COUNT(*) FROM entity").fetchone()[0]
    except sqlite3.DatabaseError as problem:
        raise _Unsure(f"{path}: {problem}") from problem
    finally:
        db.close()


def _update(store: ox.Store, previous: Path, target: Path, change: TripleChange, generation: str) -> tuple[int, int]:
    meta, total = _meta(previous)
    if meta.get("format") != search.FORMAT:
        raise _Unsure(f"the previous index is of format {meta.get('format')!r}, this eulod writes {search.FORMAT!r}")
    if meta.get("software") != writer():
        raise _Unsure(f"the previous index was written by {meta.get('software')}, this is {writer()}")
    if blank_nodes(change):
        raise _Unsure("the change holds blank nodes")
    if meta.get("kinds") != search._json(search.KIND_ROWIDS):
        raise _Unsure(f"the previous index numbers its documents otherwise ({meta.get('kinds')})")
    owners = touched(store, change, REACH)
    if len(owners) > max(100, TOUCHED_AT_MOST * total):
        raise _Unsure(f"the change touches {len(owners)} of {total} documents")
    present = instances(store, owners, REACH.owners)
    entities, members = read_excerpt(store, (ox.NamedNode(iri) for iri in sorted(present)), REACH, search._read)
    names_of = {iri: search._unique(item.names) for iri, item in entities.items()}
    with patched_copy(previous, target) as db:
        kept: dict[str, int] = {}
        for node in owners:
            found = db.execute("SELECT id, kind FROM entity WHERE iri = ?", (node.value,)).fetchone()
            if found is None:
                continue
            id_, kind = found
            db.execute("DELETE FROM doc WHERE rowid = ?", (id_,))
            db.execute("DELETE FROM entity WHERE id = ?", (id_,))
            if node.value in present and entities[node.value].kind == kind:
                kept[node.value] = id_
        languages = set(json.loads(meta.get("languages", "[]")))
        documents = [search.Document.of(id_, iri, entities[iri], names_of, members) for iri, id_ in kept.items()]
        search.insert_documents(db, documents)  # before any new rowid is chosen: all neighbours are in place
        for iri in sorted(present - set(kept)):  # in IRI order, so a new one's neighbours are in place too
            item = entities[iri]
            documents.append(search.Document.of(_rowid(db, iri, item.kind), iri, item, names_of, members))
            search.insert_documents(db, documents[-1:])
        for document in documents:
            languages |= document.languages
        languages = {language for language in languages if _held(db, language)}
        db.executemany("UPDATE meta SET value = ? WHERE key = ?",
                       [(generation, "generation"), (search._json(sorted(languages)), "languages")])
        count = db.execute("SELECT COUNT(*) FROM entity").fetchone()[0]
    return count, len(present)


def _rowid(db: sqlite3.Connection, iri: str, kind: str) -> int:
    """A free rowid for a new document of ``kind``, between those of its neighbours in IRI order."""
    first, end = search.KIND_ROWIDS[kind]
    before = db.execute("SELECT id FROM entity WHERE kind = ? AND iri < ? ORDER BY iri DESC LIMIT 1",
                        (kind, iri)).fetchone()
    after = db.execute("SELECT id FROM entity WHERE kind = ? AND iri > ? ORDER BY iri LIMIT 1", (kind, iri)).fetchone()
    low = before[0] if before else first
    if after is None:
        if low + search.GAP >= end:
            raise _Unsure(f"no rowid left for a {kind}")
        return low + search.GAP
    if after[0] - low < 2:
        raise _Unsure(f"no rowid left between the neighbours of {iri}")
    return (low + after[0]) // 2


def _held(db: sqlite3.Connection, language: str) -> bool:
    """Whether a document still has text in ``language`` (its langs column names it)."""
    if search.tokens(language) != [language]:
        raise _Unsure(f"language tag {language!r} is not one word of the index")
    return db.execute("SELECT 1 FROM doc WHERE doc MATCH ? LIMIT 1", (f'langs : "{language}"',)).fetchone() is not None
