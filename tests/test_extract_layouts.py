"""Unit tests of the extractor's general layout rules, one rule per test, on small inline pages.

The examples avoid the wording of the development fact sheets (tests/data/extraction-blind) so
that each test checks the rule, not a memorised page.
"""

from __future__ import annotations

from typing import Any

from eulod.converters.extract.factsheet import _identifier, extract_document
from eulod.converters.extract.text import Document, clean_line, html_lines
from eulod.converters.organisations import known_city, organisation_id


def _text(body: str, language: str | None = None) -> dict[str, Any]:
    lines = [clean_line(raw, n) for n, raw in enumerate(body.strip("\n").splitlines(), start=1)]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def _html(page: str) -> dict[str, Any]:
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html")
    assert draft.record is not None, draft.problems
    return draft.record


def _parties(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["organisation"]["id"]: p for p in record.get("participants", [])}


# -- organisation ids: endonyms ---------------------------------------------------------------

def test_municipality_ids_use_the_city_endonym_in_any_language() -> None:
    assert organisation_id("City of The Hague") == "den-haag-municipality"
    assert organisation_id("Gemeente Den Haag") == "den-haag-municipality"
    assert organisation_id("Comune di Copenaghen") == "kobenhavn-municipality"
    assert organisation_id("Stadt Kopenhagen") == "kobenhavn-municipality"
    assert organisation_id("Ville de Varsovie") == "warszawa-municipality"


def test_unknown_cities_keep_the_slug_of_their_name() -> None:
    assert organisation_id("Municipality of Tinytown") == "tinytown-municipality"
    assert known_city("Tinytown") is None
    assert known_city("Anvers") == ("antwerpen", "BE")


def test_extracted_bare_city_reconciles_to_the_endonym_id() -> None:
    record = _text("""
Project name: Green Yards

Start date: 01/02/2020

Partners:
- Copenhague (DK)
- Anvers (BE)
""", language="fr")
    parties = _parties(record)
    assert set(parties) == {"kobenhavn-municipality", "antwerpen-municipality"}
    assert parties["antwerpen-municipality"]["organisation"]["type"] == "municipality"
    assert parties["antwerpen-municipality"]["organisation"]["country"] == "BE"


# -- HTML structure ---------------------------------------------------------------------------

def test_html_reads_only_main_content_and_skips_consent_banners() -> None:
    page = """<html><body>
<div class="cc-cookie-notice">We use cookies. <a href="/p">Privacy</a></div>
<header><p>City Portal</p></header>
<main><h1>Blue Harbour</h1><p>Start date: 3 March 2021</p>
<div id="consent-box">Accept all</div></main>
<footer><p>Imprint</p></footer></body></html>"""
    texts = [line.text for line in html_lines(page) if line.text]
    assert texts == ["Blue Harbour", "Start date: 3 March 2021"]


def test_html_two_column_fact_table_rows_are_labels() -> None:
    record = _html("""<html><body><main><h1>Blue Harbour</h1>
<table><tr><th>Start date</th><td>3 March 2021</td></tr>
<tr><th>Duration</th><td>24 months</td></tr></table></main></body></html>""")
    assert record["start_date"] == "2021-03-03"
    assert record["duration_months"] == 24


def test_html_several_dd_under_one_dt_are_one_list() -> None:
    record = _html("""<html><body><article><h1>Blue Harbour</h1><dl>
<dt>Start date</dt><dd>3 March 2021</dd>
<dt>Partners</dt><dd>Harbour Research Institute</dd><dd>Tideway Foundation</dd></dl></article></body></html>""")
    assert set(_parties(record)) == {"harbour-research-institute", "tideway-foundation"}


def test_h1_is_the_title_and_the_line_under_it_the_subtitle() -> None:
    record = _html("""<html><body><main><p>Home › Projects › Blue Harbour</p><h1>Blue Harbour</h1>
<p>Cleaner docks for a cleaner sea</p><p>Start date: 3 March 2021</p></main></body></html>""")
    assert record["title"] == "Blue Harbour"
    assert record["subtitle"] == "Cleaner docks for a cleaner sea"


# -- plain text and Markdown layouts ----------------------------------------------------------

def test_page_header_and_breadcrumb_are_not_the_title() -> None:
    record = _text("""
City of Tinytown
Home > EU projects > Blue Harbour

Blue Harbour
Cleaner docks for a cleaner sea

Start date: 3 March 2021
""")
    assert record["title"] == "Blue Harbour"
    assert record["subtitle"] == "Cleaner docks for a cleaner sea"


def test_about_line_names_the_project_of_a_press_release() -> None:
    record = _text("""
Tinytown Council | News

Tinytown welcomes partners from five countries to its harbour

The project started on 3 March 2021 and runs for 24 months.

About BLUEDOCK
BLUEDOCK helps port cities clean their docks with nature-based filters, testing them in five harbours and sharing the results with other port cities.
""")
    assert record["title"] == "BLUEDOCK"
    assert record["description"].startswith("BLUEDOCK helps port cities")


def test_markdown_table_with_a_role_column_and_a_header_row() -> None:
    record = _text("""
# Blue Harbour

Start date: 3 March 2021

## Partners

| Organisation | Description | Role |
|---|---|---|
| Tideway | Research institute for coastal studies | Coordinator |
| Harbour Agency | Public agency | Partner |
""")
    parties = _parties(record)
    assert set(parties) == {"tideway", "harbour-agency"}
    assert parties["tideway"]["role"] == "coordinator"
    assert parties["tideway"]["organisation"]["type"] == "research-organisation"
    assert parties["harbour-agency"]["organisation"]["type"] == "public-body"


def test_bulleted_label_lines_are_facts_and_nested_dash_items_are_list_items() -> None:
    record = _text("""
Blue Harbour

• Start date: 03/03/2021
• Duration: 24 months

Partners
• Lead partner: Municipality of Tinytown (IE)
• Partners:
  – Aarhus (DK)
  – Tartu (EE)
""")
    assert record["start_date"] == "2021-03-03"
    parties = _parties(record)
    assert parties["tinytown-municipality"]["role"] == "coordinator"
    assert parties["aarhus-municipality"]["organisation"]["name"] == {"en": "Aarhus"}
    assert parties["tartu-municipality"]["role"] == "partner"


def test_one_line_list_with_a_conjunction_before_the_last_item() -> None:
    record = _text("""
Blue Harbour

Start date: 03/03/2021

Partners: Aarhus (DK), Tartu (EE) and Gdynia (PL).
""")
    assert set(_parties(record)) == {"aarhus-municipality", "tartu-municipality", "gdynia-municipality"}


def test_prose_partners_lead_cue_and_seat() -> None:
    record = _text("""
Blue Harbour

The project started on 3 March 2021. It is led by the Baltic Ports Association, a network of harbour towns based in Gdynia (PL). The partnership brings together Aarhus (DK), the Tartu Science Park (EE) and Nordic Docks (SE).
""")
    parties = _parties(record)
    lead = parties["baltic-ports-association"]
    assert lead["role"] == "coordinator"
    assert lead["organisation"]["city"] == "Gdynia" and lead["organisation"]["country"] == "PL"
    assert "gdynia-municipality" not in parties  # the seat, not a partner
    assert parties["tartu-science-park"]["role"] == "partner"
    assert parties["aarhus-municipality"]["organisation"]["country"] == "DK"


def test_labelled_identifiers_by_scheme() -> None:
    assert _identifier("Grant agreement", "No. 123456") == {"scheme": "eu-grant-agreement", "value": "123456"}
    assert _identifier("CUP", "J41B19000120006") == {"scheme": "national-cup", "value": "J41B19000120006"}
    assert _identifier("Project reference", "INT02-117") == {"scheme": "project-code", "value": "INT02-117"}
    assert _identifier("Project reference", "to be assigned") is None


def test_page_update_dates_are_not_project_dates() -> None:
    record = _text("""
Blue Harbour

Start date: 03/03/2021

Last updated: 12/05/2022
""")
    assert record["start_date"] == "2021-03-03"
    assert "end_date" not in record
