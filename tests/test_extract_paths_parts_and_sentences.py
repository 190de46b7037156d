"""Rules made after scoring the twenty-third blind set (issue 16), so that set's figures after them are
development figures. Each test is a small inline sheet written for it, in another language or wording
than that set uses, and each assertion fails without its rule.
"""

from __future__ import annotations

from inline_sheets import asked as _asked
from inline_sheets import html_record as _html
from inline_sheets import parties as _parties
from inline_sheets import text_record as _text


def test_a_project_label_over_a_navigation_path_gives_no_title() -> None:
    """'Project: Research › Research' is a research portal's type line: the heading under it is the title."""
    record = _html("""<html lang="en"><body>
<div class="subtype">Project: Research &rsaquo; Research</div>
<h1>Cleaner Ferries for the North Sea</h1>
<p>Status: Ongoing</p><p>Programme: Interreg North Sea 2021-2027</p>
</body></html>""", "en")
    assert record["title"] == "Cleaner Ferries for the North Sea"


def test_of_which_rows_under_a_grant_are_its_eu_and_national_parts() -> None:
    """A grant's row ('Dofinansowanie', public money of any source), then 'w tym' rows each a block of its own
    (a table exported a row a paragraph): the fund's part is the EU contribution, not the whole grant."""
    record = _text("""
Projekt: Zielone dachy Torunia
Program: Fundusze Europejskie dla Kujaw i Pomorza 2021-2027
Okres realizacji: od 1 kwietnia 2025 r. do 31 marca 2027 r.

Wartość projektu | 1 000 000,00 zł

Dofinansowanie | 800 000,00 zł

w tym z EFRR | 600 000,00 zł

w tym z budżetu państwa | 200 000,00 zł
""", "pl")
    budget = record.get("budget", {})
    assert budget.get("eu_contribution") == "600000.00", budget


def test_an_of_which_cue_with_abbreviation_points_starts_a_part() -> None:
    """'z.B.'-style points inside a cue ('в т.ч.'): the cue is found as if written with spaces."""
    from eulod.converters.extract.fields.money import money_parts

    _head, parts = money_parts("1 000 000,00, в т.ч. Европейско финансиране 850 000,00")
    assert [(kind, amount) for kind, amount, _ in parts] == [("eu_contribution", "850000.00")]


def test_a_rate_that_multiplies_out_against_one_of_two_totals_is_asked() -> None:
    """Two sides' totals ('Kosten österreichische Seite', '... bayerische Seite'), the first side's EU part 80 %:
    the rate matches the total taken, but which total is the project's is asked, so the rate is too."""
    record = _text("""
Projekt: Alpenbahn Plus
Programm: Interreg Bayern – Österreich 2021-2027

Gesamtkosten österreichische Seite: 500.000,00 €
davon EFRE (80 %): 400.000,00 €

Gesamtkosten bayerische Seite: 300.000,00 €
""", "de")
    assert record.get("budget", {}).get("eu_contribution_rate") == 80, record.get("budget")
    assert _asked(record, "budget.eu_contribution_rate")


def test_a_rate_stated_of_the_eligible_cost_is_asked() -> None:
    """'75 % des dépenses éligibles': the record keeps it (decision 1) but asks, even with no amount to check it by."""
    record = _text("""
Projet : Jardins partagés de Quimper
Programme : FEDER Bretagne 2021-2027
Coût total : 420 000,00 €
Taux d'aide UE : 75 % des dépenses éligibles
""", "fr")
    assert record.get("budget", {}).get("eu_contribution_rate") == 75, record.get("budget")
    assert _asked(record, "budget.eu_contribution_rate")


def test_a_numbered_contact_heading_is_a_bare_heading_without_its_number() -> None:
    """'3. Ansprechpartner' over a mailbox: the section's number is no part of the role, and the heading is asked."""
    record = _html("""<html lang="de"><body><h1>Klimaquartier Beispielhausen</h1>
<p>Programm: EFRE Niedersachsen 2021-2027</p><p>Laufzeit: 1. April 2025 – 31. März 2027</p>
<h2>3. Ansprechpartner</h2><p>klimaquartier@example.org</p>
</body></html>""", "de")
    contacts = record.get("contacts", [])
    assert contacts and contacts[0].get("role") == "Ansprechpartner", contacts
    assert _asked(record, "contacts[0].role")


def test_a_contact_said_in_a_sentence_gives_its_role_and_name() -> None:
    """'La persona de contacto es la Sra. Lucía Ejemplo, Servicio de Proyectos Europeos': the name without the
    form of address, the office after it."""
    record = _text("""
Proyecto: Huertos urbanos de Burgos
Programa: FEDER Castilla y León 2021-2027
Duración: del 1 de marzo de 2025 al 28 de febrero de 2027

Contacto
La persona de contacto del proyecto es la Sra. Lucía Ejemplo, Servicio de Proyectos Europeos, lucia.ejemplo@example.org
""", "es")
    contacts = record.get("contacts", [])
    assert contacts and contacts[0].get("name") == "Lucía Ejemplo", contacts
    assert contacts[0].get("office") == "Servicio de Proyectos Europeos"


def test_a_short_sentence_about_the_project_gives_its_status_inferred() -> None:
    """'Projekt został zakończony.' with no status label: closed, asked (a sentence may speak of a phase)."""
    record = _text("""
Projekt: Zielone podwórka w Kaliszu
Program: Fundusze Europejskie dla Wielkopolski 2021-2027
Okres realizacji: od 1 kwietnia 2023 r. do 30 listopada 2024 r.

Projekt został zakończony w grudniu 2024 roku.
""", "pl")
    assert record.get("status") == "closed"
    assert _asked(record, "status")


def test_the_2014_2020_asylum_fund_is_not_the_programme_of_a_project_starting_in_2024() -> None:
    """Plain 'AMIF' on a project of the 2021-2027 period: the code list has no notation for that programme."""
    record = _text("""
Projekt: Nya vägar Sundsvall
Projektet finansieras av AMIF.
Projekttid: 1 mars 2024 – 28 februari 2027
""", "sv")
    assert record.get("programme") is None, record.get("programme")
    assert record.get("funds") == ["AMIF"]


def test_the_asylum_fund_named_with_2014_2020_is_that_programme_whatever_the_start() -> None:
    """'FAMI 2014-2020' on a project that started in 2021 (the old programme ran on): its notation."""
    record = _text("""
Progetto: Comunità Accoglienti Ancona
Finanziato dal Fondo Asilo, Migrazione e Integrazione (FAMI) 2014-2020
Durata: dal 1 marzo 2021 al 30 giugno 2022
""", "it")
    assert record.get("programme") == "AMIF-2014-2020"


def test_an_about_heading_over_a_footer_menu_is_no_description() -> None:
    """'About' over one-word links (a social network's footer): a menu, not a text; the post's paragraph is the
    description."""
    record = _text("""
GreenPorts Lab

Our Horizon Europe project SHORE-POWER has started: over three years we will equip six ferry berths with shore power
and measure how much the ports' emissions fall.

About
Accessibility
Privacy Policy
Cookie Policy
Terms of Service
""", "en")
    assert record.get("description", "").startswith("Our Horizon Europe project SHORE-POWER"), record.get("description")


def test_partners_listed_in_prose_after_a_cue_are_read_with_their_places_and_roles() -> None:
    """'brings together A, B in Belgium and the C, with D joining as an associated partner': each body a
    participant, the country after 'in' its country, the role its part names; all inferred (prose)."""
    record = _text("""
Harbour Heat Network

Programme: Interreg North Sea 2021-2027
Duration: 1 March 2025 – 28 February 2028

The project brings together the University of Exampleton, Sampleford City Council in Belgium and the
Testport Harbour Authority, with the Green Quays Foundation joining as an associated partner.
""", "en")
    found = _parties(record)
    assert found["university-of-exampleton"]["role"] == "partner", found
    assert found["sampleford-municipality"]["organisation"].get("country") == "BE"
    assert found["green-quays-foundation"]["role"] == "associated-partner"
    index = list(found).index("green-quays-foundation")
    assert record["provenance"][f"participants[{index}]"]["found"] == "inferred"


def test_municipalities_listed_after_together_with_in_lower_case_names() -> None:
    """'tillsammans med Exempelby kommun och Provby kommun': names whose type word is in lower case."""
    record = _text("""
Projekt: Gröna skolgårdar

Projektet finansieras av Europeiska regionala utvecklingsfonden.
Projekttid: 1 mars 2025 – 28 februari 2027

Kommunen driver projektet tillsammans med Exempelby kommun och Provby kommun.
""", "sv")
    names = {p["organisation"]["name"].get("sv") for p in record.get("participants", [])}
    assert {"Exempelby kommun", "Provby kommun"} <= names, names


def test_an_eu_fund_named_after_an_amount_makes_it_the_eu_contribution() -> None:
    """'85 % (425 000,00 EUR) z Európskeho sociálneho fondu plus': the source after the amount, as Slovak says it;
    the rate is the percentage nearest the amount, not the '100 %' the sentence opens with."""
    record = _text("""
Projekt: Škola pre všetkých
Doba realizácie: 1. 9. 2023 – 31. 8. 2025

Projekt bol financovaný zo 100 %: 85 % (425 000,00 EUR) z Európskeho sociálneho fondu plus a 15 %
(75 000,00 EUR) zo štátneho rozpočtu.
""", "sk")
    budget = record.get("budget", {})
    assert budget.get("eu_contribution") == "425000.00", budget
    assert budget.get("eu_contribution_rate") == 85


def test_an_amount_converted_in_brackets_before_the_fund_is_not_the_eu_contribution() -> None:
    """'4 975 000,00 lei (1 000 000,00 euro), din Fondul Social European Plus': the bracket is the same money
    in euro; the amount in the sheet's own currency is the EU contribution."""
    record = _text("""
Proiect: Școala deschisă Bacău
Perioada de implementare: 1 martie 2024 – 28 februarie 2026

Din valoarea totală, 85 % – 4 975 000,00 lei (1 000 000,00 euro), provin din Fondul Social European Plus.
""", "ro")
    assert record.get("budget", {}).get("eu_contribution") == "4975000.00", record.get("budget")
    assert record.get("currency") == "RON"


def test_money_in_a_paragraph_after_an_activities_list_is_read() -> None:
    """A paragraph after the bullets under 'Activities:' goes back to the free text before the money is read."""
    record = _text("""
Project: Open Schoolyards Galway
Duration: 1 September 2024 – 31 August 2026

Activities:
• greening four schoolyards
• opening them to the neighbourhood after school

The project received EUR 300,000.00 from the European Regional Development Fund.
""", "en")
    assert record.get("budget", {}).get("eu_contribution") == "300000.00", record.get("budget")


def test_a_bracket_that_is_a_role_gives_the_role_without_a_comma_before_it() -> None:
    """'Stockholms universitet (Ledande partner)' in a partner list: the bracket is the role, all of it."""
    record = _html("""<html lang="sv"><body><h1>Fossilfria färjor</h1>
<p>Program: Interreg Öresund-Kattegat-Skagerrak 2021-2027</p><p>Projektperiod: 1 mars 2024 – 28 februari 2027</p>
<h2>Samarbetspartner</h2><ul>
<li>Stockholms universitet (Ledande partner)</li>
<li>Region Halland (Projektpartner)</li>
</ul></body></html>""", "sv")
    roles = {p["organisation"]["name"].get("sv"): p["role"] for p in record.get("participants", [])}
    assert roles.get("Stockholms universitet") == "coordinator", roles
    assert roles.get("Region Halland") == "partner"


def test_two_bodies_in_one_partners_cell_are_two_participants_asked() -> None:
    """'Uniwersytet Przykładowy, Fundacja Zielony Dom' in one cell: each part reads as a body, so two, asked."""
    record = _html("""<html lang="pl"><body><h1>Zielone podwórka</h1><table>
<tr><th>Program</th><td>Fundusze Europejskie dla Mazowsza 2021-2027</td></tr>
<tr><th>Okres realizacji</th><td>od 1 kwietnia 2024 r. do 31 marca 2026 r.</td></tr>
<tr><th>Beneficjent</th><td>Gmina Przykładowo</td></tr>
<tr><th>Partnerzy</th><td>Uniwersytet Przykładowy, Fundacja Zielony Dom</td></tr>
</table></body></html>""", "pl")
    names = [p["organisation"]["name"].get("pl") for p in record.get("participants", []) if p["role"] == "partner"]
    assert names == ["Uniwersytet Przykładowy", "Fundacja Zielony Dom"], names
    assert _asked(record, "participants[1]") or _asked(record, "participants[2]")


def test_a_bodys_acronym_in_brackets_is_kept_and_both_readings_are_offered() -> None:
    """'Technical University of Exampleton (TUE)': kept in the name and id (most readers), the name without it
    offered (decision 6), for the name and for the id."""
    record = _html("""<html lang="en"><body><h1>Cold Chains</h1>
<p>Programme: Interreg North-West Europe 2021-2027</p><p>Duration: 1 March 2025 – 28 February 2028</p>
<h2>Partners</h2><ul><li>Lead partner: Technical University of Exampleton (TUE), Ireland</li>
<li>Partner: Sample Farmers Cooperative, Belgium</li></ul></body></html>""", "en")
    found = _parties(record)
    assert "technical-university-of-exampleton-tue" in found, found
    index = list(found).index("technical-university-of-exampleton-tue")
    items = {item["field"]: item for item in record["review"]}
    assert "Technical University of Exampleton" in items[f"participants[{index}].organisation.name"]["candidates"]
    assert "technical-university-of-exampleton" in items[f"participants[{index}].organisation.id"]["candidates"]


def test_a_county_council_is_the_countys_authority_not_the_towns_municipality() -> None:
    """'Exampleford County Council' is not 'exampleford-municipality': its own id, a regional authority."""
    record = _html("""<html lang="en"><body><h1>Green Greenways</h1>
<p>Programme: Interreg North-West Europe 2021-2027</p><p>Duration: 1 March 2025 – 28 February 2028</p>
<h2>Partners</h2><ul><li>Lead partner: Exampleford County Council, Ireland</li>
<li>Partner: Sample Farmers Cooperative, Belgium</li></ul></body></html>""", "en")
    found = _parties(record)
    assert "exampleford-county-council" in found, found
    assert found["exampleford-county-council"]["organisation"]["type"] == "regional-authority"


def test_a_participant_whose_name_reads_as_a_list_or_holds_an_amount_is_inferred() -> None:
    """'Naturstyrelsen, Syddansk Universitet og Danmarks Naturfredningsforening' read as one body, and
    'Exempelstad (Lead Partner): 1 026 400 EUR': inferred, so asked; a ministry naming its portfolio is one body."""
    from eulod.converters.extract.fields.participant_list import _listed

    assert _listed("Naturstyrelsen, Syddansk Universitet og Danmarks Naturfredningsforening")
    assert _listed("Große Kreisstadt Beispielstadt (Lead Partner): 1 026 400 EUR")
    assert not _listed("Consejería de Agricultura, Ganadería, Pesca y Desarrollo Sostenible")
    assert not _listed("Syddansk Universitet")


def test_a_comma_in_a_bodys_name_offers_the_name_before_it() -> None:
    """'Kanton Beispiel, Amt für Umwelt' in a partner list: the office after the comma may or may not be part of the
    name (readers split 13 to 10), so the name and id without it are offered."""
    record = _html("""<html lang="de"><body><h1>Blaue Dächer</h1>
<p>Programm: Interreg Alpenrhein-Bodensee-Hochrhein 2021-2027</p><p>Laufzeit: 1. März 2024 – 28. Februar 2027</p>
<h2>Projektpartner</h2><ul><li>Kanton Beispiel, Amt für Umwelt (Leadpartner)</li>
<li>Gemeinde Musterdorf (Projektpartner)</li></ul></body></html>""", "de")
    items = {item["field"]: item for item in record["review"]}
    assert items["participants[0].organisation.name"]["candidates"] == ["Kanton Beispiel, Amt für Umwelt", "Kanton Beispiel"]
    assert "kanton-beispiel" in items["participants[0].organisation.id"]["candidates"]


def test_a_quoted_headline_as_the_title_is_asked() -> None:
    """A saved article's front matter, 'title: "„Das Wasser gehört allen“ – Interview zu X"': a quotation and what
    it is, an article's headline, not the project's name: asked."""
    record = _text("""
---
title: "„Das Wasser gehört allen“ – Interview zum Projekt AQUALINK"
---
Programm: Interreg Bayern – Österreich 2021-2027
Laufzeit: 1. März 2024 – 28. Februar 2027
""", "de")
    assert _asked(record, "title"), record.get("review")


def test_an_irish_project_officer_is_a_position_not_an_office() -> None:
    """'Máire Sampla, Oifigeach Tionscadail, Oifig na Gaeilge' under 'Teagmháil': the Irish position (Project
    Officer) is the role, the office after it the office."""
    record = _html("""<html lang="ga"><body><h1>Bóithre Glasa</h1>
<p>Clár: Interreg Atlantic Area 2021-2027</p><p>Fad: 1 Márta 2024 – 28 Feabhra 2027</p>
<h2>Teagmháil</h2><p>Máire Sampla, Oifigeach Tionscadail, Oifig na Gaeilge<br>maire.sampla@example.org</p>
</body></html>""", "ga")
    contacts = record.get("contacts", [])
    assert contacts and contacts[0].get("role") == "Oifigeach Tionscadail", contacts
    assert contacts[0].get("office") == "Oifig na Gaeilge"
