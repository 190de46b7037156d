"""What the streamed home page listing and search index must hold: the per-entity definitions applied to
the store read the simple way (every project in a dict). Shared by the tests on generated stores
(test_streamed_indexes.py) and on the real exports (test_streamed_real.py)."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from eulod.core import listing, search


def rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def assert_listing_is_the_definitions(store: Any, target: Path, year: int) -> int:
    """The listing file ``target`` written from ``store`` against listing.project_rows of each project; returns how many."""
    items, partners = listing._read_projects(store), listing._read_partners(store)
    expected = [listing.project_rows(position, iri, items[iri], partners.get(iri), year)
                for position, iri in enumerate(sorted(items))]
    assert rows(target, "SELECT * FROM project ORDER BY id") == [row.project for row in expected]
    assert rows(target, "SELECT * FROM title ORDER BY project, position") == [t for row in expected for t in row.titles]
    assert rows(target, "SELECT * FROM project_country ORDER BY country, project") == sorted(
        p for row in expected for p in row.places)
    assert rows(target, "SELECT * FROM project_funding ORDER BY project, currency") == sorted(
        (row.project[0], *amount) for row in expected for amount in row.amounts)
    assert rows(target, "SELECT * FROM project_amount ORDER BY project, kind, currency") == sorted(
        (row.project[0], *stated) for row in expected for stated in row.stated)
    organisations_in = sorted({o for row in expected for o in row.organisations})
    assert rows(target, "SELECT iri FROM organisation ORDER BY id") == [(o,) for o in organisations_in]
    assert rows(target, "SELECT o.iri, p.iri FROM membership AS m JOIN organisation AS o ON o.id = m.organisation "
                        "JOIN project AS p ON p.id = m.project ORDER BY 1, 2") == sorted(
        (o, row.project[1]) for row in expected for o in row.organisations)
    funding: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for row in expected:
        for currency, amount in row.amounts:
            funding[(row.project[2] or "", currency)] += Decimal(amount)
    assert rows(target, "SELECT * FROM funding ORDER BY programme, currency") == [
        (*key, str(total)) for key, total in sorted(funding.items()) if total]
    return len(expected)


def expected_documents(store: Any) -> list[Any]:
    """search.Document of every project and organisation, numbered as the index numbers them."""
    items, members = search._read(store)
    names_of = {iri: search._unique(item.names) for iri, item in items.items()}
    expected = []
    for kind in search.KINDS:
        first = search.KIND_ROWIDS[kind][0]
        of_kind = sorted(iri for iri, item in items.items() if item.kind == kind)
        expected += [search.Document.of(first + position * search.GAP, iri, items[iri], names_of, members)
                     for position, iri in enumerate(of_kind, start=1)]
    return expected


def assert_search_is_the_definitions(store: Any, target: Path) -> list[Any]:
    """The search index ``target`` written from ``store`` against the documents of each entity; returns them."""
    expected = expected_documents(store)
    assert rows(target, "SELECT * FROM entity ORDER BY id") == [d.entity for d in expected]
    columns = ", ".join(name for name, _ in search.COLUMNS)
    assert rows(target, f"SELECT rowid, {columns} FROM doc ORDER BY rowid") == [(d.id, *d.columns) for d in expected]
    return expected
