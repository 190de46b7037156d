"""Unit tests of the extractor's general layout rules, one rule per test, on small inline pages.

The examples avoid the wording of the development fact sheets (tests/data/extraction-blind) so
that each test checks the rule, not a memorised page.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from inline_sheets import html_record as _html
from inline_sheets import parties as _parties
from inline_sheets import text_record as _text

from eulod.converters.extract.factsheet import extract_document
from eulod.converters.extract.fields.identifiers import labelled_identifier as _identifier
from eulod.converters.extract.text import Document, clean_line, html_lines
from eulod.converters.organisations import known_city, organisation_id

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


# -- round 4: layouts of the fifth and final held-out sets, with other pages ---------------------

def _aligned(body: str, language: str | None = None) -> dict[str, Any]:
    """A plain-text page read as `eulod extract` reads a .txt file (space-aligned tables included)."""
    from eulod.converters.extract.text import aligned_tables

    lines = [clean_line(raw, n) for n, raw in aligned_tables(body.strip("\n").splitlines())]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def test_space_aligned_fact_rows_and_partner_table_with_a_wrapped_name() -> None:
    record = _aligned("""
Acque Alpine – Rete per la gestione dei bacini montani

SCHEDA DEL PROGETTO
Programma                 Interreg Italia-Österreich 2014-2020
Asse prioritario          2 – Natura e cultura
Data di inizio            01/03/2020
Costo totale (€)          1.250.000

PARTNER
Ente                                              Ruolo                  Regione     Paese      Budget (€)
Agenzia provinciale per l'ambiente e la tutela
  del clima (Provincia autonoma di Bolzano)       Beneficiario capofila  Alto Adige  Italia        700.000
Universität Innsbruck                             Beneficiario           Tirol       Austria       550.000
""", language="it")
    assert record["start_date"] == "2020-03-01" and record["budget"]["total_cost"] == "1250000"
    assert record["programme"] == "INTERREG"  # the unknown 'Asse prioritario' row ends the programme's value
    parties = _parties(record)
    lead = next(p for p in parties.values() if p["role"] == "coordinator")
    assert lead["organisation"]["name"] == {"it": "Agenzia provinciale per l'ambiente e la tutela del clima (Provincia autonoma di Bolzano)"}
    assert lead["budget"] == {"total_cost": "700000"}
    innsbruck = parties["universitat-innsbruck"]
    assert innsbruck["role"] == "partner"  # a 'Beneficiario' beside a marked lead is its partner
    assert innsbruck["organisation"]["country"] == "AT" and "city" not in innsbruck["organisation"]
    assert innsbruck["budget"] == {"total_cost": "550000"}


def test_aligned_columns_are_not_read_inside_code_fences_or_from_single_lines() -> None:
    from eulod.converters.extract.text import aligned_tables

    rows = ["```", "src/     the code", "docs/    the manual", "```", "Title   of one   line"]
    assert [raw for _, raw in aligned_tables(rows)] == rows


def test_box_drawing_frames_are_dropped() -> None:
    record = _text("""
Parc Central

┌──────────────────────────────────────────┐
│ Beneficiar: Primăria Municipiului Sibiu  │
│ Data începerii: 01.04.2022               │
└──────────────────────────────────────────┘
""", language="ro")
    assert set(_parties(record)) == {"sibiu-municipality"}
    assert record["start_date"] == "2022-04-01"


def test_mail_headers_of_a_newsletter_are_not_facts() -> None:
    record = _text("""
Von: Netzwerk Grüne Höfe <info@example.org>
Betreff: Rundbrief Nr. 4 – März 2022
Datum: 14. März 2022

Grüne Schulhöfe

Das Netzwerk begrünt Schulhöfe in Graz, Linz und Salzburg. Es macht sie zu offenen Spielorten für das ganze Viertel.
""", language="de")
    assert record["title"] == "Grüne Schulhöfe"
    assert "start_date" not in record


def test_two_line_cards_with_region_lines_give_countries_but_no_cities() -> None:
    record = _text("""
Acque Pulite

Partner
Comune di Bari
Puglia, Italia

Universität Graz
Steiermark, Österreich
""", language="it")
    parties = _parties(record)
    assert parties["bari-municipality"]["organisation"]["city"] == "Bari"  # from its name
    graz = parties["universitat-graz"]["organisation"]
    assert graz["country"] == "AT" and "city" not in graz  # Steiermark is a region, not a city


def test_html_city_cards_under_a_pilot_cities_heading() -> None:
    record = _html("""<html><body><main><h1>Calles Vivas</h1>
<p>Fecha de inicio: 01/02/2022</p>
<p class="tag">Coordinador</p><h3>Fundación Ecología Urbana</h3><p>Bilbao, ES</p>
<h3>Ciudades piloto</h3>
<div><h3>Ayuntamiento de Gijón</h3><p>Gijón, ES</p></div>
<div><h3>Município de Braga</h3><p>Braga, PT</p></div>
<div><h3>Tirana Municipal Council</h3><p>Tirana, AL</p></div>
<p>El consorcio reúne a 14 socios entre universidades, empresas y asociaciones de vecinos de toda Europa.</p>
</main></body></html>""")
    parties = _parties(record)
    assert parties["gijon-municipality"]["organisation"]["city"] == "Gijón"
    assert parties["braga-municipality"]["organisation"]["country"] == "PT"
    tirana = parties["tirana-municipality"]["organisation"]  # a city card names its municipality
    assert list(tirana["name"].values()) == ["Tirana Municipal Council"] and tirana["type"] == "municipality"
    assert "description" not in record or "consorcio" not in record["description"]  # prose among the cards


def test_a_result_card_gives_title_summary_link_and_type() -> None:
    record = _html("""<html><body><main><h1>Bosques Urbanos</h1>
<p>Fecha de inicio: 01/02/2022</p>
<h2>Publicaciones</h2>
<h3><a href="https://example.org/manual">Manual de plantación en patios escolares</a></h3>
<p>Cómo elegir especies y organizar a las familias para plantar y regar.</p>
</main></body></html>""")
    assert record["results"] == [{"title": "Manual de plantación en patios escolares", "type": "guide",
                                  "description": "Cómo elegir especies y organizar a las familias para plantar y regar.",
                                  "url": "https://example.org/manual"}]


def test_an_about_heading_names_the_project_and_its_lead_line_is_the_subtitle() -> None:
    record = _html("""<html><body><main><h1>À propos de reVILLE</h1>
<p class="lead">Reconvertir les friches portuaires en quartiers vivants</p>
<p>reVILLE accompagne trois ports de l'Atlantique dans la reconversion de leurs friches en quartiers mixtes, avec les habitants et les entreprises locales.</p>
<p>Date de début : 01/01/2021</p>
</main></body></html>""")
    assert record["title"] == "reVILLE"
    assert record["subtitle"] == "Reconvertir les friches portuaires en quartiers vivants"
    assert record["description"].startswith("reVILLE accompagne")


def test_a_plain_text_newsletter_with_ruled_upper_case_sections_and_link_notes() -> None:
    record = _text("""
Rete Orti Urbani

Data di inizio: 01/01/2020

==================================================
2. NUOVE PUBBLICAZIONI
==================================================

  * Manuale degli orti condivisi - come avviare un orto di quartiere [1]
  * Rapporto finale sul trasferimento [2]

==================================================
3. APPUNTAMENTI
==================================================

Il festival si terrà a Bologna in autunno; i dettagli seguiranno sul sito.

[1] https://example.org/manuale-orti
[2] https://example.org/rapporto-finale

La rete si conclude il 31 dicembre 2022.
""", language="it")
    assert record["results"] == [
        {"title": "Manuale degli orti condivisi", "type": "guide", "description": "come avviare un orto di quartiere",
         "url": "https://example.org/manuale-orti"},
        {"title": "Rapporto finale sul trasferimento", "type": "report", "url": "https://example.org/rapporto-finale"},
    ]
    assert record["end_date"] == "2022-12-31"  # 'si conclude il' makes the sentence's one date the end


def test_a_period_with_its_duration_in_brackets_and_focus_areas_as_actions() -> None:
    record = _text("""
Elbe verbindet

Projektlaufzeit: 01.04.2018 bis 30.09.2020 (30 Monate)

Schwerpunkte:
* Kartierung der Uferwege
* Gemeinsame Besucherinformation
""", language="de")
    assert record["duration_months"] == 30
    assert record["actions"] == ["Kartierung der Uferwege", "Gemeinsame Besucherinformation"]


# -- two-column pages as pdftotext -layout writes them --------------------------------------------

def _two_column_page(left: list[str], right: list[str], gutter: int) -> list[str]:
    return [f"{a:<{gutter}}{b}".rstrip() for a, b in zip(left + [""] * (len(right) - len(left)),
                                                        right + [""] * (len(left) - len(right)))]


def test_a_two_column_page_is_read_column_by_column() -> None:
    from eulod.converters.extract.text import columns_apart

    left = ["ABOUT THE PROJECT", "", "Harbours on the Atlantic coast will test",
            "low-cost ways to cut the noise of their", "ports at night, with residents, schools",
            "and the businesses that work there. The", "partners share what they learn in a", "toolkit.",
            "", "OBJECTIVES", "", "• Map the noise of every harbour.", "• Test three quieter ways of loading."]
    right = ["KEY FACTS", "", "Lead partner: Cork City Council (IE)", "Total budget: €855,000",
             "Start date: 1 June 2023", "End date: 31 December 2025", "", "PARTNERS", "",
             "Bergamo (IT)", "Leiden (NL)", "Braga (PT)"]
    footer = "Harbour Quiet, an Interreg Atlantic Area project, page 1 / 1"  # across the gutter: ends the run
    page = ["HARBOUR QUIET", ""] + _two_column_page(left, right, 47) + ["", footer]
    read = columns_apart(page)
    texts = [text.strip() for _, text in read if text.strip()]
    assert texts == ["HARBOUR QUIET"] + [t for t in left if t] + [t for t in right if t] + [footer]
    numbers = {text.strip(): number for number, text in read if text.strip()}
    assert numbers["Lead partner: Cork City Council (IE)"] == page.index(_two_column_page(left, right, 47)[2]) + 1
    record = extract_document(Document("inline.txt", [clean_line(raw, n) for n, raw in read]), "inline.txt",
                              language="en").record
    assert record["budget"]["total_cost"] == "855000" and record["start_date"] == "2023-06-01"
    cities = {p["organisation"].get("city") for p in record["participants"]}
    assert {"Bergamo", "Leiden", "Braga"} <= cities


LABELS = st.sampled_from(["Programme", "Total budget", "Start date", "End date", "Lead partner", "Fund",
                          "Project code", "Duration", "EU contribution", "Priority axis", "Website"])
VALUES = st.text(alphabet="abcdefghij ABCDEFG0123456789.,€-", min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(LABELS, VALUES), min_size=2, max_size=14), st.integers(min_value=20, max_value=40),
       st.lists(st.sampled_from(["", "PARTNERS", "Budget in euro, as signed."]), max_size=3))
def test_a_space_aligned_table_of_facts_is_never_read_as_two_columns(rows, width, extra):
    """Key facts padded into a label column ('Total budget        €855,000'), with headings or
    notes between them, are one table: no gutter splits them, whatever their widths."""
    from eulod.converters.extract.text import columns_apart

    page = [f"{label:<{width}}{value}" for label, value in rows] + extra
    assert columns_apart(page) == list(enumerate(page, start=1))


# -- news feeds saved as they were fetched ----------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>City of Example – EU projects</title>
  <language>sk</language>
  <generator>https://wordpress.org/?v=6.4.2</generator>
  <item>
    <title>Works on the school began</title>
    <guid isPermaLink="false">https://example.org/?p=1</guid>
    <category><![CDATA[EU funds]]></category>
    <content:encoded><![CDATA[<p>The works began in January.</p>
<ul><li><strong>Total cost:</strong> 3 184 600,00 EUR</li></ul>]]></content:encoded>
  </item>
  <item>
    <title>Contract signed</title>
    <description>&lt;p&gt;The grant agreement was signed on 10 April 2024.&lt;/p&gt;</description>
  </item>
</channel>
</rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="pt">
  <title>Notícias</title>
  <id>urn:uuid:1</id>
  <entry>
    <title>Obra concluída</title>
    <link href="https://example.org/obra"/>
    <content type="html">&lt;p&gt;A obra foi concluída em março.&lt;/p&gt;</content>
  </entry>
</feed>"""


def test_an_rss_feed_reads_as_the_page_it_stands_for(tmp_path) -> None:
    from eulod.converters.extract.text import read_document

    path = tmp_path / "feed.txt"
    path.write_text(RSS, "utf-8")
    document = read_document(path)
    lines = [(line.number, line.text, line.heading) for line in document.lines if line.text]
    source = RSS.splitlines()
    for number, text, _ in lines:  # every line keeps the number of the line it comes from
        assert text.split(":")[0].strip("*") in source[number - 1].replace("&lt;", "<").replace("&gt;", ">"), (number, text)
    texts = [text for _, text, _ in lines]
    assert "City of Example – EU projects" in texts
    assert not any("wordpress" in t or "?p=1" in t or "EU funds" in t or "<" in t for t in texts), texts
    assert ("Works on the school began", True) in [(t, h) for _, t, h in lines]  # an item's title heads it
    assert "Total cost: 3 184 600,00 EUR" in texts
    assert "The grant agreement was signed on 10 April 2024." in texts  # escaped HTML read as HTML
    assert document.declared_language == "sk"


def test_an_atom_feed_reads_as_the_page_it_stands_for(tmp_path) -> None:
    from eulod.converters.extract.text import read_document

    path = tmp_path / "feed.xml"
    path.write_text(ATOM, "utf-8")
    document = read_document(path)
    texts = [line.text for line in document.lines if line.text]
    assert texts == ["Notícias", "Obra concluída", "A obra foi concluída em março."]
    assert document.declared_language == "pt"


def test_a_value_wrapped_under_its_column_runs_on_and_a_numbered_item_does_not() -> None:
    """A space-aligned fact whose value wraps onto the next line under the value column is one value;
    the next numbered partner under it is a line of its own, and a title's language is the page's
    when its few small words say otherwise ('od' is Polish too) but its letters do not."""
    from eulod.converters.extract.text import aligned_tables

    rows = ["  Naziv projekta:        Sava bez granica – zajednička zaštita od poplava",
            "                         Slavonskog Broda i Broda",
            "  Akronim:               SAVA-SAFE",
            "  Partneri:              1. Grad Slavonski Brod",
            "                         2. Grad Brod"]
    read = [raw for _, raw in aligned_tables(rows)]
    assert read[0] == "| Naziv projekta: | Sava bez granica – zajednička zaštita od poplava Slavonskog Broda i Broda |"
    assert read[1] == "| Akronim: | SAVA-SAFE |"
    assert read[3].strip() == "2. Grad Brod"
    record = _aligned("\n".join(["ZAPISNIK", "", *rows[:3], "",
                                 "Projekt financira Europska unija iz programa Interreg VI-A IPA Hrvatska – Bosna i "
                                 "Hercegovina – Crna Gora. Grad Slavonski Brod i Grad Brod zajedno grade nasipe uz "
                                 "rijeku Savu, a projekt traje dvije godine i uključuje sustav ranog upozoravanja."]))
    assert record["title"] == "Sava bez granica – zajednička zaštita od poplava Slavonskog Broda i Broda"


def test_a_wiki_s_edit_links_beside_headings_are_furniture() -> None:
    page = """<html><body><main><h1>Green Banks</h1>
<h2><span class="mw-headline">Objectives</span><span class="mw-editsection"><span class="mw-editsection-bracket">[</span>
<a href="#">edit</a> | <a href="#">edit source</a><span class="mw-editsection-bracket">]</span></span></h2>
<p>To protect the river banks of both towns.</p></main></body></html>"""
    texts = [line.text for line in html_lines(page) if line.text]
    assert texts == ["Green Banks", "Objectives", "To protect the river banks of both towns."]


# -- tables whose cells tabs separate (a word processor's or spreadsheet's table saved as text) -----

def test_a_tab_separated_fact_table_is_read_as_labelled_facts(tmp_path) -> None:
    """'Project title<TAB>value' rows: the tab is the only thing between label and value (no colon, no
    space alignment), so the rows must be cut at the tabs to be read as a table."""
    from eulod.converters.extract.factsheet import extract_file

    sheet = tmp_path / "card.txt"
    sheet.write_text("Ciudad de ejemplo\n\nFicha del proyecto\n"
                     "Título del proyecto\tRutas verdes entre barrios del sur\n"
                     "Programa\tInterreg VI-A España-Portugal (POCTEP) 2021-2027\n"
                     "Coste total\t1 250 000,00 EUR\n"
                     "Fecha de inicio\t01/03/2024\n"
                     "Fecha de finalización\t28/02/2027\n", "utf-8")
    record = extract_file(sheet).record
    assert record is not None
    assert record["title"] in ("Rutas verdes entre barrios del sur", {"es": "Rutas verdes entre barrios del sur"})
    assert record["budget"]["total_cost"] == "1250000.00"
    assert (record["start_date"], record["end_date"]) == ("2024-03-01", "2027-02-28")
    assert not any(item["field"] == "title" for item in record.get("review", []))


def test_a_tab_inside_prose_makes_no_table(tmp_path) -> None:
    """One line with a tab is no table: the paragraph stays a paragraph."""
    from eulod.converters.extract.text import aligned_tables

    lines = ["The project\tstarted in spring.", "It builds two bridges over the river."]
    assert aligned_tables(lines) == [(1, lines[0]), (2, lines[1])]


# -- page furniture: cookie notices in the official languages, greetings, 'view in your browser' ------

@given(st.sampled_from([
    "Šioje svetainėje naudojami slapukai. Tęsdami naršymą sutinkate.",
    "Tällä sivustolla käytetään evästeitä.",
    "Ez a weboldal sütiket használ.",
    "Šī vietne izmanto sīkdatnes.",
    "Ta spletna stran uporablja piškotke.",
    "Ova stranica koristi kolačiće.",
    "Този сайт използва бисквитки.",
    "Den här webbplatsen använder kakor.",
    "Strona korzysta z ciasteczek.",
    "Baineann an suíomh seo úsáid as fianáin.",
    "Hej Lars!",
    "Dear colleagues,",
    "Bonjour à tous,",
    "Szanowni Państwo,",
    "Dacă acest e-mail nu se afișează corect, vizualizați-l în browser:",
]))
def test_cookie_notices_greetings_and_browser_lines_are_furniture(line: str) -> None:
    from eulod.converters.extract.page import furniture

    assert furniture(line)


@given(st.sampled_from([
    "Hello Europe: a youth exchange on local democracy",
    "Dear Neighbours – community energy in the Rhine valley",
    "Kakor z jabolki in medom",  # Slovene 'like' opens a sentence, not a Swedish cookie notice with a greeting
    "Tere tulemast Tartu uude raamatukokku",
]))
def test_titles_that_open_with_a_greeting_word_are_not_furniture(line: str) -> None:
    from eulod.converters.extract.page import furniture

    assert not furniture(line)


# -- Swedish municipalities: the place in the genitive ------------------------------------------

@given(st.sampled_from([
    ("Lunds kommun", "lund-municipality", "Lund"),
    ("Strömstads kommun", "stromstad-municipality", "Strömstad"),
    ("Göteborgs Stad", "goteborg-municipality", "Göteborg"),
    ("Uppsala kommun", "uppsala-municipality", "Uppsala"),  # a vowel takes no genitive s
    ("Borås Stad", "boras-municipality", "Borås"),  # nor a place ending in s
    ("Hagfors kommun", "hagfors-municipality", "Hagfors"),  # whose own name ends in a consonant and s
]))
def test_a_swedish_municipality_is_its_place_out_of_the_genitive(case: tuple[str, str, str]) -> None:
    """'Lunds kommun' is Lund's: the id and city of a fact sheet's partner and of an imported record agree."""
    from eulod.converters.extract.places import organisation

    name, expected_id, place = case
    found = organisation(name, "sv")
    assert (found.id, found.city, found.type) == (expected_id, place, "municipality")
    assert organisation_id(name) == expected_id


# -- a newsletter's calendar and unsubscribe link after the project's contact ------------------

NEWSLETTER = """
Projektnamn: Gröna skolgårdar i Norrland
Projektperiod: 1 mars 2025 – 28 februari 2027
Total budget: 4 200 000 kr
Kontakt: Eva Exempel, projektledare, eva.exempel@example.org

12 maj 2025 kl. 13.00: Webbinarium om skolgårdar. Anmälan till info@example.org.

Avregistrera dig: https://brev.example.org/avregistrera?id=77
"""


def test_a_calendar_entry_after_the_contact_is_no_contact() -> None:
    """'12 maj 2025 kl. 13.00: Webbinarium ...' under the contact is a dated entry, not a second contact
    whose role is a date and whose mailbox is the event's."""
    record = _text(NEWSLETTER, "sv")
    assert [c.get("email") for c in record.get("contacts", [])] == ["eva.exempel@example.org"]


def test_an_unsubscribe_link_is_never_the_website() -> None:
    record = _text(NEWSLETTER, "sv")
    assert "avregistrera" not in record.get("website", "")


def test_an_amount_in_millions_is_asked() -> None:
    """'Budget : 4,86 millions d'euros' is rounded: the record needs the exact figure, so the value is asked."""
    record = _text("""
Projet LIFE Rivières vivantes
Budget : 4,86 millions d'euros
Contribution de l'UE : 2,92 millions d'euros
Début : 1er octobre 2024
Fin : 30 septembre 2029
""", "fr")
    assert record["budget"]["total_cost"] == "4860000"
    asked = {item["field"] for item in record.get("review", [])}
    assert {"budget.total_cost", "budget.eu_contribution"} <= asked


@given(st.sampled_from([
    "Le projet est coordonné par le Conservatoire d'espaces naturels Centre-Val de Loire, dont le siège est à "
    "Orléans. Ses quatre bénéficiaires associés sont[1] :",
    "Die folgenden Partner sind beteiligt:",
    "Das Vorhaben wird von der Stadt getragen. Partner sind die Hochschule und zwei Vereine",
]))
def test_a_sentence_is_no_participant_name(name: str) -> None:
    """A list's lead-in sentence read as a participant (the eighteenth set's Wikipedia article) is asked,
    never stated: participant_list marks a name that reads as a sentence as inferred."""
    from eulod.converters.extract.fields.participant_list import _sentence

    assert _sentence(name)


@given(st.sampled_from(["Office français de la biodiversité (OFB)", "Université de Tours, laboratoire CITERES",
                        "St. Patrick's College Dublin", "Wageningen University & Research", "Dr. Ing. h.c. F. Porsche AG"]))
def test_an_organisation_s_name_is_no_sentence(name: str) -> None:
    from eulod.converters.extract.fields.participant_list import _sentence

    assert not _sentence(name)


@settings(deadline=None)
@given(st.sampled_from([("prof. Lucia Esempio", "Lucia Esempio"), ("Prof.ssa Lucia Esempio", "Lucia Esempio"),
                        ("Profesor Jan Przykład", "Jan Przykład"), ("Dr. Erika Beispiel", "Dr. Erika Beispiel")]))
def test_a_contact_s_academic_rank_is_left_out_and_a_doctor_kept(case: tuple[str, str]) -> None:
    """Records leave a professor's rank out of the contact's name ('prof. Lucia Esempio' -> 'Lucia Esempio'),
    as they leave out 'Ing.' and 'Mgr.', and keep 'Dr'."""
    written, expected = case
    record = _text(f"""
Progetto: Scuola aperta d'estate
Programma: PN Scuola e competenze 2021-2027, FSE+
Inizio: 1 giugno 2025
Fine: 31 agosto 2026
Referente del progetto: {written}, lucia.esempio@example.org
""", "it")
    assert [c.get("name") for c in record.get("contacts", [])] == [expected]


def test_a_readme_s_citation_and_code_blocks_state_no_facts(tmp_path) -> None:
    """A README's BibTeX block ('title = {...}', 'year = {2025}') is its software's citation and a shell block is
    code: neither is read as the project's labelled facts."""
    from eulod.converters.extract.factsheet import extract_file

    sheet = tmp_path / "README.md"
    sheet.write_text("""# rivermesh

A library for river models, built in the Horizon Europe project RIVERMESH.

## Install

```bash
pip install rivermesh
```

```python
site = Site.load("examples/danube.geojson")
start = "2025-04-01"
mesh = site.mesh(start=start)
```

## Funding

The project runs from 1 January 2025 to 31 December 2027 under Horizon Europe.

## Citation

```bibtex
@software{rivermesh_2025,
  author  = {Example, Anna and Sample, Ben},
  title   = {rivermesh: a river mesh library},
  year    = {2025},
  version = {1.2.0},
}
```
""", "utf-8")
    record = extract_file(sheet).record
    assert record is not None
    assert "rivermesh: a river mesh library" not in str(record.get("title"))
    assert record.get("start_date") != "2025-04-01"


# -- Drupal's inline fields: a label block over its value block -----------------------------------

DRUPAL = """<html><body><main>
<h1 class="page-title"><span class="field field--name-title field--label-hidden">RIVERLINK – Fiumi vivi</span></h1>
<div class="field field--name-field-total field--label-inline"><div class="field__label">Costo totale</div><div class="field__item">€2,450,000.00</div></div>
<div class="field field--name-field-fesr field--label-inline"><div class="field__label">Contributo FESR</div><div class="field__item">€1,960,000.00</div></div>
<div class="field field--name-field-start field--label-inline"><div class="field__label">Data di inizio</div><div class="field__item">1 marzo 2025</div></div>
<div class="field field--name-body field--label-hidden"><div class="field__item"><p>RIVERLINK ripristina le sponde di tre fiumi in due città.</p></div></div>
</main></body></html>"""


def test_drupal_s_label_blocks_are_labels_and_a_hidden_label_is_none() -> None:
    """'<div class="field__label">Costo totale</div><div class="field__item">€2,450,000.00</div>' states the total
    cost, and the title's wrapper class 'field--label-hidden' makes no label of the title."""
    record = _html(DRUPAL)
    assert record["budget"] == {"total_cost": "2450000.00", "eu_contribution": "1960000.00"}
    assert record["start_date"] == "2025-03-01"
    assert not {"budget.total_cost", "budget.eu_contribution"} & {item["field"] for item in record.get("review", [])}
    assert str(record["title"]).startswith("RIVERLINK") or record.get("acronym") == "RIVERLINK"
    assert "ripristina" not in str(record["title"])


def test_a_label_naming_the_page_s_language_in_its_declined_form_asks_for_the_other_name() -> None:
    """'Hankkeen suomenkielinen nimi' ('the project's Finnish-language name': 'suomi' declined) says the project
    has a name in another language too: the Finnish name alone is asked, not stated."""
    record = _html("""<html><body><main><h1>PEATLIFE</h1>
<dl><dt>Hankkeen suomenkielinen nimi</dt><dd>Soiden ennallistaminen Pohjois-Suomessa</dd>
<dt>Kesto</dt><dd>1.1.2025–31.12.2027</dd></dl></main></body></html>""")
    assert "title" in {item["field"] for item in record.get("review", [])}


def test_a_one_row_spreadsheet_export_is_read_header_by_header(tmp_path) -> None:
    """A list of operations exported as text with one operation under its header row (';' between cells,
    a quoted cell over two lines): each cell is read under its column's header, as 'Header: value'."""
    from eulod.converters.extract.factsheet import extract_file

    sheet = tmp_path / "operazioni.txt"
    sheet.write_text(
        "ELENCO DELLE OPERAZIONI;;;;;;;\n"
        "Codice operazione;Denominazione operazione;Beneficiario;Data di inizio;Data di fine;"
        "Costo totale ammissibile (EUR);Contributo UE (EUR);Fondo\n"
        'PR-FESR-0042;Pista ciclabile lungo il fiume Sesia;Comune di Vercelli;01/02/2025;30/06/2027;'
        '"1.250.000,00";"500.000,00";FESR\n'
        ";;;;;;;\n"
        "Importi in euro.;;;;;;;\n", "utf-8")
    record = extract_file(sheet).record
    assert record is not None
    assert record["title"] in ("Pista ciclabile lungo il fiume Sesia", {"it": "Pista ciclabile lungo il fiume Sesia"})
    assert (record["start_date"], record["end_date"]) == ("2025-02-01", "2027-06-30")
    assert record["budget"]["total_cost"] == "1250000.00"


def test_a_table_of_several_rows_is_no_one_row_export() -> None:
    from eulod.converters.extract.text import one_row_export

    text = "A;B;C;D;E\n1;2;3;4;5\n6;7;8;9;10\n"
    assert one_row_export(text) is None
    assert one_row_export("Prose; with a semicolon; or two.\nAnd more prose.") is None


def test_a_lead_partner_badge_over_one_card_names_that_card_only() -> None:
    """'<li><span class="badge">Lead partner</span><h3>X</h3>...' then cards without a badge: X leads, the others
    are partners (the badge was the label of every card after it)."""
    record = _html("""<html><body><main><h1>BLUEPORT</h1><p>Start date: 1 March 2024. End date: 28 February 2027.</p>
<section><h2>Partners</h2><ul class="partner-list">
<li class="partner-card partner-card--lead"><span class="badge">Lead partner</span><h3>Port of Example</h3><p>Gdynia, Poland</p></li>
<li class="partner-card"><h3>City of Aarhus</h3><p>Aarhus, Denmark</p></li>
<li class="partner-card"><h3>Region Skåne</h3><p>Malmö, Sweden</p></li>
</ul></section></main></body></html>""")
    roles = [(p["role"], next(iter(p["organisation"]["name"].values()))) for p in record["participants"]]
    assert roles == [("coordinator", "Port of Example"), ("partner", "City of Aarhus"), ("partner", "Region Skåne")]


def test_a_one_row_export_with_tabs_between_cells(tmp_path) -> None:
    """The same export with a tab between cells (a spreadsheet saved as 'Text (Tab delimited)')."""
    from eulod.converters.extract.factsheet import extract_file

    sheet = tmp_path / "popis.txt"
    sheet.write_text("POPIS OPERACIJA\t\t\t\t\t\n"
                     "Kod operacije\tNaziv operacije\tNaziv korisnika\tDatum početka operacije\t"
                     "Datum završetka operacije\tFond\n"
                     "KK.06.1.1.01.0042\tObnova gradske knjižnice u Sisku\tGrad Sisak\t01.03.2024.\t28.02.2026.\tEFRR\n",
                     "utf-8")
    record = extract_file(sheet).record
    assert record is not None
    assert record["title"] in ("Obnova gradske knjižnice u Sisku", {"hr": "Obnova gradske knjižnice u Sisku"})
    assert (record["start_date"], record["end_date"]) == ("2024-03-01", "2026-02-28")


def test_a_period_written_with_ordinal_dots_is_a_period() -> None:
    """'2021.-2027.' (Croatian, Hungarian: years with their ordinal dots) names the programming period: AMIF read
    as its 2014-2020 generation from the start year is then asked."""
    record = _text("""
Program: Program Fonda za azil, migracije i integraciju (AMIF) 2021.-2027.
Naziv operacije: Dobrodošli u Karlovac
Datum početka operacije: 01.02.2023.
Datum završetka operacije: 31.07.2025.
""", "hr")
    assert "programme" in {item["field"] for item in record.get("review", [])}


@given(st.sampled_from(["Seinäjoen ammattikorkeakoulu Oy, Into Seinäjoki Oy", "Siemens AG und Bosch GmbH",
                        "ABB Oy ja Wärtsilä Oyj"]))
def test_two_legal_forms_in_one_name_are_two_bodies(name: str) -> None:
    """'X Oy, Y Oy' read as one participant is asked: two bodies' legal forms with a comma or 'and' between them."""
    from eulod.converters.extract.fields.participant_list import _two_bodies

    assert _two_bodies(name)


@given(st.sampled_from(["Nokia Oyj", "Dr. Ing. h.c. F. Porsche AG", "Fundación Ejemplo, S.A.", "Acme Ltd"]))
def test_one_legal_form_is_one_body(name: str) -> None:
    from eulod.converters.extract.fields.participant_list import _two_bodies

    assert not _two_bodies(name)


def test_a_forwarded_message_s_header_block_states_nothing() -> None:
    """A forwarded message's headers further down ('Saatja: ... <a@b>', 'Kuupäev: ...', 'Teema: ...') are mail
    headers in any official language, not facts: the Estonian subject line is no theme."""
    record = _text("""
Tere!

Saadan edasi programmi uudiskirja.

---------- Edasi saadetud kiri ----------
Saatja: Programmi sekretariaat <sekretariaat@example.org>
Kuupäev: 7. oktoober 2025 10:02
Teema: Uudiskiri nr 3/2025: jõed ja rattateed

Projekt: Rattateed jõgede ääres
Projekti algus: 1. märts 2025
Projekti lõpp: 28. veebruar 2027
""", "et")
    assert not any("uudiskiri" in str(theme).lower() for theme in record.get("themes", []))


def test_a_place_column_holding_town_and_country_gives_both() -> None:
    """'| Lead partner | Comune di Udine | Udine, Italia |': the place cell is the town and its country."""
    record = _text("""
Project period: 1 March 2025 – 28 February 2027

Partners:
| Role | Partner | Location |
| --- | --- | --- |
| Lead partner | Comune di Udine | Udine, Italia |
| Partner | Občina Nova Gorica | Nova Gorica, Slovenija |
""")
    places = {p["organisation"]["id"]: (p["organisation"].get("city"), p["organisation"].get("country"))
              for p in record["participants"]}
    assert places["udine-municipality"] == ("Udine", "IT")
    assert places["nova-gorica-municipality"] == ("Nova Gorica", "SI")


def test_a_programme_label_naming_no_listed_programme_makes_another_mention_a_guess() -> None:
    """'Program: EU's LIFE-program' (no notation in the code list) is the project's programme: an Interreg project
    named further down the page is another's, so the programme read from it is asked."""
    record = _text("""
Projektets navn: Levende å
Program: EU's LIFE-program, delprogrammet Natur og biodiversitet
Projektperiode: 1. september 2025 – 31. august 2031

Andre nyheder: Borgerpanelet er en del af Interreg-projektet KLIMA-BORGERE.
""", "da")
    if record.get("programme"):
        assert "programme" in {item["field"] for item in record.get("review", [])}


@settings(deadline=None)
@given(st.sampled_from([("1. 3. 2025 – 30. 9. 2026", ("2025-03-01", "2026-09-30")),
                        ("1. 10. 2024 – 31. 12. 2025", ("2024-10-01", "2025-12-31"))]))
def test_a_period_opening_with_a_spaced_date_is_no_numbered_item(case: tuple[str, tuple[str, str]]) -> None:
    """'1. 3. 2025 – 30. 9. 2026' on a line of its own under its label: '1.' is the day, not an item number."""
    from eulod.converters.extract.text import clean_line

    line, dates = case
    assert clean_line(line, 1).text == line and not clean_line(line, 1).bullet
    record = _text(f"Projekt: Kolesarska pot ob Dravi\nObdobje izvajanja:\n{line}\n", "sl")
    assert (record.get("start_date"), record.get("end_date")) == dates
