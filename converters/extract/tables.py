"""Partner tables: which column of a header row ('Partner | Città | Paese | Ruolo') holds what, and which rows are bodies.

The header words are data (labels.yaml ``table_columns``, ``table_headers``, ``table_totals``, in
every official language); a column headed by a fund's name ('EFRO', 'ERDF') holds the fund's share.
"""

from __future__ import annotations

import re

from .data import load, word_set, words
from .places import looks_like_organisation, organisation_type
from .programmes import funds


def cell_kind(cell: str) -> str | None:
    """What a header cell says its column holds ('Città' -> 'city', 'EFRO' -> 'eu_budget', '№' -> 'number')."""
    folded = words(cell)
    if not folded:
        return "number" if cell.strip() in ("#", "№", "No.", "Nr.") else None
    vocabulary = load("labels.yaml")["table_columns"]
    kind = next((k for k in vocabulary if folded in word_set_of(k)), None)
    if kind is None and len(folded.split()) <= 4 and funds(cell):
        kind = "eu_budget"  # 'EFRO', 'ERDF (€)': the fund's share of each body
    return kind


def word_set_of(kind: str) -> frozenset[str]:
    return frozenset(words(label) for label in load("labels.yaml")["table_columns"][kind])


def column_kinds(header: str) -> dict[str, int]:
    """Column kinds of a table's header row ('Partner | Città | Paese | Ruolo'), when :func:`header_row` holds."""
    cells = [c.strip() for c in header.split("|")]
    if not header_row(cells):
        return {}
    out: dict[str, int] = {}
    for index, cell in enumerate(cells):
        kind = cell_kind(cell)
        if kind and kind not in out:
            out[kind] = index
    return out if "name" in out and len(set(out) - {"number"}) >= 2 else {}


def header_row(cells: list[str]) -> bool:
    """Every cell is a header word (or empty, or a fund's name); one cell the extractor does not know may stand
    beside a name column and another known one (a column it leaves unread, 'Partner | Land | Bijdrage | Rol')."""
    headers = word_set("labels.yaml", "table_headers")
    unknown = [c for c in cells if words(c) and words(c) not in headers and cell_kind(c) is None]
    if not unknown:
        return True
    known = {cell_kind(c) for c in cells} - {None, "number"}
    return len(unknown) == 1 and "name" in known and len(known) >= 2 and not re.search(r"\d", unknown[0]) \
        and len(unknown[0].split()) <= 3


def total_row(cell: str) -> bool:
    """'Total', 'Yhteensä', 'Celkem': a row summing the rows above it, not a body."""
    return words(cell) in word_set("labels.yaml", "table_totals")


def row_number(cell: str) -> bool:
    """'1', '2.', '(3)': a row's number, not its name."""
    return re.fullmatch(r"\(?\d{1,3}[.)]?", cell.strip()) is not None


def type_in_cell(cell: str) -> str | None:
    """The type a table's description column gives ('Centro tecnológico', 'Ayuntamiento')."""
    if len(cell.split()) > 12:
        return None
    if looks_like_organisation(cell) or words(cell) in word_set("places.yaml", "municipality_words"):
        return "municipality"
    return organisation_type(cell)
