"""Summaries that the build computes from the loaded data: totals per country, frequent
collaborations, and the years each project was active.

Researchers ask some questions of the whole data set again and again (two of the query
editor's examples: EU funding per country, the organisations that worked together most
often). Answered from the data, each must join every participation with its organisation,
amount and country: about half a million participations at 100 000 projects, seconds in
any store, and the pairs of a project's partners grow with the square of its partnership.
Their answers change only when the data does, so the build computes them once, streaming
mostly inside the store, and stores them as plain RDF in their own named graph
(``{base}graph/summaries``): a query reads a few hundred nodes instead. The questions
stay answerable from the data itself; the summaries only make the common ones cheap.

The city keys are an index too: "the partners of a city, in any spelling case" compares every
organisation's city lower-cased (0.3 s for the 531 282 cities of 1 000 000 projects, before
anything is joined); one ``eulod:cityKey`` per organisation and city, the name in the form
:func:`city_key` gives, turns it into an index lookup (milliseconds).

The years of activity are an index rather than a total: "which projects were active in
2021" compares every project's start and end dates (stated at day, month or year
precision, so as text) and joins the end date optionally, about 2 s per 100 000 projects
in pyoxigraph however few rows the page shows. One ``eulod:activeInYear`` per project and
year turns it into an index lookup whose cost follows the rows asked for.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import json
import logging
import os
import sqlite3
import tempfile
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime, timezone
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, TypeAlias

import pyoxigraph as ox

from eulod.core.iris import last_segment
from eulod.core.namespaces import EULOD
from eulod.core.queryfiles import stored_query
from eulod.core.staging import Table, create, finish, in_bulk, park, scratch
from eulod.core.years import DATE_PICK, project_years, stated_months
from eulod.pipeline.paircounts import count_pairs, count_parked_pairs

log = logging.getLogger(__name__)

RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DECIMAL = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
XSD_GYEAR = ox.NamedNode("http://www.w3.org/2001/XMLSchema#gYear")

# A summary's triple as its three terms, in no graph. Not an ``ox.Triple`` or ``ox.Quad``: making
# one that holds a literal or a blank node gives the interpreter's lock away (pyoxigraph 0.5.13),
# and on the build's side thread, beside the change feed's Python, each then waited for the lock
# to come back: the activity years of 100 000 projects took 118 s instead of 1.6 s
# (bench/summary_reads.py). Terms alone, and their N-Triples text, do not (:func:`load_statements`).
Statement: TypeAlias = "tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.Term]"


@cache  # rdflib checks the IRI each time: a tenth of a second per 8 000 quads made
def _p(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(EULOD[name]))


def _query(store: ox.Store, name: str, graph: ox.NamedNode) -> ox.QuerySolutions:
    return store.query(stored_query(__package__, name), default_graph=graph)


def country_totals(store: ox.Store, graph: ox.NamedNode, base_iri: str) -> Iterator[Statement]:
    """One eulod:CountryTotal per (country, currency): the participations' EU contributions summed.

    Amounts in different currencies are never added; a participation without a stated
    EU contribution, or whose organisation has no country, is not counted.
    """
    for row in _query(store, "summary-country-totals.rq", graph):
        yield from country_total(base_iri, row["country"], row["currency"], Decimal(row["total"].value),
                                 int(row["participations"].value))


def _contributions(store: ox.Store) -> Iterator[tuple[str, str, str]]:
    """(organisation, currency, amount) of every stated EU contribution of a participation in ``store``."""
    for row in store.query(stored_query(__package__, "summary-contributions.rq")):
        yield row["organisation"].value, row["currency"].value, row["amount"].value


def _cities(store: ox.Store) -> Iterator[tuple[str, str]]:
    """(organisation, city as stated) of every organisation's ``eulod:city`` in ``store``."""
    for quad in store.quads_for_pattern(None, _p("city"), None):
        if isinstance(quad.object, ox.Literal):
            yield quad.subject.value, quad.object.value


# The tables a build parks, beside the listing's (eulod.core.listing.PARKED, in the same file),
# from each part of the records read beside the load (eulod/pipeline/spool_indexes.py): the
# country totals' rows without the country, which :func:`parked_country_totals` joins to the
# listing's, and the organisations' cities (:func:`city_keys`).
PARKED: tuple[Table, ...] = (("contribution", "organisation, currency, amount", None, None, _contributions),
                             ("city", "organisation, city", None, None, _cities))


def parked_country_totals(parked: Path, base_iri: str) -> Iterator[Statement]:
    """:func:`country_totals` from a parked listing: the contributions joined to the organisations'
    countries (each distinct pair once, as the store holds it), summed as decimals, per country
    and currency. SQLite groups them; each group's amounts come as one JSON text (a row at a time,
    they would wait for the interpreter's lock beside the change feed: eulod.core.staging.in_bulk)."""
    db = sqlite3.connect(parked)
    try:
        groups = db.execute("SELECT l.country, c.currency, json_group_array(c.amount) FROM contribution AS c "
                            "JOIN (SELECT DISTINCT organisation, country FROM located) AS l "
                            "ON l.organisation = c.organisation GROUP BY l.country, c.currency "
                            "ORDER BY l.country, c.currency")
        for country, currency, amounts in groups:
            values = json.loads(amounts)
            total = sum(map(Decimal, values), Decimal(0))
            yield from country_total(base_iri, ox.NamedNode(country), ox.NamedNode(currency), total.normalize(),
                                     len(values))
    finally:
        db.close()


def country_total_node(base_iri: str, country: ox.Term, currency: ox.Term) -> ox.NamedNode:
    return ox.NamedNode(f"{base_iri}summary/country-total/{last_segment(country.value)}/{last_segment(currency.value)}")


def country_total(base_iri: str, country: ox.Term, currency: ox.Term, total: Decimal,
                  participations: int) -> tuple[Statement, ...]:
    """The eulod:CountryTotal of one (country, currency): ``total`` over ``participations`` solutions."""
    node = country_total_node(base_iri, country, currency)
    return (
        (node, RDF_TYPE, _p("CountryTotal")),
        (node, _p("totalFor"), country),
        (node, _p("totalCurrency"), currency),
        (node, _p("totalAmount"), ox.Literal(_decimal(total), datatype=XSD_DECIMAL)),
        (node, _p("participationCount"), ox.Literal(str(participations), datatype=XSD_INTEGER)),
    )


def _decimal(value: Decimal) -> str:
    """xsd:decimal's canonical-enough form: no exponent, at least one digit after a point."""
    text = format(value, "f")
    return text if "." in text else text + ".0"


def memberships(store: ox.Store, graph: ox.NamedNode, odd: dict[str, ox.Term]) -> Iterator[tuple[str, str]]:
    """(project, organisation) of every participation, as text for SQLite (eulod.pipeline.paircounts):
    the project in N-Triples (a blank node stays apart from an IRI), the organisation's IRI. An
    organisation that is not an IRI (the shapes require one) is put in ``odd``, by its value."""
    for row in _query(store, "summary-project-members.rq", graph):
        organisation = row["organisation"]
        if type(organisation) is not ox.NamedNode:
            odd[organisation.value] = organisation
        yield str(row["project"]), organisation.value


def most_frequent(pairs: Counter, keep: int) -> list[tuple[tuple[Any, Any], int]]:
    """The ``keep`` most frequent pairs, and every pair tied with the last of them, in descending
    count, then pair order.

    Cutting inside a tie would pick among equal pairs by accident; keeping the whole tie
    means the summary answers "the most frequent" exactly, whatever the order. The cut is
    found on the counts alone (a heap of ``keep`` integers), so only the pairs kept are
    sorted: sorting every pair grew faster than the data.
    """
    if keep <= 0 or not pairs:
        return []
    floor = min(heapq.nlargest(keep, pairs.values()))
    kept = [item for item in pairs.items() if item[1] >= floor]
    return sorted(kept, key=lambda item: (-item[1], item[0]))


def collaboration_node(base_iri: str, first: str, second: str) -> ox.NamedNode:
    return ox.NamedNode(f"{base_iri}summary/collaboration/{last_segment(first)}/{last_segment(second)}")


def collaboration(first: ox.NamedNode, second: ox.NamedNode, count: int, base_iri: str) -> tuple[Statement, ...]:
    """The eulod:Collaboration of one pair of organisations (``first`` sorts first), with the projects they share."""
    node = collaboration_node(base_iri, first.value, second.value)
    return (
        (node, RDF_TYPE, _p("Collaboration")),
        (node, _p("collaborator"), first),
        (node, _p("collaborator"), second),
        (node, _p("sharedProjects"), ox.Literal(str(count), datatype=XSD_INTEGER)),
    )


def collaborations(top: list[tuple[tuple[str, str], int]], base_iri: str, odd: dict[str, ox.Term]) -> Iterator[Statement]:
    """One eulod:Collaboration per frequent pair of organisations (``top``: of their IRIs, as
    :func:`most_frequent` chooses them), ``odd`` the organisations that are not IRIs, by value."""
    for (first, second), count in top:
        yield from collaboration(odd.get(first) or ox.NamedNode(first), odd.get(second) or ox.NamedNode(second),
                                 count, base_iri)


def _values(store: ox.Store, graph: ox.NamedNode, predicate: str) -> Iterator[tuple[str, str]]:
    """(subject in N-Triples, literal value) of one property, by an index scan."""
    for quad in store.quads_for_pattern(None, _p(predicate), None, graph):
        if isinstance(quad.object, ox.Literal):
            yield str(quad.subject), quad.object.value


def city_key(city: str) -> str:
    """A city's name as ``eulod:cityKey`` holds it: Unicode NFC, white space runs as one space,
    no leading or trailing space, lower-cased as SPARQL's LCASE does ("Torino", " TORINO" and
    "torino" are all "torino"). Nothing else is folded: accents and scripts stay as stated. By
    Python's Unicode tables: the letters of a script encoded since stay as stated, where a store
    with newer tables may lower-case them."""
    return " ".join(unicodedata.normalize("NFC", city).split()).lower()


def city_key_set(cities: Iterable[str]) -> set[str]:
    """The distinct keys of one organisation's cities (a name of white space alone gives none):
    what the build states and what an update compares with it."""
    return {city_key(city) for city in cities} - {""}


def city_key_statements(rows: Iterable[tuple[ox.NamedNode | ox.BlankNode, Iterable[str]]]) -> Iterator[Statement]:
    """One ``eulod:cityKey`` per organisation and distinct key, from (organisation, its cities) rows."""
    key_of = _p("cityKey")
    for organisation, cities in rows:
        for key in sorted(city_key_set(cities)):
            yield organisation, key_of, ox.Literal(key)


def city_keys(store: ox.Store, graph: ox.NamedNode, parked: Path | None = None) -> Iterator[Statement]:
    """:func:`city_key_statements` of every organisation stating a city: from the store's index
    (sorted by subject in memory, one row per organisation: a build parks the rows whenever
    the data is large), or from the parked rows, grouped by SQLite and read in bulk."""
    if parked is None:
        rows = sorted(_values(store, graph, "city"))  # the index gives them in the cities' order
        yield from city_key_statements((_subject(organisation), [city for _, city in cities])
                                       for organisation, cities in itertools.groupby(rows, key=lambda row: row[0]))
        return
    db = sqlite3.connect(parked)
    try:
        yield from city_key_statements((ox.NamedNode(organisation), cities) for organisation, cities in in_bulk(
            db, "SELECT organisation, json_group_array(city) AS cities FROM "
                "(SELECT DISTINCT organisation, city FROM city) GROUP BY organisation",
            ("organisation", "json(cities)")))
    finally:
        db.close()


def _subject(text: str) -> ox.NamedNode | ox.BlankNode:
    """A subject back from its N-Triples form (an IRI, or a blank node of the store, by its id)."""
    return ox.NamedNode(text[1:-1]) if text.startswith("<") else ox.BlankNode(text[2:])


# Each project's start, end and duration values, one row per project with a start, read in bulk.
_DATES = ("SELECT s.subject AS subject, "
          "(SELECT json_group_array(value) FROM start WHERE subject = s.subject) AS starts, "
          "(SELECT json_group_array(value) FROM end WHERE subject = s.subject) AS ends, "
          "(SELECT json_group_array(value) FROM months WHERE subject = s.subject) AS months "
          "FROM (SELECT DISTINCT subject FROM start) AS s")


def activity(store: ox.Store, graph: ox.NamedNode, current_year: int, beside: Path,
             parked: Path | None = None) -> Iterator[Statement]:
    """``eulod:activeInYear`` for each project and each year it runs (:func:`project_years`).

    Index scans (start dates, end dates, durations) rather than a query with optional
    joins: the joins are what make the question slow in the first place. Four or so statements
    per project. The scans are parked in a scratch file beside ``beside`` (eulod.core.staging)
    and read back some thousands of projects at a time (eulod.core.staging.in_bulk): dicts of
    every project's dates took about 450 MB at 1 000 000. Of several stated dates the one eulod.core.years.DATE_PICK keeps counts; of several
    durations, the longest (eulod.core.years.stated_months).

    With ``parked`` (the listing's rows a build read from the records beside the load,
    :data:`eulod.core.listing.PARKED`), the dates are copied from its ``fact`` table instead of
    scanned in the store: at 1 000 000 projects the store no longer fits in memory, and every
    value read from it is a random read.
    """
    active_in = _p("activeInYear")
    literals: dict[int, ox.Literal] = {}  # a few dozen years for any number of projects
    with scratch(beside) as db:
        if parked is None:
            park(db, "start", "subject, value", _values(store, graph, "startDate"), index="subject")
            park(db, "end", "subject, value", _values(store, graph, "endDate"), index="subject")
            park(db, "months", "subject, value", _values(store, graph, "durationMonths"), index="subject")
        else:
            _copy_dates(db, parked)
        for subject, starts, ends, months in in_bulk(db, _DATES, ("subject", "json(starts)", "json(ends)",
                                                                  "json(months)")):
            start = functools.reduce(DATE_PICK["start"], starts)
            end = functools.reduce(DATE_PICK["end"], ends) if ends else None
            project = _subject(subject)
            for year in project_years(start, end, stated_months(months), current_year):
                literal = literals.get(year)
                if literal is None:
                    literal = literals[year] = ox.Literal(f"{year:04d}", datatype=XSD_GYEAR)
                yield project, active_in, literal


def _copy_dates(db: sqlite3.Connection, parked: Path) -> None:
    """The start, end and months tables of :func:`activity`, from a parked listing's facts (the
    projects' IRIs written as N-Triples writes them, as :func:`_values` gives them)."""
    db.execute("ATTACH DATABASE ? AS parked", (str(parked),))
    try:
        for fact in ("start", "end", "months"):  # each table named for the fact it holds
            create(db, fact, "subject, value")
            db.execute(f"INSERT INTO {fact} SELECT '<' || project || '>', value FROM parked.fact WHERE fact = ?",
                       (fact,))
            finish(db, fact, "subject")
        db.commit()
    finally:
        db.execute("DETACH DATABASE parked")


# In a pair-counts file's meta: how many pairs its generation's summary kept, and the (project,
# organisation) pairs it counted from (the size of the data, for eulod.pipeline.summaries_update).
KEPT, MEMBERSHIPS = "collaborations_kept", "memberships"


BULK_QUADS = 100_000  # summary quads handed to the store at a time


def summary_scratch() -> Path:
    """Where the pair counts go while a build that keeps none (``counts`` not given) chooses its top pairs."""
    return Path(tempfile.gettempdir()) / f"eulod-pairs-{os.getpid()}-{uuid.uuid4().hex}.sqlite"


def counts_meta(data_graph: str, base_iri: str, current_year: int) -> dict[str, str]:
    """What a pair-counts file was computed for: an update of it must be for the same."""
    return {"data_graph": data_graph, "base_iri": base_iri, "current_year": str(current_year)}


def add_summaries(store: ox.Store, data_graph: str, summary_graph: str, base_iri: str, collaborations_kept: int,
                  current_year: int | None = None, counts: Path | None = None, parked: Path | None = None) -> int:
    """Compute every summary from ``data_graph`` into ``summary_graph``; returns the triples added.

    ``current_year`` ends the activity of projects without an end date (default: this
    year, by the clock of the build). With ``counts`` (the generation's
    ``summary_counts_path``), every pair's count is kept there, for the next build to update.
    With ``parked`` (the listing's rows read from the records beside the load, where every
    project and organisation is an IRI, and :data:`PARKED`), the memberships, the dates and the
    contributions come from there, not from the store (see :func:`activity`).
    """
    source, target = ox.NamedNode(data_graph), ox.NamedNode(summary_graph)
    year = current_year if current_year is not None else datetime.now(timezone.utc).year
    odd: dict[str, ox.Term] = {}
    kept = counts if counts is not None else summary_scratch()
    try:
        def meta(members: int) -> dict[str, str]:
            return {**counts_meta(data_graph, base_iri, year), KEPT: str(collaborations_kept), MEMBERSHIPS: str(members)}

        if parked is None:
            top = count_pairs(kept, memberships(store, source, odd), meta, collaborations_kept)
        else:
            top = count_parked_pairs(kept, parked, meta, collaborations_kept)
    finally:
        if counts is None or odd:
            kept.unlink(missing_ok=True)
    if odd and counts is not None:
        log.warning("not keeping the pair counts: an organisation taking part is not an IRI")
    # The store is a new generation no reader has opened yet: no transaction needed.
    totals = country_totals(store, source, base_iri) if parked is None else parked_country_totals(parked, base_iri)
    return load_statements(store, itertools.chain(totals, collaborations(top, base_iri, odd),
                                                  activity(store, source, year, kept, parked),
                                                  city_keys(store, source, parked)), target)


def load_statements(store: ox.Store, statements: Iterable[Statement], target: ox.NamedNode) -> int:
    """Add ``statements`` to ``target`` in ``store``, BULK_QUADS at a time; returns how many.

    As N-Triples text for the bulk loader (a term's ``str`` is its N-Triples form), not as
    ``ox.Quad``: see :data:`Statement`. pyoxigraph's bulk loader holds all it is given (550 MB
    for the 1 080 000 quads of 300 000 projects), hence the batches. A statement with a blank
    node goes as a quad: the loader would give the node a new label (a build only meets one
    when a record's organisation is not an IRI).
    """
    added = 0
    lines: list[str] = []
    quads: list[ox.Quad] = []

    def flush() -> None:
        if lines:
            store.bulk_load(input="".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES, to_graph=target)
            lines.clear()
        if quads:
            store.bulk_extend(quads)
            quads.clear()

    for subject, predicate, value in statements:
        added += 1
        if type(subject) is ox.BlankNode or type(value) is ox.BlankNode:
            quads.append(ox.Quad(subject, predicate, value, target))
        else:
            lines.append(f"{subject} {predicate} {value} .\n")
        if len(lines) + len(quads) >= BULK_QUADS:
            flush()
    flush()
    return added
