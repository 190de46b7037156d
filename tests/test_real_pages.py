"""The Linked Data pages of the real exports (../shared/real): what a reader sees of each fact.

The CORDIS export and the five Kohesio country files are imported and built as a user does, and
the pages are asked for through the Flask test client. Each fact the import publishes about the
chosen projects and organisations (grant status, gross and net EU contribution per participation,
PIC and VAT number, a Kohesio project's programme, CCI, funds, categories of intervention,
objectives, NUTS and LAU regions, coordinates, postal codes, beneficiary IRI) is looked for on its
page, the expected text read from the source files with the csv module (and the labels of code
lists from the shipped Turtle files), never typed here. Every page is also parsed by an HTML5
parser that must report no parse error, and held to the checks of tests/test_pages.py.
"""

from __future__ import annotations

import csv
import html
import re
from decimal import Decimal
from pathlib import Path

import html5rdf
import pyoxigraph as ox
import pytest
from babel.numbers import format_currency
from real_exports import ABSENT, COUNTRIES, KOHESIO, ORGANISATIONS, PRESENT, PROJECTS, ROOT, build_real

BASE = "http://127.0.0.1:5000/"
# Projects whose pages are read: EIT DIGITAL's (a beneficiary with a US third party, and one that
# keeps 0 of its grant), EIT Digital's business plan (seven third parties), Add4Kids, an
# associated partner's project, and a Euratom one.
CHOSEN = ("101113201", "101113245", "101134907", "101070806", "101072693")
HTML = {"Accept": "text/html", "Accept-Language": "en"}

pytestmark = [pytest.mark.skipif(not PRESENT, reason=ABSENT),
              pytest.mark.slow]  # slow: imports and builds the real files


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both real sources imported and built into one generation."""
    return build_real(tmp_path_factory.mktemp("real-pages"), BASE)


@pytest.fixture(scope="module")
def client(build_dir: Path):
    from eulod.core.config import load_settings
    from eulod.endpoint.app import create_app

    return create_app(load_settings(environ={}, build_dir=build_dir, base_iri=BASE)).test_client()


PAGES: dict[str, str] = {}


def page(client, path: str) -> str:
    """The page at ``path`` in English, its character references resolved (a label's ' is &#39;)."""
    if path not in PAGES:
        response = client.get(path, headers=HTML)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        PAGES[path] = response.get_data(as_text=True)
    return PAGES[path]


def text(markup: str) -> str:
    """What a reader sees of some markup: tags removed (inline ones without a space, block ones
    as one), references resolved, runs of white space (no-break spaces too) made one space."""
    inline = re.sub(r"</?(?:a|code|span|abbr)\b[^>]*>", "", markup)
    return norm(html.unescape(re.sub(r"<[^>]+>", " ", inline)))


def norm(value: str) -> str:
    """A source text as a page shows it: runs of white space as one space."""
    return " ".join(value.split())


def money(value: str | Decimal) -> str:
    return format_currency(Decimal(str(value)), "EUR", locale="en", decimal_quantization=False)


def labels(turtle: str, scheme: str) -> dict[str, str]:
    """English skos:prefLabel of each concept of a shipped code list, by its IRI."""
    store = ox.Store()
    store.load(path=str(ROOT / "ontology" / turtle), format=ox.RdfFormat.TURTLE)
    query = f"""SELECT ?c ?l WHERE {{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> <{scheme}> ;
               <http://www.w3.org/2004/02/skos/core#prefLabel> ?l FILTER(lang(?l) = "en") }}"""
    return {s["c"].value: s["l"].value for s in store.query(query)}


def partner_row(markup: str, name: str) -> str:
    table = re.search(r'<table id="partner-table">(.*?)</table>', markup, re.S).group(1)
    found = [row for row in re.findall(r"<tr>(.*?)</tr>", table, re.S) if f">{html.escape(name, quote=False)}<" in row]
    assert len(found) == 1, f"{name}: {len(found)} rows"
    return text(found[0])


# --- CORDIS -----------------------------------------------------------------------------------

def cordis_projects() -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in read_csv(PROJECTS)} if PROJECTS.is_file() else {}


def cordis_rows(grant: str) -> list[dict[str, str]]:
    return [row for row in read_csv(ORGANISATIONS) if row["projectID"] == grant] if ORGANISATIONS.is_file() else []


def amount(cell: str) -> Decimal | None:
    return Decimal(cell.replace(",", ".")) if cell.strip() else None


@pytest.mark.parametrize("grant", CHOSEN)
def test_the_project_page_shows_the_grant_status_with_its_label(client, grant):
    status = cordis_projects()[grant]["status"]
    concept = f"https://w3id.org/eulod/code/grant-status/{status.lower()}"
    label = labels("grant-statuses.ttl", "https://w3id.org/eulod/code/grant-status")[concept]
    facts = re.search(r'<dd class="grant-status">(.*?)</dd>', page(client, f"/project/cordis-{grant}"), re.S)
    assert facts, "no grant status"
    assert f'href="/code/grant-status/{status.lower()}"' in facts.group(1)
    assert text(facts.group(1)) == label


def participations() -> list:
    params = []
    for grant in CHOSEN:
        for row in cordis_rows(grant):
            params.append(pytest.param(grant, row, id=f"{grant}-{row['organisationID']}-{row['role']}"))
    return params


@pytest.mark.parametrize(("grant", "row"), participations())
def test_each_partner_row_shows_what_the_organisation_receives_and_what_it_passes_on(client, grant, row):
    """The EU contribution cell: the net amount (what the organisation keeps), and where a gross
    amount differs, "gross X, of which Y passed on to linked third parties" (docs/mapping.md)."""
    shown = partner_row(page(client, f"/project/cordis-{grant}"), row["name"])
    net, gross = amount(row["netEcContribution"]), amount(row["ecContribution"])
    if row["role"] == "thirdParty" and gross == 0:
        gross = None  # a third party signs no grant
    received = net if net is not None else gross
    if received is not None:
        assert money(received) in shown
    if gross is not None and net is not None and gross != net:
        assert f"gross {money(gross)}, of which {money(gross - net)} passed on to linked third parties" in shown
    else:
        assert "gross" not in shown


def test_eit_digital_keeps_62_500_of_816_250_and_its_third_party_shows_753_750(client):
    rows = cordis_rows("101113201")
    beneficiary = next(r for r in rows if r["name"] == "EIT DIGITAL")
    third = next(r for r in rows if r["role"] == "thirdParty" and r["order"] == beneficiary["order"])
    markup = page(client, "/project/cordis-101113201")
    shown = partner_row(markup, beneficiary["name"])
    assert shown.count("€") == 4  # total cost, net, gross, passed on
    assert money(beneficiary["netEcContribution"]) in shown and money(beneficiary["ecContribution"]) in shown
    assert money(third["netEcContribution"]) in partner_row(markup, third["name"])
    assert 'id="gross-note"' in markup


def organisations() -> list:
    seen, params = set(), []
    for grant in CHOSEN:
        for row in cordis_rows(grant):
            if row["organisationID"] not in seen:
                seen.add(row["organisationID"])
                params.append(pytest.param(row, id=row["organisationID"]))
    return params


@pytest.mark.parametrize("row", organisations())
def test_the_organisation_page_shows_its_pic_and_vat_number(client, row):
    schemes = labels("identifier-schemes.ttl", "https://w3id.org/eulod/code/identifier-scheme")
    shown = text(re.search(r'<dl class="facts">(.*?)</dl>', page(client, f"/organisation/pic-{row['organisationID']}"), re.S).group(1))
    pic = schemes["https://w3id.org/eulod/code/identifier-scheme/eu-pic"]
    assert f"{pic} {row['organisationID']}" in shown
    vat = schemes["https://w3id.org/eulod/code/identifier-scheme/vat-number"]
    if row["vatNumber"]:
        assert f"{vat} {row['vatNumber']}" in shown
    else:
        assert vat not in shown


def test_the_organisation_page_shows_gross_and_net_per_project(client):
    row = next(r for r in cordis_rows("101113201") if r["name"] == "EIT DIGITAL")
    markup = page(client, f"/organisation/pic-{row['organisationID']}")
    table = text(re.search(r'<table id="organisation-projects">(.*?)</table>', markup, re.S).group(1))
    gross, net = Decimal(row["ecContribution"]), Decimal(row["netEcContribution"])
    assert f"{money(net)} gross {money(gross)}, of which {money(gross - net)} passed on" in table


# --- Kohesio ----------------------------------------------------------------------------------

def kohesio_rows() -> list:
    """(country, row) of every Kohesio row: each project page is read."""
    if not KOHESIO.is_dir():
        return []
    return [pytest.param(country, row, id=f"{country}-{n + 2}") for country in COUNTRIES
            for n, row in enumerate(read_csv(KOHESIO / f"{country}-sample.csv"))]


def pipe(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def kohesio_page(client, row: dict[str, str]) -> str:
    return page(client, f"/project/kohesio-{row['Operation_Unique_Identifier'].rsplit('/', 1)[-1].lower()}")


def section(markup: str, ident: str) -> str:
    found = re.search(rf'<section aria-labelledby="h-{ident}" id="{ident}">(.*?)</section>', markup, re.S)
    assert found, f"no section {ident}"
    return found.group(1)


def paired(codes: list[str], names: list[str]) -> list[tuple[str, str | None]]:
    """Codes with their names where the source pairs them one to one; else codes alone."""
    return list(zip(codes, names)) if len(codes) == len(names) else [(code, None) for code in codes]


@pytest.mark.parametrize(("country", "row"), kohesio_rows())
def test_a_kohesio_page_shows_programme_cci_period_and_funds(client, country, row):
    facts = text(re.search(r'<dl class="facts">(.*?)</dl>', kohesio_page(client, row), re.S).group(1))
    assert norm(f"{row['Programme_Name']} (CCI {row['Programme_Code']}), {row['Programming_Period']}") in facts
    for fund in pipe(row["Fund_Name"]):
        assert norm(fund) in facts


@pytest.mark.parametrize(("country", "row"), kohesio_rows())
def test_a_kohesio_page_shows_categories_and_objectives(client, country, row):
    shown = text(section(kohesio_page(client, row), "categories"))
    for code, name in paired([str(int(Decimal(c))).zfill(3) for c in pipe(row["Category_Of_Intervention"])],
                             pipe(row["Category_Label"])):
        assert norm(f"{code} {name}" if name else code) in shown
    for code, name in paired(pipe(row["Policy_Objective_ID"]), pipe(row["Policy_Objective_Label"])):
        assert norm(f"{code} {name}" if name else code) in shown
    for code in pipe(row["Specific_Objective_ID"]):
        assert code in shown


@pytest.mark.parametrize(("country", "row"), kohesio_rows())
def test_a_kohesio_page_shows_nuts_lau_coordinates_and_postal_codes(client, country, row):
    shown = text(section(kohesio_page(client, row), "place"))
    for level in "123":
        for code, name in paired(pipe(row[f"NUTS{level}_Code"]), pipe(row[f"NUTS{level}_Label"])):
            assert norm(f"{code} {name}" if name else code) in shown
    for code, name in paired(pipe(row["LAU_IDs"]), pipe(row["LAU_Labels"])):
        assert norm(f"{code} {name}" if name else code) in shown
    points = {(Decimal(lat), Decimal(long)) for lat, long in re.findall(r"latitude (\S+), longitude (\S+?)(?:\s|$)", shown)}
    assert points == {tuple(Decimal(x) for x in p.split(",")) for p in pipe(row["Location_Indicator_latitude_longitude"])}
    for code in pipe(row["Postal_Code"]):
        assert code in shown


@pytest.mark.parametrize(("country", "row"), kohesio_rows())
def test_a_kohesio_page_shows_the_budget_rate_and_the_beneficiary_iri(client, country, row):
    markup = kohesio_page(client, row)
    facts = text(re.search(r'<dl class="facts">(.*?)</dl>', markup, re.S).group(1))
    rate = Decimal(row["Cofinancing_Rate"])
    assert f"EU contribution {money(row['Project_EU_Budget'])} ({rate.normalize():f} %)" in facts
    assert f"Total cost {money(row['Total_Eligible_Expenditure_amount'])}" in facts
    iri = row["Beneficiary_Unique_Identifier"]
    assert partner_row(markup, iri).startswith(iri)  # named by its IRI, no invented name


def test_a_beneficiary_page_links_its_linkedopendata_iri_and_shows_its_programme(client):
    row = read_csv(KOHESIO / "PL-sample.csv")[0]
    iri = row["Beneficiary_Unique_Identifier"]
    markup = page(client, f"/organisation/linkedopendata-eu-{iri.rsplit('/', 1)[-1].lower()}")
    assert f'href="{iri}"' in markup
    table = text(re.search(r'<table id="organisation-projects">(.*?)</table>', markup, re.S).group(1))
    assert row["Programme_Name"] in table


# --- every page read above is valid HTML and keeps the pages' rules ---------------------------

def urls() -> list[str]:
    found = [f"/project/cordis-{grant}" for grant in CHOSEN]
    found += [f"/organisation/pic-{p.values[0]['organisationID']}" for p in organisations()]
    found += [f"/project/kohesio-{p.values[1]['Operation_Unique_Identifier'].rsplit('/', 1)[-1].lower()}"
              for p in kohesio_rows()]
    return found


@pytest.mark.parametrize("url", urls())
def test_the_page_is_valid_html(client, url):
    markup = page(client, url)
    parser = html5rdf.HTMLParser()
    parser.parse(markup)
    assert parser.errors == [], f"{url}: {parser.errors[:5]}"
    ids = re.findall(r'\sid="([^"]+)"', markup)
    assert len(ids) == len(set(ids)), f"{url}: duplicate ids {sorted(i for i in set(ids) if ids.count(i) > 1)}"
    labelled = {ident for value in re.findall(r'aria-labelledby="([^"]+)"', markup) for ident in value.split()}
    assert labelled <= set(ids), f"{url}: aria-labelledby names no element: {labelled - set(ids)}"
    # the checks every page keeps (tests/test_pages.py, tests/test_security_headers.py)
    assert '<html lang="en">' in markup and "<main" in markup and '<meta name="viewport"' in markup
    assert not re.findall(r'<(?:link|script|img)[^>]+(?:src|href)="(https?://[^"]+)"', markup)
    assert not re.search(r"<style|\sstyle=|\son\w+=|<script(?![^>]*\ssrc=)", markup)
