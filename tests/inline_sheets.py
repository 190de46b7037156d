"""Extraction tests' inline fact sheets: a sheet written in the test, read as a text or HTML file would be,
and what to ask of the draft record it gives (shared by the tests/test_extract_*.py files)."""

from __future__ import annotations

from typing import Any

from eulod.converters.extract.factsheet import extract_document
from eulod.converters.extract.text import Document, clean_line, html_lines


def text_record(body: str, language: str | None = None) -> dict[str, Any]:
    """The draft record of a plain-text sheet (its lines numbered from 1); the test fails when there is none."""
    lines = [clean_line(raw, n) for n, raw in enumerate(body.strip("\n").splitlines(), start=1)]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def html_record(page: str, language: str | None = None) -> dict[str, Any]:
    """The draft record of an HTML sheet; the test fails when there is none."""
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def parties(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The record's participants by organisation id."""
    return {p["organisation"]["id"]: p for p in record.get("participants", [])}


def asked(record: dict[str, Any], field: str) -> bool:
    """Whether the review list has an item for exactly ``field``."""
    return any(item.get("field") == field for item in record.get("review", []))
