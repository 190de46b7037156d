"""The search index as one server process reads it: the generation's ``search.sqlite``.

The build writes the index (:mod:`eulod.core.search`); each process opens the file
read-only, immutable, so its pages are shared through the system's page cache. A
generation without the file (a remote store, or one built before the file existed) gets it
written from the store on first need into a private temporary folder, which is kept while
that generation is served (the query processes open it by name for the SPARQL function)
and removed when the next generation is opened or the process ends.
"""

from __future__ import annotations

import atexit
import json
import logging
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eulod.core import search
from eulod.core.generation import SEARCH

log = logging.getLogger(__name__)

SEARCH_CACHE = "eulod_search"  # key of the per-process cache in app.extensions
RANKED_KEPT = 64  # ranked answers kept per generation (the home page pages through them)
MAX_RANKED = 100_000  # a home-page question ranks at most this many projects


class OutdatedIndex(RuntimeError):
    """A search file in a format this eulod does not read."""


@dataclass(frozen=True)
class Hit:
    """One search answer: the entity and what a client shows of it."""

    iri: str
    kind: str
    score: float
    labels: dict[str, str]
    descriptions: dict[str, str]


@dataclass(frozen=True)
class Entity:
    """What the reconciliation service compares a name with, and what its preview shows."""

    iri: str
    kind: str
    labels: dict[str, str]
    names: list[tuple[str, str]]
    identifiers: list[str]
    country: str | None
    cities: list[tuple[str, str]]
    descriptions: dict[str, str]


class SearchIndex:
    """One generation's search file, opened read-only; safe to share between threads."""

    def __init__(self, path: Path, generation: str) -> None:
        self.path = path
        self.generation = generation
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._lock = threading.RLock()
        meta = dict(self._all("SELECT key, value FROM meta"))
        if meta.get("format") != search.FORMAT:
            self._db.close()
            raise OutdatedIndex(f"{path}: search format {meta.get('format')!r}, this eulod reads {search.FORMAT!r}")
        self.languages: tuple[str, ...] = tuple(json.loads(meta.get("languages", "[]")))
        self._ranked: OrderedDict[tuple, list[tuple[str, str, float]]] = OrderedDict()

    def _all(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def question(self, text: str, kind: str | None = None, lang: str | None = None,
                 prefix: bool = False, any_word: bool = False) -> search.Question:
        return search.question(text, self.languages, kind, lang, prefix, any_word)

    def find(self, text: str, kind: str | None = None, lang: str | None = None, limit: int = 20,
             offset: int = 0, prefix: bool = False) -> tuple[int, list[Hit]]:
        """How many match, and one page of them, best first, with their labels and descriptions."""
        asked = self.question(text, kind, lang, prefix)
        with self._lock:
            total = search.count(self._db, asked)
            found = search.ranked(self._db, asked, limit, offset)
        details = self._details([iri for iri, _, _ in found])
        return total, [Hit(iri, kind_, round(score, 4), *details.get(iri, ({}, {}))) for iri, kind_, score in found]

    def ranked_iris(self, text: str, kind: str | None = None) -> list[str]:
        """The IRIs of everything matching, best first (kept: the home page pages through them)."""
        key = (text, kind)
        with self._lock:
            found = self._ranked.get(key)
            if found is None:
                found = search.ranked(self._db, self.question(text, kind), MAX_RANKED)
                self._ranked[key] = found
                while len(self._ranked) > RANKED_KEPT:
                    self._ranked.popitem(last=False)
            else:
                self._ranked.move_to_end(key)
        return [iri for iri, _, _ in found]

    def candidates(self, text: str, kind: str | None, limit: int, any_word: bool = False) -> list[tuple[str, float]]:
        """(IRI, score) of up to ``limit`` entities whose names match ``text``: all its words, or ``any_word``."""
        asked = self.question(text, kind, any_word=any_word)
        with self._lock:
            return [(iri, score) for iri, _, score in search.ranked(self._db, asked, limit)]

    def _details(self, iris: list[str]) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
        if not iris:
            return {}
        rows = self._all(f"SELECT iri, labels, descriptions FROM entity WHERE iri IN ({', '.join('?' * len(iris))})", iris)
        return {iri: (json.loads(labels), json.loads(descriptions)) for iri, labels, descriptions in rows}

    def entities(self, iris: list[str]) -> dict[str, Entity]:
        """Everything the index holds on ``iris`` (those it does not know are left out)."""
        found: dict[str, Entity] = {}
        for start in range(0, len(iris), 500):
            chunk = iris[start:start + 500]
            for row in self._all("SELECT iri, kind, labels, names, identifiers, country, cities, descriptions "
                                 f"FROM entity WHERE iri IN ({', '.join('?' * len(chunk))})", chunk):
                iri, kind, labels, names, identifiers, country, cities, descriptions = row
                found[iri] = Entity(iri, kind, json.loads(labels), [tuple(n) for n in json.loads(names)],
                                    json.loads(identifiers), country, [tuple(c) for c in json.loads(cities)],
                                    json.loads(descriptions))
        return found

    def by_identifier(self, value: str) -> list[str]:
        """IRIs of the entities with ``value`` as an identifier's notation or an owl:sameAs IRI, or as IRI."""
        rows = self._all("SELECT e.iri FROM entity AS e, json_each(e.identifiers) AS i WHERE i.value = ? "
                         "UNION SELECT iri FROM entity WHERE iri = ?", (value, value))
        return [iri for (iri,) in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()


def open_index(handle: Any, reason: str) -> tuple[SearchIndex, Path | None]:
    """The current generation's index, and the temporary folder holding it when it was written here."""
    started = time.monotonic()
    generation = handle.generation
    if generation.search_path.is_file():
        try:
            return SearchIndex(generation.search_path, generation.id), None
        except (OutdatedIndex, sqlite3.DatabaseError) as problem:
            log.warning("search: not using %s (%s); indexing the store", generation.search_path, problem)
    folder = Path(tempfile.mkdtemp(prefix="eulod-search-"))
    try:
        search.write_search(handle.store, folder / SEARCH, generation.id)
        index = SearchIndex(folder / SEARCH, generation.id)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    atexit.register(shutil.rmtree, folder, True)
    log.info("search: indexed generation %s from the store in %.1f s (%s)", generation.id,
             time.monotonic() - started, reason)
    return index, folder


class SearchCache:
    """The current generation's :class:`SearchIndex` in this server process, opened once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._index: SearchIndex | None = None
        self._folder: Path | None = None

    def get(self, handle: Any, reason: str = "first request") -> SearchIndex:
        generation = handle.generation.id
        index = self._index
        if index is not None and index.generation == generation:
            return index
        with self._lock:
            index = self._index
            if index is None or index.generation != generation:
                self._release()
                index, self._folder = open_index(handle, reason)
                self._index = index
        return index

    def path_if_ready(self, handle: Any) -> str:
        """The file of the current generation's index when it exists now (never waits): for query processes."""
        generation = handle.generation
        if generation.search_path.is_file():
            return str(generation.search_path)
        index = self._index
        return str(index.path) if index is not None and index.generation == generation.id else ""

    def _release(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def search_cache(app: Any) -> SearchCache:
    """The app's (so this server process's) one :class:`SearchCache`."""
    return app.extensions.setdefault(SEARCH_CACHE, SearchCache())
