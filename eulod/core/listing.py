"""The home page's listing of projects, computed once per generation into a SQLite file.

The home page lists, filters, pages and charts every project. Read from the store, that
listing costs a minute per server process at 100 000 projects (the rows' terms crossing
into Python, not the queries) and a few hundred megabytes in each process. Its content
changes only when the data does, so the build writes it beside the store as
``listing.sqlite``: one row per project, the project-country pairs the country filter
needs, and the two aggregates behind the charts. Server processes open the file read-only
and ask it for one page at a time; its pages live in the system's page cache, shared by
every process, instead of in each process's heap.

SQLite rather than more RDF: the listing is a table queried by position and filter, its
file is a single immutable artefact of the generation (like the dumps), and Python reads
it with its standard library.

A store without such a file (a remote store, or a generation built by an older eulod) gets
the same file written from the store on first need (:func:`write_listing` takes any
object with pyoxigraph's ``query``), so there is one reader and one definition.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from eulod.core.iris import last_segment
from eulod.core.queryfiles import stored_query
from eulod.core.sqlitefiles import written_whole
from eulod.core.years import DATE_PICK, project_years

log = logging.getLogger(__name__)

FORMAT = "1"  # bumped when the schema changes; a reader ignores a file of another format (endpoint.listing)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE project (
    id INTEGER PRIMARY KEY,          -- a position, stable within this file only
    iri TEXT NOT NULL UNIQUE,
    programme TEXT,                  -- programme IRI
    start TEXT,                      -- ISO date as stated (day, month or year precision)
    end TEXT,
    first_year INTEGER,              -- eulod.core.years.project_years
    last_year INTEGER,
    partners INTEGER NOT NULL,       -- distinct organisations taking part
    countries TEXT NOT NULL          -- partner country IRIs, space-separated, sorted
);
CREATE TABLE title (
    project INTEGER NOT NULL REFERENCES project (id),
    position INTEGER NOT NULL,       -- order the store gave the titles in (the fallback title is the first)
    lang TEXT NOT NULL,              -- language tag, '' for none
    title TEXT NOT NULL,
    PRIMARY KEY (project, position)
) WITHOUT ROWID;
CREATE TABLE project_country (
    country TEXT NOT NULL,
    project INTEGER NOT NULL REFERENCES project (id),
    PRIMARY KEY (country, project)
) WITHOUT ROWID;
CREATE TABLE funding (               -- EU contribution per programme and currency (never added across currencies)
    programme TEXT NOT NULL,         -- '' for projects without a programme
    currency TEXT NOT NULL,          -- ISO 4217 code
    amount TEXT NOT NULL,            -- decimal, exact
    PRIMARY KEY (programme, currency)
);
CREATE TABLE participations (        -- organisations taking part, counted per project, per country
    country TEXT PRIMARY KEY,
    count INTEGER NOT NULL
);
"""
INDEXES = """
CREATE INDEX project_years ON project (first_year, last_year);
CREATE INDEX project_programme ON project (programme);
"""


def _run(store: Any, name: str) -> Iterator[Any]:
    """The solutions of a stored query over the whole data set, in pages when the store caps answers.

    A remote store refuses an answer of as many rows as its cap (eulod.core.remote.store.RemoteStore,
    ``max_rows``), and a listing query has a row per project or participation: there it is
    asked a page at a time (:func:`paged`).
    """
    text = stored_query(__package__, name)
    cap = getattr(store, "max_rows", None)
    if not cap:
        yield from store.query(text, use_default_graph_as_union=True)
        return
    yield from paged(store, text, max(2, cap - 1))


def paged(store: Any, text: str, size: int) -> Iterator[Any]:
    """The solutions of a SELECT query ``text``, at most ``size`` per request, none twice or missed.

    Pages are cut by the value of the query's first variable (keyset paging: each page asks
    for the values after the last one read, ordered by that value), never by OFFSET:
    Virtuoso refuses ORDER BY with an OFFSET + LIMIT beyond its MaxSortedTopRows (10 000 by
    default), and OFFSET without ORDER BY is not stable. A page that is full may end inside
    one value's rows, so those rows are asked again with the next page. The first variable
    must always be bound, and no single value may have ``size`` rows or more.
    """
    first = ox.Store().query(text).variables[0]
    key, name = str(first), first.value
    at = next((i for i, line in enumerate(text.splitlines()) if line.lstrip().upper().startswith("SELECT")), None)
    if at is None:
        raise ValueError("paged() needs a SELECT query whose SELECT starts a line")
    lines = text.splitlines()
    prologue, body = "\n".join(lines[:at]), "\n".join(lines[at:])
    after: str | None = None
    while True:
        condition = f"FILTER(STR({key}) > {ox.Literal(after)})" if after is not None else ""
        rows = list(store.query(f"{prologue}\nSELECT * WHERE {{ {{ {body}\n }} {condition} }} "
                                f"ORDER BY STR({key}) LIMIT {size}", use_default_graph_as_union=True))
        if len(rows) < size:
            yield from rows
            return
        last = rows[-1][name].value
        complete = [row for row in rows if row[name].value != last]
        if not complete:
            raise ValueError(f"{size} rows or more for {key} = {last}: more than one answer may carry")
        yield from complete
        after = complete[-1][name].value


def _read_projects(store: Any) -> dict[str, dict[str, Any]]:
    """Per project: titles by language, programme, dates, duration, EU contribution."""
    projects: dict[str, dict[str, Any]] = {row["project"].value: {"titles": {}}
                                           for row in _run(store, "listing-projects.rq")}
    for row in _run(store, "listing-titles.rq"):
        item = projects.get(row["project"].value)
        if item is not None:
            title = row["title"]
            item["titles"].setdefault(title.language or "", title.value)
    for row in _run(store, "listing-facts.rq"):
        item = projects.get(row["project"].value)
        if item is None:
            continue
        fact, value = row["fact"].value, row["value"].value
        if fact == "months":
            if value.isdigit():
                item["months"] = int(value)
        elif fact in item and fact in DATE_PICK:  # several dates stated: the ones eulod:activeInYear uses
            item[fact] = DATE_PICK[fact](item[fact], value)
        else:
            item[fact] = value
    for row in _run(store, "listing-eu.rq"):
        item = projects.get(row["project"].value)
        if item is not None:
            item["eu"] = {last_segment(row["currency"].value): Decimal(row["eu"].value)}
    for row in _run(store, "listing-partner-funding.rq"):
        item = projects.get(row["project"].value)
        if item is not None and "eu" not in item and row["total"]:
            item.setdefault("partner_eu", {})[last_segment(row["currency"].value)] = Decimal(row["total"].value)
    return projects


def _read_partners(store: Any) -> tuple[dict[str, tuple[int, list[str]]], Counter[str]]:
    """Per project: how many organisations take part and their countries; per country: its participations.

    A participation of a country counts each organisation once per project.
    """
    shared: dict[str, str] = {}  # one copy of each organisation's IRI, however many projects it is in
    members: dict[str, set[str]] = defaultdict(set)
    for row in _run(store, "listing-members.rq"):
        organisation = row["organisation"].value
        members[row["project"].value].add(shared.setdefault(organisation, organisation))
    located = {row["organisation"].value: row["country"].value for row in _run(store, "listing-countries.rq")}
    partners: dict[str, tuple[int, list[str]]] = {}
    participations: Counter[str] = Counter()
    for project, organisations in members.items():
        countries = [located[o] for o in organisations if o in located]
        participations.update(countries)
        partners[project] = (len(organisations), sorted(set(countries)))
    return partners, participations


def write_listing(store: Any, target: Path, current_year: int, generation: str = "") -> int:
    """Write the listing of every project in ``store`` to ``target``; returns how many projects.

    Written to a temporary file beside ``target`` and renamed: a reader never opens half a
    listing, and a failed write leaves no file. ``current_year`` ends the years of projects
    that state no end (as in the build's summaries).
    """
    started = time.perf_counter()
    projects = _read_projects(store)
    partners, participations = _read_partners(store)
    with written_whole(target, SCHEMA) as db:
        funding = _write_projects(db, projects, partners, current_year)
        db.executemany("INSERT INTO funding VALUES (?, ?, ?)",
                       ((p, c, str(v)) for (p, c), v in sorted(funding.items()) if v))
        db.executemany("INSERT INTO participations VALUES (?, ?)", sorted(participations.items()))
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("format", FORMAT), ("generation", generation), ("current_year", str(current_year))])
        db.executescript(INDEXES)
        count = db.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    log.info("wrote the home page listing of %d projects in %.2f s", count, time.perf_counter() - started)
    return count


def _write_projects(db: sqlite3.Connection, projects: dict[str, dict[str, Any]],
                    partners: dict[str, tuple[int, list[str]]], current_year: int) -> dict[tuple[str, str], Decimal]:
    """Insert one row per project (in IRI order, so a file is the same for the same data); returns the funding sums."""
    funding: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    rows: list[tuple] = []
    titles: list[tuple] = []
    places: list[tuple] = []
    for position, iri in enumerate(sorted(projects)):
        item = projects[iri]
        # The stated total, else the sum the partners state.
        for currency, amount in (item.get("eu") or item.get("partner_eu") or {}).items():
            funding[(item.get("programme") or "", currency)] += amount
        count, countries = partners.get(iri, (0, []))  # countries sorted, each once (_read_partners)
        years = project_years(item.get("start"), item.get("end"), item.get("months"), current_year)
        rows.append((position, iri, item.get("programme"), item.get("start"), item.get("end"),
                     years[0] if years else None, years[-1] if years else None, count, " ".join(countries)))
        titles.extend((position, n, lang, text) for n, (lang, text) in enumerate(item["titles"].items()))
        places.extend((country, position) for country in countries)
    db.executemany("INSERT INTO project VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO title VALUES (?, ?, ?, ?)", titles)
    db.executemany("INSERT INTO project_country VALUES (?, ?)", sorted(places))
    return funding
