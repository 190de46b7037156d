"""The home page's listing as one server process reads it: the generation's ``listing.sqlite``.

The build writes the listing once (:mod:`eulod.core.listing`); each process opens the file
read-only and asks it for the projects of one page, so a process keeps only what depends
on the reader's language: the order of the titles (4 bytes per project) and the filtered
orderings recently asked for. A store without the file (a remote store, a generation
built before the file existed) gets it written from the store into a temporary file on
first need, which is what the warm-up below does ahead of the first visitor.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from array import array
from collections import Counter, OrderedDict
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple

from eulod.core.generation import LISTING
from eulod.core.listing import FORMAT, write_listing
from eulod.core.memory import release_freed_memory

from .i18n import in_language

log = logging.getLogger(__name__)

LISTING_CACHE = "eulod_listing"  # key of the per-process cache in app.extensions
FILTERED_KEPT = 32  # filtered orderings kept per generation; each is 4 bytes per matching project

# A project's title as Row.title (i18n.in_language) picks it, to order the list by.
TITLE_IN = """
SELECT p.id, p.iri, COALESCE(
    (SELECT title FROM title WHERE project = p.id AND lang = ?1),
    (SELECT title FROM title WHERE project = p.id AND lang = 'en'),
    (SELECT title FROM title WHERE project = p.id AND lang = ''),
    (SELECT title FROM title WHERE project = p.id ORDER BY position LIMIT 1),
    p.iri)
FROM project AS p
"""


class Row(NamedTuple):
    """One project as the home page lists it: strings and small numbers only."""

    iri: str
    titles: tuple[tuple[str, str], ...]  # (language tag, title) in the order the store gave them
    programme: str | None
    start: str | None
    end: str | None
    years: tuple[int, int] | None  # first and last calendar year the project runs in
    partners: int  # distinct organisations taking part
    countries: tuple[str, ...]  # country IRIs of the partners

    def title(self, lang: str) -> str:
        return in_language(dict(self.titles), lang, default=self.iri)


class Filter(NamedTuple):
    """Which projects a filtered list keeps; ``None`` leaves a dimension open."""

    programmes: frozenset[str] | None = None  # programme IRIs: a project of any of them passes
    country: str | None = None  # country IRI of one of the partners
    year: int | None = None  # a calendar year the project runs in
    nothing: bool = False  # a filter value that can match no project (e.g. a year that is no number)

    @property
    def open(self) -> bool:
        return self == Filter()


class Listing:
    """One generation's listing file, opened read-only; safe to share between threads.

    One connection behind a lock: each question is a millisecond or two, and SQLite's
    page cache is then shared by the threads instead of kept per connection.
    """

    def __init__(self, path: Path, generation: str) -> None:
        self.generation = generation
        self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True,
                                   check_same_thread=False)
        self._lock = threading.RLock()
        meta = dict(self._all("SELECT key, value FROM meta"))
        if meta.get("format") != FORMAT:
            self._db.close()
            raise OutdatedListing(f"{path}: listing format {meta.get('format')!r}, this eulod reads {FORMAT!r}")
        self.total: int = self._all("SELECT COUNT(*) FROM project")[0][0]
        self.countries = frozenset(c for (c,) in self._all("SELECT DISTINCT country FROM project_country"))
        self.programmes = frozenset(p for (p,) in self._all("SELECT DISTINCT programme FROM project WHERE programme IS NOT NULL"))
        self.year_spans = frozenset(self._all(
            "SELECT DISTINCT first_year, last_year FROM project WHERE first_year IS NOT NULL"))
        self.funding = {(p, c): Decimal(v) for p, c, v in self._all("SELECT programme, currency, amount FROM funding")}
        self.participations = Counter(dict(self._all("SELECT country, count FROM participations")))
        # Every stated start and end (a few thousand distinct values): the catalogue's period.
        self.starts = frozenset(d for (d,) in self._all("SELECT DISTINCT start FROM project WHERE start IS NOT NULL"))
        self.ends = frozenset(d for (d,) in self._all("SELECT DISTINCT end FROM project WHERE end IS NOT NULL"))
        self._memo: dict[Any, Any] = {}
        self._filtered: OrderedDict[tuple[str, Filter], array] = OrderedDict()

    def _all(self, sql: str, parameters: tuple | list = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def memo(self, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` once per listing and key: what a page derives from the listing per language."""
        found = self._memo.get(key)
        if found is None:
            with self._lock:
                found = self._memo.get(key)
                if found is None:
                    found = self._memo[key] = make()
        return found

    def order(self, lang: str) -> array:
        """Every project's id, ordered by its title in ``lang`` (else English, else its first), case-folded."""
        def make() -> array:
            keys = sorted(((title.lower(), iri, id_) for id_, iri, title in self._all(TITLE_IN, (lang,))))
            return array("I", (id_ for _, _, id_ in keys))

        return self.memo(("order", lang), make)

    def rank(self, lang: str) -> array:
        """Each project's position in :meth:`order`, by id: to put any set of projects in title order."""
        def make() -> array:
            order = self.order(lang)
            ranks = array("I", bytes(4 * (max(order, default=-1) + 1)))
            for position, id_ in enumerate(order):
                ranks[id_] = position
            return ranks

        return self.memo(("rank", lang), make)

    def organisation_projects(self, iri: str, lang: str) -> array:
        """The ids of the projects the organisation ``iri`` takes part in, in ``lang``'s title order."""
        ids = [p for (p,) in self._all("SELECT m.project FROM organisation AS o JOIN membership AS m "
                                       "ON m.organisation = o.id WHERE o.iri = ?", (iri,))]
        return array("I", sorted(ids, key=self.rank(lang).__getitem__))

    def amounts(self, ids: array | list[int]) -> dict[int, dict[str, tuple[str, Decimal]]]:
        """The totals the projects ``ids`` state: by id, by kind (``totalCost``...), currency and amount."""
        found: dict[int, dict[str, tuple[str, Decimal]]] = {}
        ids = list(ids)
        for project, kind, currency, amount in self._all(
                f"SELECT project, kind, currency, amount FROM project_amount WHERE project IN ({', '.join('?' * len(ids))})",
                ids):
            found.setdefault(project, {})[kind] = (currency, Decimal(amount))
        return found

    def programme_amounts(self, programmes: frozenset[str]) -> dict[str, dict[str, Decimal]]:
        """The totals the projects of ``programmes`` state, summed by kind and currency."""
        sums: dict[str, dict[str, Decimal]] = {}
        marks = ", ".join("?" * len(programmes))
        for kind, currency, amount in self._all(
                f"SELECT kind, currency, amount FROM programme_amount WHERE programme IN ({marks})", sorted(programmes)):
            by_currency = sums.setdefault(kind, {})
            by_currency[currency] = by_currency.get(currency, Decimal()) + Decimal(amount)
        return sums

    def matching(self, lang: str, wanted: Filter) -> array:
        """The ids of the projects that pass ``wanted``, in ``lang``'s title order."""
        order = self.order(lang)
        if wanted.open:
            return order
        key = (lang, wanted)
        with self._lock:
            found = self._filtered.get(key)
            if found is not None:
                self._filtered.move_to_end(key)
                return found
        kept = self._ids(wanted)
        found = array("I", (i for i in order if i in kept))
        with self._lock:
            self._filtered[key] = found
            while len(self._filtered) > FILTERED_KEPT:
                self._filtered.popitem(last=False)
        return found

    def among(self, iris: list[str], wanted: Filter) -> array:
        """The ids of the projects ``iris`` (a search's answer, best first) that pass ``wanted``, in that order."""
        ids = [i for (i,) in self._all("SELECT p.id FROM json_each(?) AS j JOIN project AS p ON p.iri = j.value "
                                       "ORDER BY j.key", (json.dumps(iris),))]
        if not wanted.open:
            kept = self._ids(wanted)
            ids = [i for i in ids if i in kept]
        return array("I", ids)

    def _ids(self, wanted: Filter) -> set[int]:
        if wanted.nothing or wanted.programmes == frozenset():
            return set()
        clauses, parameters = [], []
        if wanted.programmes is not None:
            clauses.append(f"programme IN ({', '.join('?' * len(wanted.programmes))})")
            parameters.extend(sorted(wanted.programmes))
        if wanted.country is not None:
            clauses.append("id IN (SELECT project FROM project_country WHERE country = ?)")
            parameters.append(wanted.country)
        if wanted.year is not None:
            clauses.append("first_year <= ? AND last_year >= ?")
            parameters.extend((wanted.year, wanted.year))
        return {i for (i,) in self._all("SELECT id FROM project WHERE " + " AND ".join(clauses), parameters)}

    def rows(self, ids: array | list[int]) -> list[Row]:
        """The projects ``ids`` (one page), in that order."""
        ids = list(ids)
        if not ids:
            return []
        marks = ", ".join("?" * len(ids))
        titles: dict[int, list[tuple[str, str]]] = {}
        for project, lang, title in self._all(
                f"SELECT project, lang, title FROM title WHERE project IN ({marks}) ORDER BY project, position", ids):
            titles.setdefault(project, []).append((lang, title))
        found = {}
        for id_, iri, programme, start, end, first, last, partners, countries in self._all(
                f"SELECT id, iri, programme, start, end, first_year, last_year, partners, countries "
                f"FROM project WHERE id IN ({marks})", ids):
            found[id_] = Row(iri, tuple(titles.get(id_, ())), programme, start, end,
                             (first, last) if first is not None else None, partners,
                             tuple(countries.split()))
        return [found[i] for i in ids]


class OutdatedListing(RuntimeError):
    """A listing file in a format this eulod does not read (written by another version)."""


def open_listing(handle: Any, reason: str) -> Listing:
    """The current generation's listing: its file, else one written now from the store.

    ``reason`` (``warm-up`` or ``first request``) goes into the log line, so an operator
    sees whether a visitor waited.
    """
    started = time.monotonic()
    generation = handle.generation
    listing = None
    if generation.listing_path.is_file():
        try:
            listing = Listing(generation.listing_path, generation.id)
        except (OutdatedListing, sqlite3.DatabaseError) as problem:
            log.warning("home page: not using %s (%s); reading the listing from the store", generation.listing_path, problem)
    if listing is None:
        listing = _listing_from_store(handle, generation.id)
    log.info("home page: %d projects of generation %s read in %.1f s (%s)",
             listing.total, generation.id, time.monotonic() - started, reason)
    return listing


def _listing_from_store(handle: Any, generation: str) -> Listing:
    """Write the listing from the store into a temporary file, open it, and unlink the name.

    The open file lives on until this process lets the listing go; nothing is left behind
    in the temporary folder, even if the process is killed after this returns.
    """
    manifest = handle.manifest
    built = str(manifest.get("built", ""))[:4]
    year = int(built) if built.isdigit() else datetime.now(timezone.utc).year
    folder = Path(tempfile.mkdtemp(prefix="eulod-listing-"))
    path = folder / LISTING
    try:
        write_listing(handle.store, path, year, generation)
        return Listing(path, generation)
    finally:
        path.unlink(missing_ok=True)
        os.rmdir(folder)
        release_freed_memory()  # the reading's rows and dictionaries are garbage now


class ListingCache:
    """The current generation's :class:`Listing` in this server process, opened once.

    The lock makes concurrent first requests wait for one opening (or, without a listing
    file, one reading of the store) instead of each doing its own.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listing: Listing | None = None

    def get(self, handle: Any, reason: str = "first request") -> Listing:
        generation = handle.generation.id
        listing = self._listing
        if listing is not None and listing.generation == generation:
            return listing
        with self._lock:
            listing = self._listing
            if listing is None or listing.generation != generation:
                self._listing = None  # let the previous generation's go before reading the next
                listing = self._listing = open_listing(handle, reason)
        return listing

    def holds(self, generation: str) -> bool:
        """Whether the listing of ``generation`` is open already (no waiting, no reading)."""
        listing = self._listing
        return listing is not None and listing.generation == generation


def listing_cache(app: Any) -> ListingCache:
    """The app's (so this server process's) one :class:`ListingCache`."""
    return app.extensions.setdefault(LISTING_CACHE, ListingCache())
