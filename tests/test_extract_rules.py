"""Unit tests of the extractor's general rules added for issue 4 (generalising to unseen fact sheets).

One rule per test, on small inline pages written for the test: other cities, other wording and,
where the development sets used one language, another one. Each assertion fails without its rule.
"""

from __future__ import annotations

from typing import Any

from eulod.converters.extract.factsheet import _identifier, extract_document
from eulod.converters.extract.numbers import find_amounts
from eulod.converters.extract.places import name_language, organisation
from eulod.converters.extract.text import Document, clean_line, html_lines


def _text(body: str, language: str | None = None) -> dict[str, Any]:
    lines = [clean_line(raw, n) for n, raw in enumerate(body.strip("\n").splitlines(), start=1)]
    draft = extract_document(Document("inline.txt", lines), "inline.txt", language=language)
    assert draft.record is not None, draft.problems
    return draft.record


def _parties(record: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["organisation"]["id"]: p for p in record.get("participants", [])}


# -- segments ---------------------------------------------------------------------------------

def test_an_unknown_label_line_ends_a_beneficiary_list() -> None:
    record = _text("""
Bénéficiaire : Ville de Rennes
Intitulé de l'opération : Halles numériques
Code postal : 35000
Date de début : 01/03/2019
""", language="fr")
    assert set(_parties(record)) == {"rennes-municipality"}
    assert record["title"] == "Halles numériques"


def test_an_unknown_heading_ends_the_list_above_it() -> None:
    record = _text("""
# Ríos Vivos

## Objetivos

- Recuperar las riberas urbanas.
- Reducir el riesgo de inundación.

## Lo que hace Murcia

- Un parque fluvial en el barrio del Carmen.

Fecha de inicio: 01/02/2021
""", language="es")
    assert len(record["objectives"]) == 2


def test_a_heading_with_a_city_word_is_not_a_city_list_unless_it_is_only_that() -> None:
    record = _text("""
# Caring Cities

Partner cities:
- Tartu (EE)
- Varna (BG)

Start date: 05/05/2020
""")
    assert record["title"] == "Caring Cities"
    assert set(_parties(record)) == {"tartu-municipality", "varna-municipality"}


def test_a_short_label_line_over_a_bullet_list_heads_it() -> None:
    record = _text("""
GreenQuays

Start date: 01/01/2020

Project deliverables
- Quayside Design Handbook
- Local Investment Plan for the harbour
""")
    titles = {r["title"] for r in record["results"]}
    assert titles == {"Quayside Design Handbook", "Local Investment Plan for the harbour"}
    assert next(r for r in record["results"] if r["title"].startswith("Quayside"))["type"] == "guide"


def test_two_labelled_facts_on_one_line_are_split() -> None:
    record = _text("""
Waterfront Lab

Start date: 01/01/2021

Contact
Project desk: desk@example.org — Website: https://waterfront.example.org
""")
    assert record["website"] == "https://waterfront.example.org"
    assert record["contacts"][0]["role"] == "Project desk"
    assert "office" not in record["contacts"][0]


def test_a_label_naming_several_sections_is_the_description() -> None:
    record = _text("""
Operação: Parque Ribeirinho

Data de início: 2019-01-01

Objetivos e atividades:
A operação cria um parque ribeirinho com percursos pedonais e zonas de lazer junto ao rio.
""", language="pt")
    assert record["description"].startswith("A operação cria um parque")
    assert "objectives" not in record and "actions" not in record


def test_bilingual_section_headings() -> None:
    record = _text("""
Cele / Objectives
PL: Poprawa jakości powietrza w centrum miasta.
EN: Better air quality in the city centre.

Data rozpoczęcia: 01.02.2020
""", language="pl")
    assert record["objectives"] == [{"pl": "Poprawa jakości powietrza w centrum miasta.",
                                     "en": "Better air quality in the city centre."}]


# -- identifiers, currency, money ------------------------------------------------------------------

def test_a_national_code_label_gives_a_project_code_even_for_a_bare_number() -> None:
    assert _identifier("Cod SMIS", "140321") == {"scheme": "project-code", "value": "140321"}
    assert _identifier("Numer umowy", "44556677") == {"scheme": "project-code", "value": "44556677"}
    assert _identifier("Grant agreement", "44556677") == {"scheme": "eu-grant-agreement", "value": "44556677"}


def test_currencies_other_than_the_euro() -> None:
    assert [a.currency for a in find_amounts("Wartość: 1 250 000,00 zł")] == ["PLN"]
    assert [a.currency for a in find_amounts("Valoare: 3.400.000,50 lei")] == ["RON"]
    assert [a.currency for a in find_amounts("Rozpočet: 12 500 000 Kč")] == ["CZK"]
    record = _text("""
Tytuł projektu: Zielone podwórka
Data rozpoczęcia: 01.03.2018
Wartość projektu: 1 250 000,00 zł
""", language="pl")
    assert record["currency"] == "PLN"


def test_of_which_parts_of_a_participant_budget() -> None:
    record = _text("""
Tidal Parks

Start date: 01/04/2020
Total budget: EUR 900,000.00

Lead partner: Municipality of Tinytown (IE)
Budget of the Municipality of Tinytown: EUR 120,000.00, of which ERDF EUR 90,000.00 (75%)
""")
    budget = _parties(record)["tinytown-municipality"]["budget"]
    assert budget == {"total_cost": "120000.00", "eu_contribution": "90000.00", "eu_contribution_rate": 75}
    assert record["budget"] == {"total_cost": "900000.00"}


def test_a_budget_block_under_a_participant_heading() -> None:
    record = _text("""
Parques Vivos

Data de início: 01/01/2019

Parceiro líder: Município de Braga (PT)

Orçamento do Município de Braga
Custo total: 200.000,00 €
Contribuição FEDER: 170.000,00 €
""", language="pt")
    budget = _parties(record)["braga-municipality"]["budget"]
    assert budget["total_cost"] == "200000.00" and budget["eu_contribution"] == "170000.00"
    assert "budget" not in record or "total_cost" not in record["budget"]


def test_a_wholly_eu_funded_amount_is_also_the_eu_contribution() -> None:
    record = _text("""
Green Deal Lab

Start date: 01/01/2022
Total budget: € 2.000.000,00, vollständig von der EU finanziert (100 %)
""")
    assert record["budget"]["eu_contribution"] == "2000000.00"


def test_a_participant_share_in_prose() -> None:
    record = _text("""
Canal Futures

The project is led by the City of Tilburg (NL) and started in March 2021. Tilburg's share of the budget is EUR 250,000.00, including an ERDF contribution of EUR 200,000.00.
""")
    budget = _parties(record)["tilburg-municipality"]["budget"]
    assert budget["total_cost"] == "250000.00" and budget["eu_contribution"] == "200000.00"


# -- dates, status, themes -----------------------------------------------------------------------------

def test_a_duration_label_holding_a_date_range() -> None:
    record = _text("""
Riverside Commons

Durée du réseau : 12/01/2020 - 11/07/2022
""", language="fr")
    assert record["start_date"] == "2020-01-12" and record["end_date"] == "2022-07-11"


def test_a_prose_duration_and_page_dates_are_told_apart() -> None:
    record = _text("""
Veröffentlicht am 3. März 2021 – Aktualisiert am 9. April 2021

Das Projekt ist am 1. Januar 2021 gestartet und läuft über 36 Monate. Die Stadt Aachen nimmt teil.
""", language="de")
    assert record["start_date"] == "2021-01-01"
    assert record["duration_months"] == 36
    assert "end_date" not in record


def test_durations_with_de() -> None:
    record = _text("""
Titlul proiectului: Parcul Mare

Data începerii: 01.03.2019
Durata de implementare: 40 de luni
""", language="ro")
    assert record["duration_months"] == 40


def test_status_and_separated_themes() -> None:
    record = _text("""
HARBOUR

Transfer Network · Ongoing
Topics: Port cities • Jobs • Skills

Start date: 01/01/2023
""")
    assert record["status"] == "ongoing"
    assert record["themes"] == ["Port cities", "Jobs", "Skills"]
    labelled = _text("""
Nome del progetto: Borghi Vivi
Stato: concluso
Data di inizio: 01/01/2016
""", language="it")
    assert labelled["status"] == "closed"


# -- participants ------------------------------------------------------------------------------------

def test_a_partner_table_is_read_by_its_header_row() -> None:
    record = _text("""
# Blue Belt

Data rozpoczęcia: 01.01.2020

## Partnerzy

| Nazwa | Miasto | Kraj | Rola |
| --- | --- | --- | --- |
| Politechnika Gdańska | Gdańsk | Polska | Koordynator |
| Ayuntamiento de A Coruña | La Coruña | Hiszpania | Partner |
""", language="pl")
    parties = _parties(record)
    assert parties["politechnika-gdanska"]["role"] == "coordinator"
    assert parties["politechnika-gdanska"]["organisation"]["city"] == "Gdańsk"
    assert parties["a-coruna-municipality"]["organisation"]["city"] == "La Coruña"
    assert parties["a-coruna-municipality"]["organisation"]["country"] == "ES"


def test_name_city_and_iso_code_after_commas_keep_an_acronym() -> None:
    record = _text("""
Start date: 01/01/2019

Coordinator: Lakeside Institute of Technology (LIT), Tampere, FI
""")
    party = _parties(record)["lakeside-institute-of-technology-lit"]["organisation"]
    assert party["name"] == {"en": "Lakeside Institute of Technology (LIT)"}
    assert party["city"] == "Tampere" and party["country"] == "FI"


def test_metropolitan_and_park_bodies_and_capitals_in_names() -> None:
    assert organisation("Montpellier Méditerranée Métropole", "en").type == "metropolitan-authority"
    assert organisation("Montpellier Méditerranée Métropole", "en").names == {"fr": "Montpellier Méditerranée Métropole"}
    assert organisation("Parque Nacional da Peneda-Gerês", "pt").type == "public-body"
    porto = organisation("CÂMARA MUNICIPAL DE COIMBRA", "pt")
    assert porto.id == "coimbra-municipality" and porto.city == "Coimbra"
    assert organisation("Cork City and County Council", "en").id == "cork-municipality"


def test_organisation_names_are_tagged_with_their_own_language() -> None:
    assert name_language("Greater Manchester Combined Authority", "it") == "en"
    assert name_language("Universidad de Granada", "de") == "es"
    assert name_language("Správa chráněné krajinné oblasti", "de", "CZ") == "cs"
    assert name_language("ANCI Lombardia", "en", "IT") == "en"  # proper names only: the page's language


def test_a_city_listed_bare_takes_the_name_the_prose_gives_its_municipality() -> None:
    record = _text("""
Wasserwege

Die Stadt Aachen ist eine der vier Partnerstädte des Projekts, das am 1. Mai 2020 begann.

Partner:
- Aachen (D)
- Maribor (SLO)
""", language="de")
    assert _parties(record)["aachen-municipality"]["organisation"]["name"] == {"de": "Stadt Aachen"}
    assert _parties(record)["maribor-municipality"]["organisation"]["name"] == {"de": "Maribor"}


def test_a_municipality_the_prose_says_takes_part_is_a_partner() -> None:
    record = _text("""
Zielone Dachy

Miasto Lublin uczestniczy w projekcie od 1 lutego 2021 r. razem z partnerami z pięciu krajów.
""", language="pl")
    assert _parties(record)["lublin-municipality"]["role"] == "partner"


def test_accented_prose_lead_cue_with_an_elided_article() -> None:
    record = _text("""
Canaux Verts

Le projet a démarré le 1er mars 2021. Il est dirigé par l'Université de Rennes (France) et réunit huit partenaires.
""", language="fr")
    lead = _parties(record)["universite-de-rennes"]
    assert lead["role"] == "coordinator" and lead["organisation"]["country"] == "FR"
    assert record["start_date"] == "2021-03-01"


def test_a_country_label_on_a_one_beneficiary_sheet() -> None:
    record = _text("""
Beneficiario: Ayuntamiento de Murcia
Nombre de la operación: Jardín del Malecón
Fecha de inicio: 01/01/2017
País: España
""", language="es")
    assert _parties(record)["murcia-municipality"]["organisation"]["country"] == "ES"


# -- contacts, results, titles ---------------------------------------------------------------------------

def test_contact_office_loses_the_phone_and_the_employer_it_names() -> None:
    record = _text("""
Start date: 01/01/2020

Partners:
- Ville de Grenoble (FR)

Contact : Direction de l'environnement de la Ville de Grenoble, tél. 04 00 00 00 00, courriel : env@example.org
""", language="fr")
    contact = record["contacts"][0]
    assert contact["office"] == "Direction de l'environnement"
    assert contact["organisation"] == "grenoble-municipality"
    assert contact["email"] == "env@example.org"


def test_a_contact_with_a_title_before_the_name() -> None:
    record = _text("""
Start date: 01/01/2020

Kontakt: Prof. Jan Nowak, Wydział Architektury, jan.nowak@example.org
""", language="pl")
    assert record["contacts"][0]["name"] == "Prof. Jan Nowak"


def test_a_result_title_and_the_clause_that_describes_it() -> None:
    record = _text("""
Start date: 01/01/2020

Results:
- Local Action Plan for the old harbour, drafted with the local stakeholder group.
""")
    result = record["results"][0]
    assert result["title"] == "Local Action Plan for the old harbour"
    assert result["description"].startswith("drafted with")
    assert result["type"] == "action-plan"


def test_a_short_name_over_a_two_word_tagline_and_markdown_badges() -> None:
    record = _text("""
TIDE
Cleaner harbours

Start date: 01/01/2020
""")
    assert record["title"] == "TIDE" and record["subtitle"] == "Cleaner harbours"
    md = _text("""
# Solar Yards

![build](https://img.example.org/badge.svg) [![licence](https://img.example.org/l.svg)](https://example.org)

> **Solar Yards** – community solar on school roofs

Start date: 01/01/2020
""")
    assert md["subtitle"] == "Solar Yards – community solar on school roofs"


def test_a_bilingual_tagline_under_the_name() -> None:
    record = _text("""
Actualités / News

Fiumi Vivi
Fiumi puliti per città sane / Clean rivers for healthy cities

Data di inizio: 01/01/2019
""", language="it")
    assert record["title"] == "Fiumi Vivi"
    assert record["subtitle"] == {"it": "Fiumi puliti per città sane", "en": "Clean rivers for healthy cities"}


def test_html_table_city_column() -> None:
    page = """<html><body><main><h1>Blue Roofs</h1>
<p>Fecha de inicio: 01/01/2020</p>
<h2>Socios</h2>
<table><tr><th>Entidad</th><th>Ciudad</th><th>País</th></tr>
<tr><td>Universidade do Minho</td><td>Braga</td><td>Portugal</td></tr></table>
</main></body></html>"""
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html", language="es")
    assert draft.record is not None
    party = _parties(draft.record)["universidade-do-minho"]["organisation"]
    assert party["city"] == "Braga" and party["country"] == "PT" and party["name"] == {"pt": "Universidade do Minho"}


# -- round 3: delimited lists, dash attributes, cards ----------------------------------------

def test_a_country_or_a_type_after_a_dash_is_not_part_of_the_name() -> None:
    record = _text("""
Partenaires :
- Université de Lorraine – Allemagne
- Secours Populaire - ONG
- Les Petits Frères – Fondation Nancy
""", language="fr")
    parties = _parties(record)
    assert parties["universite-de-lorraine"]["organisation"]["country"] == "DE"
    assert parties["universite-de-lorraine"]["organisation"]["country_as_stated"] == "Allemagne"
    assert parties["secours-populaire"]["organisation"]["type"] == "ngo"
    assert "les-petits-freres-fondation-nancy" in parties  # a capitalised tail is part of the name


def test_an_acronym_before_a_dash_keeps_its_expansion() -> None:
    record = _text("""
Partenaires :
- ADEME – Agence de la transition écologique
- Ville de Lille
""", language="fr")
    assert "ademe-agence-de-la-transition-ecologique" in _parties(record)


def test_a_lead_partner_named_in_two_languages_around_a_dash() -> None:
    record = _text("""
Leadpartner:
Vilniaus universitetas – Universität Vilnius, Litauen

Projektpartner:
- Stadt Graz – Österreich
""", language="de")
    lead = next(p for p in record["participants"] if p["role"] == "coordinator")["organisation"]
    assert lead["name"] == {"lt": "Vilniaus universitetas", "de": "Universität Vilnius"}
    assert lead["country"] == "LT" and lead["type"] == "university"


def test_partners_on_one_line_separated_by_semicolons() -> None:
    record = _text("""
Parceiros: Câmara Municipal de Évora; Universidade de Évora; Associação Pão e Paz; Fundação Eugénio de Almeida.
""", language="pt")
    assert len(record["participants"]) == 4
    assert "fundacao-eugenio-de-almeida" in _parties(record)


def test_partner_cards_in_html() -> None:
    page = """<html><body><main><h1>Green Quays</h1>
<p>Data rozpoczęcia: 01/01/2021</p>
<h2>Partnerzy</h2>
<div class="card"><h3>Politechnika Gdańska</h3><p>Koordynator</p><p>Gdańsk</p><p>Polska</p></div>
<div class="card">
<h3>Klaipėdos universitetas</h3>
<p>Partner</p>
<p>Klaipėda</p>
<p>Litwa</p>
</div>
<p class="more">Pełna lista partnerów znajduje się w broszurze projektu.</p>
<h2>Kontakt</h2><p>green@example.org</p>
</main></body></html>"""
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html", language="pl")
    assert draft.record is not None
    parties = _parties(draft.record)
    assert set(parties) == {"politechnika-gdanska", "klaipedos-universitetas"}
    assert parties["politechnika-gdanska"]["role"] == "coordinator"
    klaipeda = parties["klaipedos-universitetas"]["organisation"]
    assert klaipeda["city"] == "Klaipėda" and klaipeda["country"] == "LT" and klaipeda["type"] == "university"
    index = list(parties).index("klaipedos-universitetas")
    assert len(draft.record["provenance"][f"participants[{index}]"]["lines"]) == 4  # the heading and its card lines


def test_municipality_patterns_for_hanseatic_and_swedish_cities() -> None:
    assert organisation("Freie Hansestadt Bremen", "de").id == "bremen-municipality"
    assert organisation("Malmö stad", "sv").id == "malmo-municipality"


def test_html_label_and_value_spans_read_as_a_label_line() -> None:
    page = """<html><body><main><h1>Cool Schools</h1>
<div class="fact"><span class="fact-label">Laufzeit</span><span class="value">März 2019 – Februar 2022</span></div>
<div class="fact"><span class="label">Gesamtbudget</span><span class="value">1.250.000 €</span></div>
</main></body></html>"""
    lines = html_lines(page)
    assert any(line.text == "Gesamtbudget: 1.250.000 €" for line in lines)
    draft = extract_document(Document("inline.html", lines), "inline.html", language="de")
    assert draft.record is not None
    assert draft.record["start_date"] == "2019-03" and draft.record["budget"]["total_cost"] == "1250000"


def test_letter_markers_make_list_items() -> None:
    record = _text("""
Actividades:
a) talleres de reparación en los barrios de Cádiz;
b) una red de puntos de reutilización;
c) campañas en los colegios.

Fecha de inicio: 01/01/2022
""", language="es")
    assert record["actions"][0].startswith("talleres de reparación") and len(record["actions"]) == 3


def test_paragraphs_after_a_page_date_are_free_text() -> None:
    record = _text("""
Publicado: 03.02.2023

Data de início: 01/01/2021

O projeto é coordenado por Universidade de Coimbra (Portugal). O Município de Viseu participa no projeto.
""", language="pt")
    assert "universidade-de-coimbra" in _parties(record)


def test_a_coordinator_is_sentence_in_polish() -> None:
    record = _text("""
Projekt realizowany jest od 1 marca 2020 r. Jego koordynatorem jest Politechnika Śląska (Polska), a partnerem Uniwersytet w Tartu (Estonia).
""", language="pl")
    lead = next(p for p in record["participants"] if p["role"] == "coordinator")
    assert lead["organisation"]["id"] == "politechnika-slaska"


def test_country_adjective_before_a_plural_type_word_and_names() -> None:
    record = _text("""
Data di inizio: 01/09/2021

Fra i partner figurano anche le aziende olandesi Waternet e Deltares, oltre a due imprese portoghesi: Efacec, Critical Software.
""", language="it")
    parties = _parties(record)
    assert parties["waternet"]["organisation"]["country"] == "NL"
    assert parties["waternet"]["organisation"]["type"] == "company"
    assert parties["deltares"]["organisation"]["country_as_stated"] == "olandesi"
    assert parties["critical-software"]["organisation"]["country"] == "PT"


def test_collaborating_entities_and_fund_acronym_labels() -> None:
    record = _text("""
Entidades parceiras:
  Município de Setúbal
  Município de Palmela

Despesa total elegível: 1.200.000,00 €
Apoio FSE+ (85 %): 1.020.000,00 €
""", language="pt")
    assert {"setubal-municipality", "palmela-municipality"} <= set(_parties(record))
    assert record["budget"]["total_cost"] == "1200000.00" and record["budget"]["eu_contribution"] == "1020000.00"
