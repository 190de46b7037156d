"""Partner tables: which column of a header row ('Partner | Città | Paese | Ruolo') holds what.

The header words are data (labels.yaml ``table_columns``, ``table_headers``).
"""

from __future__ import annotations

from .data import load, word_set, words
from .places import looks_like_organisation, organisation_type


def column_kinds(header: str) -> dict[str, int]:
    """Column kinds of a table's header row ('Partner | Città | Paese | Ruolo'), when every cell is a header word."""
    cells = [c.strip() for c in header.split("|")]
    if not header_row(cells):
        return {}
    vocabulary = load("labels.yaml")["table_columns"]
    out: dict[str, int] = {}
    for index, cell in enumerate(cells):
        folded = words(cell)
        kind = next((k for k, labels in vocabulary.items() if folded in {words(l) for l in labels}), None)
        if kind and kind not in out:
            out[kind] = index
    return out if "name" in out and len(out) >= 2 else {}


def header_row(cells: list[str]) -> bool:
    labels = load("labels.yaml")
    headers = {words(h) for h in labels["table_headers"]} | {words(h) for c in labels["table_columns"].values() for h in c}
    return all(words(c) in headers or not words(c) for c in cells)


def type_in_cell(cell: str) -> str | None:
    """The type a table's description column gives ('Centro tecnológico', 'Ayuntamiento')."""
    if len(cell.split()) > 12:
        return None
    if looks_like_organisation(cell) or words(cell) in word_set("places.yaml", "municipality_words"):
        return "municipality"
    return organisation_type(cell)
