"""What a listing or a search index holds, for comparing an updated file with a file written whole.

An update (eulod/core/listing_update.py, search_update.py) must give what the full write gives
on the same data, except for numbers that are handles within one file: a project's id in the
listing (the full write numbers the projects in IRI order, an update gives a new one the next
free number) and a document's rowid in the search index (an update takes one between the
neighbours of a new document; the order of the rowids is the same). These functions give the
contents without those numbers, for tests (tests/test_listing_search_update.py, and a
comparison of an incremental build with a full one).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from eulod.core import search

# The listing's tables whose rows name a project by its id, and the column that does.
_BY_PROJECT = {"title": "project", "project_country": "project", "project_funding": "project",
               "project_amount": "project"}


def listing_contents(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, with each project's id replaced by its IRI; the meta table
    without the generation id."""
    db = sqlite3.connect(path)
    try:
        iri_of = dict(db.execute("SELECT id, iri FROM project"))
        organisation_of = dict(db.execute("SELECT id, iri FROM organisation"))
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found: dict[str, list[tuple]] = {}
        for table in tables:
            cursor = db.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if table in ("project", "organisation"):
                rows = [row[1:] for row in rows]
            elif table == "membership":  # KeyError: a membership of no organisation or project
                rows = [(organisation_of[o], iri_of[p]) for o, p in rows]
            elif table in _BY_PROJECT:
                at = columns.index(_BY_PROJECT[table])
                rows = [(*row[:at], iri_of[row[at]], *row[at + 1:]) for row in rows]  # KeyError: a row of no project
            elif table == "meta":
                rows = [row for row in rows if row[0] != "generation"]
            found[table] = sorted(rows, key=repr)
        return found
    finally:
        db.close()


def search_contents(path: Path, integrity: bool = False, every: int = 5) -> dict[str, object]:
    """The rows (entity and FTS5 text) in rowid order, rowids left out; the words of each
    document as FTS5 holds them, by IRI; the meta table without the generation id; and the
    answers, with their bm25 scores, to a question for every ``every``-th word of the index, of
    each kind. With ``integrity``, FTS5's integrity-check must pass (it compares the index with
    the documents' texts)."""
    db = sqlite3.connect(path)
    try:
        if integrity:
            db.execute("INSERT INTO doc (doc) VALUES ('integrity-check')")
        iri_of = dict(db.execute("SELECT id, iri FROM entity"))
        columns = ", ".join(name for name, _ in search.COLUMNS)
        db.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, 'doc', 'instance')")
        words = sorted((term, iri_of[doc], column, offset)
                       for term, doc, column, offset in db.execute("SELECT term, doc, col, offset FROM temp.words"))
        terms = sorted({term for term, *_ in words})
        languages = search.languages(db)
        answers = {(term, kind): search.ranked(db, search.question(term, languages, kind))
                   for term in terms[::every] for kind in (None, "project", "organisation")}
        kinds = json.loads(dict(db.execute("SELECT key, value FROM meta"))["kinds"])
        for kind, (first, end) in kinds.items():  # each kind's rowids in its range
            assert all(first <= id_ < end for (id_,) in db.execute("SELECT id FROM entity WHERE kind = ?", (kind,)))
        return {
            "entity": [row[1:] for row in db.execute("SELECT * FROM entity ORDER BY id")],
            "doc": [(iri_of[row[0]], *row[1:])
                    for row in db.execute(f"SELECT rowid, {columns} FROM doc ORDER BY rowid")],
            "words": words,
            "meta": sorted(db.execute("SELECT key, value FROM meta WHERE key != 'generation'")),
            "answers": answers,
        }
    finally:
        db.close()
