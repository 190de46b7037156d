"""Typical pages about one project (issue 16, after the twenty-ninth blind set, whose figures after these
rules are development figures): a mandatory poster, a PDF summary in two columns, staff cards, kroner,
a table row whose label cell notes the amount's parts, a Hugo page's front matter.

Each test is an inline sheet written for it, in other words than the set's; each assertion fails
without its rule.
"""

from __future__ import annotations

from pathlib import Path

from inline_sheets import asked, html_record
from inline_sheets import text_record as _text

from eulod.converters.extract.factsheet import extract_file
from eulod.converters.extract.numbers import find_amounts, local_signs
from eulod.converters.extract.text import columns_apart


def test_the_emblem_statement_over_a_poster_is_no_title() -> None:
    """'Kofinanziert von' over 'der Europäischen Union' (labels/<lang>.yaml ``emblem``) opens every poster."""
    record = _text("""Kofinanziert von
der Europäischen Union

Neubau der Radbrücke über die Elsterflutmulde
in der Stadt Beispielstadt

Gesamtkosten: 1.240.000 EUR
""", "de")
    assert record["title"].startswith("Neubau der Radbrücke"), record["title"]


def test_a_ministrys_logo_in_capitals_over_a_poster_is_no_title() -> None:
    """'MINISTERSTVO / PRŮMYSLU A OBCHODU': the managing authority's logo, a ministry (``portfolio_heads``)."""
    record = _text("""MINISTERSTVO
PRŮMYSLU A OBCHODU

Modernizace lakovny a úspora energie
ve společnosti Příklad Kovo s.r.o.

Registrační číslo projektu: CZ.01.01.01/04/23_009/0001234
""", "cs")
    assert record["title"].startswith("Modernizace lakovny"), record["title"]
    assert record.get("acronym") != "MINISTERSTVO"


def test_a_funds_name_broken_over_two_lines_is_the_fund() -> None:
    record = _text("""Projekt: Modernizace lakovny ve společnosti Příklad Kovo s.r.o.
Celkové výdaje projektu: 8 400 000 Kč

Projekt je spolufinancován Evropskou unií z Evropského fondu pro regionální
rozvoj v rámci Operačního programu Technologie a aplikace pro konkurenceschopnost.
""", "cs")
    assert record.get("funds") == ["ERDF"]


_TWO_COLUMNS = """   Harbour Edges

   Project summary – Example City Council                               Updated: May 2025

   Background                                                     KEY FACTS
   The city's quays flood several times a year when high tides    Network:        Harbour Edges
   meet heavy rain on the river. Like many port cities, the       Programme:      URBACT IV
   city has hard grey quay walls that leave no room for water                     (2021-2027)
   or for nature along the river front.                           Network type:   Innovation Transfer
                                                                                  Network (ITN)
   What the network does                                          Duration:       June 2024 – December
   Harbour Edges transfers a good practice of planted flood                       2026 (31 months)
   walls from the lead city to six other port cities, which       Status:         Ongoing
   adapt it to their own sites and test it in small actions.                      (phase 2)
   The partners meet every four months and write a plan for       Website:        https://urbact.example.eu/
   investment in their quays with their local groups.                             networks/harbour-edges

                                                                  Total network
                                                                  budget:         €862,400

   Partner cities

   City           Country      Partner organisation                            Role
   Aarhus         Denmark      Aarhus Kommune                                  Lead Partner
   Gdynia         Poland       Gmina Miasta Gdyni                              Partner
   Braga          Portugal     Município de Braga                              Partner
"""


def _summary(folder: Path) -> dict:
    """The two-column summary read as pdftotext's text file is (columns and aligned tables as the reader finds them)."""
    sheet = folder / "summary.txt"
    sheet.write_text(_TWO_COLUMNS, "utf-8")
    record = extract_file(sheet, language="en").record
    assert record is not None
    return record


def test_a_pdf_summarys_side_box_is_read_apart_from_its_text(tmp_path: Path) -> None:
    """A box whose values run on under their value, not under the gutter ('Duration: June 2024 – December' over
    '2026'): the two columns are read apart, the box's dates and website whole."""
    record = _summary(tmp_path)
    assert record.get("start_date") == "2024-06" and record.get("end_date") == "2026-12", record
    assert record.get("website") == "https://urbact.example.eu/networks/harbour-edges"


def test_the_table_below_a_two_column_run_keeps_its_role_column() -> None:
    """The gutter's run ends with the box: the partner table's last column is no right-hand column, and each
    of its rows stays one line (the box's lines come after the text's, read apart)."""
    lines = [text for _, text in columns_apart(_TWO_COLUMNS.strip("\n").splitlines())]
    rows = [text for text in lines if "Aarhus Kommune" in text]
    assert len(rows) == 1 and rows[0].rstrip().endswith("Lead Partner"), rows
    assert "Duration:       June 2024 – December" in lines, lines  # the box read apart from the text


def test_an_eu_amount_whose_rate_is_of_another_total_is_asked() -> None:
    """'ERDF (70%): €51,450' under a partner's budget in a network of €862,400: no eligible cost is named, so
    the amount may be the partner's; it is asked, not stated."""
    record = _text("""Project: Harbour Edges
Total network budget: €862,400
ERDF (70%): €51,450
""", "en")
    assert record["budget"]["eu_contribution"] == "51450"
    assert asked(record, "budget.eu_contribution")


def test_a_contact_heading_over_a_party_label_and_a_person_is_a_contact() -> None:
    """'Kontakt' over 'Projektleitung' (a coordinator label) over a person: the contact's role."""
    record = html_record("""<html lang="de"><body><main>
<h1>KÜHLE QUARTIERE</h1>
<p>Projektzeitraum: 01.06.2024 – 31.12.2026</p>
<h2>Kontakt</h2>
<p><strong>Projektleitung</strong><br>Dr. Miriam Beispiel<br>Fachbereich Stadtplanung<br>
E-Mail: <a href="mailto:m.beispiel@example.de">m.beispiel@example.de</a></p>
</main></body></html>""", "de")
    contacts = record.get("contacts") or []
    assert [c.get("email") for c in contacts] == ["m.beispiel@example.de"], contacts
    assert contacts[0].get("role") == "Projektleitung"


def test_a_party_label_with_a_mailbox_after_a_contact_is_the_next_contact() -> None:
    """'Per il capofila: Comune di X, … – mailbox' after the project's contact: the lead partner's contact."""
    record = html_record("""<html lang="it"><body><main>
<h1>CASA APERTA</h1>
<p>Durata: 01/03/2024 – 28/02/2027</p>
<h3>Contatti</h3>
<p>Referente del progetto: Giulia Esempio – <a href="mailto:giulia@coop.example.it">giulia@coop.example.it</a></p>
<p>Per il capofila: Comune di Esempio, Settore Sociale – <a href="mailto:sociale@comune.example.it">sociale@comune.example.it</a></p>
</main></body></html>""", "it")
    assert [c.get("email") for c in record.get("contacts") or []] == ["giulia@coop.example.it", "sociale@comune.example.it"]


def test_a_responsible_authority_is_no_project_contact() -> None:
    """'Autorità Responsabile: Ministero …' (``programme_bodies``): the programme's authority; asked."""
    record = html_record("""<html lang="it"><body><main>
<h1>CASA APERTA</h1>
<p><strong>Autorità Responsabile:</strong> Ministero dell'Interno – Dipartimento per le Libertà Civili</p>
<p>Durata: 01/03/2024 – 28/02/2027</p>
</main></body></html>""", "it")
    for index, contact in enumerate(record.get("contacts") or []):
        assert asked(record, f"contacts[{index}].role") or not contact.get("role"), contact


def test_staff_cards_under_a_contact_heading_are_one_contact_each() -> None:
    """A card a block a line (name, position, unit, mailbox, phone) under 'Yhteystiedot': two people, not one
    whose office holds the other."""
    record = html_record("""<html lang="fi"><body><main>
<h1>METSÄVAHTI</h1>
<p>Kesto: 1.1.2025–31.12.2028</p>
<h2>Yhteystiedot</h2>
<div><p>Liisa Esimerkki</p><p>apulaisprofessori</p><p>Metsätieteiden osasto</p>
<p><a href="mailto:liisa@uni.example.fi">liisa@uni.example.fi</a><br>puh. 029 000 0000</p></div>
<div><p>Janne Tutkija</p><p>tutkijatohtori</p><p>Metsätieteiden osasto</p>
<p><a href="mailto:janne@uni.example.fi">janne@uni.example.fi</a></p></div>
<p>Hanke on saanut rahoitusta Euroopan unionin Horisontti Eurooppa -ohjelmasta avustussopimuksella nro 101000001.</p>
</main></body></html>""", "fi")
    contacts = record.get("contacts") or []
    assert [(c.get("name"), c.get("email")) for c in contacts] == [
        ("Liisa Esimerkki", "liisa@uni.example.fi"), ("Janne Tutkija", "janne@uni.example.fi")], contacts


def test_kroner_are_the_currency_of_the_pages_language() -> None:
    """'kr.' is the Danish and the Swedish krone alike: CLDR (Babel) gives the language's country's currency."""
    assert local_signs("da") == {"kr.": "DKK", "kr": "DKK"}
    assert local_signs("sv") == {"kr.": "SEK", "kr": "SEK"}
    assert local_signs("fi") == {}
    assert [a.currency for a in find_amounts("1.312.000 kr.")] in ([None], ["DKK"], ["SEK"])
    record = _text("""Projekt: Omø Havnehus
Samlet budget: 1.312.000 kr.
""", "da")
    assert record.get("currency") == "DKK"
    assert _text("Projekt: Kompetensbro\nTotal budget: 4 200 000 kr\n", "sv").get("currency") == "SEK"


def test_a_lead_in_line_under_a_results_heading_leaves_the_list_to_the_heading() -> None:
    """'Eredmények' over 'A projekt során elkészült anyagok:' over the list: the results, each with its link."""
    record = html_record("""<html lang="hu"><body><main>
<h1>DIGITÁLIS TANULÁS</h1>
<p>Megvalósítás időszaka: 2024. szeptember 1. – 2025. augusztus 31.</p>
<h2>Eredmények</h2>
<p>A projekt során elkészült anyagok:</p>
<ul>
<li><a href="https://example.hu/jo-gyakorlatok.pdf">Jó gyakorlatok gyűjteménye</a> – 24 óravázlat (PDF)</li>
<li><a href="https://example.hu/video">Élménybeszámoló videó</a> – diákjaink filmje</li>
</ul>
<blockquote><p>„Tanáraink új módszerekkel tértek haza.” – Teszt Péter igazgató</p></blockquote>
</main></body></html>""", "hu")
    results = record.get("results") or []
    assert [r.get("url") for r in results] == ["https://example.hu/jo-gyakorlatok.pdf", "https://example.hu/video"], results
    assert results[0]["title"] == "Jó gyakorlatok gyűjteménye"


def test_a_hugo_pages_front_matter_description_is_asked(tmp_path: Path) -> None:
    """Front matter's 'description:' is the page's summary for search engines: a tagline as often as not."""
    page = tmp_path / "about.md"
    page.write_text("""---
title: "About the project"
description: "LAGOONS – a network for coastal lagoons"
---

# LAGOONS

Coastal lagoons of the Black Sea are home to dozens of protected bird species and unique habitats,
but they are threatened by building, pollution and changes in the water regime.

Project code: BSB00147
""", "utf-8")
    record = extract_file(page, language="en").record
    assert record is not None and record.get("description") == "LAGOONS – a network for coastal lagoons"
    assert asked(record, "description")


def test_a_table_row_whose_label_cell_notes_the_parts_gives_the_rows_amount() -> None:
    """'Contreparties nationales publiques<br>dont Région … 486 000 €' | '729 000 € (15 %)': after the <br> the
    row goes on in the next cell (' | '), and the note's parts follow the row's amount."""
    record = html_record("""<html lang="fr"><body><main>
<h1>RÉNO’BASSIN</h1>
<table>
<tr><td>Coût total du projet</td><td>4 860 000 €</td></tr>
<tr><td>Contreparties nationales publiques<br><span>dont Région Exemple 486 000 € et Département 243 000 €</span></td>
<td>729 000 € (15 %)</td></tr>
</table>
</main></body></html>""", "fr")
    assert record["budget"].get("co_financing") == "729000", record["budget"]


def test_an_amount_under_a_label_naming_the_fund_comes_before_a_grant() -> None:
    """'Subvención concedida' (a grant: EU and regional money) above 'Cofinanciación FEDER': the fund's amount."""
    record = _text("""Título del proyecto: Esmaltes de baja temperatura a partir de vidrio reciclado
Presupuesto subvencionable: 312.480,00 €
Subvención concedida: 140.616,00 €
Cofinanciación FEDER: 84.369,60 €
""", "es")
    assert record["budget"]["eu_contribution"] == "84369.60"
    assert asked(record, "budget.eu_contribution")


def test_a_broken_address_joins_only_a_path_on_the_next_line() -> None:
    record = _text("""Project: Harbour Edges
Total budget: €862,400
Website: https://urbact.example.eu/
networks/harbour-edges
""", "en")
    assert record.get("website") == "https://urbact.example.eu/networks/harbour-edges"
    record = _text("""Project: Harbour Edges
Total budget: €862,400
Website: https://urbact.example.eu/
More about the network on its page.
""", "en")
    assert record.get("website") == "https://urbact.example.eu/"
    record = _text("""Project: Harbour Edges
Total budget: €862,400
Website: https://urbact.example.eu/
Newsletter
""", "en")
    assert record.get("website") == "https://urbact.example.eu/"  # a word alone is no rest of the address


def test_the_paragraphs_after_the_description_are_read_for_partners() -> None:
    """'Il progetto' over two paragraphs: the first is the description, the second names the lead in prose
    ('promosso dal Comune di …'), which the readers of partners in prose read only in the page's text."""
    record = html_record("""<html lang="it"><body><main>
<h1>CASA APERTA</h1>
<p>Durata: 01/03/2024 – 28/02/2027</p>
<h2>Il progetto</h2>
<p>Casa Aperta accompagna le famiglie di cittadini di paesi terzi nei primi anni dopo l'arrivo, con corsi di
lingua, orientamento ai servizi e laboratori per i bambini.</p>
<p>Il progetto è promosso dal Comune di Esempio in qualità di capofila.</p>
</main></body></html>""", "it")
    roles = {p["organisation"]["id"]: p["role"] for p in record.get("participants", [])}
    assert roles.get("esempio-municipality") == "coordinator", record.get("participants")
    assert record["description"].startswith("Casa Aperta accompagna")
