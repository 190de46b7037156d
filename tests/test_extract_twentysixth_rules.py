"""Rules made after scoring the twenty-sixth blind set (issue 16), so that set's figures after them are
development figures. Each test is a small inline sheet written for it, in another language or wording
than that set uses, and each assertion fails without its rule.
"""

from __future__ import annotations

import pytest
from inline_sheets import html_record as _html
from inline_sheets import text_record as _text

from eulod.converters.extract.compare import compare

_AGENDA = """<html lang="{lang}"><body><h1>{title}</h1>
<p>{start}</p>
<h2>{actions}</h2><ul><li>{action}</li></ul>
<h2>{agenda}</h2><ul><li>{event}</li><li>{event2}</li></ul>
</body></html>"""


@pytest.mark.parametrize("lang, title, start, actions, action, agenda, event, event2", [
    ("en", "River Foyle Greenway", "Start date: 1 March 2025", "Activities", "build 12 km of greenway",
     "Upcoming activities", "12 April 2025 – community walk (10:00)", "3 May 2025 – public meeting in Derry"),
    ("it", "Boschi urbani di Arezzo", "Data di inizio: 1 marzo 2025", "Attività", "piantare 4.000 alberi",
     "Prossime attività", "12 aprile 2025 – passeggiata nel bosco", "3 maggio 2025 – incontro pubblico"),
    ("de", "Grüne Höfe Kassel", "Projektbeginn: 1. März 2025", "Aktivitäten", "60 Höfe entsiegeln",
     "Kommende Aktivitäten", "12. April 2025 – Pflanzaktion im Hof", "3. Mai 2025 – Bürgerversammlung"),
])
def test_a_heading_of_coming_events_is_no_actions_section(lang: str, title: str, start: str, actions: str, action: str,
                                                          agenda: str, event: str, event2: str) -> None:
    """'Upcoming activities', 'Prossime attività': dated events to come under an actions label, not the actions."""
    page = _AGENDA.format(lang=lang, title=title, start=start, actions=actions, action=action, agenda=agenda,
                          event=event, event2=event2)
    assert _html(page, lang).get("actions") == [action]


def test_a_site_builders_menu_list_is_not_read() -> None:
    """'<ul class="wsite-menu-default">' (no <nav>): its items ('Aktivitäten', 'Mitmachen') are other pages' names,
    not an actions label over its value; a list with role="navigation" likewise."""
    page = """<html lang="de"><body>
<div class="header"><ul class="wsite-menu-default"><li><a href="/">Start</a></li>
<li><a href="/aktivitaeten.html">Aktivitäten</a></li><li><a href="/mitmachen.html">Mitmachen</a></li></ul></div>
<div role="navigation"><ul><li><a href="/ziele.html">Ziele</a></li><li><a href="/spenden.html">Spenden Sie jetzt</a></li></ul></div>
<h1>Grüne Höfe Kassel</h1>
<p>Projektbeginn: 1. März 2025</p>
<p>Der Verein entsiegelt mit dem Projekt 60 Hinterhöfe in der Nordstadt.</p>
</body></html>"""
    record = _html(page, "de")
    assert "actions" not in record and "objectives" not in record, record


def test_maltese_sections_of_actions_and_expected_results() -> None:
    """"X'se nagħmlu" (what we will do) and 'Riżultati mistennija' (expected results) are Maltese section labels."""
    page = """<html lang="mt"><body><h1>Bajja Nadifa Marsaxlokk</h1>
<p>Data tal-bidu: 1 ta' Marzu 2025</p>
<h2>X'se nagħmlu</h2><ul><li>tindif tal-bajja kull xahar</li></ul>
<h2>Riżultati mistennija</h2><ul><li>inqas plastik fil-port</li></ul>
</body></html>"""
    record = _html(page, "mt")
    assert record.get("actions") == ["tindif tal-bajja kull xahar"], record
    assert record.get("expected_results") == ["inqas plastik fil-port"], record


@pytest.mark.parametrize("label, sentence", [
    ("Thema", "Der zweite Austausch findet in Udine statt. Thema: Mobilität und Abfall. Die Auswahl folgt im Forum."),
])
def test_a_label_word_inside_a_paragraph_is_no_label(label: str, sentence: str) -> None:
    """'... in Udine statt. Thema: Mobilität und Abfall.': a theme word with a colon after a sentence is prose."""
    lang = "de" if label == "Thema" else "en"
    page = f"""<html lang="{lang}"><body><h1>GreenSchools Kassel</h1>
<p>Projektbeginn: 1. März 2025</p><p>Start date: 1 March 2025</p>
<p>{sentence}</p>
</body></html>"""
    assert "themes" not in _html(page, lang), sentence


def test_a_label_after_an_abbreviation_is_still_a_label() -> None:
    """'Proj. Nr.: ...', 'Ref. No.: ...': full stops of abbreviations, no sentence before the label."""
    page = """<html lang="en"><body><h1>River Foyle Greenway</h1>
<p>Start date: 1 March 2025</p>
<p>Theme: Sustainable urban mobility</p>
</body></html>"""
    assert _html(page, "en").get("themes"), "a plain theme label must still give a theme"


def test_the_scorer_pairs_a_contact_found_without_its_email_by_name() -> None:
    """A person the draft names without the e-mail the page gives elsewhere is that person: name and role
    right, the e-mail missing; and a draft that names one person twice has one extra contact, not none."""
    expected = {"contacts": [{"role": "projekta vadītāja", "name": "Līga Piemēre", "email": "projekts@example.lv"}]}
    score = compare(expected, {"contacts": [{"role": "projekta vadītāja", "name": "Līga Piemēre"}]})
    assert score.tp["contacts.name"] == 1 and score.tp["contacts.role"] == 1, score.differences
    assert score.fn["contacts.email"] == 1 and score.fp["contacts.name"] == 0
    twice = {"contacts": [dict(expected["contacts"][0]), dict(expected["contacts"][0])]}
    score = compare(expected, twice)
    assert score.tp["contacts.email"] == 1 and score.fp["contacts.email"] == 1, score.differences


def test_the_same_person_given_twice_is_one_contact() -> None:
    """A contact box at the top and again at the foot of a page: one contact, with what either gives."""
    page = """<html lang="sv"><body><h1>Laddinfrastruktur Östersund</h1>
<p>Projektstart: 1 mars 2025</p>
<h2>Kontakt</h2><p>Projektledare: Erik Exempel<br>E-post: erik.exempel@example.org</p>
<p>Projektet bygger 40 laddplatser vid två depåer.</p>
<h2>Frågor?</h2><p>Kontaktperson: Erik Exempel<br>E-post: erik.exempel@example.org<br>Telefon: 063-14 30 00</p>
</body></html>"""
    contacts = _html(page, "sv").get("contacts", [])
    assert [c.get("email") for c in contacts] == ["erik.exempel@example.org"], contacts
    assert contacts[0].get("name") == "Erik Exempel"


def test_a_hyphenated_acronym_before_the_title_in_brackets_is_taken_whole() -> None:
    """'SMART-HARBOURS (Shared Mobility And Renewable Transport for Harbours)': the acronym whole, never its last
    part, though that part is a word of the title."""
    page = """<html lang="en"><body><h1>Shared Mobility And Renewable Transport for Harbours</h1>
<p>Start date: 1 March 2025</p>
<p>The data come from the research project SMART-HARBOURS (Shared Mobility And Renewable Transport for Harbours),
funded by Horizon Europe.</p>
</body></html>"""
    assert _html(page, "en").get("acronym") == "SMART-HARBOURS"


def test_a_web_archives_copy_of_a_link_is_its_original_address() -> None:
    """A page saved from the Wayback Machine links '/web/<timestamp>/<address>': the record holds the address."""
    page = """<html lang="en"><body><h1>River Foyle Greenway</h1>
<p>Start date: 1 March 2025</p>
<p>Project website: <a href="https://web.archive.org/web/20230301120000/https://greenway.example.org/">greenway.example.org</a></p>
</body></html>"""
    assert _html(page, "en").get("website") == "https://greenway.example.org/"


@pytest.mark.parametrize("lang, line", [
    ("cs", "Více informací o fondech EU: <a href='https://fondy.example.cz/'>fondy.example.cz</a>"),
    ("da", "Mere information om EU-fondene: <a href='https://eufonde.example.dk/'>eufonde.example.dk</a>"),
])
def test_a_link_to_the_eus_funds_portal_is_no_project_website(lang: str, line: str) -> None:
    """'Više informacija o EU fondovima: www...': the funds' portal, not the project's page."""
    page = f"""<html lang="{lang}"><body><h1>Zelené dvory Brno</h1>
<p>Zahájení projektu: 1. března 2025</p><p>Projektstart: 1. marts 2025</p>
<p>{line}</p>
</body></html>"""
    assert "website" not in _html(page, lang)


def test_fst_is_the_just_transition_funds_abbreviation() -> None:
    """'Dotace: ... z toho FST ...': FST (Fond pro spravedlivou transformaci, Slovak Fond na spravodlivú
    transformáciu) is the JTF, so its part is the EU contribution and the grant is public support."""
    page = """<html lang="cs"><body><h1>Fotovoltaika na radnici Karviná</h1>
<p>Zahájení projektu: 1. března 2025</p>
<table><tr><td>Celkové způsobilé výdaje:</td><td>2 000 000,00 Kč</td></tr>
<tr><td>Výše dotace:</td><td>1 900 000,00 Kč (95 %), z toho FST 1 700 000,00 Kč (85 %) a státní rozpočet 200 000,00 Kč (10 %)</td></tr></table>
</body></html>"""
    record = _html(page, "cs")
    assert record.get("budget", {}).get("eu_contribution") == "1700000.00", record.get("budget")
    assert "JTF" in record.get("funds", []), record.get("funds")


def test_a_romanian_grant_agreement_numbers_label_over_its_value() -> None:
    """'Numărul acordului de grant' over '101234567' (label and value one a line, as pdftotext gives a table):
    an EU grant agreement, not the project code's next line."""
    body = """Restaurarea luncii Mureșului
Data de începere: 1 martie 2025
Cod proiect
LIFE24-NAT-RO-MURES
Numărul acordului de grant
101234567
"""
    record = _text(body, "ro")
    assert {"scheme": "eu-grant-agreement", "value": "101234567"} in record.get("identifiers", []), record.get("identifiers")


def test_a_labelled_titles_acronym_in_brackets_is_the_acronym() -> None:
    """'Title: Harbours of the Small Islands Together (HARBIT)', HARBIT used again on the page: the acronym, not
    part of the title; a fund in brackets ('(ERDF)') is not one."""
    page = """<html lang="en"><body><h1>Episode 9: launching HARBIT</h1>
<p>Start date: 1 March 2025</p>
<p>Title: Harbours of the Small Islands Together (HARBIT)</p>
<p>HARBIT brings six island harbours together.</p>
</body></html>"""
    record = _html(page, "en")
    assert record.get("acronym") == "HARBIT" and record.get("title") == "Harbours of the Small Islands Together", record
    fund = page.replace("(HARBIT)", "(ERDF)").replace("launching HARBIT", "a new project").replace(
        "HARBIT brings", "Co-funded by the ERDF, the project brings")
    assert _html(fund, "en").get("acronym") != "ERDF"


def test_a_budget_tables_total_row_one_cell_a_line_is_the_total() -> None:
    """'Rozpočet projektu' over a table pdftotext gives one cell a line ('Program LIFE' over its amount, ...,
    'Celkem' over the total): the total is the total row's amount, not the table's first amount."""
    body = """Obnova lužních lesů Pomoraví
Zahájení projektu: 1. března 2025

Rozpočet projektu
Zdroj
Částka (EUR)
Program LIFE
1 200 000,00
Ministerstvo životního prostředí
300 000,00
Celkem
1 500 000,00
"""
    assert _text(body, "cs").get("budget", {}).get("total_cost") == "1500000.00"
