"""Facts stated with other separators than a colon: a form pasted into an e-mail ('Titel = X'),
an export's 'field;value' rows, and what such rows say about a beneficiary besides its name."""

from __future__ import annotations

from pathlib import Path

from eulod.converters.extract import extract_file

MAIL = """Hello Mark,

here are the final figures for the project page.

Project name = Cross-Border Care
Programme = Interreg VI A Germany-Netherlands
Start date = 1 April 2024
End date = 30 June 2027
Total cost = EUR 4,312,800
Lead partner = Municipality of Emmen (NL)
Partners = Landkreis Emsland (DE); Hanzehogeschool Groningen (NL)
Field of intervention = 149 Support for labour market institutions

Kind regards,
Sanne
"""

EXPORT = """Export of the list of operations, one record, decimal comma, amounts in CZK
Field;Value
Project name;Kindergarten Klosterstrasse, Liberec
Programme;Integrated Regional Operational Programme 2021-2027
Summary;"The kindergarten is rebuilt and extended; two new classes, a lift and a garden."
Beneficiary name;Statutory City of Liberec
Beneficiary VAT number;CZ00262999
Beneficiary address;Square 1, 460 01 Liberec
Start date;01.03.2024
End date;30.09.2025
Total cost;38412650,00
Number of records;1
"""

PROSE = """Rebuilding the square

The works begin in spring; the square stays open. Start date = unknown; the council decides in May.
The budget = EUR 2 million; the region pays half.
"""


def _draft(tmp_path: Path, text: str):
    sheet = tmp_path / "sheet.txt"
    sheet.write_text(text, "utf-8")
    draft = extract_file(sheet)
    assert draft.record is not None, draft.problems
    return draft.record


def test_a_form_pasted_into_a_mail_states_its_facts(tmp_path: Path):
    record = _draft(tmp_path, MAIL)
    assert record["title"] == "Cross-Border Care"
    assert record["start_date"] == "2024-04-01" and record["end_date"] == "2027-06-30"
    assert record["budget"]["total_cost"] in ("4312800", "4312800.00")
    names = {p["organisation"]["name"] if isinstance(p["organisation"]["name"], str)
             else next(iter(p["organisation"]["name"].values())) for p in record["participants"]}
    assert {"Landkreis Emsland", "Hanzehogeschool Groningen"} <= names
    assert record["intervention_fields"] == [{"code": "149", "label": "Support for labour market institutions"}]
    assert record["provenance"]["start_date"]["found"] == "stated"


def test_an_exports_field_value_rows_state_their_facts_and_a_beneficiarys_attributes_are_not_beneficiaries(
        tmp_path: Path):
    record = _draft(tmp_path, EXPORT)
    assert record["title"] == "Kindergarten Klosterstrasse, Liberec"
    assert record["start_date"] == "2024-03-01" and record["end_date"] == "2025-09-30"
    assert "two new classes" in str(record.get("description"))
    names = [p["organisation"]["name"] for p in record.get("participants", [])]
    assert all("00262999" not in str(n) and "460 01" not in str(n) for n in names), names
    assert record["budget"]["total_cost"] in ("38412650", "38412650.00")  # an ungrouped number under its label
    assert record["currency"] == "CZK" and record["provenance"]["currency"]["found"] == "stated"


def test_semicolons_and_equals_signs_in_prose_state_nothing(tmp_path: Path):
    sheet = tmp_path / "prose.txt"
    sheet.write_text(PROSE, "utf-8")
    record = extract_file(sheet).record or {}
    assert record.get("provenance", {}).get("start_date", {}).get("found") != "stated"
    assert (record.get("provenance", {}).get("budget.total_cost") or {}).get("found") != "stated"


GRID = """Project memoria

Beneficiary: Ayuntamiento de Cáceres

Partners:

+-------------------------------+------------------+
| Entity                        | Role             |
+===============================+==================+
| Diputación de Cáceres         | Partner          |
+-------------------------------+------------------+

Start date: 01/02/2024
"""


def test_a_grid_tables_borders_are_no_participants(tmp_path: Path):
    """A pandoc grid table's '+---+' lines name no body (a blind sheet had one as a participant with an empty id)."""
    record = _draft(tmp_path, GRID)
    names = [str(p["organisation"]["name"]) for p in record.get("participants", [])]
    assert names and not any("---" in n or not any(c.isalpha() for c in n) for n in names), names
    assert all(p["organisation"]["id"] for p in record["participants"])


NOTICE = """Contract award notice - results of the procurement procedure
Services
Legal basis: Directive 2014/24/EU

Section I: Contracting authority
Official name: Example Municipality

Section II: Object
Title: Advice on nature-based coastal protection
Main CPV code: 71313000 Environmental engineering consultancy services
Start date: 01/09/2024
End date: 31/12/2025
Total cost: EUR 412,000
Contact: Procurement Office, procurement@example.org
"""


def test_a_procurement_notices_labels_state_the_contracts_facts_and_are_asked(tmp_path: Path):
    """A notice's 'Title:' is the contract's, not necessarily the project's (a blind sheet had it silently)."""
    record = _draft(tmp_path, NOTICE)
    asked = {item["field"] for item in record.get("review", [])}
    assert "title" in asked and "budget.total_cost" in asked
    assert all(entry.get("found") != "stated" for path, entry in record["provenance"].items()
               if path not in ("language", "funds", "programme_reference"))


def test_a_project_sheet_that_mentions_a_tender_is_no_notice(tmp_path: Path):
    record = _draft(tmp_path, MAIL.replace("Kind regards", "The tender for the works closes in May.\n\nKind regards"))
    assert record["provenance"]["start_date"]["found"] == "stated"
