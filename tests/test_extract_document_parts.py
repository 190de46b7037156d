"""Documents about several things, and prose in Cyrillic (issue 16, after the twenty-seventh blind set,
whose figures after these rules are development figures).

The set's council minutes treat five agenda items, each with its own amounts and dates; read whole,
the draft took the first item's budget and currency. Each test here is an inline sheet written for
it, in other words than the set's, and each assertion fails without its rule.
"""

from __future__ import annotations

from inline_sheets import parties
from inline_sheets import text_record as _text

_MINUTES = """MUNICIPAL COUNCIL OF EXAMPLETON
Minutes No 12 of the session of 3 March 2025

AGENDA:
1. Report on the execution of the 2024 budget
2. Participation of the municipality in the RIVERSAFE project
3. One-off financial aid

ITEM ONE ON THE AGENDA
The deputy mayor presented the report. Revenue reached 48 200 000,00 EUR and expenditure
46 900 000,00 EUR in 2024; the works on the town hall ran from 01.02.2024 to 30.11.2024.
The council adopted decision No 101.

ITEM TWO ON THE AGENDA
The deputy mayor presented the project "Safer Riverbanks for Exampleton and Sampleville", acronym
RIVERSAFE, approved under the Interreg VI-A programme and co-financed by the European Regional
Development Fund. The project starts on 01.09.2025 and ends on 31.08.2027. Its total budget is
1 800 000,00 EUR, of which 1 530 000,00 EUR (85 %) from the European Regional Development Fund.
The council adopted decision No 102.

ITEM THREE ON THE AGENDA
The council granted one-off aid of 2 500,00 EUR to a resident. The council adopted decision No 103.
"""


def test_minutes_are_read_in_the_agenda_item_that_names_the_project() -> None:
    """Items under one repeated heading ('ITEM ONE/TWO/THREE ON THE AGENDA'): only the project's item is read."""
    record = _text(_MINUTES, "en")
    assert record["budget"]["total_cost"] == "1800000.00"
    assert record["start_date"] == "2025-09-01" and record["end_date"] == "2027-08-31"
    assert "several items" in record["notes"] and "ITEM TWO ON THE AGENDA" in record["notes"]


_REPORT = """City of Exampleton · International cooperation · Annual report 2024

4 EU-funded projects

4.1 Overview
The city took part in nine EU-funded projects in 2024, with a total budget of 12 400 000 EUR.

4.2 RIVERLINK – river transport for commuters
The city leads RIVERLINK, an Interreg Europe project that runs from 1 March 2023 to 28 February 2027.
Acronym: RIVERLINK
Project code: RL-0042
Contact: Project manager Anna Example, anna.example@exampleton.example.org

4.3 GREENPORT – a low-carbon harbour
GREENPORT is a Horizon Europe project that the port authority leads from 1 January 2024 to 31 December 2026.
Contact: Project manager Bert Example, bert.example@exampleton.example.org

4.4 Other projects
Four smaller projects are listed in annex 2.
"""


def test_a_report_section_headed_by_the_projects_name_is_read_alone() -> None:
    """Numbered sub-sections (4.1, 4.2, …): the one whose heading names the project is the project's; the
    next section's contact is another project's."""
    record = _text(_REPORT, "en")
    emails = [contact.get("email") for contact in record.get("contacts", [])]
    assert emails == ["anna.example@exampleton.example.org"]
    assert record["start_date"] == "2023-03-01"


_FINAL_REPORT = """Final implementation report

1 Executive summary

1.1 Identity of the operation
Acronym: TIDEWATCH
Programme: Interreg VI-A Example–Sample

1.2 Budget
Total budget: 950 000,00 EUR
ERDF: 807 500,00 EUR

1.3 Duration
Start: 01.03.2023
End: 28.02.2025
"""


def test_a_reports_own_numbered_sections_are_all_read() -> None:
    """A report on one project numbers its sections too, and names the project only in the first: the
    budget of section 1.2 is still the project's."""
    record = _text(_FINAL_REPORT, "en")
    assert record["budget"]["total_cost"] == "950000.00"
    assert "several items" not in record["notes"]


def test_a_line_that_goes_on_with_a_sentence_is_no_label() -> None:
    """'... under the approved application is' then '2 400 000,00 EUR, of which:': the sentence's lead-in
    to its list of parts, not a label that takes the lines below it away from the prose."""
    record = _text("""Council decision on the GREENWAYS project

The municipality takes part in the GREENWAYS project, which starts on 1 June 2025 and ends on 31 May 2027.
The total cost of the project under the approved application is
2 400 000,00 EUR, of which:
- 2 040 000,00 EUR (85 %) from the European Regional Development Fund;
- 360 000,00 EUR (15 %) national co-financing.
""", "en")
    assert record["budget"]["total_cost"] == "2400000.00"


def test_an_objective_sentence_inside_a_paragraph() -> None:
    """pdftotext runs a page's sentences into one paragraph: 'The aim of the project is …' after another
    sentence of it still states the objective."""
    record = _text("""Harbour Heat

The city joined the Harbour Heat partnership in 2024. The aim of the project is to heat 2 000 homes with the
harbour's waste heat. It runs from 1 January 2025 to 31 December 2027.
""", "en")
    assert record["objectives"] == ["The aim of the project is to heat 2 000 homes with the harbour's waste heat."]


_BULGARIAN = """Доклад относно проект „Чиста Янтра“

Докладна записка № 17 от 10.02.2025 г. относно участието на общината в проекта. Проектът ще стартира на
01.06.2025 г. и ще приключи на 30.11.2027 г. Целта на проекта е да се опази поречието на р. Янтра чрез
пречистване на отпадъчните води на три села. Водещ партньор по проекта е Община Габрово, а общата
стойност на проекта е 2 100 000,00 евро.
"""


def test_cyrillic_sentences_end_before_a_cyrillic_capital() -> None:
    """Without Cyrillic capitals among a sentence's openings, the report's date (10.02.2025) and the
    project's start were one sentence, and the start was the report's date."""
    record = _text(_BULGARIAN, "bg")
    assert record["start_date"] == "2025-06-01" and record["end_date"] == "2027-11-30"


def test_a_one_letter_abbreviation_ends_no_sentence() -> None:
    """'р. Янтра' (the river Yantra): the objective goes on past the abbreviation's point."""
    record = _text(_BULGARIAN, "bg")
    assert record["objectives"] == ["Целта на проекта е да се опази поречието на р. Янтра чрез пречистване на "
                                    "отпадъчните води на три села."]


def test_a_lead_partner_named_in_cyrillic_prose() -> None:
    """'Водещ партньор по проекта е Община Габрово': a body's name in Cyrillic capitals after the cue."""
    record = _text(_BULGARIAN, "bg")
    leads = [p for p in parties(record).values() if p["role"] == "coordinator"]
    assert [lead["organisation"]["name"]["bg"] for lead in leads] == ["Община Габрово"]


_PUNKT_MINUTES = """Protokoll der 7. Sitzung des Gemeinderates Beispielstadt vom 12. Mai 2025

Punkt 1.
Der Rechnungsabschluss 2024 wird genehmigt: Einnahmen 12 400 000 EUR, Ausgaben 11 900 000 EUR.
Die Sanierung des Rathauses lief vom 01.02.2024 bis 30.11.2024.

Punkt 2.
Der Gemeinderat beschließt die Teilnahme am Projekt „Grüne Ufer Beispielstadt“ (Interreg VI-A
Österreich–Bayern, EFRE). Das Projekt beginnt am 01.09.2025 und endet am 31.08.2027. Die
Gesamtkosten betragen 960 000,00 EUR, davon 768 000,00 EUR aus dem EFRE.

Punkt 3.
Eine Förderung von 3 000 EUR an den Sportverein wird gewährt.
"""


def test_minutes_with_items_numbered_under_one_word() -> None:
    """'Punkt 1.', 'Punkt 2.', 'Punkt 3.': one word and a number alone on a line head the items."""
    record = _text(_PUNKT_MINUTES, "de")
    assert record["budget"]["total_cost"] == "960000.00"
    assert record["start_date"] == "2025-09-01"
    assert "Punkt 2." in record["notes"]


def test_item_headings_that_open_pages_are_no_running_header() -> None:
    """'Punkt 2.' and 'Punkt 4.' at the top of two pages go up otherwise than the pages: the document's
    text, while 'Seite 1 von 3' … 'Seite 3 von 3' go up with them and are the page's."""
    from eulod.converters.extract.furniture import furniture

    text = ("Protokoll\nPunkt 1.\nText eins.\nSeite 1 von 3\n\f"
            "Punkt 2.\nText zwei.\nPunkt 3.\nText drei.\nSeite 2 von 3\n\f"
            "Punkt 4.\nText vier.\nSeite 3 von 3\n")
    lines = text.splitlines()
    blanked = {lines[i] for i in furniture(text)}
    assert blanked == {"Seite 1 von 3", "Seite 2 von 3", "Seite 3 von 3"}


_WIKI = """# Waterschap Voorbeeld – EU-projecten

## 1. DRYLAND (Interreg NWE) – afgerond
Projectnummer: NWE-0099
Looptijd: 1 maart 2017 – 31 december 2021
Totaal budget: € 412.600

## 2. HEATHBACK (Interreg Vlaanderen-Nederland)
Looptijd: 1 januari 2024 – 31 december 2026
Totaal budget: € 318.000

## 3. LIFE MARSHLINK – projectkaart
Acroniem: LIFE MARSHLINK
Looptijd: 1 oktober 2024 – 30 september 2029
Totaal budget: € 4.200.000

## 4. SOILCARE (Horizon Europe)
Looptijd: 1 januari 2023 – 31 december 2027
Totaal budget: € 250.000
"""


def test_a_pages_numbered_headings_and_a_code_from_another_part() -> None:
    """'## 1. …', '## 2. …' head a wiki page's projects, each with its own labelled facts: the one its heading
    names is read; the code the first draft took from another part ('NWE-0099') yields to it."""
    record = _text(_WIKI, "nl")
    assert record["start_date"] == "2024-10-01"
    assert record["budget"]["total_cost"] == "4200000"


_CHAPTER = """Regional development report 2024

2 Projects of the region

2.1 Overview
| Project | Programme | Budget |
| Harbour Rail Link | CEF Transport | 14 000 000 EUR |
| Green Schools Exampleshire | ERDF regional programme | 2 300 000 EUR |
| Coastal Skills | ESF+ | 900 000 EUR |

2.2 Harbour Rail Link
Programme: CEF Transport
Duration: 1 January 2023 – 31 December 2026
Total budget: 14 000 000 EUR

2.3 Green Schools Exampleshire
Programme: ERDF regional programme
Duration: 1 March 2024 – 28 February 2027
Total budget: 2 300 000 EUR

2.4 Coastal Skills
Programme: ESF+
Duration: 1 September 2022 – 31 August 2025
Total budget: 900 000 EUR
"""


def test_a_section_headed_by_the_title_that_an_overview_names_too() -> None:
    """The title is in the overview's table and heads its own section: only that section is headed by it."""
    record = _text(_CHAPTER.replace("Regional development report 2024", "Green Schools Exampleshire"), "en")
    assert record["start_date"] == "2024-03-01"
    assert record["budget"]["total_cost"] == "2300000"


def test_an_agreements_articles_are_one_documents_own() -> None:
    """'Article 1.' … 'Article 4.' of a partnership agreement are its own parts, all about the project:
    the project named in the first article only does not leave the budget of the fourth behind."""
    record = _text("""Partnership agreement

Article 1.
The partners implement the project "Green Paths of the Valley" under the Interreg VI-A programme.

Article 2.
The lead partner is the City of Example.

Article 3.
The project runs from 1 April 2025 to 31 March 2028.

Article 4.
The total budget of the project is 1 250 000,00 EUR.
""", "en")
    assert record["budget"]["total_cost"] == "1250000.00"
    assert record["start_date"] == "2025-04-01"


def test_a_colon_after_an_amount_ends_no_label() -> None:
    """'City budget 214 600,00 EUR: ERDF …' is a sentence and its parts (a Latvian list's 'ZPR budžets
    projektā ir …'); read as a label naming a budget it gave the project the city's share as its total cost."""
    record = _text("""River Trails

The project runs from 1 July 2025 to 30 June 2028. Its total cost is 1 186 420,00 EUR.

City budget 214 600,00 EUR: ERDF 171 680,00 EUR (80 %), own funds 42 920,00 EUR.
""", "en")
    assert record["budget"]["total_cost"] == "1186420.00"


def _title(body: str, language: str):
    from inline_sheets import text_record

    return text_record(body, language)["title"]


def test_a_quoted_name_with_its_translation_in_brackets() -> None:
    """'„Zelená stezka“ (angl. Green Trail, zkratka GT-1)': the name in two languages, the marker's and the page's."""
    title = _title("""Zpráva o projektech

Město je partnerem projektu „Zelená stezka Polabím“ (angl. Green Trail of the Elbe, zkratka GT-1), který
potrvá od 1. 3. 2025 do 28. 2. 2027.
""", "cs")
    assert title == {"cs": "Zelená stezka Polabím", "en": "Green Trail of the Elbe"}


def test_a_translation_without_a_marker_is_told_by_its_words() -> None:
    title = _title("""Notícias

A iniciativa principal é o projeto «Ponte para o Emprego» (Bridge to Work), que decorre de 1 de janeiro
de 2025 a 31 de dezembro de 2027.
""", "pt")
    assert title == {"pt": "Ponte para o Emprego", "en": "Bridge to Work"}


def test_a_marker_naming_the_pages_own_language() -> None:
    """An English name on a Lithuanian page, its Lithuanian form after 'lietuviškai –'."""
    title = _title("""Naujienos

Projektas „Green Courtyards for Cities“ (GCC; lietuviškai – „Žalieji miestų kiemai“) vyks nuo 2025 m.
sausio 1 d. iki 2027 m. gruodžio 31 d.
""", "lt")
    assert title == {"en": "Green Courtyards for Cities", "lt": "Žalieji miestų kiemai"}


def test_a_two_word_marker() -> None:
    title = _title("""Aktuelles

Die Stadt ist Partnerin im Projekt „Grüne Höfe für alle“ (auf Englisch: Green Courtyards for All), das vom
1. März 2025 bis 28. Februar 2027 läuft.
""", "de")
    assert title == {"de": "Grüne Höfe für alle", "en": "Green Courtyards for All"}


def test_a_sheets_own_headings_in_capitals_are_no_items() -> None:
    """'WORK PACKAGE 1' … 'WORK PACKAGE 3' are one project's parts: the grant named in the first does not
    leave the budget of the third behind (headings in capitals head items only when they name one)."""
    record = _text("""Greenloop Harbour

WORK PACKAGE 1
Grant agreement number: 101112233
Coordination and management, from 1 January 2025 to 31 December 2027.

WORK PACKAGE 2
Pilots in three harbours.

WORK PACKAGE 3
Total budget: 2 750 000 EUR
""", "en")
    assert record["budget"]["total_cost"] == "2750000"


def test_a_contact_stated_whole_on_its_line_ends_at_the_blank_line() -> None:
    """'Project lead: Dr Anna Example (anna.example@…)', a blank line, then prose: the prose is the page's
    text for the readers that run before the contacts (partners in prose, the description)."""
    record = _text("""Grant signed – SOLARIS

Title: Solar roofs for schools
Duration: 36 months, from 1 January 2025 to 31 December 2027
Project lead at the institute: Dr Anna Example (anna.example@institute.example.org)

The consortium brings together Fraunhofer-Gesellschaft (Germany), Politecnico di Milano (Italy) and
Universidad de Sevilla (Spain).
""", "en")
    names = sorted(p["organisation"]["name"].get("en", "") or next(iter(p["organisation"]["name"].values()))
                   for p in record.get("participants", []))
    assert "Politecnico di Milano" in names, names
    assert [c["email"] for c in record["contacts"]] == ["anna.example@institute.example.org"]


def test_a_slovenian_contract_number_label() -> None:
    record = _text("""Podpisana pogodba

Akronim: RECYCLO
Številka pogodbe: 101199887
Trajanje: od 1. 1. 2025 do 31. 12. 2027
""", "sl")
    assert [i["value"] for i in record["identifiers"]] == ["101199887"]
