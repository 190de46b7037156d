"""Pages for people, through the Flask test client over the sample build: what each page
shows is checked against the records and the build outcome it comes from."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from eulod.core.countries import by_alpha2

ROOT = Path(__file__).resolve().parent.parent
RECORDS = {yaml.safe_load(p.read_text("utf-8"))["id"]: yaml.safe_load(p.read_text("utf-8"))
           for p in sorted((ROOT / "data" / "records").glob("*.yaml"))}
HTML = {"Accept": "text/html"}


def page(client, url: str, lang: str = "en", **headers: str) -> str:
    response = client.get(url, headers={**HTML, "Accept-Language": lang, **headers})
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response.mimetype == "text/html"
    return response.data.decode()


def rows(html: str, table_id: str) -> list[str]:
    table = re.search(rf'<table id="{table_id}">(.*?)</table>', html, re.S)
    assert table, f"no table {table_id}"
    body = re.search(r"<tbody>(.*?)</tbody>", table.group(1), re.S).group(1)
    return re.findall(r"<tr.*?</tr>", body, re.S)


def test_project_page_shows_the_record(client):
    record = RECORDS["cities-at-heart"]
    html = page(client, "/project/cities-at-heart")
    assert f"<h1>{record['title']}" in html
    assert "URBACT IV" in html and 'href="/code/programme/URBACT-IV"' in html
    assert "June 1, 2023" in html and "December 31, 2025" in html
    partners = rows(html, "partner-table")
    assert len(partners) == len(record["participants"])
    assert "coordinator" in partners[0] and "Grand Paris" in partners[0]  # the coordinator comes first
    for participant in record["participants"]:
        assert f'href="/organisation/{participant["organisation"]["id"]}"' in html
    assert "€841,061.50" in html and "€71,275.50" in html


def test_money_and_dates_follow_the_reader_language(client):
    italian = page(client, "/project/cities-at-heart", "it")
    assert "841.061,50\xa0€" in italian and "1 giugno 2023" in italian
    assert '<html lang="it">' in italian and "Partner" in italian
    forced = page(client, "/project/cities-at-heart?lang=it", "en")
    assert "841.061,50\xa0€" in forced
    english = page(client, "/project/cities-at-heart", "it;q=0.2, en;q=0.9")
    assert "€841,061.50" in english and '<html lang="en">' in english


def test_partner_countries_are_drawn_by_eulod(client):
    html = page(client, "/project/cities-at-heart")
    chart = re.search(r'<figure class="chart" id="chart-project-partners">(.*?)</figure>', html, re.S).group(1)
    svg = re.search(r"<svg (.*?)</svg>", chart, re.S).group(0)
    assert 'role="img"' in svg and "aria-labelledby" in svg and "<title" in svg
    countries = {p["organisation"]["country"] for p in RECORDS["cities-at-heart"]["participants"]}
    assert svg.count("<rect") == len(countries)
    assert "France" in svg and "Ireland" in svg


def test_contacts_are_shown_as_published(client, sample_settings):
    html = page(client, "/project/cities-at-heart")
    contacts = re.search(r'<section aria-labelledby="h-contacts" id="contacts">(.*?)</section>', html, re.S).group(1)
    assert sample_settings.personal_data == "publish"
    for contact in RECORDS["cities-at-heart"]["contacts"]:
        assert contact["name"] in contacts and contact["email"] in contacts


def test_validation_warnings_of_the_record_are_listed(client, sample_build):
    outcome = next(o for o in sample_build.outcomes if o.record.id == "amif-820885-volunteering")
    assert outcome.report.results, "the sample record was expected to carry warnings"
    html = page(client, "/project/amif-820885-volunteering")
    section = re.search(r'id="validation">(.*?)</section>', html, re.S).group(1)
    for result in outcome.report.results:
        assert result.message("en").replace("&", "&amp;").replace('"', "&#34;").replace("'", "&#39;")[:40] in section
    italian = page(client, "/project/amif-820885-volunteering", "it")
    assert any(r.messages.get("it", "")[:30] in italian for r in outcome.report.results if "it" in r.messages)


def test_provenance_links_to_a_viewable_fact_sheet(client):
    record = RECORDS["cities-at-heart"]
    name = record["source"]["file"].rsplit("/", 1)[-1]
    html = page(client, "/project/cities-at-heart")
    assert f'href="/source/{name}"' in html and 'href="/record/cities-at-heart"' in html
    source = page(client, f"/source/{name}")
    text = (ROOT / "data" / record["source"]["file"]).read_text("utf-8")
    first_line = next(line for line in text.splitlines() if line.strip())
    from markupsafe import escape

    assert str(escape(first_line.strip())) in source
    assert 'href="/project/cities-at-heart"' in source


def test_organisation_page_lists_all_its_projects(client):
    expected = {rid for rid, r in RECORDS.items() if any(p["organisation"]["id"] == "cesena-municipality"
                                                          for p in r["participants"])}
    html = page(client, "/organisation/cesena-municipality")
    listed = set(re.findall(r'<th scope="row"><a href="/project/([^"]+)"', "".join(rows(html, "organisation-projects"))))
    assert listed == expected and len(expected) > 1


def test_programme_page_lists_projects_of_narrower_programmes(client):
    expected = {rid for rid, r in RECORDS.items() if r["programme"].startswith("URBACT")}
    html = page(client, "/code/programme/URBACT")
    listed = set(re.findall(r'<th scope="row"><a href="/project/([^"]+)"', "".join(rows(html, "programme-projects"))))
    assert listed == expected
    assert "€841,061.50" in html


def home_projects(client, query: str = "") -> set[str]:
    html = page(client, "/" + query)
    if 'id="projects"' not in html:
        return set()
    return set(re.findall(r'<th scope="row"><a href="/project/([^"]+)"', "".join(rows(html, "projects"))))


def test_home_filters_by_programme_country_and_year(client):
    assert home_projects(client) == set(RECORDS)
    assert home_projects(client, "?programme=URBACT") == {r for r, d in RECORDS.items() if d["programme"].startswith("URBACT")}
    with_poland = {r for r, d in RECORDS.items() if any(p["organisation"].get("country") == "PL" for p in d["participants"])}
    assert home_projects(client, "?country=POL") == with_poland
    in_2010 = {r for r, d in RECORDS.items() if d.get("start_date") and str(d["start_date"])[:4] <= "2010"
               and str(d.get("end_date", d["start_date"]))[:4] >= "2010"}
    assert home_projects(client, "?year=2010") == in_2010 and in_2010
    assert home_projects(client, "?year=1990") == set()


def test_home_figures_and_charts(client, sample_build):
    html = page(client, "/")
    assert f"<strong>{sample_build.manifest['statistics']['projects']}</strong>" in html
    assert 'id="chart-funding"' in html and 'id="chart-partners"' in html
    countries = {by_alpha2(p["organisation"]["country"]).alpha3 for r in RECORDS.values() for p in r["participants"]
                 if p["organisation"].get("country")}
    partners_chart = re.search(r'id="chart-partners">(.*?)</figure>', html, re.S).group(1)
    assert partners_chart.count("<rect") == len(countries)
    assert 'href="/catalogue"' in html


@pytest.mark.parametrize("url", ["/", "/project/conet", "/organisation/cesena-municipality", "/code/programme/URBACT",
                                 "/catalogue"])
def test_pages_are_self_contained_and_accessible(client, url):
    html = page(client, url)
    assert re.search(r'<html lang="(en|it)">', html)
    assert "<main" in html and "<header" in html and 'aria-label="main"' in html
    external = re.findall(r'<(?:link|script|img)[^>]+(?:src|href)="(https?://[^"]+)"', html)
    assert not external, f"{url} loads from elsewhere: {external}"
    assert "<th>" not in html.split("<tbody>")[0] or 'scope="col"' in html
    assert '<meta name="viewport"' in html


def test_resource_pages_negotiate_and_cache(client):
    html = client.get("/project/conet", headers={**HTML, "Accept-Language": "it"})
    assert "Accept" in html.headers["Vary"] and "Accept-Language" in html.headers["Vary"]
    assert html.headers["Content-Language"] == "it"
    for ext in ("ttl", "jsonld", "nt", "rdf"):
        assert f'href="/project/conet.{ext}"' in html.data.decode()
    again = client.get("/project/conet", headers={**HTML, "Accept-Language": "it", "If-None-Match": html.headers["ETag"]})
    assert again.status_code == 304
    english = client.get("/project/conet", headers={**HTML, "Accept-Language": "en"})
    assert english.headers["ETag"] != html.headers["ETag"]
    assert client.get("/project/conet", headers={"Accept": "text/turtle"}).mimetype == "text/turtle"
    assert client.get("/project/no-such-project", headers=HTML).status_code == 404
    generic = page(client, "/project/conet/participation/berlin-municipality")
    assert "<table>" in generic  # other resources keep the triple table
