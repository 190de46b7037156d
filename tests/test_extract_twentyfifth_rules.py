"""Rules made after scoring the twenty-fifth blind set (issue 16), so that set's figures after them are
development figures. Each test is a small inline sheet written for it, in another language or wording
than that set uses, and each assertion fails without its rule.
"""

from __future__ import annotations

import pytest
from inline_sheets import asked as _asked
from inline_sheets import html_record as _html
from inline_sheets import parties as _parties

_PARTNER_TABLE = """<html lang="{lang}"><body>
<h1>{title}</h1>
<p>Programm: Interreg VI-A Eesti–Läti 2021–2027</p>
<h2>{partners}</h2>
<table><tr><th>{name}</th><th>{town}</th><th>{country}</th><th>{role}</th></tr>
{rows}
</table></body></html>"""


def _table(rows: list[tuple[str, str, str, str]]) -> dict:
    body = "\n".join(f"<tr><td>{a}</td><td>{b}</td><td>{c}</td><td>{d}</td></tr>" for a, b, c, d in rows)
    return _html(_PARTNER_TABLE.format(lang="et", title="Piiriülene jalgrattatee", partners="Partnerid", name="Partner",
                                       town="Linn", country="Riik", role="Roll", rows=body), "et")


def test_a_body_named_in_the_pages_language_then_in_brackets_in_its_own() -> None:
    """'Läti Ülikool (Latvijas Universitāte)' on an Estonian page: one body in two languages, its id from its
    own name (as readers make it), each name under its language."""
    partners = _parties(_table([
        ("Tartu Ülikool", "Tartu", "Eesti", "Juhtpartner"),
        ("Läti Ülikool (Latvijas Universitāte)", "Riia", "Läti", "Partner"),
        ("Valmiera linn (Valmieras valstspilsētas pašvaldība)", "Valmiera", "Läti", "Partner"),
    ]))
    assert "latvijas-universitate" in partners, partners
    names = partners["latvijas-universitate"]["organisation"]["name"]
    assert names == {"et": "Läti Ülikool", "lv": "Latvijas Universitāte"}, names


def test_a_bracket_that_names_a_part_or_the_same_language_is_not_a_second_name() -> None:
    """A department in brackets (another kind of body), or a body of the page's own country: no second name."""
    partners = _parties(_table([
        ("Tartu Ülikool (Loodus- ja täppisteaduste valdkond)", "Tartu", "Eesti", "Juhtpartner"),
        ("Läti Ülikool (Ģeogrāfijas nodaļa)", "Riia", "Läti", "Partner"),
    ]))
    for participant in partners.values():
        names = participant["organisation"]["name"]
        assert "lv" not in names or "Ģeogrāfijas nodaļa" not in names["lv"], partners
        assert not any(name in ("Loodus- ja täppisteaduste valdkond", "Ģeogrāfijas nodaļa") for name in names.values())


def test_a_municipality_named_by_its_towns_genitive_takes_the_towns_id() -> None:
    """'Raahen kaupunki | Raahe': the name's first word is the town in the genitive; the row's town gives the id."""
    page = _PARTNER_TABLE.format(
        lang="fi", title="Rannikkoreitti", partners="Kumppanit", name="Kumppani", town="Kaupunki", country="Maa",
        role="Rooli", rows="<tr><td>Oulun yliopisto</td><td>Oulu</td><td>Suomi</td><td>Päätoteuttaja</td></tr>\n"
                           "<tr><td>Raahen kaupunki</td><td>Raahe</td><td>Suomi</td><td>Osatoteuttaja</td></tr>")
    partners = _parties(_html(page, "fi"))
    assert "raahe-municipality" in partners, partners
    assert partners["raahe-municipality"]["organisation"]["name"] == {"fi": "Raahen kaupunki"}


def test_a_sentence_naming_a_field_before_a_colon_is_no_label() -> None:
    """'Soutenez nos activités : chaque don compte' under the contact: an appeal that names activities, not the
    actions' label; the tags after it are no actions either."""
    page = """<html lang="fr"><body><h1>Jeunes reporters d'Europe</h1>
<p>Durée : du 1er septembre 2025 au 31 août 2027</p><p>Budget total : 250 000 €</p>
<h2>Contact</h2><p>Responsable du projet : Marie Exemple, marie@example.org</p>
<p><em>Soutenez nos activités : chaque don compte, merci à toutes et à tous !</em></p>
<p>Mots-clés</p><ul><li>Erasmus+</li><li>Jeunesse</li><li>Médias</li></ul>
</body></html>"""
    actions = _html(page, "fr").get("actions", [])
    assert not any("don compte" in a or a in ("Jeunesse", "Médias") for a in actions), actions


def test_what_we_will_do_heads_the_actions() -> None:
    """'What we will do' over a list: the project's actions, as 'Activities' would be."""
    page = """<html lang="en"><body><h1>Green Schoolyards</h1>
<p>Programme: Erasmus+, 1 September 2025 to 31 August 2027.</p>
<h2>What we will do</h2>
<ul><li>Train 40 teachers in outdoor learning</li><li>Redesign six schoolyards with pupils</li></ul>
</body></html>"""
    assert _html(page, "en").get("actions") == ["Train 40 teachers in outdoor learning", "Redesign six schoolyards with pupils"]


def test_a_sentence_giving_the_labelled_months_days_gives_the_dates_days() -> None:
    """'Laufzeit: März 2025 – Februar 2028' in a fact box, the article's 'vom 3. März 2025 bis zum 29. Februar
    2028': the project's dates to the day; a sentence with one of the months only (a kick-off) changes nothing."""
    page = """<html lang="de"><body><h1>Moorschutz an der Grenze</h1>
<p>Zum Auftakt am 12. März 2025 kamen 80 Gäste nach Flensburg.</p>
<p>Das Projekt läuft vom 3. März 2025 bis zum 29. Februar 2028 und kostet 4,2 Millionen Euro.</p>
<ul><li><strong>Laufzeit:</strong> März 2025 – Februar 2028</li><li><strong>Programm:</strong> LIFE</li></ul>
</body></html>"""
    record = _html(page, "de")
    assert (record.get("start_date"), record.get("end_date")) == ("2025-03-03", "2028-02-29"), record


def test_a_figures_caption_is_never_the_description() -> None:
    """A photo's caption and credit (<figcaption>) above the article's first paragraph: not the project's text."""
    page = """<html lang="pl"><body><h1>Zielone podwórka w Lublinie</h1>
<figure><img src="a.jpg" alt=""><figcaption>Dzieci sadzą drzewa na podwórku przy ul. Lipowej, gdzie rok temu był parking. Foto: Jan Fotograf / UM Lublin</figcaption></figure>
<p>Projekt zmienia dziesięć szarych podwórek w zielone miejsca spotkań dla mieszkańców. Mieszkańcy wspólnie z architektami krajobrazu projektują rabaty, ogrody deszczowe i miejsca zabaw, a miasto finansuje prace i opiekę nad zielenią przez pięć lat.</p>
<p>Okres realizacji: 1 marca 2025 – 28 lutego 2027</p>
</body></html>"""
    record = _html(page, "pl")
    assert "Jan Fotograf" not in record.get("description", ""), record.get("description")
    assert record.get("description", "").startswith("Projekt zmienia"), record.get("description")


def test_a_code_under_a_topic_label_is_asked_not_a_theme() -> None:
    """'Tema: HORIZON-CL6-2024-BIODIV-01-7' is the call's topic code, not the project's theme; words stay themes."""
    def themes(value: str) -> tuple[list, bool]:
        record = _html(f"""<html lang="es"><body><h1>Bosques vivos</h1>
<p>Duración: del 1 de enero de 2025 al 31 de diciembre de 2028</p><p>Tema: {value}</p></body></html>""", "es")
        return record.get("themes", []), _asked(record, "themes")

    assert themes("HORIZON-CL6-2024-BIODIV-01-7") == ([], True)
    assert themes("Biodiversidad")[0] == ["Biodiversidad"]


def test_a_portals_list_of_the_projects_people_is_no_partner_list() -> None:
    """'Personas participantes' (a research portal's staff) over names with titles: no participants."""
    page = """<html lang="es"><body><h1>Puentes digitales</h1>
<p>Duración: del 1 de marzo de 2025 al 28 de febrero de 2028</p>
<h2>Socios</h2><ul><li>Universidad de Zaragoza – coordinador</li><li>Università di Bologna</li></ul>
<h2>Personas participantes</h2><ul><li>Dra. Ana Ejemplo – Investigadora principal</li><li>Dr. Luis Prueba – Investigador</li></ul>
</body></html>"""
    partners = _parties(_html(page, "es"))
    assert not any("ejemplo" in key or "prueba" in key for key in partners), partners
    assert "universidad-de-zaragoza" in partners, partners


_CONTACTS = """<html lang="sv"><body><h1>Gröna hamnar</h1>
<p>Projektperiod: 1 mars 2025 – 28 februari 2028</p>
<h2>Partner</h2><table><tr><th>Partner</th><th>Land</th><th>Roll</th></tr>
<tr><td>Svenska hamnteknikbolaget AB</td><td>Sverige</td><td>Huvudpartner</td></tr>
<tr><td>Havnevesenet Tromsø</td><td>Norge</td><td>Partner</td></tr></table>
<h2>Kontakt</h2>
<p><strong>Projektledare</strong><br>Karin Exempel<br>Svenska hamnteknikbolaget, Affärsutveckling<br>karin.exempel@example.org</p>
<p><strong>Kontaktperson Norge</strong><br>Ola Eksempel<br>Havnevesenet Tromsø<br>ola.eksempel@example.org</p>
{more}
</body></html>"""


def test_a_contact_label_after_a_contacts_address_opens_the_next_contact() -> None:
    """'Kontaktperson Norge' after the first contact's mailbox: a second contact, not the first one's office."""
    contacts = _html(_CONTACTS.format(more=""), "sv").get("contacts", [])
    assert [c.get("name") for c in contacts] == ["Karin Exempel", "Ola Eksempel"], contacts
    assert contacts[1].get("role") == "Kontaktperson Norge", contacts


def test_a_contacts_employer_named_without_its_legal_form_is_the_participant() -> None:
    """'Svenska hamnteknikbolaget, Affärsutveckling' under the contact: the body 'Svenska hamnteknikbolaget AB' and its office."""
    contacts = _html(_CONTACTS.format(more=""), "sv").get("contacts", [])
    assert contacts and contacts[0].get("organisation") == "svenska-hamnteknikbolaget-ab", contacts
    assert contacts[0].get("office") == "Affärsutveckling", contacts


def test_a_programme_advisers_contact_is_asked() -> None:
    """'Programrådgivare' of the programme (not the project's contact): every part of the contact is asked."""
    record = _html(_CONTACTS.format(more="<p><em>Programrådgivare vid Region Norrbotten: Per Prov, "
                                         "per.prov@example.org</em></p>"), "sv")
    contacts = record.get("contacts", [])
    index = next(i for i, c in enumerate(contacts) if c.get("name") == "Per Prov")
    assert record["provenance"][f"contacts[{index}].name"]["found"] == "inferred", record["provenance"]


def test_a_position_line_under_the_persons_name_is_the_role_in_full() -> None:
    """'Grüne Höfe Projektleiterin' under 'Anna Muster': the role as written, not 'Grüne Höfe' as an office and
    'Projektleiterin' as the role."""
    page = """<html lang="de"><body><h1>Grüne Höfe für Leipzig</h1>
<p>Laufzeit: 1. März 2025 bis 28. Februar 2028</p>
<h2>Kontakt</h2><p>Anna Muster<br>Grüne Höfe Projektleiterin<br>Amt für Stadtgrün<br>E-Mail: anna.muster@example.org</p>
</body></html>"""
    contacts = _html(page, "de").get("contacts", [])
    assert contacts and contacts[0].get("role") == "Grüne Höfe Projektleiterin", contacts
    assert contacts[0].get("name") == "Anna Muster" and contacts[0].get("office") == "Amt für Stadtgrün", contacts


def test_a_local_action_groups_facilitator_is_asked() -> None:
    """'Grupo de acción local' beside the promoter's contact: LEADER's officer, asked like a programme's."""
    page = """<html lang="es"><body><h1>Obrador compartido de Albarracín</h1>
<p>Fecha de inicio: 1 de abril de 2025</p>
<h3>Contactos</h3><p><strong>Promotor:</strong> Lucía Ejemplo, Ayuntamiento de Albarracín, obrador@example.org<br>
<strong>Grupo de Acción Local:</strong> Pablo Prueba, leader@example.org</p>
</body></html>"""
    record = _html(page, "es")
    contacts = record.get("contacts", [])
    index = next(i for i, c in enumerate(contacts) if c.get("name") == "Pablo Prueba")
    assert record["provenance"][f"contacts[{index}].name"]["found"] == "inferred", record["provenance"]


def test_a_councillors_office_and_a_street_are_no_persons_name() -> None:
    """'Assessorato Ambiente', 'Piazza Grande, 12' in a contact with no person: no name is made of them."""
    page = """<html lang="it"><body><h1>Boschi urbani di Arezzo</h1>
<p>Data di inizio: 1 marzo 2025</p>
<h2>Contatti</h2><p>Assessorato Ambiente<br>Piazza Grande, 12 · 52100 Arezzo<br>E-mail: ambiente@example.org</p>
</body></html>"""
    contacts = _html(page, "it").get("contacts", [])
    assert contacts and "name" not in contacts[0], contacts


def test_a_street_ending_in_a_street_word_is_no_persons_name() -> None:
    """'Obere Bahnhofstraße, 4' under a contact office: an address, not a name."""
    page = """<html lang="de"><body><h1>Grüne Dächer in Kassel</h1>
<p>Projektbeginn: 1. März 2025</p>
<h2>Kontakt</h2><p>Umweltamt<br>Obere Bahnhofstraße, 4, 34117 Kassel<br>E-Mail: umwelt@example.org</p>
</body></html>"""
    contacts = _html(page, "de").get("contacts", [])
    assert contacts and "name" not in contacts[0], contacts


_CONTACT_PAGE = """<html lang="{lang}"><body><h1>{title}</h1>
<p>{start}</p>
<h2>{heading}</h2><p>{position}: {name}<br>E-Mail: kontakt@example.org</p>
</body></html>"""


@pytest.mark.parametrize("lang, title, start, heading, name, position", [
    ("de", "Grüne Höfe Kassel", "Projektbeginn: 1. März 2025", "Kontakt", "Manfred Döring", "Projektleiter"),
    ("de", "Grüne Höfe Kassel", "Projektbeginn: 1. März 2025", "Kontakt", "Sabine Hellweg", "Projektleiterin"),
    ("it", "Boschi urbani di Arezzo", "Data di inizio: 1 marzo 2025", "Contatti", "Chiara Valle", "Referente del progetto"),
    ("nl", "Groene daken Zwolle", "Startdatum: 1 maart 2025", "Contact", "Joost Verlaan", "Projectleider"),
    ("en", "River Foyle Greenway", "Start date: 1 March 2025", "Contact", "Lottie Hering", "Project manager"),
])
def test_a_surname_ending_as_a_street_does_is_still_a_persons_name(lang: str, title: str, start: str, heading: str,
                                                                    name: str, position: str) -> None:
    """Surnames end in -ring, -weg, -alle, -laan, -tie as streets do; only a one-word name or one beside a
    house number is a street ('Kaiserring 12')."""
    page = _CONTACT_PAGE.format(lang=lang, title=title, start=start, heading=heading, name=name, position=position)
    contacts = _html(page, lang).get("contacts", [])
    assert [c.get("name") for c in contacts] == [name], contacts


def test_a_street_with_a_surnames_ending_beside_its_number_is_no_name() -> None:
    """'Am Kaiserring 12' under a contact office: an address (a German street preposition first)."""
    page = """<html lang="de"><body><h1>Grüne Höfe Kassel</h1><p>Projektbeginn: 1. März 2025</p>
<h2>Kontakt</h2><p>Umweltamt<br>Am Kaiserring, 12, 34117 Kassel<br>E-Mail: umwelt@example.org</p>
</body></html>"""
    contacts = _html(page, "de").get("contacts", [])
    assert contacts and "name" not in contacts[0], contacts


def test_a_plain_english_service_pages_sections_and_summary_list() -> None:
    """GOV.UK-style wording: 'What the project will do', 'What we expect to achieve', a summary list's 'Total
    project value' and the status 'In delivery'."""
    page = """<html lang="en"><body><h1>River Foyle Greenway</h1>
<h2>What the project will do</h2><ul><li>build 12 km of greenway</li><li>plant 4,000 trees</li></ul>
<h2>What we expect to achieve</h2><ul><li>50,000 trips a year on foot or by bike</li></ul>
<dl><dt>Start date</dt><dd>1 June 2025</dd><dt>Status</dt><dd>In delivery</dd>
<dt>Total project value</dt><dd>€4,250,000</dd></dl>
</body></html>"""
    record = _html(page, "en")
    assert record.get("actions") == ["build 12 km of greenway", "plant 4,000 trees"], record.get("actions")
    assert record.get("expected_results") == ["50,000 trips a year on foot or by bike"], record.get("expected_results")
    assert record.get("budget", {}).get("total_cost") == "4250000" and record.get("status") == "ongoing", record


def test_a_tables_caption_heads_it_and_is_no_partner() -> None:
    """'<caption>Partenaires et budgets</caption>' over the partner table: the rows are read as the partners, the
    caption is none of them."""
    page = """<html lang="fr"><body><h1>Sentiers du Jura</h1>
<p>Date de début : 1er avril 2025</p>
<h2>Partenaires du projet</h2>
<table><caption>Partenaires et budgets</caption>
<thead><tr><th>Partenaire</th><th>Ville</th><th>Budget</th></tr></thead>
<tbody><tr><td>Commune de Morez (chef de file)</td><td>Morez, France</td><td>410 000 €</td></tr>
<tr><td>Parc naturel régional du Haut-Jura</td><td>Lajoux, France</td><td>220 000 €</td></tr></tbody></table>
</body></html>"""
    partners = _parties(_html(page, "fr"))
    assert "morez-municipality" in partners and len(partners) == 2, partners
    assert not any("budgets" in key for key in partners), partners


def test_a_brand_in_small_letters_in_brackets_stays_in_the_name() -> None:
    """'Vorarlberger Architektur Institut (vai)': the bracket spells the name's initials, kept as a bracketed acronym is."""
    page = """<html lang="de"><body><h1>Holz im Kreislauf</h1><p>Projektbeginn: 1. März 2025</p>
<h2>Projektpartner</h2><table><tr><th>Partner</th><th>Ort</th><th>Land</th></tr>
<tr><td>Hochschule Konstanz</td><td>Konstanz</td><td>Deutschland</td></tr>
<tr><td>Vorarlberger Architektur Institut (vai)</td><td>Dornbirn</td><td>Österreich</td></tr></table>
</body></html>"""
    partners = _parties(_html(page, "de"))
    assert any(p["organisation"]["name"].get("de") == "Vorarlberger Architektur Institut (vai)" for p in partners.values()), partners


def test_a_body_named_only_in_the_pages_other_language_part_is_asked() -> None:
    """A bilingual page: the partner table only in its <section lang="de"> half, the page in Slovene: each body is
    asked (its Slovene name, and so its id, may differ)."""
    page = """<html lang="sl"><body><section lang="sl"><h1>Kolesarska pot ob Dravi</h1>
<p>Projekt povezuje kolesarske poti ob Dravi med Slovenijo in Avstrijo. Traja od 1. marca 2025 do 28. februarja 2027.</p>
</section><section lang="de"><h1>Drauradweg verbinden</h1>
<h2>Projektpartner</h2><table><tr><th>Partner</th><th>Ort</th><th>Rolle</th></tr>
<tr><td>Stadt Villach</td><td>Villach</td><td>Lead-Partner</td></tr>
<tr><td>Universität Klagenfurt</td><td>Klagenfurt</td><td>Partner</td></tr></table></section></body></html>"""
    record = _html(page, "sl")
    assert record.get("participants"), record
    for index in range(len(record["participants"])):
        assert record["provenance"][f"participants[{index}]"]["found"] == "inferred", record["provenance"]


def test_a_lead_named_before_the_words_that_say_it_leads() -> None:
    """'Il Comune di Lucca coordina il progetto e ...': the coordinator named before its cue, without its article;
    'Tartu Ülikool juhib projekti teist tööpaketti' (it leads a work package) names no coordinator."""
    def coordinators(language: str, sentence: str) -> list[str]:
        record = _html(f"""<html lang="{language}"><body><h1>Test</h1><p>Start: 1.3.2025</p>
<p>{sentence}</p></body></html>""", language)
        return [p["organisation"]["id"] for p in record.get("participants", []) if p["role"] == "coordinator"]

    assert coordinators("it", "Partecipano l'Università di Pisa e il Comune di Lucca. Il Comune di Lucca coordina il "
                              "progetto e gestisce il budget.") == ["lucca-municipality"]
    assert coordinators("fr", "Participent l'Université de Tours et la Ville de Blois. La Ville de Blois pilote le "
                              "projet avec l'université.") == ["blois-municipality"]
    assert coordinators("et", "Projektis osalevad Tartu Ülikool ja Eesti Maaülikool. Tartu Ülikool juhib projekti "
                              "teist tööpaketti.") == []


def test_a_norwegian_bodys_own_name_is_bokmal() -> None:
    """'Norges arktiska universitet (UiT Norges arktiske universitet)' on a Swedish page: the bracket is the
    body's own name, tagged nb as readers tag Norwegian names (not the macrolanguage 'no')."""
    page = """<html lang="sv"><body><h1>Arktiska hamnar</h1><p>Projektstart: 1 mars 2025</p>
<h2>Partner</h2><table><tr><th>Partner</th><th>Ort</th><th>Land</th><th>Roll</th></tr>
<tr><td>Luleå tekniska universitet</td><td>Luleå</td><td>Sverige</td><td>Huvudpartner</td></tr>
<tr><td>Norges arktiska universitet (UiT Norges arktiske universitet)</td><td>Tromsø</td><td>Norge</td><td>Partner</td></tr>
</table></body></html>"""
    partners = _parties(_html(page, "sv"))
    assert partners.get("uit-norges-arktiske-universitet", {}).get("organisation", {}).get("name") == {
        "sv": "Norges arktiska universitet", "nb": "UiT Norges arktiske universitet"}, partners


def test_kronor_are_swedish_crowns() -> None:
    """'7 400 000 kronor' in a Swedish article: the record's currency is SEK, not the euro by default."""
    page = """<html lang="sv"><body><h1>Gröna jobb i Kiruna</h1><p>Projektstart: 1 mars 2025</p>
<p>Projektets totala budget är 7 400 000 kronor, varav 3 700 000 kronor från Europeiska socialfonden plus.</p>
</body></html>"""
    record = _html(page, "sv")
    assert record.get("currency") == "SEK", record.get("currency")
