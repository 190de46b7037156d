"""Rules for partner lists and labelled values that read more than their label says (issue 16).

Made after scoring the twenty-first blind set (so its figures after them are development
figures); each test is a small inline page written for it, in a language or with wording that set
does not use, and each assertion fails without its rule.
"""

from __future__ import annotations

import pytest
from inline_sheets import html_record as _html
from inline_sheets import parties as _parties
from inline_sheets import text_record as _text

from eulod.converters.extract.factsheet import extract_file
from eulod.converters.extract.places import country_name


def test_a_table_cell_listing_bodies_line_by_line_gives_each_of_them() -> None:
    """'Partner' over a cell whose lines (split by <br>) each close with a country: one body per line,
    not the first alone and town names picked out of the others' names ('... v Brně (Česko)' is no city)."""
    record = _html("""<html><body><h1>Dediščina lesa</h1><table>
<tr><th>Vodilni partner</th><td>Gozdarski inštitut Slovenije, Ljubljana (Slovenija)</td></tr>
<tr><th>Partnerji</th><td>Università degli Studi di Padova, Padova (Italija)<br>Muzej novejše zgodovine v Celju (Slovenija)<br>Uniwersytet Rolniczy w Krakowie, Krakov (Poljska)</td></tr>
<tr><th>Trajanje</th><td>1. 3. 2025 – 28. 2. 2027</td></tr>
</table></body></html>""", "sl")
    parties = _parties(record)
    assert "muzej-novejse-zgodovine-v-celju" in parties and "uniwersytet-rolniczy-w-krakowie" in parties
    assert not any(p["organisation"].get("type") == "municipality" for p in parties.values()), parties
    assert parties["uniwersytet-rolniczy-w-krakowie"]["organisation"]["country"] == "PL"
    assert parties["muzej-novejse-zgodovine-v-celju"]["organisation"]["country"] == "SI"


def test_a_country_named_with_its_article_closes_a_partner_line() -> None:
    assert country_name("the Netherlands") == "NL" and country_name("die Niederlande") == "NL"
    assert country_name("the") is None and country_name("the Shire") is None
    record = _text("""
Heat Pumps for Old Harbours

Lead partner: University of Strathclyde, Glasgow, the United Kingdom
Partners:
• Delft University of Technology, Delft, the Netherlands
• Aalborg Universitet, Aalborg, Denmark
""", language="en")
    delft = _parties(record)["delft-university-of-technology"]["organisation"]
    assert delft["name"] == {"en": "Delft University of Technology"} and delft["country"] == "NL"
    assert delft["city"] == "Delft"


def test_an_associated_partner_label_gives_its_bodies_that_role() -> None:
    record = _text("""
Grenzenlose Wasserwege

Lead Partner: Wasserverband Spree-Neiße, Cottbus, Deutschland
Assoziierter Partner: Landkreis Görlitz, Deutschland
Laufzeit: 01.01.2025 – 31.12.2027
""", language="de")
    roles = {p["organisation"]["id"]: p["role"] for p in record["participants"]}
    assert roles.get("landkreis-gorlitz") == "associated-partner", roles


def test_a_word_or_three_under_a_description_label_is_no_description() -> None:
    """A channel's 'About' tab over its links ('Facebook', 'Instagram'): a description says something."""
    record = _text("""
Rivers Reconnected – kick-off film

About

Facebook

Instagram

Programme: Interreg North Sea 2021-2027
Project period: 1 January 2025 – 31 December 2027
""", language="en")
    assert record.get("description") not in ("Facebook", "Instagram")


def test_partners_each_over_their_place_line_after_a_legend_of_places() -> None:
    """A slide: the map's place names ('Umeå', 'Vasa'), then each partner over 'Place, Country (role)': the
    partners are the bodies; the places alone are no municipalities taking part."""
    record = _text("""
NORDHAMN – Hållbara småbåtshamnar

Projektperiod: 1.1.2025–31.12.2027

Partner

Umeå
Vasa
Sundsvall

Umeå universitet
Umeå, Sverige (huvudpartner)
Yrkeshögskolan Novia
Vasa, Finland
Sundsvalls kommun
Sundsvall, Sverige (associerad partner)
""", language="sv")
    parties = _parties(record)
    assert set(parties) == {"umea-universitet", "yrkeshogskolan-novia", "sundsvall-municipality"}, set(parties)
    assert parties["umea-universitet"]["role"] == "coordinator"
    assert parties["sundsvall-municipality"]["role"] == "associated-partner"
    assert parties["yrkeshogskolan-novia"]["organisation"]["country"] == "FI"


def test_an_address_under_a_name_label_is_not_the_title() -> None:
    """Hungarian 'cím' labels a title and an address alike: a postcode before a town makes it the address."""
    record = _text("""
Közös erdők – határon átnyúló erdőgazdálkodás

Cím: Pécsi Tudományegyetem, 7622 Pécs, Vasvári Pál u. 4.
Időtartam: 2025. január 1. – 2026. december 31.
Program: Interreg VI-A Magyarország–Horvátország
""", language="hu")
    assert "Pécs" not in str(record.get("title")), record.get("title")


def test_results_that_count_what_was_reached_are_asked() -> None:
    """'Szkolenia ukończyło 120 osób.': sentences with a figure say how far the project got, not a product's title."""
    record = _html("""<html><body><h1>Razem w Gdyni – opis projektu</h1>
<h2>1. Okres realizacji</h2><p>od 1 stycznia 2023 r. do 31 grudnia 2024 r.</p><p>Status: zakończony</p>
<h2>2. Osiągnięte rezultaty</h2>
<ul><li>Szkolenia zawodowe ukończyło 120 osób.</li><li>Pracę podjęło 45 uczestników.</li></ul>
<h2>3. Kontakt</h2><p>Biuro projektu, biuro@example.org</p>
</body></html>""", "pl")
    assert record.get("results"), record
    assert record["provenance"]["results"]["found"] == "inferred", record["provenance"]["results"]


def test_an_acronym_before_a_dash_under_a_name_label_is_the_acronym() -> None:
    record = _text("""
Projekti nimi: GREENPORT – Rohelised väikesadamad Läänemerel
Kestus: 01.01.2025–31.12.2027
Programm: Interreg Central Baltic 2021–2027
""", language="et")
    assert record["title"] == "Rohelised väikesadamad Läänemerel"
    assert record.get("acronym") == "GREENPORT"


def test_list_items_whose_marker_pdftotext_sets_apart_are_no_table(tmp_path) -> None:
    """'•   plantarea a 1 200 de arbori;': pdftotext keeps the gap after a bullet; such lines are a list,
    not a table whose first column is the bullet."""
    sheet = tmp_path / "raport.txt"
    sheet.write_text("""Raport anual de monitorizare 2024

Proiectul „Parcuri verzi în Alba Iulia”

Activități principale:
•   plantarea a 1 200 de arbori în cartierul Cetate;
•   amenajarea a 4 ha de spații verzi noi;
•   campanie de informare în școli.

Perioada de implementare: 01.03.2024 – 28.02.2027
""", encoding="utf-8")
    record = extract_file(sheet, language="ro").record
    assert record is not None
    assert record["actions"][0] == "plantarea a 1 200 de arbori în cartierul Cetate;", record["actions"]
    assert not any("|" in action for action in record["actions"])


@pytest.mark.parametrize("language, text, title", [
    ("ga", 'Tuarascáil bhliantúil 2024\n\nTá an tionscadal "Gairdíní Glasa na Gaillimhe" á chur i bhfeidhm ó 2024-03-01 go '
           "2026-12-31.\nLuach iomlán: €1,250,000.00\n", "Gairdíní Glasa na Gaillimhe"),
    ("el", "Ετήσια έκθεση 2024\n\nΗ υλοποίηση της πράξης «Πράσινες αυλές της Πάτρας» ξεκίνησε στις 01/03/2024.\n"
           "Συνολικός προϋπολογισμός: 1.250.000,00 €\n", "Πράσινες αυλές της Πάτρας"),
])
def test_a_quoted_name_after_a_project_word_is_the_title_in_every_language(language: str, text: str, title: str) -> None:
    """The project words of the languages the first label table lacked ('an tionscadal "…"', 'της πράξης «…»')."""
    record = _text(text, language=language)
    assert record["title"] == title, record["title"]
