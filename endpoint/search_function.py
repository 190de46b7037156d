"""``eulod:search``, the SPARQL function that joins full-text search with graph patterns.

    SELECT ?project ?score WHERE {
      ?project a eulod:Project ; eulod:programme ?programme .
      BIND(eulod:search(?project, "soil health") AS ?score)
      FILTER(BOUND(?score))
    } ORDER BY DESC(?score)

``eulod:search(?entity, "words")`` (optionally a third argument, a language tag that keeps
entities with text in that language) is the entity's relevance (bm25, ``xsd:double``,
always positive, so ``FILTER(eulod:search(?p, "soil"))`` keeps the matches) when the project
or organisation matches every word as the search API matches it (eulod.core.search), and
an error (so unbound in a BIND, false in a FILTER) when it does not.

It runs inside the query processes (executor.py), which may read files but not open
sockets (sandbox.py): it reads the generation's ``search.sqlite`` (the path comes with the
job). The engine calls it once per solution, so the first call for a question ranks every
match once and keeps them (a few questions per process, least recently used dropped); each
further call is a dictionary look-up.
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable

import pyoxigraph as ox

from eulod.core import search
from eulod.core.namespaces import ONTOLOGY_IRI

FUNCTION_IRI = ONTOLOGY_IRI + "#search"
QUESTIONS_KEPT = 16


class SearchFunction:
    """The function over one search file, opened on first call (a query that never calls it opens nothing)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._languages: tuple[str, ...] = ()
        self._answers: OrderedDict[tuple[str, str], dict[str, float]] = OrderedDict()

    def __call__(self, entity: Any, words: Any, lang: Any = None) -> ox.Literal | None:
        if not isinstance(entity, ox.NamedNode) or not isinstance(words, ox.Literal):
            return None
        tag = lang.value if isinstance(lang, ox.Literal) else ""
        scores = self._scores(words.value, tag)
        score = scores.get(entity.value)
        return None if score is None else ox.Literal(score)

    def _scores(self, words: str, tag: str) -> dict[str, float]:
        key = (words, tag)
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
            return found
        db = self._open()
        asked = search.question(words, self._languages, lang=tag or None)
        found = {iri: score for iri, _, score in search.ranked(db, asked)}
        self._answers[key] = found
        while len(self._answers) > QUESTIONS_KEPT:
            self._answers.popitem(last=False)
        return found

    def _open(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
            self._languages = search.languages(self._db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def unavailable(entity: Any, words: Any, lang: Any = None) -> None:
    """Without a search file (none built yet for this generation) nothing matches."""
    return None


def functions(path: str, kept: dict[str, SearchFunction]) -> dict[ox.NamedNode, Callable[..., Any]]:
    """The custom functions for a job whose generation's search file is ``path`` ('' when there is none).

    ``kept`` holds the one open function of the process, replaced when the path changes.
    """
    if not path:
        return {ox.NamedNode(FUNCTION_IRI): unavailable}
    function = kept.get(path)
    if function is None:
        for old in kept.values():
            old.close()
        kept.clear()
        function = kept[path] = SearchFunction(path)
    return {ox.NamedNode(FUNCTION_IRI): function}
