"""Rules made after scoring the twenty-fourth blind set (issue 16), so that set's figures after them are
development figures. Each test is a small inline sheet written for it, in another language or wording
than that set uses, and each assertion fails without its rule.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from inline_sheets import asked as _asked
from inline_sheets import html_record as _html
from inline_sheets import parties as _parties
from inline_sheets import text_record as _text

from eulod.converters.extract.text import html_lines


def test_a_paragraph_in_each_table_cell_keeps_the_row_one_line() -> None:
    """A word processor saves every cell as <td><p>…</p></td>: the row is still one line, and the
    partner table is read as a table, not the cells as paragraphs."""
    page = """<html lang="it"><body>
<p class=MsoNormal>Partenariato</p>
<table class=MsoTableGrid>
 <tr><td><p class=MsoNormal><b>Partner<o:p></o:p></b></p></td>
  <td><p class=MsoNormal><b>Ruolo<o:p></o:p></b></p></td>
  <td><p class=MsoNormal><b>Sede<o:p></o:p></b></p></td></tr>
 <tr><td><p class=MsoNormal>Comune di Lecce<o:p></o:p></p></td>
  <td><p class=MsoNormal>Capofila<o:p></o:p></p></td>
  <td><p class=MsoNormal>Lecce, Italia<o:p></o:p></p></td></tr>
 <tr><td><p class=MsoNormal>Università di Malta<o:p></o:p></p></td>
  <td><p class=MsoNormal>Partner<o:p></o:p></p></td>
  <td><p class=MsoNormal>La Valletta, Malta<o:p></o:p></p></td></tr>
</table>
<p class=MsoNormal>Programma: Interreg Italia-Malta 2021-2027</p>
</body></html>"""
    texts = [line.text for line in html_lines(page)]
    assert "Comune di Lecce | Capofila | Lecce, Italia" in texts
    partners = _parties(_html(page, "it"))
    assert partners.get("lecce-municipality", {}).get("role") == "coordinator", partners
    assert "universita-di-malta" in partners, partners


def test_a_cells_second_paragraph_is_still_a_line_of_its_own() -> None:
    """Only a cell's first paragraph is its text: a cell of several paragraphs (a layout table's prose) keeps them apart."""
    texts = [line.text for line in html_lines(
        "<table><tr><td><p>Erster Absatz.</p><p>Zweiter Absatz.</p></td></tr></table>")]
    assert "Erster Absatz." in texts and "Zweiter Absatz." in texts


def test_a_form_around_the_whole_page_is_read_as_the_page() -> None:
    """ASP.NET WebForms and SharePoint put everything inside <body><form id="aspnetForm">: the page is
    read; a form inside the page (a search box, its year list) is still left out."""
    page = """<html lang="fr"><body><form method="post" action="./communique.aspx" id="aspnetForm">
<div class="ms-searchbox"><form action="/recherche"><input name="q"><button>Rechercher</button></form></div>
<div class="article"><h1>Un nouveau quai électrique pour le port de Sète</h1>
<p>Programme : Mécanisme pour l'interconnexion en Europe (MIE)</p>
<p>Coût total : 3 200 000 €</p>
<label>Année</label><select name="annee"><option>2025</option><option>2024</option></select>
</div></form></body></html>"""
    texts = [line.text for line in html_lines(page)]
    assert "Un nouveau quai électrique pour le port de Sète" in texts
    assert not any("Rechercher" in text or "2024" in text for text in texts), texts
    assert _html(page, "fr").get("budget", {}).get("total_cost") == "3200000"


def test_a_footer_menu_ending_in_a_copyright_line_is_no_description() -> None:
    """'About' over the links of a platform's footer and its '© 2025 …' line: a menu, not the project's text."""
    record = _text("""
Project: Green Courtyards Tartu
Programme: Interreg Central Baltic 2021-2027

Schools in Tartu and Turku will turn asphalt courtyards into green learning spaces with pupils.

Platform
About
Careers
Help centre
Privacy
Terms of use
© 2025 Example Platforms Ltd
""", "en")
    assert "Careers" not in (record.get("description") or ""), record.get("description")


def test_a_menu_saved_as_text_and_an_accounts_buttons_give_no_title() -> None:
    """A social page saved as text opens with its menu, an item a line, and the account's name over
    'Follow' and 'More options': neither is the project's name."""
    record = _text("""
Photos
Home
Search
Explore
Reels
Messages
Profile

scoala_verde_cluj
Cluj-Napoca
Follow
More options

Our Erasmus+ project starts in September: pupils from three schools will film short documentaries about rivers.

Programme: Erasmus+
Duration: 1 September 2025 - 31 August 2027
""", "en")
    title = record.get("title")
    assert "Explore" not in str(title) and "Follow" not in str(title), title


def test_a_quantity_under_a_budget_label_is_no_amount() -> None:
    """A page's figures block ('1 800 ha' over 'projekto biudžetas' in a stats row): hectares are no money."""
    from eulod.converters.extract.numbers import find_amounts

    assert find_amounts("1 800 ha") == [] and find_amounts("12 500 m² stogų") == [] and find_amounts("3 400 t CO2") == []
    assert [a.value for a in find_amounts("1 800 000 EUR")] == ["1800000"]
    assert [a.value for a in find_amounts("2 500 000 Ft")] == ["2500000"]


@pytest.mark.parametrize("language, sentence", [
    ("hr", "Ukupna vrijednost projekta iznosi 1.240.000,00 EUR, od čega Europska unija osigurava 992.000,00 EUR."),
    ("et", "Projekti kogueelarve on 860 000 eurot, millest Euroopa Liidu toetus moodustab 731 000 eurot."),
    ("nl", "De totale begroting bedraagt € 2.400.000, waarvan de Europese Unie € 1.440.000 bijdraagt."),
    ("bg", "Общата стойност на проекта е 1 500 000 евро, от които Европейският съюз предоставя 1 275 000 евро."),
])
def test_money_in_a_sentence_in_each_language(language: str, sentence: str) -> None:
    """The total and the EU's part said in a sentence, in languages whose own words name them (labels/<lang>.yaml prose_money)."""
    record = _text(f"""
Projekt: Zelena šetnica uz rijeku
Program: Interreg

{sentence}
""", language)
    budget = record.get("budget", {})
    total, eu = (Decimal(budget[k]) if budget.get(k) else None for k in ("total_cost", "eu_contribution"))
    assert total is not None and eu is not None and eu < total, budget


def test_a_doctors_title_written_out_is_left_out_of_the_name() -> None:
    """'Dottoressa Giulia Esempio': the title in full words is no part of the contact's name, as 'prof.' is not."""
    record = _text("""
Progetto: Orti condivisi a Bari
Programma: PR FESR Puglia 2021-2027
Durata: dal 1 marzo 2025 al 28 febbraio 2027
Costo totale: 420.000,00 euro

Referente del progetto: Dottoressa Giulia Esempio, giulia.esempio@example.org
""", "it")
    names = [contact.get("name") for contact in record.get("contacts", [])]
    assert names == ["Giulia Esempio"], record.get("contacts")


def test_expected_results_on_one_line_apart_by_semicolons_are_items_and_asked() -> None:
    """'Očekávané výsledky: a; b' on one line: each part is an item, and the split is asked (readers differ)."""
    record = _text("""
Projekt: Komunitní zahrady v Olomouci
Program: IROP 2021-2027
Doba realizace: 1. 3. 2025 - 28. 2. 2027

Očekávané výsledky: pět nových komunitních zahrad na sídlištích; nejméně 300 zapojených obyvatel ze všech čtvrtí.
""", "cs")
    assert record.get("expected_results") == ["pět nových komunitních zahrad na sídlištích",
                                               "nejméně 300 zapojených obyvatel ze všech čtvrtí"], record.get("expected_results")
    assert _asked(record, "expected_results")


def test_a_sentence_with_a_semicolon_stays_one_item() -> None:
    """A result said in two sentences, one with a semicolon inside, is not cut at the semicolon."""
    record = _text("""
Projekt: Komunitní zahrady v Olomouci
Program: IROP 2021-2027
Doba realizace: 1. 3. 2025 - 28. 2. 2027

Očekávané výsledky: Zahrady budou otevřeny všem; správu převezme spolek. Město je bude udržovat deset let.
""", "cs")
    assert len(record.get("expected_results") or []) == 1, record.get("expected_results")


def test_a_table_naming_bodies_and_their_roles_lists_the_participants_under_any_heading() -> None:
    """'Projekt v številkah' heads a table 'Partner | Vloga | Sedež': no participants label, but the header
    says the rows are bodies with their roles."""
    record = _html("""<html lang="sl"><body>
<h1>Zelene šolske poti</h1>
<p>Program: Interreg Slovenija-Hrvaška 2021-2027</p>
<p>Trajanje: 1. 3. 2025 - 28. 2. 2027</p>
<h2>Projekt v številkah</h2>
<table>
<tr><td>Partner</td><td>Vloga</td><td>Sedež</td></tr>
<tr><td>Mestna občina Celje</td><td>Vodilni partner</td><td>Celje, Slovenija</td></tr>
<tr><td>Grad Varaždin</td><td>Partner</td><td>Varaždin, Hrvaška</td></tr>
</table>
</body></html>""", "sl")
    partners = _parties(record)
    assert len(partners) == 2, partners
    roles = sorted(p["role"] for p in partners.values())
    assert roles == ["coordinator", "partner"], partners


def test_question_headings_of_dutch_municipal_pages_label_their_sections() -> None:
    """'Waar gaat het project over?', 'Wat gaan we doen?', 'Wat levert het op?': a Dutch page's sections asked as questions."""
    record = _html("""<html lang="nl"><body>
<h1>Groene daken Zwolle</h1>
<h2>Waar gaat het project over?</h2>
<p>Zwolle en Deventer leggen samen met woningcorporaties groene daken aan op huurwoningen om regenwater vast te houden.</p>
<h2>Wat gaan we doen?</h2>
<ul><li>Veertig daken van huurwoningen vergroenen</li><li>Een regenwaterkaart van beide steden maken</li></ul>
<h2>Wat levert het op?</h2>
<ul><li>Vijfduizend vierkante meter groen dak</li><li>Minder wateroverlast in twee wijken</li></ul>
<p>Programma: EFRO Oost-Nederland 2021-2027</p>
<p>Looptijd: 1 april 2025 – 31 maart 2027</p>
<p>De totale projectbegroting bedraagt € 1.250.000.</p>
</body></html>""", "nl")
    assert record.get("actions") == ["Veertig daken van huurwoningen vergroenen", "Een regenwaterkaart van beide steden maken"]
    assert record.get("expected_results") == ["Vijfduizend vierkante meter groen dak", "Minder wateroverlast in twee wijken"]
    assert (record.get("description") or "").startswith("Zwolle en Deventer"), record.get("description")
    assert record.get("budget", {}).get("total_cost") == "1250000", record.get("budget")


def test_a_month_with_a_case_ending_is_still_the_month() -> None:
    """Estonian, Slovenian and Latvian decline the month between a day and a year ('1. augustist 2025 kuni 30.
    novembrini 2026', '1. avgusta 2025'); an abbreviation with letters after it ('1 market 2025') is no month."""
    from eulod.converters.extract.dates import find_dates

    assert [(d.date.year, d.date.month, d.date.day) for d in find_dates(
        "1. augustist 2025 kuni 30. novembrini 2026", "et")] == [(2025, 8, 1), (2026, 11, 30)]
    assert [(d.date.year, d.date.month, d.date.day) for d in find_dates("od 1. avgusta 2025", "sl")] == [(2025, 8, 1)]
    assert find_dates("1 market 2025", "en") == []


def test_the_paragraphs_after_an_unknown_labels_first_block_are_the_pages_text() -> None:
    """'PÄEVAKORD:' (an agenda) holds its list; the minutes' paragraphs after it, which state the project's money,
    are read as the page's text."""
    record = _text("""
VALLAVOLIKOGU ISTUNGI PROTOKOLL

PÄEVAKORD:
1. Lisaeelarve vastuvõtmine
2. Rattatee projekti omafinantseeringu tagamine

KUULATI: arendusnõunik tutvustas eelnõu.
Projekti „Rattatee Kuressaare ümber“ kogumaksumus on 1 250 000 eurot, millest Euroopa Liidu toetus on 1 000 000 eurot.
Projekti abikõlblikkuse periood on 1. augustist 2025 kuni 30. novembrini 2026.
""", "et")
    assert record.get("budget", {}).get("total_cost") == "1250000", record.get("budget")


def test_a_kohesio_identifier_and_romanian_date_and_intervention_labels() -> None:
    """A Kohesio card's 'Identificator Kohesio: Q…' is a kohesio identifier; 'Data de începere' and 'Data de
    încheiere' are the dates, 'Categoria de intervenție' the intervention field."""
    record = _text("""
Proiect: Centru comunitar pentru vârstnici în Bârlad
Program: Programul Regional Nord-Est 2021-2027
Data de începere: 1 aprilie 2024
Data de încheiere: 31 martie 2026
Categoria de intervenție: 127 – Alte infrastructuri sociale care contribuie la incluziunea socială
Identificator Kohesio: Q7654321
""", "ro")
    assert {"scheme": "kohesio", "value": "Q7654321"} in (record.get("identifiers") or []), record.get("identifiers")
    assert (record.get("start_date"), record.get("end_date")) == ("2024-04-01", "2026-03-31")
    assert [f.get("code") for f in record.get("intervention_fields") or []] == ["127"], record.get("intervention_fields")


def test_slovak_value_and_recovery_mechanism_labels() -> None:
    """'Celková hodnota projektu' is the total, 'Výška poskytnutých prostriedkov mechanizmu' (the recovery
    facility's money) the EU's part, 'Termín realizácie' the period."""
    record = _html("""<html lang="sk"><body><h1>Nová telocvičňa pre ZŠ Hlavná</h1><table>
<tr><td>Kód projektu</td><td>17I05-04-V01-00044</td></tr>
<tr><td>Výška poskytnutých prostriedkov mechanizmu</td><td>512 300,00 EUR</td></tr>
<tr><td>Celková hodnota projektu</td><td>610 000,00 EUR</td></tr>
<tr><td>Termín realizácie</td><td>marec 2025 – jún 2026</td></tr>
</table></body></html>""", "sk")
    budget = record.get("budget", {})
    assert (budget.get("total_cost"), budget.get("eu_contribution")) == ("610000.00", "512300.00"), budget
    assert (record.get("start_date"), record.get("end_date")) == ("2025-03", "2026-06")


def test_a_headline_stating_money_gives_way_to_the_about_heading() -> None:
    """A press release's headline states an amount ('… 3,1 mln. eurų …'): the name is the one the 'About' heading
    quotes ('Apie iniciatyvą „Žalias Kaunas“'), not the news."""
    record = _html("""<html lang="lt"><body>
<p>PRANEŠIMAS SPAUDAI</p>
<h1>Kauno savivaldybė gaus 3,1 mln. eurų parkams atnaujinti</h1>
<p>Kauno miesto savivaldybė pradeda įgyvendinti projektą, kurį finansuoja Europos Sąjunga.</p>
<h2>Apie iniciatyvą „Žalias Kaunas“</h2>
<p>Projektas truks nuo 2025 m. kovo 1 d. iki 2027 m. vasario 28 d.</p>
<p>Programa: 2021–2027 m. ES fondų investicijų programa</p>
</body></html>""", "lt")
    assert record.get("title") == "Žalias Kaunas", record.get("title")


def test_latvian_dates_year_gada_day_month() -> None:
    """Latvian writes the year, 'gada', the day and the month in a case form: '2025. gada 1. marta līdz 2027. gada 28. februārim'."""
    from eulod.converters.extract.dates import find_dates

    found = find_dates("no 2025. gada 1. marta līdz 2027. gada 28. februārim", "lv")
    assert [(d.date.year, d.date.month, d.date.day) for d in found] == [(2025, 3, 1), (2027, 2, 28)]


def test_irish_genitive_of_the_union_more_information_and_project_number() -> None:
    """'… €45,000 ó chlár Erasmus+ an Aontais Eorpaigh': the Union in the genitive names the EU's money; 'Tuilleadh
    eolais:' with a mailbox is the contact; 'Uimhir an tionscadail' the project's number."""
    record = _text("""
Tionscadal: Scéalta ón gCladach
Clár: Erasmus+
Tosóidh an tionscadal ar 1 Meán Fómhair 2025.

Fuaireamar deontas €45,000 ó chlár Erasmus+ an Aontais Eorpaigh.

Uimhir an tionscadail: 2025-1-IE01-KA220-SCH-000287654

Tuilleadh eolais: Séamus Sampla, comhordaitheoir – seamus.sampla@example.org
""", "ga")
    assert record.get("budget", {}).get("eu_contribution") == "45000", record.get("budget")
    assert [c.get("email") for c in record.get("contacts", [])] == ["seamus.sampla@example.org"], record.get("contacts")
    assert {"scheme": "project-code", "value": "2025-1-IE01-KA220-SCH-000287654"} in (record.get("identifiers") or []), \
        record.get("identifiers")


def test_a_lead_and_partners_said_in_a_slovenian_sentence() -> None:
    """'Vodilni partner projekta je Mestna občina Murska Sobota, partnerji pa so …': the lead's name goes on in lower
    case ('Mestna občina …'); 'Občina Loče na Gorenjskem' is one name, the particle and the word after it no place
    any list knows."""
    record = _text("""
Projekt: Zelene poti ob Muri
Program: Interreg Slovenija–Madžarska 2021–2027
Trajanje: od 1. 3. 2025 do 28. 2. 2027

Vodilni partner projekta je Mestna občina Murska Sobota, partnerji pa so Občina Loče na Gorenjskem, Razvojna agencija Sinergija in Zavod za turizem Lendava.
""", "sl")
    partners = _parties(record)
    names = {p["organisation"]["name"].get("sl") for p in partners.values()}
    assert "Mestna občina Murska Sobota" in names and "Občina Loče na Gorenjskem" in names, names
    lead = [p for p in partners.values() if p["role"] == "coordinator"]
    assert [p["organisation"]["name"].get("sl") for p in lead] == ["Mestna občina Murska Sobota"], partners


def test_a_contacts_name_in_greek_or_cyrillic_script_and_an_office_that_is_no_name() -> None:
    """'Νίκος Υπόδειγμα' and 'Петя Примерова' are people's names (capitals of their scripts); 'Γραφείο Τύπου' (the
    press office) reads like one but is an office (office_words in the language's file)."""
    greek = _text("""
Έργο: Πράσινες αυλές στη Λάρισα
Πρόγραμμα: Interreg Ελλάδα-Βουλγαρία 2021-2027
Διάρκεια: 1/3/2025 - 28/2/2027

Υπεύθυνος έργου: Νίκος Υπόδειγμα, n.ypodeigma@example.org
""", "el")
    assert [c.get("name") for c in greek.get("contacts", [])] == ["Νίκος Υπόδειγμα"], greek.get("contacts")
    bulgarian = _text("""
Проект: Зелени дворове във Враца
Програма: Програма за развитие на регионите 2021-2027
Период на изпълнение: 01.03.2025 - 28.02.2027

Ръководител на проекта: Петя Примерова, p.primerova@example.org
""", "bg")
    assert [c.get("name") for c in bulgarian.get("contacts", [])] == ["Петя Примерова"], bulgarian.get("contacts")
    office = _text("""
Έργο: Πράσινες αυλές στη Λάρισα
Πρόγραμμα: Interreg Ελλάδα-Βουλγαρία 2021-2027
Διάρκεια: 1/3/2025 - 28/2/2027

Επικοινωνία
Υπεύθυνος έργου Γραφείο Τύπου
press@example.org
""", "el")
    assert all(c.get("name") != "Γραφείο Τύπου" for c in office.get("contacts", [])), office.get("contacts")


def test_the_word_for_months_in_more_languages() -> None:
    """'24 μήνες', '18 месеца', '36 xahar', '24 mhí': a number of months in Greek, Bulgarian, Maltese and Irish."""
    from eulod.converters.extract.dates import find_duration

    assert [find_duration(t) for t in ("24 μήνες", "18 месеца", "36 xahar", "(24 mhí)")] == [24, 18, 36, 24]
    assert find_duration("3 mesures") is None


def test_a_later_sentence_giving_another_duration_is_asked() -> None:
    """The period's '(18 mjeseci)', then minutes saying the duration is now 24 months: the field is asked."""
    record = _text("""
Projekt: Zeleni trg Osijek
Program: Interreg Mađarska-Hrvatska 2021-2027
Razdoblje provedbe: 1. 4. 2024. – 30. 9. 2025. (18 mjeseci)

Zbog kašnjenja radova ukupno trajanje projekta sada iznosi 24 mjeseca.
""", "hr")
    assert record.get("duration_months") == 18
    assert _asked(record, "duration_months"), record.get("review")
