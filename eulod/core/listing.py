"""The home page's listing of projects, computed once per generation into a SQLite file.

The home page lists, filters, pages and charts every project. Read from the store, that
listing costs a minute per server process at 100 000 projects (the rows' terms crossing
into Python, not the queries) and a few hundred megabytes in each process. Its content
changes only when the data does, so the build writes it beside the store as
``listing.sqlite``: one row per project, the project-country pairs the country filter
needs, and the two aggregates behind the charts, with each project's part in them (so that
eulod/core/listing_update.py can rewrite the rows of a few changed projects and redo the
aggregates they are part of, without reading the whole store). Server processes open the file read-only
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

import itertools
import json
import logging
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, NamedTuple

import pyoxigraph as ox

from eulod.core.iris import last_segment
from eulod.core.queryfiles import stored_query
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
    opened,
    scratch,
    taken,
)
from eulod.core.years import DATE_PICK, project_years, stated_months

log = logging.getLogger(__name__)

FORMAT = "3"  # bumped when the schema changes; a reader ignores a file of another format (endpoint.listing)

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE project (
    id INTEGER PRIMARY KEY,          -- a handle within this file only (in IRI order when written whole)
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
    position INTEGER NOT NULL,       -- titles in order of language tag, then text (the fallback title is the first)
    lang TEXT NOT NULL,              -- language tag, '' for none
    title TEXT NOT NULL,
    PRIMARY KEY (project, position)
) WITHOUT ROWID;
CREATE TABLE project_country (
    country TEXT NOT NULL,
    project INTEGER NOT NULL REFERENCES project (id),
    organisations INTEGER NOT NULL,  -- the project's partners in that country (participations sums them)
    PRIMARY KEY (country, project)
) WITHOUT ROWID;
CREATE TABLE project_funding (       -- what each project adds to funding: its stated EU contribution, else
                                     -- its partners'
    project INTEGER NOT NULL REFERENCES project (id),
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,            -- decimal, exact, as stated or summed
    PRIMARY KEY (project, currency)
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
CREATE TABLE organisation (          -- the organisations taking part in listed projects
    id INTEGER PRIMARY KEY,          -- a handle within this file only (in IRI order when written whole)
    iri TEXT NOT NULL UNIQUE
);
CREATE TABLE membership (            -- which projects each organisation takes part in: its page's list
    organisation INTEGER NOT NULL REFERENCES organisation (id),
    project INTEGER NOT NULL REFERENCES project (id),
    PRIMARY KEY (organisation, project)
) WITHOUT ROWID;
CREATE TABLE project_amount (        -- the totals a project states, as stated (not its partners' sums)
    project INTEGER NOT NULL REFERENCES project (id),
    kind TEXT NOT NULL,              -- totalCost, euContribution or coFinancing (eulod properties)
    currency TEXT NOT NULL,          -- ISO 4217 code
    amount TEXT NOT NULL,            -- decimal, exact
    PRIMARY KEY (project, kind, currency)
) WITHOUT ROWID;
CREATE TABLE programme_amount (      -- those summed per programme, its own projects only (a programme
                                     -- page adds its narrower programmes' sums); never across currencies
    programme TEXT NOT NULL,         -- '' for projects without a programme
    kind TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount TEXT NOT NULL,
    PRIMARY KEY (programme, kind, currency)
);
"""
INDEXES = """
CREATE INDEX project_years ON project (first_year, last_year);
CREATE INDEX project_programme ON project (programme);
CREATE INDEX membership_project ON membership (project);
"""


def run_stored(store: Any, name: str, package: str | None = None) -> Iterator[Any]:
    """The solutions of a stored query over the whole data set, in pages when the store caps answers.

    A remote store refuses an answer of as many rows as its cap (eulod.core.remote.store.RemoteStore,
    ``max_rows``), and a listing or search query has a row per project or participation: there it
    is asked a page at a time (:func:`paged`). The listing's and the search index's readers share it.
    """
    text = stored_query(package or __package__, name)
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


def _projects(store: Any) -> Iterator[tuple[str]]:
    for row in run_stored(store, "listing-projects.rq"):
        yield (row["project"].value,)


def _titles(store: Any) -> Iterator[tuple[str, str, str]]:
    """(project, language tag or '', title)."""
    for row in run_stored(store, "listing-titles.rq"):
        title = row["title"]
        yield row["project"].value, title.language or "", title.value


def _facts(store: Any) -> Iterator[tuple[str, str, str]]:
    """(project, fact, value): programme, start, end, months."""
    for row in run_stored(store, "listing-facts.rq"):
        yield row["project"].value, row["fact"].value, row["value"].value


def _amounts(store: Any) -> Iterator[tuple[str, str, str, str]]:
    """(project, kind, currency code, amount) of the totals projects state."""
    for row in run_stored(store, "listing-amounts.rq"):
        yield (row["project"].value, row["kind"].value.rsplit("#", 1)[-1], last_segment(row["currency"].value),
               row["amount"].value)


def _partner_funding(store: Any) -> Iterator[tuple[str, str, str]]:
    """(project, currency code, sum) of the partners' EU contributions, for projects stating none."""
    for row in run_stored(store, "listing-partner-funding.rq"):
        if row["total"]:
            yield row["project"].value, last_segment(row["currency"].value), row["total"].value


def members(store: Any) -> Iterator[tuple[str, str]]:
    """(project, organisation) of every participation (the listing's and the search index's)."""
    for row in run_stored(store, "listing-members.rq"):
        yield row["project"].value, row["organisation"].value


def _members_located(store: Any) -> Iterator[tuple[str, str, str | None]]:
    """(project, organisation, its country IRI or None) of every participation, the country as ``store`` holds it."""
    for row in run_stored(store, "listing-members-located.rq"):
        located = row["located"]
        yield row["project"].value, row["organisation"].value, located.value if located is not None else None


def _countries(store: Any) -> Iterator[tuple[str, str]]:
    """(organisation, country IRI)."""
    for row in run_stored(store, "listing-countries.rq"):
        yield row["organisation"].value, row["country"].value


def project_item(titles: list[tuple[str, str]], facts: list[tuple[str, str]], amounts: list[tuple[str, str, str]],
                 partner_funding: list[tuple[str, str]]) -> dict[str, Any]:
    """One project's titles by language, programme, dates, duration and EU contribution, from its
    rows as :func:`_titles`, :func:`_facts`, :func:`_amounts` and :func:`_partner_funding` give
    them (without the project).

    Where a project states several values, the choice is made here from the values, not from
    the order of the store's answer (which differs from store to store; an incremental update
    reads a few projects from another store than the full write): titles in order of language
    and text, the first per language kept; the earliest start, latest end and longest duration
    (eulod:activeInYear's choice), else the greatest value.
    """
    item: dict[str, Any] = {"titles": {}}
    for lang, text in sorted(titles):
        item["titles"].setdefault(lang, text)
    months = stated_months(value for fact, value in facts if fact == "months")
    if months is not None:
        item["months"] = months
    for fact, value in sorted(facts):
        if fact == "months":
            continue
        if fact in item and fact in DATE_PICK:  # several dates stated: the ones eulod:activeInYear uses
            item[fact] = DATE_PICK[fact](item[fact], value)
        else:
            item[fact] = value
    kinds: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for kind, currency, amount in amounts:
        kinds[kind].append((currency, amount))
    if kinds:  # one per kind by the shapes; the greatest if not, whatever the order
        item["amounts"] = {kind: max(values) for kind, values in kinds.items()}
        if "euContribution" in kinds:
            currency, amount = item["amounts"]["euContribution"]
            item["eu"] = {currency: Decimal(amount)}
    if "eu" not in item:
        for currency, total in sorted(partner_funding):
            item.setdefault("partner_eu", {})[currency] = Decimal(total)
    return item


def _read_projects(store: Any) -> dict[str, dict[str, Any]]:
    """Per project, :func:`project_item`: for a small store (an incremental update's excerpt);
    :func:`write_listing` reads a whole store one project at a time instead."""
    projects = {iri for (iri,) in _projects(store)}
    parts: list[dict[str, list[tuple]]] = [defaultdict(list) for _ in range(4)]
    for n, rows in enumerate((_titles(store), _facts(store), _amounts(store), _partner_funding(store))):
        for project, *rest in rows:
            if project in projects:
                parts[n][project].append(tuple(rest))
    return {iri: project_item(*(part.get(iri, []) for part in parts)) for iri in projects}


class Partners(NamedTuple):
    """The organisations taking part in one project."""

    count: int
    located: Counter[str]  # how many of them per country
    organisations: tuple[str, ...]  # their IRIs, sorted


def project_partners(organisations: list[tuple[str, str | None]]) -> Partners:
    """One project's partners from (organisation, its country or None), each organisation once
    (a country's participations, summed over the projects, count each organisation once per project)."""
    located = dict(organisations)
    return Partners(len(located), Counter(country for country in located.values() if country is not None),
                    tuple(sorted(located)))


def _read_partners(store: Any) -> dict[str, Partners]:
    """Per project, :func:`project_partners`, for a small store (see :func:`_read_projects`)."""
    taking_part: dict[str, set[str]] = defaultdict(set)
    for project, organisation in members(store):
        taking_part[project].add(organisation)
    located: dict[str, str] = {}
    for organisation, country in _countries(store):  # one by the shapes; the greatest if not, whatever the order
        located[organisation] = max(located.get(organisation, ""), country)
    return {project: project_partners([(o, located.get(o)) for o in organisations])
            for project, organisations in taking_part.items()}


ROWS_PER_INSERT = 5_000  # projects whose rows are written to the listing at a time


# The tables the store's answers are parked in (eulod.core.staging.Table).
PARKED: tuple[Table, ...] = (
    ("project", "iri", "iri", None, _projects),
    ("title", "project, lang, text", None, "project, lang, text", _titles),
    ("fact", "project, fact, value", None, "project, fact, value", _facts),
    ("amount", "project, kind, currency, amount", None, "project", _amounts),
    ("partner_funding", "project, currency, total", None, "project", _partner_funding),
    ("member", "project, organisation, country", "project, organisation", "project, organisation, country",
     _members_located),
    ("located", "organisation, country", None, "organisation, country", _countries),
)


def _park(scratch_db: sqlite3.Connection, store: Any) -> None:
    """Every listing query's answer, into the scratch file, indexed for reading by project.

    A build parks the answers of many small stores instead, each holding whole records
    (eulod/pipeline/spool_indexes.py): a project's rows are then all in the store of its record,
    and an organisation's country, stated by every record naming it, is one row per store
    (:func:`_listed` takes the greatest, as for several countries in one store)."""
    create_tables(scratch_db, PARKED)
    fill_tables(scratch_db, PARKED, store)
    finish_tables(scratch_db, PARKED)


# Each participation with its organisation's country: the one its own part of the data stated, which is every
# part's unless the parts disagree (then the greatest of all, as for several countries in one store) or its part
# stated none (then another part's). Looking every organisation up in ``located`` instead read its pages at
# random: 1.7 s at 100 000 projects, 36 s at 1 000 000 (growth 2.1, bench/RESULTS.md).
_MEMBERS_LOCATED = (
    "SELECT m.project, m.organisation, CASE WHEN m.country IS NULL OR m.organisation IN "
    "(SELECT organisation FROM located GROUP BY organisation HAVING COUNT(DISTINCT country) > 1) "
    "THEN (SELECT MAX(country) FROM located AS l WHERE l.organisation = m.organisation) ELSE m.country END "
    "FROM member AS m ORDER BY m.project, m.organisation")


def _listed(scratch_db: sqlite3.Connection, current_year: int) -> Iterator[ProjectRows]:
    """Each project's rows in IRI order, read from the scratch file one project at a time."""
    def rows(query: str) -> Iterator[tuple[str, list[tuple]]]:
        return grouped(scratch_db.execute(query))

    keys = (iri for (iri,) in scratch_db.execute("SELECT iri FROM project ORDER BY iri"))
    for position, (iri, (titles, facts, amounts, funding, members)) in enumerate(merged(
            keys,
            rows("SELECT project, lang, text FROM title ORDER BY project, lang, text"),
            rows("SELECT project, fact, value FROM fact ORDER BY project, fact, value"),
            rows("SELECT project, kind, currency, amount FROM amount ORDER BY project"),
            rows("SELECT project, currency, total FROM partner_funding ORDER BY project"),
            rows(_MEMBERS_LOCATED))):
        partner = project_partners(members) if members else None
        yield project_rows(position, iri, project_item(titles, facts, amounts, funding), partner, current_year)


def write_listing(store: Any, target: Path, current_year: int, generation: str = "") -> int:
    """Write the listing of every project in ``store`` to ``target``; returns how many projects.

    Written to a temporary file beside ``target`` and renamed: a reader never opens half a
    listing, and a failed write leaves no file. ``current_year`` ends the years of projects
    that state no end (as in the build's summaries). The store's answers are parked in a
    scratch file (eulod.core.staging) and the rows written a few thousand projects at a
    time: memory does not grow with the number of projects.
    """
    started = time.perf_counter()
    with scratch(target) as scratch_db:
        _park(scratch_db, store)
        return _write(scratch_db, target, current_year, generation, started)


def write_parked_listing(parked: Path, target: Path, current_year: int, generation: str = "", *,
                         keep: bool = False, stop: Callable[[], bool] | None = None, cache_kib: int = CACHE_KIB) -> int:
    """:func:`write_listing` from rows already parked in the scratch file ``parked`` (by
    eulod.core.staging's :func:`create_tables`, :func:`fill_tables` of each part of the data and
    :func:`finish_tables` over :data:`PARKED`):
    what a build does when it reads them from the records' N-Triples while the store is loaded
    from them, instead of from the loaded store (eulod/pipeline/spool_indexes.py). ``parked``
    is removed, unless ``keep`` (another reader, a build's summaries, reads it meanwhile and
    removes it). ``stop`` is asked between groups of projects: once it answers true,
    :class:`eulod.core.staging.Stopped` is raised and no listing is left. ``cache_kib``: the page cache reading ``parked``."""
    started = time.perf_counter()
    with (opened if keep else taken)(parked, cache_kib) as scratch_db:
        return _write(scratch_db, target, current_year, generation, started, stop)


def _write(scratch_db: sqlite3.Connection, target: Path, current_year: int, generation: str, started: float,
           stop: Callable[[], bool] | None = None) -> int:
    """The listing file from the parked rows; see :func:`write_listing`."""
    with written_whole(target, SCHEMA) as db:
        # Organisations numbered in IRI order, before any project's rows name them.
        organisations = scratch_db.execute("SELECT DISTINCT m.organisation FROM member AS m "
                                           "JOIN project AS p ON p.iri = m.project ORDER BY 1")
        db.executemany("INSERT INTO organisation VALUES (?, ?)", enumerate(iri for (iri,) in organisations))
        funding: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        participations: Counter[str] = Counter()  # of the listed projects only
        sums: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
        listed = _listed(scratch_db, current_year)
        db.execute("CREATE TEMP TABLE member_iri (organisation TEXT NOT NULL, project INTEGER NOT NULL)")
        while rows := list(itertools.islice(listed, ROWS_PER_INSERT)):
            if stop is not None and stop():
                raise Stopped(f"stopped after {db.execute('SELECT COUNT(*) FROM project').fetchone()[0]} "
                                     "projects")
            insert_rows(db, rows, memberships=False)
            db.executemany("INSERT INTO temp.member_iri VALUES (?, ?)",
                           ((o, row.project[0]) for row in rows for o in row.organisations))
            for row in rows:
                for kind, currency, amount in row.stated:
                    sums[(row.project[2] or "", kind, currency)] += Decimal(amount)
                for currency, amount in row.amounts:
                    funding[(row.project[2] or "", currency)] += Decimal(amount)
                for country, _, organisations in row.places:
                    participations[country] += organisations
        db.executemany("INSERT INTO programme_amount VALUES (?, ?, ?, ?)",
                       ((*key, str(total)) for key, total in sorted(sums.items()) if total))
        db.executemany("INSERT INTO funding VALUES (?, ?, ?)",
                       ((p, c, str(v)) for (p, c), v in sorted(funding.items()) if v))
        db.executemany("INSERT INTO participations VALUES (?, ?)", sorted(participations.items()))
        db.executemany("INSERT INTO meta VALUES (?, ?)",
                       [("format", FORMAT), ("generation", generation), ("current_year", str(current_year)),
                        ("software", writer())])
        _memberships(db)
        db.executescript(INDEXES)
        count = db.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    log.info("wrote the home page listing of %d projects in %.2f s", count, time.perf_counter() - started)
    return count


class ProjectRows(NamedTuple):
    """The rows of one project in the listing's tables (``amounts``: what it adds to funding)."""

    project: tuple
    titles: list[tuple]
    places: list[tuple]
    amounts: list[tuple[str, str]]
    organisations: tuple[str, ...]  # IRIs of the organisations taking part
    stated: list[tuple[str, str, str]]  # (kind, currency, amount) of the totals the project states


def project_rows(position: int, iri: str, item: dict[str, Any], partner: Partners | None,
                 current_year: int) -> ProjectRows:
    """One project's rows, ``item`` as :func:`_read_projects` gives it and ``partner`` as :func:`_read_partners`."""
    count, located, organisations = partner or Partners(0, Counter(), ())
    countries = sorted(located)
    years = project_years(item.get("start"), item.get("end"), item.get("months"), current_year)
    # The stated total, else the sum the partners state.
    amounts = [(currency, str(amount)) for currency, amount in (item.get("eu") or item.get("partner_eu") or {}).items()]
    return ProjectRows(
        (position, iri, item.get("programme"), item.get("start"), item.get("end"),
         years[0] if years else None, years[-1] if years else None, count, " ".join(countries)),
        [(position, n, lang, text) for n, (lang, text) in enumerate(item["titles"].items())],
        [(country, position, located[country]) for country in countries],
        amounts,
        organisations,
        [(kind, currency, amount) for kind, (currency, amount) in sorted(item.get("amounts", {}).items())])


def _memberships(db: sqlite3.Connection) -> None:
    """The membership table from the (organisation IRI, project) rows a whole listing's write parked in
    ``temp.member_iri``: sorted once by IRI, then read beside the organisations, which are numbered in IRI
    order, and inserted in the table's own order. Looking each membership's organisation up and inserting
    it where it sorts, as an update does (:func:`insert_rows`), reads and writes pages at random: at 1 000 000
    projects (3.9 million memberships) most of them outside SQLite's cache."""
    db.execute("CREATE INDEX temp.member_iri_order ON member_iri (organisation, project)")
    db.execute("INSERT INTO membership SELECT o.id, m.project FROM organisation AS o "
               "CROSS JOIN temp.member_iri AS m ON m.organisation = o.iri")  # the temporary file goes with the connection


def insert_rows(db: sqlite3.Connection, rows: list[ProjectRows], memberships: bool = True) -> None:
    """The rows of a few thousand projects; their memberships too, unless ``memberships`` is false (a whole
    listing's write joins them once at the end: :func:`_memberships`)."""
    db.executemany("INSERT INTO project VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (row.project for row in rows))
    db.executemany("INSERT INTO title VALUES (?, ?, ?, ?)", (title for row in rows for title in row.titles))
    db.executemany("INSERT INTO project_country VALUES (?, ?, ?)",
                   sorted(place for row in rows for place in row.places))
    db.executemany("INSERT INTO project_funding VALUES (?, ?, ?)",
                   ((row.project[0], currency, amount) for row in rows for currency, amount in row.amounts))
    db.executemany("INSERT INTO project_amount VALUES (?, ?, ?, ?)",
                   ((row.project[0], *stated) for row in rows for stated in row.stated))
    if not memberships:
        return
    organisation_ids = _organisation_ids(db, {o for row in rows for o in row.organisations})
    db.executemany("INSERT INTO membership VALUES (?, ?)",
                   sorted((organisation_ids[o], row.project[0]) for row in rows for o in row.organisations))


def _organisation_ids(db: sqlite3.Connection, iris: set[str]) -> dict[str, int]:
    """The ids of the organisations ``iris``; those not yet in the file take the next free ids, in IRI order."""
    found = dict(db.execute("SELECT o.iri, o.id FROM json_each(?) AS j JOIN organisation AS o ON o.iri = j.value",
                            (json.dumps(sorted(iris)),)))
    (top,) = db.execute("SELECT COALESCE(MAX(id), -1) FROM organisation").fetchone()
    new = {iri: top + n for n, iri in enumerate(sorted(iris - found.keys()), start=1)}
    db.executemany("INSERT INTO organisation VALUES (?, ?)", ((id_, iri) for iri, id_ in new.items()))
    return found | new


def programme_amount_keys(row: ProjectRows) -> set[tuple[str, str, str]]:
    """The (programme, kind, currency) sums ``row``'s project is part of."""
    return {(row.project[2] or "", kind, currency) for kind, currency, _ in row.stated}


def resum(db: sqlite3.Connection, sums: str, parts: str, columns: tuple[str, ...], keys: set[tuple]) -> None:
    """Sum again, exactly, each (programme, *``columns``) in ``keys`` of the table ``sums`` from the
    projects' parts in ``parts`` (funding from project_funding, programme_amount from project_amount).
    A key's programme is None or '' for projects without one; a sum of nothing is no row."""
    match = " AND ".join(f"a.{column} = ?" for column in columns)
    same = " AND ".join(f"{column} = ?" for column in ("programme", *columns))
    marks = ", ".join("?" * (len(columns) + 2))
    for programme, *rest in sorted(keys, key=lambda key: (key[0] or "", *key[1:])):
        total = sum((Decimal(amount) for (amount,) in db.execute(
            f"SELECT a.amount FROM project AS p JOIN {parts} AS a ON a.project = p.id "
            f"WHERE p.programme IS ? AND {match}", (programme or None, *rest))), Decimal())
        db.execute(f"DELETE FROM {sums} WHERE {same}", (programme or "", *rest))
        if total:
            db.execute(f"INSERT INTO {sums} VALUES ({marks})", (programme or "", *rest, str(total)))
