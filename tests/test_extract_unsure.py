"""Unit tests of issue 16's rule that a draft knows when it is not sure (and of the misreadings fixed with it).

A value read from a structure the extractor cannot confirm (a table whose header it does not
recognise, a row that does not parse like the others, a contact role that is no label it knows)
is ``inferred`` and in the review list; values it can confirm stay ``stated``. One rule per test,
on small inline pages written for the test, in other languages and wording than the labelled sheets
the rules were found on. Each assertion fails without its rule.
"""

from __future__ import annotations

from typing import Any

from eulod.converters.extract.factsheet import extract_document
from eulod.converters.extract.text import Document, clean_line, html_lines


def _text(body: str, language: str | None = None) -> dict[str, Any]:
    lines = [clean_line(raw, n) for n, raw in enumerate(body.strip("\n").splitlines(), start=1)]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def _html(body: str, language: str | None = None) -> dict[str, Any]:
    draft = extract_document(Document("inline.html", html_lines(body)), "inline.html", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def _flagged(record: dict[str, Any], path: str) -> bool:
    """Whether the review list covers the value at ``path`` (as bench/extraction.py counts it)."""
    return any(path == item["field"] or path.startswith((item["field"] + ".", item["field"] + "["))
               for item in record.get("review", []))


def _parties(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["organisation"]["id"]: p for p in record.get("participants", [])}


# -- contacts ---------------------------------------------------------------------------------

def test_a_phone_label_line_under_a_contact_stays_in_the_contact() -> None:
    record = _text("""
Projekt: Zelene strehe Celja
Skupna vrednost: 120.000,00 EUR

Kontakt
Maja Zgled
Tel.: 03 000 00 00
E-pošta: maja.zgled@example.org
""", language="sl")
    assert record["contacts"][0]["email"] == "maja.zgled@example.org"
    assert record["contacts"][0]["name"] == "Maja Zgled"


def test_a_position_in_the_contact_block_is_the_role_and_stated() -> None:
    record = _text("""
Projekt: Zelene strehe Celja
Skupna vrednost: 120.000,00 EUR

Kontakt: Maja Zgled, vodja projekta, maja.zgled@example.org
""", language="sl")
    contact = record["contacts"][0]
    assert contact["role"] == "vodja projekta" and contact["name"] == "Maja Zgled"
    assert not _flagged(record, "contacts[0].role")


def test_a_position_before_the_name_is_split_from_it() -> None:
    record = _text("""
Projekti nimi: Rohelised katused
Eelarve: 120 000 €

Kontakt
Projektijuht Mari Näidis
mari.naidis@example.org
""", language="et")
    contact = record["contacts"][0]
    assert (contact["role"], contact["name"]) == ("Projektijuht", "Mari Näidis")


def test_an_unknown_label_under_a_contact_is_no_contact_without_an_address_and_unsure_with_one() -> None:
    record = _text("""
Projektnamn: Gröna tak i Luleå
Totalbudget: 1 200 000 EUR

Kontakt
Anna Prov, anna.prov@example.org
Dela: Facebook | LinkedIn
Webbredaktör: webb@example.org
""", language="sv")
    roles = [c.get("role") for c in record["contacts"]]
    assert "Dela" not in roles
    index = roles.index("Webbredaktör")
    assert _flagged(record, f"contacts[{index}].role")


def test_a_degree_before_the_name_is_left_out() -> None:
    record = _text("""
Názov projektu: Zelené strechy
Celkové náklady: 120 000,00 EUR

Kontaktná osoba: Mgr. Eva Vzorová, eva.vzorova@example.org
""", language="sk")
    assert record["contacts"][0]["name"] == "Eva Vzorová"


def test_a_contacts_body_is_as_unsure_as_the_participant_it_names() -> None:
    record = _text("""
Naziv projekta: Zeleni krovovi
Ukupna vrijednost: 120.000,00 EUR
Korisnik: Zeleni Vrt Novalja

Kontakt: Ana Primjer, Zeleni Vrt Novalja, ana.primjer@example.org
""", language="hr")
    assert record["contacts"][0]["organisation"] == "zeleni-vrt-novalja"
    assert _flagged(record, "participants[0]") and _flagged(record, "contacts[0].organisation")
