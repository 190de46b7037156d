"""Rules made after scoring the twenty-seventh blind set (issue 16), so that set's figures after them are
development figures. Each test is a small inline sheet written for it, in another language or wording
than that set uses, and each assertion fails without its rule.
"""

from __future__ import annotations

import pytest
from inline_sheets import asked
from inline_sheets import html_record as _html
from inline_sheets import text_record as _text

_PRESS = """<html lang="{lang}"><body><h1>{title}</h1>
<p>{lead}</p>
<h2>{heading}</h2>
<p>{office}<br>{name}<br>{position}<br>{phone}<br>{mail}<br>{label}: <a href="https://{site}">{site}</a></p>
</body></html>"""


@pytest.mark.parametrize("lang, title, lead, heading, office, name, position, phone, mail, label, site, kept", [
    ("en", "Harbour Heat Network", "The city starts building its heat network in May 2025.", "Notes to editors",
     "City of Example, Communications Office", "Jane Example", "Press officer", "Phone: +44 20 0000 0000",
     "Email: jane.example@city.example.org", "Website", "www.city.example.org", False),
    ("fr", "Réseau de chaleur du port", "La ville commence les travaux en mai 2025.", "Informations",
     "Ville d'Exemple, direction de la communication", "Claire Exemple", "Attachée de presse",
     "Tél. : 01 00 00 00 00", "Courriel : claire.exemple@ville.example.fr", "Site web", "www.ville.example.fr", False),
    ("en", "Harbour Heat Network", "The city starts building its heat network in May 2025.", "Notes to editors",
     "City of Example, Communications Office", "Jane Example", "Press officer", "Phone: +44 20 0000 0000",
     "Email: jane.example@city.example.org", "Project website", "www.harbourheat.example.org", True),
])
def test_a_press_offices_website_is_not_the_projects(lang: str, title: str, lead: str, heading: str, office: str,
                                                      name: str, position: str, phone: str, mail: str, label: str,
                                                      site: str, kept: bool) -> None:
    """'Website' in a press officer's block is the press office's site; 'Project website' there is still the project's."""
    page = _PRESS.format(lang=lang, title=title, lead=lead, heading=heading, office=office, name=name,
                         position=position, phone=phone, mail=mail, label=label, site=site)
    assert (_html(page, lang).get("website") == f"https://{site}") is kept


def test_a_digests_next_message_header_ends_a_contact() -> None:
    """A list digest's plain text: the announcement's signature, then the next message's header lines ('From:',
    'To:', 'Message-ID:'). They end the contact: no contact is the replier's, the list's or the message id."""
    body = """Progetto Boschi urbani di Arezzo

Il progetto parte il 1 marzo 2025 e dura 24 mesi. Costo totale: 480.000 EUR, di cui 384.000 EUR dal FESR.

Referente di progetto:
Giulia Esempio
Comune di Arezzo
giulia.esempio@arezzo.example.it

------------------------------

Message: 2
Date: Tue, 4 Mar 2025 10:12:00 +0100
From: Marco Prova <marco.prova@regione.example.it>
To: boschi-urbani@lists.example.it
Subject: Re: Progetto Boschi urbani di Arezzo
Message-ID: <CAF9x1Qm7@regione.example.it>

Complimenti! Ci vediamo alla riunione del 12 marzo.
"""
    contacts = _text(body, "it").get("contacts") or []
    mailboxes = {c.get("email") for c in contacts}
    assert "giulia.esempio@arezzo.example.it" in mailboxes
    assert mailboxes <= {"giulia.esempio@arezzo.example.it"}, mailboxes


_TENDER = """<html lang="{lang}"><body><h1>{title}</h1>
<p>{lead}</p>
<h4>{buyer}</h4>
<table><tr><td>{site_label}</td><td><a href="https://{site}">{site}</a></td></tr></table>
<p><strong>{contact}</strong><br>{office}<br>{person}<br>{mail}</p>
</body></html>"""


@pytest.mark.parametrize("lang, title, lead, buyer, site_label, site, contact, office, person, mail", [
    ("de", "Neubau Radweg Murtal", "Projektbeginn: 1. Juli 2025. Gesamtkosten: 2.400.000 Euro, davon 960.000 Euro EFRE.",
     "Öffentlicher Auftraggeber", "Website", "www.murtal.example.at/vergabe", "Kontakt", "Vergabestelle der Stadt",
     "Anna Beispiel", "anna.beispiel@murtal.example.at"),
    ("pl", "Budowa ścieżki rowerowej", "Okres realizacji: 1 lipca 2025. Wartość projektu: 2 400 000 PLN, dofinansowanie "
     "z EFRR: 1 800 000 PLN.", "Zamawiający", "Strona www", "www.gmina.example.pl/przetargi", "Kontakt",
     "Referat Zamówień Publicznych", "Anna Przykładowa", "anna.przykladowa@gmina.example.pl"),
])
def test_a_tenders_buyer_gives_neither_the_projects_contact_nor_its_website(lang: str, title: str, lead: str, buyer: str,
                                                                             site_label: str, site: str, contact: str,
                                                                             office: str, person: str, mail: str) -> None:
    """A procurement notice's buyer block: its 'Website' is the buyer profile, its contact the procurement office's
    officer, asked in every part (labels.yaml procurement_stems)."""
    record = _html(_TENDER.format(lang=lang, title=title, lead=lead, buyer=buyer, site_label=site_label, site=site,
                                  contact=contact, office=office, person=person, mail=mail), lang)
    assert record.get("website") != f"https://{site}"
    contacts = record.get("contacts") or []
    assert contacts and contacts[0].get("email") == mail
    assert all(asked(record, f"contacts[0].{part}") for part in contacts[0])


@pytest.mark.parametrize("lang, facts, prose, start, end", [
    ("en", "End date for applications: 30 June 2025\nStart date of employment: 1 September 2025",
     "The project runs from 1 April 2025 to 31 March 2028. Its total budget is EUR 1 200 000, of which EUR 960 000 "
     "from the ESF+.", "2025-04-01", "2028-03-31"),
    ("de", "Ende der Bewerbungsfrist: 30. Juni 2025\nBeginn der Tätigkeit: 1. September 2025",
     "Das Projekt läuft vom 1. April 2025 bis 31. März 2028. Gesamtkosten: 1.200.000 Euro, davon 960.000 Euro aus "
     "dem ESF+.", "2025-04-01", "2028-03-31"),
])
def test_a_job_advertisements_dates_are_not_the_projects(lang: str, facts: str, prose: str, start: str, end: str) -> None:
    """The employment's start and the application deadline under their labels leave the project's dates to the prose."""
    record = _text(f"Project manager (m/f/d)\n\n{facts}\n\n{prose}\n", lang)
    assert (record.get("start_date"), record.get("end_date")) == (start, end)


@pytest.mark.parametrize("line, themes", [
    ("Tema: movilidad sostenible, espacio público, calidad del aire",
     ["movilidad sostenible", "espacio público", "calidad del aire"]),
    ("Tema: movilidad, espacio público, y calidad del aire", ["movilidad, espacio público, y calidad del aire"]),
])
def test_themes_apart_by_commas_are_read_one_by_one_and_asked(line: str, themes: list[str]) -> None:
    """Three short phrases apart by commas are three themes, asked; 'a, b y c' stays one."""
    record = _text(f"Calles verdes de Getafe\n\nInicio: 1 de marzo de 2025. Presupuesto total: 480.000 EUR.\n\n{line}\n", "es")
    assert record.get("themes") == themes
    assert asked(record, "themes") is (len(themes) > 1)
