"""The full-text search index of a generation: SQLite FTS5 over projects and organisations.

What is searched: a project's titles, subtitle, acronym, descriptions, objectives, expected
results and the titles and descriptions of its results, with the names of the organisations
taking part; an organisation's labels (every name a record gives it) and its city. Every
language of the data is in one document per project or organisation, so a question may mix
languages ("suolo soil").

How it matches (the same functions build the index and the question, so they agree):

- words: FTS5's ``unicode61`` tokenizer with ``remove_diacritics 2``: case and accents do not
  count (``citta`` finds ``Città``, ``MALMO`` finds ``Malmö``);
- stems: each text tagged with a language that has a Snowball stemmer (``stemmers.yaml``) is
  also written stemmed, token by token, into a parallel column; a question's words are
  stemmed with the stemmer of every language in the index and matched against those
  columns (``regeneration`` finds ``regenerating``, ``città`` finds ``città``/``cittadine``
  where Italian's stemmer joins them). A stem of one language matching a word of another is
  possible and only adds a match, ranked low;
- ranking: FTS5's bm25, names weighing more than descriptions, exact words more than stems.

Built once per generation by the build (``search.sqlite`` beside ``listing.sqlite``), or
updated from the previous generation's after a change of a few records (search_update.py), and
by a server from the store for a generation without one (a remote store, an older build);
server processes and query processes open it read-only, and its pages live in the page
cache they all share.

Why SQLite FTS5: it ships with Python's standard library, its index is one immutable file
like the listing, and its answers take milliseconds at 100 000 projects (bench/search.py).
"""

from __future__ import annotations

import itertools
import json
import logging
import re
import sqlite3
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Callable

import snowballstemmer
import yaml

from eulod.core.listing import members, run_stored
from eulod.core.sqlitefiles import writer, written_whole
from eulod.core.staging import (
    CACHE_KIB,
    Stopped,
    Table,
    create_tables,
    fill_tables,
    finish_tables,
    grouped,
    merged,
    scratch,
    taken,
)

log = logging.getLogger(__name__)

FORMAT = "3"  # bumped when the schema or the tokenising changes; a reader refuses another format
KINDS = ("project", "organisation")
# The rowids of each kind (meta "kinds"), the same in every index: [first, end). In each, the full
# write numbers the documents in IRI order, GAP apart, so that an incremental update
# (search_update.py) can put a new document between its neighbours, in IRI order too (bm25 ties
# are ranked by rowid), without renumbering the others.
KIND_ROWIDS = {"project": (0, 1 << 50), "organisation": (1 << 50, 1 << 51)}
GAP = 1024  # 10 documents can come between two neighbours before the update writes the index whole
DESCRIPTION_KEPT = 600  # characters of a description kept per language, for previews and answers
TOKENIZER = "unicode61 remove_diacritics 2"

# FTS5 columns, in order, with their bm25 weights: a name weighs most, then a stem of a name,
# the partners or city, the description's words, then its stems. langs is a filter. The kind
# is not a column: projects and organisations hold rowids of their own (meta "kinds"), so a
# question for one kind is a rowid range, which FTS5 seeks to, instead of one more phrase
# that bm25 would score in every match (a fifth of a frequent word's time at 100 000).
# FTS5 keeps the documents' texts (not contentless): an update deletes a document by its rowid,
# and FTS5 takes its words out of the index and out of bm25's statistics with the stored text.
COLUMNS = (("names", 10.0), ("body", 1.0), ("related", 2.0), ("names_stem", 5.0), ("body_stem", 0.5),
           ("langs", 0.0))
WEIGHTS = ", ".join(str(weight) for _, weight in COLUMNS)

SCHEMA = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entity (
    id INTEGER PRIMARY KEY,          -- the FTS5 rowid of its document (KIND_ROWIDS); stable within this file only
    iri TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,              -- 'project' or 'organisation'
    labels TEXT NOT NULL,            -- JSON {{language tag: the name to show}} ('' for none)
    names TEXT NOT NULL,             -- JSON [[language tag, name], ...]: every name (titles, labels, acronym)
    identifiers TEXT NOT NULL,       -- JSON [notation or owl:sameAs IRI, ...]
    country TEXT,                    -- an organisation's country IRI
    cities TEXT NOT NULL,            -- JSON [[language tag, city], ...]
    descriptions TEXT NOT NULL       -- JSON {{language tag: the description's first {DESCRIPTION_KEPT} characters}}
);
CREATE VIRTUAL TABLE doc USING fts5({", ".join(name for name, _ in COLUMNS)}, tokenize='{TOKENIZER}');
"""

_TOKEN = re.compile(r"[^\W_]+")  # what unicode61 keeps as a token, near enough: letters and digits


@lru_cache(maxsize=1)
def stemmer_names() -> dict[str, str]:
    """Language tag (primary subtag) -> Snowball algorithm, from ``stemmers.yaml``."""
    text = resources.files(__package__).joinpath("stemmers.yaml").read_text("utf-8")
    return {str(tag): str(name) for tag, name in yaml.safe_load(text).items()}


def primary(tag: str) -> str:
    """The primary subtag of a language tag, lower-cased (``en-GB`` -> ``en``)."""
    return tag.split("-", 1)[0].lower()


@lru_cache(maxsize=None)
def _stemmer(tag: str) -> Any:
    name = stemmer_names().get(primary(tag))
    return snowballstemmer.stemmer(name) if name else None


def tokens(text: str) -> list[str]:
    """The words of ``text`` as the index sees them, lower-cased (accents are left to FTS5)."""
    return _TOKEN.findall(text.casefold())


_STEMS: dict[tuple[str, str], str] = {}  # (language, word) -> stem: Snowball in Python is most of the index's cost
_STEMS_KEPT = 2_000_000  # words remembered at most (a language's vocabulary is far smaller)


def stemmed(text: str, tag: str) -> str:
    """``text``'s words stemmed with ``tag``'s stemmer (unchanged without one), space-separated.

    Each (language, word) is stemmed once and remembered: words repeat (Zipf), so an index
    of 100 000 projects stems a few hundred thousand distinct words, not tens of millions.
    """
    words = tokens(text)
    stemmer = _stemmer(tag) if tag else None
    if stemmer is None:
        return " ".join(words)
    language = primary(tag)
    out = []
    for word in words:
        stem = word if not word.isalpha() else _STEMS.get((language, word))  # numbers, codes: as written
        if stem is None:
            stem = stemmer.stemWord(word)
            if len(_STEMS) < _STEMS_KEPT:
                _STEMS[(language, word)] = stem
        out.append(stem)
    return " ".join(out)


def has_stemmer(tag: str) -> bool:
    return _stemmer(tag) is not None


def _quoted(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


@dataclass(frozen=True)
class Question:
    """A search as FTS5 reads it; ``expression`` is None when the text holds no word.

    ``kind`` ('project', 'organisation' or None for both) becomes a rowid range when asked.
    """

    expression: str | None
    words: tuple[str, ...]
    kind: str | None = None


def question(text: str, languages: Iterable[str], kind: str | None = None, lang: str | None = None,
             prefix: bool = False, any_word: bool = False) -> Question:
    """The FTS5 MATCH expression for what a person typed: every word must be found.

    Each word is matched as written (case and accents aside) in the name, description and
    related columns, or by its stem in any of ``languages`` (those the index holds) in the
    stem columns. Nothing of the text reaches FTS5's query syntax unquoted, so any text is
    a valid question. ``prefix`` lets the last word be the start of a word (suggest, as
    one types); ``any_word`` asks for any of the words instead (the reconciliation service's
    second try, for names whose words differ). ``kind`` and ``lang`` keep only projects or organisations, or documents
    with text in that language.
    """
    words = tuple(dict.fromkeys(tokens(text)))[:32]  # more words than that is no question
    if not words:
        return Question(None, (), kind)
    stemmers = {_stemmer(tag) for tag in languages} - {None}
    parts = []
    for position, word in enumerate(words):
        star = "*" if prefix and position == len(words) - 1 else ""
        stems = sorted({stemmer.stemWord(word) for stemmer in stemmers} | {word})
        alternatives = " OR ".join(_quoted(stem) + star for stem in stems)
        parts.append(f"({{names body related}} : {_quoted(word)}{star} OR {{names_stem body_stem}} : ({alternatives}))")
    words_part = (" OR " if any_word else " AND ").join(parts)
    if not lang:
        return Question(words_part, words, kind)
    return Question(f"({words_part}) AND langs : {_quoted(primary(lang))}", words, kind)


def _rowids(db: sqlite3.Connection, kind: str | None) -> tuple[int, int]:
    """The rowids [first, end) of the documents of ``kind`` (every document for None)."""
    if kind is None:
        return 0, 1 << 62
    row = db.execute("SELECT value FROM meta WHERE key = 'kinds'").fetchone()
    first, end = json.loads(row[0]).get(kind, (0, 0)) if row else (0, 0)
    return first, end


def ranked(db: sqlite3.Connection, asked: Question, limit: int | None = None, offset: int = 0) -> list[tuple[str, str, float]]:
    """(IRI, kind, score) of the documents matching ``asked``, best first; the score is bm25's, made positive."""
    if asked.expression is None:
        return []
    # Ranked inside FTS5 first and joined after: joining every match before sorting cost twice as much.
    sql = (f"SELECT e.iri, e.kind, -hit.rank FROM (SELECT rowid, bm25(doc, {WEIGHTS}) AS rank FROM doc "
           "WHERE doc MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rank, rowid LIMIT ? OFFSET ?) AS hit "
           "JOIN entity AS e ON e.id = hit.rowid ORDER BY hit.rank, hit.rowid")
    return db.execute(sql, (asked.expression, *_rowids(db, asked.kind), -1 if limit is None else limit,
                            offset)).fetchall()


def count(db: sqlite3.Connection, asked: Question) -> int:
    """How many documents match ``asked`` (cheaper than ranking them)."""
    if asked.expression is None:
        return 0
    return db.execute("SELECT COUNT(*) FROM doc WHERE doc MATCH ? AND rowid >= ? AND rowid < ?",
                      (asked.expression, *_rowids(db, asked.kind))).fetchone()[0]


def languages(db: sqlite3.Connection) -> tuple[str, ...]:
    """The language tags (primary subtags) of the index's texts, from its meta table."""
    row = db.execute("SELECT value FROM meta WHERE key = 'languages'").fetchone()
    return tuple(json.loads(row[0])) if row else ()


# --- writing -----------------------------------------------------------------------------


@dataclass
class _Entity:
    kind: str
    names: list[tuple[str, str]]  # (tag, text)
    body: list[tuple[str, str]]
    identifiers: list[str]
    cities: list[tuple[str, str]]
    country: str | None = None
    pref: dict[str, str] | None = None  # title or skos:prefLabel by tag


def _entities(store: Any) -> Iterator[tuple[str, str]]:
    """(entity, kind) of every project and organisation."""
    for row in run_stored(store, "search-entities.rq"):
        yield row["entity"].value, row["kind"].value


def _facts(store: Any) -> Iterator[tuple[str, str, str, str]]:
    """(entity, fact, value, language tag or ''): results, country, cities, identifiers."""
    for row in run_stored(store, "search-facts.rq"):
        value = row["value"]
        yield row["entity"].value, row["fact"].value, value.value, getattr(value, "language", None) or ""


def _texts(store: Any) -> Iterator[tuple[str, int, str, str, str]]:
    """(entity, rank, language tag or '', text, field) of every title, name and description."""
    for row in run_stored(store, "search-texts.rq"):
        literal = row["text"]
        yield (row["entity"].value, int(row["rank"].value), getattr(literal, "language", None) or "", literal.value,
               row["field"].value)


def entity_item(kind: str, facts: list[tuple[str, str, str]], texts: list[tuple[int, str, str, str]],
                result_texts: list[tuple[str, int, str, str]]) -> _Entity:
    """One project or organisation from its rows: ``facts`` (fact, value, tag) but its results,
    ``texts`` (rank, tag, text, field), and ``result_texts`` (result, rank, tag, text) of the
    results it has that are not themselves projects or organisations.

    Where an entity has several values, their order is made here (texts by kind of text, then
    language and text; a project's own texts before its results', results in IRI order; a
    partner's names as the partner's), never taken from the store's answer: the order differs
    from store to store (pyoxigraph orders by hashes of long texts, a remote store as it likes),
    and an incremental update (search_update.py) reads a few entities from another store than
    the full write. Which name is shown, the description kept and the document's text are then
    the same however the index is made.
    """
    item = _Entity(kind, [], [], [], [], None, {})
    for fact, value, tag in facts:
        if fact == "country":
            item.country = max(item.country or "", value)  # one by the shapes; the same one if not
        elif fact == "city":
            item.cities.append((tag, value))
        elif fact in ("identifier", "same_as"):
            item.identifiers.append(value)
    for _, tag, text, field in sorted(texts):
        if field == "label":
            item.pref.setdefault(tag, text)
        (item.body if field == "body" else item.names).append((tag, text))
    item.body.extend((tag, text) for _, _, tag, text in sorted(result_texts))
    item.cities.sort()
    item.identifiers.sort()
    return item


def _read(store: Any) -> tuple[dict[str, _Entity], dict[str, list[str]]]:
    """Every project and organisation of a small store (an incremental update's excerpt) as
    :func:`entity_item` makes it, and each project's partners; :func:`write_search` reads a
    whole store one entity at a time instead."""
    kinds: dict[str, str] = {}
    for entity, kind in _entities(store):
        kinds.setdefault(entity, kind)
    facts: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    results: dict[str, set[str]] = defaultdict(set)  # result IRI -> the projects it is a result of
    for entity, fact, value, tag in _facts(store):
        if entity in kinds:
            if fact == "result":
                results[value].add(entity)
            else:
                facts[entity].append((fact, value, tag))
    texts: dict[str, list[tuple[int, str, str, str]]] = defaultdict(list)
    result_texts: dict[str, list[tuple[str, int, str, str]]] = defaultdict(list)
    for entity, rank, tag, text, field in _texts(store):
        if entity in kinds:
            texts[entity].append((rank, tag, text, field))
        elif entity in results:  # a result's title and description are its project's
            for project in results[entity]:
                result_texts[project].append((entity, rank, tag, text))
    entities = {iri: entity_item(kind, facts.get(iri, []), texts.get(iri, []), result_texts.get(iri, []))
                for iri, kind in kinds.items()}
    partners: dict[str, list[str]] = defaultdict(list)
    for project, organisation in members(store):
        partners[project].append(organisation)
    return entities, partners


def _labels(item: _Entity) -> dict[str, str]:
    """The name to show per language: the title or skos:prefLabel, else the first other name."""
    labels: dict[str, str] = dict(sorted((item.pref or {}).items()))
    for tag, text in item.names:
        labels.setdefault(tag, text)
    return labels


DOCUMENTS_PER_INSERT = 2_000  # documents written to the index at a time


# The tables the store's answers are parked in (eulod.core.staging.Table).
PARKED: tuple[Table, ...] = (
    ("entity", "iri, kind", "iri", None, _entities),
    ("fact", "entity, fact, value, lang", None, "entity, fact, value, lang", _facts),
    ("text", "entity, rank, tag, text, field", None, "entity, rank, tag, text, field", _texts),
    ("member", "project, organisation", "project, organisation", None, members),
)
DISTINCT = True  # finish_tables makes the facts and texts distinct, whether one store gave them or many


def _park(scratch_db: sqlite3.Connection, store: Any) -> None:
    """Every search query's answer, into the scratch file, indexed for reading by entity.

    A build parks the answers of many small stores instead, each holding whole records
    (eulod/pipeline/spool_indexes.py): what records say of a shared organisation is then parked
    once per store naming it. The facts and texts are made distinct before they are read
    (:data:`DISTINCT`), so :func:`_documents` reads each once: a popular organisation's names
    would otherwise be joined to each of its memberships as many times."""
    create_tables(scratch_db, PARKED)
    fill_tables(scratch_db, PARKED, store)
    finish_tables(scratch_db, PARKED, DISTINCT)


def _documents(scratch_db: sqlite3.Connection, kind: str) -> Iterator[Document]:
    """The documents of ``kind``, in IRI order, read from the scratch file one entity at a time."""
    of_kind = "JOIN entity AS e ON e.iri = {} AND e.kind = ?"

    def rows(query: str) -> Iterator[tuple[str, list[tuple]]]:
        return grouped(scratch_db.execute(query, (kind,)))

    keys = (iri for (iri,) in scratch_db.execute("SELECT iri FROM entity WHERE kind = ? ORDER BY iri", (kind,)))
    streams = merged(
        keys,
        rows(f"SELECT f.entity, f.fact, f.value, f.lang FROM fact AS f {of_kind.format('f.entity')} "
             "WHERE f.fact != 'result' ORDER BY f.entity, f.fact, f.value, f.lang"),
        rows(f"SELECT t.entity, t.rank, t.tag, t.text, t.field FROM text AS t {of_kind.format('t.entity')} "
             "ORDER BY t.entity, t.rank, t.tag, t.text, t.field"),
        rows("SELECT r.entity, r.value, t.rank, t.tag, t.text "
             f"FROM (SELECT DISTINCT entity, value FROM fact WHERE fact = 'result') AS r {of_kind.format('r.entity')} "
             "JOIN text AS t ON t.entity = r.value WHERE NOT EXISTS (SELECT 1 FROM entity WHERE iri = r.value) "
             "ORDER BY r.entity, r.value, t.rank, t.tag, t.text"),
        rows(f"SELECT m.project, m.organisation, t.tag, t.text FROM member AS m {of_kind.format('m.project')} "
             "JOIN entity AS o ON o.iri = m.organisation JOIN text AS t ON t.entity = m.organisation "
             "WHERE t.field != 'body' ORDER BY m.project, m.organisation, t.rank, t.tag, t.text, t.field"))
    first = KIND_ROWIDS[kind][0]
    for position, (iri, (facts, texts, result_texts, partner_names)) in enumerate(streams, start=1):
        item = entity_item(kind, facts, texts, result_texts)
        names: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for organisation, tag, text in partner_names:
            names[organisation].append((tag, text))
        related = [text for organisation in sorted(names) for _, text in _unique(names[organisation])]
        yield Document.made(first + position * GAP, iri, item, related)


def write_search(store: Any, target: Path, generation: str = "") -> int:
    """Write the search index of every project and organisation in ``store`` to ``target``; returns how many.

    Written to a temporary file beside ``target`` and renamed, like the listing: a reader
    never opens half an index. ``store`` is anything with pyoxigraph's ``query``. The store's
    answers are parked in a scratch file (eulod.core.staging) and the documents written a
    few thousand at a time: memory does not grow with the data.
    """
    started = time.perf_counter()
    with scratch(target) as scratch_db:
        _park(scratch_db, store)
        return _write(scratch_db, target, generation, started, time.perf_counter() - started)


def write_parked_search(parked: Path, target: Path, generation: str = "",
                        stop: Callable[[], bool] | None = None, cache_kib: int = CACHE_KIB) -> int:
    """:func:`write_search` from rows already parked in the scratch file ``parked`` (by
    eulod.core.staging's :func:`create_tables`, :func:`fill_tables` of each part of the data and
    :func:`finish_tables` over :data:`PARKED`, with :data:`DISTINCT`), as a
    build reads them from the records' N-Triples while its store loads (eulod/pipeline/spool_indexes.py).
    ``parked`` is removed. ``stop`` is asked between batches of documents: once it answers true,
    :class:`eulod.core.staging.Stopped` is raised and no index is left (a build that failed meanwhile).
    ``cache_kib``: the page cache reading ``parked``."""
    started = time.perf_counter()
    with taken(parked, cache_kib) as scratch_db:
        return _write(scratch_db, target, generation, started, 0.0, stop)


def _write(scratch_db: sqlite3.Connection, target: Path, generation: str, started: float, read: float,
           stop: Callable[[], bool] | None = None) -> int:
    """The index file from the parked rows; see :func:`write_search`."""
    seen_languages: set[str] = set()
    count = 0
    with written_whole(target, SCHEMA) as db:
        for kind in KINDS:
            documents = _documents(scratch_db, kind)
            while batch := list(itertools.islice(documents, DOCUMENTS_PER_INSERT)):
                if stop is not None and stop():
                    raise Stopped(f"stopped after {count} documents")
                insert_documents(db, batch)
                for document in batch:
                    seen_languages.update(document.languages)
                count += len(batch)
        db.execute("INSERT INTO doc (doc) VALUES ('optimize')")
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", FORMAT), ("generation", generation), ("software", writer()),
            ("languages", _json(sorted(seen_languages))), ("tokenizer", TOKENIZER),
            ("kinds", _json(KIND_ROWIDS))])
    log.info("wrote the search index of %d projects and organisations in %.2f s (%.2f s reading the store)",
             count, time.perf_counter() - started, read)
    return count


@dataclass(frozen=True)
class Document:
    """One project's or organisation's rows: its ``entity`` row and the FTS5 columns of its document."""

    entity: tuple
    columns: tuple[str, ...]
    languages: frozenset[str]

    @property
    def id(self) -> int:
        return self.entity[0]

    @classmethod
    def of(cls, id_: int, iri: str, item: _Entity, names_of: dict[str, list[tuple[str, str]]],
           members: dict[str, list[str]]) -> "Document":
        """The rows of ``iri`` as ``_read`` gave it (``names_of``: every entity's names, for the partners')."""
        # Partners in IRI order, not in the order of a join's answer, which may differ from one
        # store to another: the document is then the same however it is read.
        related = [text for organisation in sorted(set(members.get(iri, ())))
                   for _, text in names_of.get(organisation, ())]
        return cls.made(id_, iri, item, related)

    @classmethod
    def made(cls, id_: int, iri: str, item: _Entity, related: list[str]) -> "Document":
        """The rows of ``iri``, ``related`` the names of its partners (each partner's, partners in IRI order)."""
        names = _unique(item.names)
        body = _unique(item.body)
        tags = {primary(tag) for tag, _ in names + body + item.cities if tag}
        related = related + [city for _, city in item.cities]
        descriptions: dict[str, str] = {}
        for tag, text in body:
            descriptions.setdefault(tag, text[:DESCRIPTION_KEPT])
        return cls((id_, iri, item.kind, _json(_labels(item)), _json(names), _json(sorted(set(item.identifiers))),
                    item.country, _json(_unique(item.cities)), _json(descriptions)),
                   ("\n".join(text for _, text in names) + "\n" + " ".join(sorted(item.identifiers)),
                    "\n".join(text for _, text in body),
                    "\n".join(dict.fromkeys(related)),
                    "\n".join(stemmed(text, tag) for tag, text in names),
                    "\n".join(stemmed(text, tag) for tag, text in body),
                    " ".join(sorted(tags))),
                   frozenset(tags))


def insert_documents(db: sqlite3.Connection, documents: list[Document]) -> None:
    db.executemany("INSERT INTO entity VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (d.entity for d in documents))
    db.executemany(f"INSERT INTO doc (rowid, {', '.join(name for name, _ in COLUMNS)}) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", ((d.id, *d.columns) for d in documents))


def _unique(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return list(dict.fromkeys(pairs))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
