"""The home page listing of a new generation, from the previous one's and the change between them.

Writing the listing reads every project from the store (25 s at 100 000 projects). After a
change of a few records, :func:`update_listing` copies the previous generation's file and
rewrites only the rows of the projects the change touches (eulod.core.touched: the project's
own triples, its amounts, its partners and their countries), read with the full write's own
queries from a small excerpt of the store. The two aggregates behind the charts are sums over
all projects: each project's part in them is in the file (``project_funding``,
``project_country.organisations``), so the sums the change touches are redone from the file,
exactly (decimals, never floats).

The result has the same table contents as :func:`eulod.core.listing.write_listing` run on the
changed store, up to the numbers of the projects (``project.id``, a handle the rows of a
project share and the endpoint never orders by): a project keeps its number, a new one takes
the next free one, where the full write numbers the projects in IRI order. Renumbering them
all after a project came in the middle took longer than the rest of the update (2 s at 20 000
projects). The full write is used instead, with a log line, whenever the update cannot be sure:
no previous file, or one of another format or written by another version
(eulod.core.sqlitefiles.writer), another current year (it ends the projects that state no end),
a change naming blank nodes, or one touching so many projects that reading them all is as quick.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from eulod.core.listing import (
    FORMAT,
    _read_partners,
    _read_projects,
    insert_rows,
    programme_amount_keys,
    project_rows,
    resum,
    write_listing,
)
from eulod.core.sqlitefiles import patched_copy, writer
from eulod.core.touched import EULOD, Reach, TripleChange, blank_nodes, instances, read_excerpt, touched

log = logging.getLogger(__name__)

PROJECT = EULOD + "Project"
_EU, _MEMBER, _ORGANISATION = EULOD + "euContribution", EULOD + "hasParticipation", EULOD + "organisation"
_TOTAL, _COFINANCING = EULOD + "totalCost", EULOD + "coFinancing"
_MONEY = ((_EU,), (_EU, _MEMBER), (_TOTAL,), (_COFINANCING,))

# What a project's row reads besides the project's own triples (eulod/core/queries/listing-*.rq):
# the amount and currency of its stated totals and of its partners' EU contributions, which
# organisation each participation names, and that organisation's country.
REACH = Reach(
    owners=frozenset({PROJECT}),
    up={
        EULOD + "amount": _MONEY,
        EULOD + "currency": _MONEY,
        _EU: ((_MEMBER,),),
        _ORGANISATION: ((_MEMBER,),),
        EULOD + "country": ((_ORGANISATION, _MEMBER),),
    },
    down=frozenset({_EU, _MEMBER, _ORGANISATION, _TOTAL, _COFINANCING}),
)
# Share of the projects beyond which the full write is about as quick (bench/incremental_index.py).
TOUCHED_AT_MOST = 0.05


class _Unsure(Exception):
    """The previous file cannot be updated to the full write's result: write it whole."""


def update_listing(store: ox.Store, previous: Path, target: Path, change: TripleChange, current_year: int,
                   generation: str = "") -> int:
    """Write ``target``, the listing of ``store``, from ``previous`` (the listing of ``store``
    before ``change``); returns how many projects. ``store`` is already changed."""
    started = time.perf_counter()
    try:
        count, rewritten = _update(store, previous, target, change, current_year, generation)
    except _Unsure as reason:
        log.info("home page listing: written whole, not updated (%s)", reason)
        return write_listing(store, target, current_year, generation)
    log.info("updated the home page listing of %d projects: %d rewritten in %.2f s", count, rewritten,
             time.perf_counter() - started)
    return count


def _meta(path: Path) -> tuple[dict[str, str], int]:
    if not path.is_file():
        raise _Unsure(f"no previous listing at {path}")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return dict(db.execute("SELECT key, value FROM meta")), db.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    except sqlite3.DatabaseError as problem:
        raise _Unsure(f"{path}: {problem}") from problem
    finally:
        db.close()


def _update(store: ox.Store, previous: Path, target: Path, change: TripleChange, current_year: int,
            generation: str) -> tuple[int, int]:
    meta, total = _meta(previous)
    if meta.get("format") != FORMAT:
        raise _Unsure(f"the previous listing is of format {meta.get('format')!r}, this eulod writes {FORMAT!r}")
    if meta.get("software") != writer():
        raise _Unsure(f"the previous listing was written by {meta.get('software')}, this is {writer()}")
    if blank_nodes(change):
        raise _Unsure("the change holds blank nodes")
    if meta.get("current_year") != str(current_year):
        raise _Unsure(f"the previous listing ends open projects in {meta.get('current_year')}, now {current_year}")
    owners = touched(store, change, REACH)
    if len(owners) > max(100, TOUCHED_AT_MOST * total):
        raise _Unsure(f"the change touches {len(owners)} of {total} projects")
    present = instances(store, owners, {PROJECT})
    projects, partners = read_excerpt(store, (ox.NamedNode(iri) for iri in sorted(present)), REACH,
                                     lambda part: (_read_projects(part), _read_partners(part)))
    with patched_copy(previous, target) as db:
        gone, funding_keys, countries, amount_keys, organisations = _remove(db, (node.value for node in owners))
        # New projects number on from the highest id, counting those of the touched projects taken
        # out (they come back with their own id; one of them may have held the highest).
        top = max([db.execute("SELECT COALESCE(MAX(id), -1) FROM project").fetchone()[0], *gone.values()])
        ids = dict(gone)
        rows = []
        for iri in sorted(present):
            if iri not in ids:
                top += 1
                ids[iri] = top
            rows.append(project_rows(ids[iri], iri, projects[iri], partners.get(iri), current_year))
        insert_rows(db, rows)
        funding_keys |= {(row.project[2], currency) for row in rows for currency, _ in row.amounts}
        countries |= {place[0] for row in rows for place in row.places}
        resum(db, "funding", "project_funding", ("currency",), funding_keys)
        _redo_participations(db, countries)
        resum(db, "programme_amount", "project_amount", ("kind", "currency"),
              amount_keys | {key for row in rows for key in programme_amount_keys(row)})
        # An organisation no listed project names any more leaves the file, as in a full write.
        db.executemany("DELETE FROM organisation WHERE id = ? AND NOT EXISTS "
                       "(SELECT 1 FROM membership WHERE organisation = ?)", ((o, o) for o in sorted(organisations)))
        db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (generation,))
        count = db.execute("SELECT COUNT(*) FROM project").fetchone()[0]
    return count, len(present)


def _remove(db: sqlite3.Connection, iris: Iterable[str]) -> tuple[dict[str, int], set[tuple[str | None, str]],
                                                                  set[str], set[tuple[str, str, str]], set[int]]:
    """Delete the rows of the projects ``iris``; returns the ids they had, the funding keys,
    countries and programme sums whose aggregates they were part of, and the organisations
    they named."""
    gone: dict[str, int] = {}
    funding: set[tuple[str | None, str]] = set()
    countries: set[str] = set()
    amounts: set[tuple[str, str, str]] = set()
    organisations: set[int] = set()
    for iri in iris:
        found = db.execute("SELECT id, programme, countries FROM project WHERE iri = ?", (iri,)).fetchone()
        if found is None:
            continue
        id_, programme, located = found
        gone[iri] = id_
        funding |= {(programme, currency) for (currency,) in
                    db.execute("SELECT currency FROM project_funding WHERE project = ?", (id_,))}
        for country in located.split():  # project_country is keyed by country first
            countries.add(country)
            db.execute("DELETE FROM project_country WHERE country = ? AND project = ?", (country, id_))
        amounts |= {(programme or "", kind, currency) for kind, currency in
                    db.execute("SELECT kind, currency FROM project_amount WHERE project = ?", (id_,))}
        organisations |= {o for (o,) in db.execute("SELECT organisation FROM membership WHERE project = ?", (id_,))}
        for table, column in (("title", "project"), ("project_funding", "project"), ("project_amount", "project"),
                              ("membership", "project"), ("project", "id")):
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (id_,))
    return gone, funding, countries, amounts, organisations


def _redo_participations(db: sqlite3.Connection, countries: set[str]) -> None:
    """Count again the participations of each country in ``countries`` from the projects' parts."""
    for country in countries:
        (count,) = db.execute("SELECT COALESCE(SUM(organisations), 0) FROM project_country WHERE country = ?",
                              (country,)).fetchone()
        db.execute("DELETE FROM participations WHERE country = ?", (country,))
        if count:
            db.execute("INSERT INTO participations VALUES (?, ?)", (country, count))
