"""Unit tests of the extractor's general rules added for issue 4 (generalising to unseen fact sheets).

One rule per test, on small inline pages written for the test: other cities, other wording and,
where the development sets used one language, another one. Each assertion fails without its rule.
"""

from __future__ import annotations

from inline_sheets import parties as _parties
from inline_sheets import text_record as _text

from eulod.converters.extract.factsheet import extract_document
from eulod.converters.extract.fields.identifiers import labelled_identifier as _identifier
from eulod.converters.extract.numbers import find_amounts
from eulod.converters.extract.places import name_language, organisation
from eulod.converters.extract.text import Document, html_lines

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
    # The rank is left out, as the blind sets' records leave it ('Professori', 'prof.'); a doctor keeps 'Dr'.
    assert record["contacts"][0]["name"] == "Jan Nowak"


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


# -- round 4: rules for the fifth and final held-out sets, with other pages ----------------------

def test_a_parenthesis_naming_the_parent_body_or_a_short_name_stays_in_the_name() -> None:
    record = _text("""
Acqua Chiara

Beneficiario: Assessorato all'Ambiente (Regione Toscana)

Partner:
- Agenzia per la Mobilità (AMAT) (IT)
- Comune di Prato (IT)

Data di inizio: 01/01/2021
""", language="it")
    parties = _parties(record)
    assert "assessorato-all-ambiente-regione-toscana" in parties
    amat = parties["agenzia-per-la-mobilita-amat"]["organisation"]
    assert amat["name"] == {"it": "Agenzia per la Mobilità (AMAT)"} and amat["country"] == "IT"


def test_a_role_after_a_dash_and_a_led_list_of_beneficiaries() -> None:
    record = _text("""
Hafenwende

Begünstigte
Hafen Hamburg Marketing e.V. (DE) – Koordinator
Porto di Trieste S.p.A. (IT)

Startdatum: 01.03.2020
""", language="de")
    parties = _parties(record)
    assert parties["hafen-hamburg-marketing-e-v"]["role"] == "coordinator"
    trieste = parties["porto-di-trieste-s-p-a"]
    assert trieste["role"] == "partner"  # a co-beneficiary beside a marked lead is its partner
    assert trieste["organisation"]["name"] == {"it": "Porto di Trieste S.p.A."}  # the abbreviation keeps its point


def test_a_name_in_words_of_several_languages_takes_its_countrys() -> None:
    assert name_language("Puerto de Vigo", "en", "ES") == "es"
    assert name_language("Porto de Aveiro", "en", "PT") == "pt"
    assert name_language("Porto de Aveiro", "en", None) == "en"


def test_a_partner_labelled_contact_line_is_a_contact() -> None:
    record = _text("""
Calles Abiertas

Socio principal: Ayuntamiento de Zaragoza
Fecha de inicio: 01/02/2021

Contacto del socio principal: Servicio de Movilidad, Ayuntamiento de Zaragoza – movilidad@example.org
""", language="es")
    assert set(_parties(record)) == {"zaragoza-municipality"}
    contact = record["contacts"][0]
    assert contact["email"] == "movilidad@example.org" and contact["organisation"] == "zaragoza-municipality"
    assert contact["office"] == "Servicio de Movilidad"


def test_a_coordination_label_under_a_contact_heading_is_the_contacts_role() -> None:
    record = _text("""
Fjord Labs

Start date: 01/05/2022

Contact
Project coordination: Department of Geography, University of Bergen
fjord@example.org
""")
    assert "participants" not in record or all(p["role"] != "coordinator" for p in record["participants"])
    assert record["contacts"][0]["role"] == "Project coordination"
    assert record["contacts"][0]["email"] == "fjord@example.org"


def test_a_stated_rate_line_is_the_eu_contributions_rate() -> None:
    record = _text("""
Borghi Vivi

Costo totale: 500.000,00 €
Contributo FESR: 400.000,00 €
Tasso di cofinanziamento: 80%
""", language="it")
    assert record["budget"]["eu_contribution"] == "400000.00"
    assert record["budget"]["eu_contribution_rate"] == 80


def test_a_count_of_partners_in_a_sentence_is_not_a_partner_list() -> None:
    record = _text("""
Mari Puliti

Data di inizio: 01/01/2021

Il partenariato conta 12 partner: università, centri di ricerca e imprese del Mediterraneo.
""", language="it")
    assert "participants" not in record


def test_a_contact_token_naming_a_body_is_not_a_persons_name() -> None:
    record = _text("""
Tetti Verdi

Data di inizio: 01/01/2021

Contatti: Dipartimento di Architettura, Politecnico di Torino, tetti@example.org
""", language="it")
    contact = record["contacts"][0]
    assert "name" not in contact
    assert contact["office"].startswith("Dipartimento di Architettura")


def test_a_paragraph_opening_with_a_camel_case_name_is_the_description() -> None:
    record = _text("""
eCitizen

Start date: 01/01/2021

eCitizen connects residents of three Baltic ports with their councils through a shared platform. Citizens report problems and follow their solution online.
""")
    assert record["description"].startswith("eCitizen connects")


def test_a_heading_over_a_numbered_list_is_not_a_description() -> None:
    record = _text("""
Ponti Aperti

NEL NUMERO
1. Il cantiere del ponte nord è partito e procede secondo il programma dei lavori
2. Due nuove pubblicazioni sono disponibili sul sito del progetto per tutti

Data di inizio: 01/01/2021
""", language="it")
    assert "description" not in record


def test_a_bare_project_word_labels_the_title() -> None:
    record = _text("""
Primăria Municipiului Cluj-Napoca

Proiect: Reabilitarea Parcului Central din Cluj-Napoca
Data începerii: 01.04.2021
""", language="ro")
    assert record["title"] == "Reabilitarea Parcului Central din Cluj-Napoca"


def test_a_more_information_line_with_an_e_mail_is_a_contact_without_role() -> None:
    record = _text("""
Saubere Luft

Startdatum: 01.03.2020

Mehr Informationen: Amt für Umweltschutz, E-Mail: umwelt@example.org
""", language="de")
    assert record["contacts"] == [{"email": "umwelt@example.org", "office": "Amt für Umweltschutz"}]
    assert "website" not in record


def test_quantified_results_are_expected_results() -> None:
    record = _text("""
Școli Eficiente

Data începerii: 01.04.2021

Rezultate:
- reducerea consumului de energie cu 40%
- 120 de locuri noi în grădinițe
""", language="ro")
    assert record["expected_results"] == ["reducerea consumului de energie cu 40%", "120 de locuri noi în grădinițe"]
    assert "results" not in record


def test_titled_results_of_no_listed_kind_are_other() -> None:
    record = _text("""
Ponti Aperti

Data di inizio: 01/01/2021

Risultati:
- App «Ponti in tasca» per i visitatori
""", language="it")
    assert record["results"] == [{"title": "App «Ponti in tasca» per i visitatori", "type": "other"}]


def test_a_contact_stated_on_its_label_line_ends_there() -> None:
    record = _text("""
Saubere Luft

Startdatum: 01.03.2020

Kontakt: Referat Klimaschutz, E-Mail: klima@example.org

Impressum | Datenschutz | Barrierefreiheit
""", language="de")
    assert record["contacts"][0]["office"] == "Referat Klimaschutz"


def test_a_kicker_naming_the_fund_is_not_the_title() -> None:
    record = _text("""
Progetto FESR in Sardegna

Riqualificazione del lungomare di Alghero

Il progetto rinnova il lungomare con nuove piste ciclabili e aree verdi. I lavori durano due anni.

Data di inizio: 01/06/2019
""", language="it")
    assert record["title"] == "Riqualificazione del lungomare di Alghero"


def test_an_upper_case_authority_header_and_slash_breadcrumbs_are_not_the_title() -> None:
    record = _text("""
DIPUTACIÓN PROVINCIAL DE HUESCA
Inicio / Proyectos / Fondos europeos / Pirineo Activo

Pirineo Activo: rutas de montaña accesibles

Fecha de inicio: 01/03/2020
""", language="es")
    assert record["title"] == "Pirineo Activo"
    assert record["subtitle"] == "rutas de montaña accesibles"


def test_a_budget_label_naming_a_partner_in_another_grammatical_case() -> None:
    record = _text("""
Zielone Dachy

Partner: Uniwersytet Opolski
Data rozpoczęcia: 01.01.2021
Budżet Uniwersytetu Opolskiego: 500 000,00 zł
""", language="pl")
    parties = _parties(record)
    assert parties["uniwersytet-opolski"]["budget"] == {"total_cost": "500000.00"}
    assert "budget" not in record or "total_cost" not in record["budget"]


def test_an_office_of_a_declined_body_name_links_the_contact() -> None:
    record = _text("""
Drumuri Verzi

Beneficiar: Consiliul Județean Cluj
Data începerii: 01.04.2021

Persoană de contact: Serviciul Relații Externe din cadrul Consiliului Județean Cluj, e-mail: externe@example.org
""", language="ro")
    contact = record["contacts"][0]
    assert contact["organisation"] == "consiliul-judetean-cluj"
    assert contact["office"] == "Serviciul Relații Externe"


def test_the_project_name_quoted_after_a_project_word_is_the_title() -> None:
    record = _text("""
Al via i lavori in piazza Sant'Oronzo

Il Comune di Lecce ha avviato il progetto «Città Verde del Salento» (CIVES), finanziato dal FESR. I lavori dureranno due anni.

Data di inizio: 01/09/2021
""", language="it")
    assert record["title"] == "Città Verde del Salento"
    assert record["acronym"] == "CIVES"


def test_prose_partners_with_a_role_after_the_country_and_elided_names() -> None:
    record = _text("""
Alpes Sans Frontières

Le partenariat réunit la Ville d'Annecy (F), chef de file, la Regione Valle d'Aosta (I) et la Ville de Chambéry (F).

Date de début : 01/01/2022
""", language="fr")
    parties = _parties(record)
    assert parties["annecy-municipality"]["role"] == "coordinator"
    assert parties["chambery-municipality"]["role"] == "partner"
    assert parties["regione-valle-d-aosta"]["organisation"]["country"] == "IT"


def test_a_fund_named_in_prose_gives_the_eu_amount_and_its_rate() -> None:
    record = _text("""
Ríos Limpios

Fecha de inicio: 01/01/2020

El presupuesto total asciende a 2.000.000,00 €, financiado al 80 % por el FEDER (1.600.000,00 €).
""", language="es")
    assert record["budget"]["total_cost"] == "2000000.00"
    assert record["budget"]["eu_contribution"] == "1600000.00"
    assert record["budget"]["eu_contribution_rate"] == 80


def test_a_sentence_stating_the_objective_is_an_objective() -> None:
    record = _text("""
Grüne Höfe Graz

Startdatum: 01.03.2020

Das Ziel des Projekts ist die Begrünung von zwölf Schulhöfen in Graz. Die Arbeiten beginnen im Frühjahr mit den Kindern.
""", language="de")
    assert record["objectives"] == ["Das Ziel des Projekts ist die Begrünung von zwölf Schulhöfen in Graz."]


def test_an_upper_case_short_name_spelled_by_the_title_is_its_acronym() -> None:
    record = _text("""
MARE – Mobilità Alternativa per le Reti Elettriche

Data di inizio: 01/01/2021
""", language="it")
    assert record["title"] == "Mobilità Alternativa per le Reti Elettriche" and record["acronym"] == "MARE"
    quoted = _text("""
Denumirea proiectului: „Rețele Europene pentru Apă Curată – REAC”
Data începerii: 01.04.2021
""", language="ro")
    assert quoted["title"] == "Rețele Europene pentru Apă Curată" and quoted["acronym"] == "REAC"
    mixed = _text("""
SEArch – Sustainable Estuaries Archive

Start date: 01/01/2021
""")
    assert mixed["title"] == "SEArch" and "acronym" not in mixed  # mixed case: a name, not an acronym


def test_a_bulleted_beneficiary_among_bulleted_facts() -> None:
    record = _text("""
Bulevar Verde

FICHA DE LA OPERACIÓN
• Código de la operación: AST-2020-117
• Beneficiario: Ayuntamiento de Gijón
• Inicio: enero de 2020
• Coste total: 1.000.000,00 €
""", language="es")
    assert set(_parties(record)) == {"gijon-municipality"}
    assert record["start_date"] == "2020-01"
    assert record["budget"]["total_cost"] == "1000000.00"


def test_a_territorial_groupings_name_keeps_the_part_after_its_comma() -> None:
    record = _text("""
Vallée Verte

Porteur du projet : Communauté de communes du Val d'Argent, Haut-Rhin
Date de début : 01/01/2021
""", language="fr")
    party = record["participants"][0]
    assert party["role"] == "beneficiary"
    assert party["organisation"]["name"] == {"fr": "Communauté de communes du Val d'Argent, Haut-Rhin"}
    assert "city" not in party["organisation"]


def test_new_municipality_patterns_and_type_words() -> None:
    assert organisation("Gmina Miejska Kutno", "pl").id == "kutno-municipality"
    assert organisation("Municipalitatea Vidin", "ro").id == "vidin-municipality"
    assert organisation("Autoridad Portuaria de Bilbao", "es").type == "public-body"
    assert organisation("Comunidad Intermunicipal de la Sierra", "es").type == "association-of-municipalities"


def test_new_labels_for_lead_and_associated_beneficiaries_publications_and_action_numbers() -> None:
    record = _text("""
LIFE Zonas Húmedas

Número de la operación: ES-2019-0042
Fecha de inicio: 01/01/2020

Beneficiario coordinador
Fundación Humedales Vivos

Beneficiarios asociados
- Universidad de Murcia

Publicaciones
- Guía de restauración de charcas
""", language="es")
    parties = _parties(record)
    assert parties["fundacion-humedales-vivos"]["role"] == "coordinator"
    assert parties["universidad-de-murcia"]["role"] == "partner"
    assert record["results"] == [{"title": "Guía de restauración de charcas", "type": "guide"}]
    assert record["identifiers"] == [{"scheme": "project-code", "value": "ES-2019-0042"}]


def test_a_bare_contact_label_takes_the_role_the_line_opens_with_and_a_listed_body_whole() -> None:
    record = _text("""
Dunas Vivas

Coordenador: ANP – Associação Natureza Portugal
Início: 1 de março de 2020

Contacto: Coordenador do projeto, ANP – Associação Natureza Portugal, Departamento de Oceanos, dunas@example.org
""", language="pt")
    contact = record["contacts"][0]
    assert contact["role"] == "Coordenador do projeto"
    assert contact["organisation"] == "anp-associacao-natureza-portugal"
    assert contact["office"] == "Departamento de Oceanos"


def test_a_programmes_coded_objective_is_not_a_project_objective() -> None:
    record = _text("""
Porți Deschise

Obiectiv specific: OS1.2 Integrare socială
Data începerii: 01.04.2021

Obiectivul proiectului îl reprezintă sprijinirea familiilor de migranți din Iași. Proiectul oferă cursuri și consiliere.
""", language="ro")
    assert record["objectives"] == ["Obiectivul proiectului îl reprezintă sprijinirea familiilor de migranți din Iași."]


def test_an_office_of_a_body_named_without_its_legal_form() -> None:
    record = _text("""
Linha Azul

• Beneficiário: Transportes Urbanos do Funchal, S.A.
• Início: março de 2021

Contactos: Gabinete de Imprensa dos Transportes Urbanos do Funchal – imprensa@example.org
""", language="pt")
    contact = record["contacts"][0]
    assert contact["organisation"] == "transportes-urbanos-do-funchal-s-a"
    assert contact["office"] == "Gabinete de Imprensa"


def test_a_comma_inside_a_quoted_result_title_does_not_split_it() -> None:
    record = _text("""
Porti Aperti

Data di inizio: 01/01/2021

Risultati:
- Guida "Trieste, porto di tutti"
""", language="it")
    assert record["results"] == [{"title": 'Guida "Trieste, porto di tutti"', "type": "guide"}]


def test_a_duration_after_that_is_and_a_budget_fully_covered_by_the_eu_in_polish() -> None:
    record = _text("""
Morskie Laby

Projekt realizowany jest od 1 marca 2022 r. do 28 lutego 2025 r., czyli przez 36 miesięcy.

Całkowity budżet projektu wynosi 2 500 000,00 euro i w całości pokrywa go wkład Unii Europejskiej.
""", language="pl")
    assert record["duration_months"] == 36
    assert record["budget"]["eu_contribution"] == "2500000.00"


def test_a_coordinator_named_in_prose_keeps_its_names_language() -> None:
    record = _text("""
Ciepłe Miasta

Projekt rozpoczął się 1 stycznia 2022 r. Jego koordynatorem jest Institute for Urban Climate (Irlandia).
""", language="pl")
    party = record["participants"][0]
    assert party["role"] == "coordinator" and party["organisation"]["name"] == {"en": "Institute for Urban Climate"}


def test_italian_names_of_istrian_towns() -> None:
    assert organisation("Rovigno", "it", is_city=True).id == "rovinj-municipality"
    assert organisation("Comune di Capodistria", "it").id == "koper-municipality"


def test_a_city_before_a_dash_and_a_one_step_breadcrumb_are_not_the_title() -> None:
    record = _text("""
Urban Innovative Actions
UIA Cities > Lisbon

Lisbon – Hortas Abertas
Growing food and jobs on vacant municipal land

Duration: 01/09/2019 - 31/08/2022

Solution proposed
Hortas Abertas turns vacant plots into market gardens run by unemployed residents. The city trains them and buys part of the produce for school canteens.
""")
    assert record["title"] == "Hortas Abertas"
    assert record["subtitle"] == "Growing food and jobs on vacant municipal land"
    assert record["description"].startswith("Hortas Abertas turns vacant plots")


def test_a_header_block_naming_the_programme_over_the_project_line() -> None:
    record = _text("""
Unione Europea – Ministero dell'Interno
FONDO ASILO, MIGRAZIONE E INTEGRAZIONE (FAMI) 2014-2020

LUNA – Comuni accoglienti e sostenibili per l'abitare

Data di inizio: 01/10/2021
""", language="it")
    assert record["title"] == "LUNA"
    assert record["subtitle"] == "Comuni accoglienti e sostenibili per l'abitare"


def test_a_line_in_another_script_is_not_the_title() -> None:
    record = _text("""
Δήμος Θεσσαλονίκης

Thessaloniki – Green Steps
Walking routes that link the schools of the eastern districts

Duration: 01/09/2019 - 31/08/2022
""")
    assert record["title"] == "Green Steps"


def test_a_contact_naming_its_body_by_initials_and_a_lower_case_title_before_a_name() -> None:
    record = _text("""
Drumuri Verzi

Beneficiar: Consiliul Județean Bihor
Data începerii: 01.04.2021

Manager de proiect: dr Elena Popescu, Serviciul Proiecte – CJ Bihor, e-mail: proiecte@example.org
""", language="ro")
    contact = record["contacts"][0]
    assert contact["organisation"] == "consiliul-judetean-bihor"
    assert contact["name"] == "dr Elena Popescu" and contact["office"] == "Serviciul Proiecte"
    assert contact["role"] == "Manager de proiect"


def test_a_paragraph_that_only_states_the_objective_is_not_also_the_description() -> None:
    record = _text("""
Porți Deschise

Data începerii: 01.04.2021

Obiectivul proiectului îl reprezintă sprijinirea familiilor de migranți din Iași prin cursuri de limbă și consiliere juridică.
""", language="ro")
    assert record["objectives"] == ["Obiectivul proiectului îl reprezintă sprijinirea familiilor de migranți din Iași prin cursuri de limbă și consiliere juridică."]
    assert "description" not in record


def test_a_partners_budget_split_into_community_and_national_parts() -> None:
    record = _text("""
Quartieri Aperti

Partner: Comune di Verona; Comune di Padova; Comune di Vicenza

Data di inizio: 01/10/2021
Budget complessivo del progetto: 2.000.000,00 euro
Budget assegnato al Comune di Verona: 100.000,00 euro
  – contributo comunitario (75%): 75.000,00 euro
  – cofinanziamento nazionale (25%): 25.000,00 euro
""", language="it")
    verona = _parties(record)["verona-municipality"]
    assert verona["budget"]["eu_contribution"] == "75000.00" and verona["budget"]["co_financing"] == "25000.00"
    assert record["budget"] == {"total_cost": "2000000.00"}


def test_municipal_companies_are_public_bodies_and_studies_are_reports() -> None:
    assert organisation("Azienda Municipale Ambiente di Cagliari", "it").type == "public-body"
    record = _text("""
Ponti Aperti

Data di inizio: 01/01/2021

Risultati:
- Studio di fattibilità per il ponte ciclabile
""", language="it")
    assert record["results"][0]["type"] == "report"


def test_the_eu_share_of_a_total_without_its_amount() -> None:
    record = _text("""
Villes Mellifères

Date de début : 01/09/2019

Le budget total du réseau était de 600 000,00 €, dont 85 % provenant du FEDER.
""", language="fr")
    assert record["budget"]["total_cost"] == "600000.00"
    assert record["budget"]["eu_contribution_rate"] == 85 and "eu_contribution" not in record["budget"]


def test_the_site_owners_budget_sentence_makes_it_a_partner_and_links_its_office() -> None:
    record = _text("""
POLITECHNIKA WROCŁAWSKA
Strona główna › Aktualności

Projekt CLEANAIR rusza

Projekt rozpoczął się 1 września 2021 r. Jego koordynatorem jest Technical University of Denmark (Dania).

Budżet Politechniki Wrocławskiej to 300 000,00 euro (dofinansowanie w 100%).

Kontakt: dr Jan Kowalski, Katedra Inżynierii Środowiska Politechniki Wrocławskiej, air@example.org
""", language="pl")
    party = next(p for p in record["participants"] if p["role"] == "partner")
    assert party["organisation"]["name"] == {"pl": "Politechnika Wrocławska"}
    assert party["budget"] == {"total_cost": "300000.00", "eu_contribution": "300000.00", "eu_contribution_rate": 100}
    contact = record["contacts"][0]
    assert contact["organisation"] == party["organisation"]["id"]
    assert contact["office"] == "Katedra Inżynierii Środowiska" and contact["name"] == "dr Jan Kowalski"


def test_a_summary_opening_with_a_plural_of_a_boilerplate_word_is_kept() -> None:
    record = _text("""
Empleo Verde

Resumen: Proyectos de formación en oficios verdes para jóvenes desempleados de la comarca, con prácticas en empresas locales.
Fecha de inicio: 01/06/2023
""", language="es")
    assert record["description"].startswith("Proyectos de formación")


def test_an_unknown_label_after_a_blank_line_closes_an_actions_list() -> None:
    record = _text("""
Barrios Abiertos

Fecha de inicio: 01/03/2022

Actividades:
1. talleres de español para familias recién llegadas;
2. acompañamiento a los servicios municipales.

Destinatarios: personas migrantes residentes en el distrito.
""", language="es")
    assert record["actions"] == ["talleres de español para familias recién llegadas;", "acompañamiento a los servicios municipales."]


def test_a_prose_partner_named_with_lower_case_words_after_its_article() -> None:
    record = _text("""
Vallées Ouvertes

Date de début : 01/01/2022

Le partenariat réunit la Ville de Briançon (F) et la Unione montana valle Susa (I).
""", language="fr")
    parties = _parties(record)
    assert "briancon-municipality" in parties
    susa = parties["unione-montana-valle-susa"]["organisation"]
    assert susa["country"] == "IT" and list(susa["name"].values()) == ["Unione montana valle Susa"]


# -- co-financing by an EU fund ------------------------------------------------------------------

def test_co_financing_by_an_eu_fund_is_the_eu_contribution() -> None:
    """'ERAF līdzfinansējums' (the ERDF co-finances): the fund's share, not national co-financing."""
    record = _text("""
Projekta nosaukums: Dabas takas visiem
Kopējās izmaksas: 2 055 930,00 EUR
ERAF līdzfinansējums: 1 644 744,00 EUR (80 %)
""", language="lv")
    assert record["budget"]["eu_contribution"] == "1644744.00"
    assert record["budget"].get("eu_contribution_rate") == 80
    assert "co_financing" not in record["budget"]
    assert record.get("funds") == ["ERDF"]


def test_co_financing_that_names_no_fund_stays_co_financing() -> None:
    record = _text("""
Projekta nosaukums: Dabas takas visiem
Kopējās izmaksas: 2 055 930,00 EUR
Valsts līdzfinansējums: 411 186,00 EUR
""", language="lv")
    assert record["budget"]["co_financing"] == "411186.00"
    assert "eu_contribution" not in record["budget"]


def test_funds_are_named_in_every_official_language() -> None:
    """The ERDF, ESF+, Cohesion Fund and JTF by their names and abbreviations (programmes.yaml)."""
    from eulod.converters.extract.programmes import funds

    assert funds("Evropski sklad za regionalni razvoj (ESRR)") == ["ERDF"]
    assert funds("Ευρωπαϊκό Ταμείο Περιφερειακής Ανάπτυξης (ΕΤΠΑ)") == ["ERDF"]
    assert funds("Европейски фонд за регионално развитие") == ["ERDF"]
    assert funds("Euroopan aluekehitysrahasto (EAKR)") == ["ERDF"]
    assert funds("Europees Sociaal Fonds Plus") == ["ESF-PLUS"]
    assert funds("Kohezijski fond") == ["CF"]
    assert funds("Õiglase ülemineku fond") == ["JTF"]
    assert funds("ERF funding for refugees") == []  # Estonian ERDF, English European Refugee Fund: not taken


def test_a_decorative_badge_is_no_part_of_a_name_and_a_place_after_a_dash_is_the_city() -> None:
    """A partner list whose roles are visually hidden labels, with a badge screen readers skip
    (``aria-hidden``) and the place after a dash: 'Name [LP] – City, Country'."""
    page = """<html lang="en"><body><main><h1>Harbour Futures</h1>
<p>Harbour Futures renews three working harbours along the Atlantic coast of Europe.</p>
<h2>Partners</h2>
<ul>
<li><span class="visually-hidden">Lead partner: </span>Bord Iascaigh Mhara <span class="badge" aria-hidden="true">LP</span> – Dún Laoghaire, Ireland</li>
<li><span class="visually-hidden">Partner: </span>University of Oviedo – Gijón, Spain</li>
</ul>
</main></body></html>"""
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html", language="en")
    assert draft.record is not None
    parties = _parties(draft.record)
    assert set(parties) == {"bord-iascaigh-mhara", "university-of-oviedo"}, set(parties)
    lead = parties["bord-iascaigh-mhara"]
    assert lead["role"] == "coordinator"
    assert lead["organisation"]["city"] == "Dún Laoghaire" and lead["organisation"]["country"] == "IE"
    assert parties["university-of-oviedo"]["organisation"]["city"] == "Gijón"


def test_a_coordinator_label_beside_a_name_in_a_contact_block_is_the_position() -> None:
    """'Contact: Aoife Example, Project Coordinator, ...': the person's position is the role, not
    the bare 'Contact' (a coordinator label elsewhere heads the coordinating body)."""
    record = _text("""
Harbour Quiet

Harbour Quiet renews three working harbours along the Atlantic coast of Ireland, with the city council and the port.

Lead partner: Cork City Council (IE)
Total budget: €855,000

Contact: Aoife Example, Project Coordinator, aoife.example@example.org
""", language="en")
    assert record["contacts"] == [{"role": "Project Coordinator", "name": "Aoife Example",
                                   "email": "aoife.example@example.org"}]
    assert _parties(record)["cork-municipality"]["role"] == "coordinator"


def test_a_job_advert_asks_for_its_contacts_dates_and_description() -> None:
    """A vacancy for the project's leader states the job's start, its contacts and what the job is:
    none of them is the project's for sure, so each is asked, never stated."""
    page = """<html lang="en"><body><main>
<h1>Vacancy: Project Leader, Cool City Centre (ERDF)</h1>
<ul><li>Salary: €4,500 – €6,110 a month</li><li>Start date: 1 November 2025</li><li>Closing date: 5 October 2025</li></ul>
<h2>About the project</h2>
<p>Cool City Centre makes the centre of Arnhem greener and cooler, with a total budget of €3,200,000 from 2025 to 2027.</p>
<h2>How to apply</h2>
<p>Contact: Sanne Example, recruiter, jobs@example.org</p>
</main></body></html>"""
    draft = extract_document(Document("inline.html", html_lines(page)), "inline.html", language="en")
    assert draft.record is not None
    asked = {item["field"] for item in draft.record.get("review", [])}
    provenance = draft.record["provenance"]
    assert "contacts" in draft.record and "start_date" in draft.record  # found, but not stated
    for field in ("contacts", "start_date"):
        assert provenance[field]["found"] == "inferred" and field in asked, field
