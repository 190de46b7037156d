"""The home page at more than one page of projects: paging, filters across pages, the count
text, figures and charts over all projects, the per-generation cache and a rebuild seen by a
live server. The data are 120 records written by bench/generate.py and built by eulod's own
build, so every expectation below is computed from those records."""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from conftest import RECORDS, ROOT, start_server
from eulod.pipeline.build import build
from eulod.core.config import load_settings
from eulod.core.countries import by_alpha2
from eulod.endpoint import i18n
from eulod.endpoint.pages.home import PAGE_SIZE

HTML = {"Accept": "text/html"}
GENERATED = 120  # more than two pages of PAGE_SIZE
PROGRAMME = "HORIZON-2020"  # the generator's most frequent programme: more than one page of it


def generate(count: int, out: Path) -> list[dict]:
    """``count`` valid records from the benchmark generator (fixed seed), as JSON Lines."""
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", str(count),
                    "--invalid-every", "0", "--seed", "8", "--out", str(out)], check=True, capture_output=True)
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def build_into(build_dir: Path, records: Path):
    outcome = build(load_settings(environ={}, build_dir=build_dir, records=(records,)))
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return outcome


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("home-paging")
    records = generate(GENERATED, folder / "records.jsonl")
    assert len(records) == GENERATED > 2 * PAGE_SIZE
    build_into(folder / "build", folder / "records.jsonl")
    return {"records": records, "build_dir": folder / "build"}


@pytest.fixture()
def big_app(generated):
    from eulod.endpoint.app import create_app

    app = create_app(load_settings(environ={}, build_dir=generated["build_dir"]))
    app.config["TESTING"] = True
    return app


@pytest.fixture()
def big(big_app):
    return big_app.test_client()


def get(client, url: str, lang: str = "en", status: int = 200, **headers: str):
    response = client.get(url, headers={**HTML, "Accept-Language": lang, **headers})
    assert response.status_code == status, f"{url}: {response.status_code}"
    return response


def listed(html: str) -> list[str]:
    """Project ids in the order the list shows them."""
    table = re.search(r'<table id="projects">.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r'<th scope="row"><a href="/project/([^"]+)"', table.group(1)) if table else []


def shown_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(r'<p id="shown"[^>]*>(.*?)</p>', html, re.S).group(1))).strip()


def link(html: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def in_title_order(records: list[dict]) -> list[str]:
    return [r["id"] for r in sorted(records, key=lambda r: (r["title"].lower(), r["id"]))]


@pytest.mark.slow
def test_pages_split_the_list_in_title_order(big, generated):
    records = generated["records"]
    seen: list[str] = []
    url: str | None = "/"
    while url:
        html = get(big, url).data.decode()
        ids = listed(html)
        assert 0 < len(ids) <= PAGE_SIZE
        first, last = len(seen) + 1, len(seen) + len(ids)
        assert shown_text(html) == f"Projects {first}–{last} of {len(records)}."
        assert not set(ids) & set(seen), f"{url} repeats projects of earlier pages"
        seen += ids
        url = link(html, "next")
    assert seen == in_title_order(records)
    assert len(listed(get(big, "/?page=2").data.decode())) == PAGE_SIZE


@pytest.mark.slow
def test_filters_survive_paging(big, generated):
    expected = [r for r in generated["records"] if r["programme"] == PROGRAMME]
    assert len(expected) > PAGE_SIZE, "the generator's data no longer fill two pages of one programme"
    first = get(big, f"/?programme={PROGRAMME}&lang=it").data.decode()
    assert shown_text(first) == f"Progetti da 1 a {PAGE_SIZE} dei {len(expected)} che rispondono ai filtri ({GENERATED} in tutto)."
    following = link(first, "next")
    assert following and f"programme={PROGRAMME}" in following and "lang=it" in following and "page=2" in following
    second = get(big, following).data.decode()
    assert link(second, "prev") == f"/?programme={PROGRAMME}&lang=it"
    assert f'<option value="{PROGRAMME}" selected>' in second  # the form still shows the filter
    assert listed(first) + listed(second) == in_title_order(expected)
    assert link(second, "next") is None


@pytest.mark.slow
def test_count_text_in_both_languages_and_numbers_in_the_readers_format(big, generated):
    html = get(big, "/?page=3", lang="it").data.decode()
    assert shown_text(html) == f"Progetti da {2 * PAGE_SIZE + 1} a {GENERATED} di {GENERATED}."
    assert "Pagina 3 di 3" in html
    english = get(big, "/?page=2").data.decode()
    assert "Page 2 of 3" in english and 'aria-current="page"' in english


@pytest.mark.slow
def test_page_past_the_end_and_pages_that_are_not_numbers(big):
    past = get(big, f"/?page=9&programme={PROGRAMME}", status=404)
    html = past.data.decode()
    assert listed(html) == []
    assert shown_text(html).startswith("There is no page 9: the list ends at page 2.")
    assert re.search(rf'<a href="/\?programme={PROGRAMME}&amp;page=2" id="last-page">', html)
    assert "ETag" not in past.headers and "Accept-Language" in past.headers["Vary"]
    for bad in ("abc", "0", "-1", "2.5", "²"):
        refused = get(big, f"/?page={bad}", status=400)
        assert refused.mimetype == "text/plain" and "whole number" in refused.data.decode()
    assert listed(get(big, "/?page=").data.decode()) == listed(get(big, "/").data.decode())


@pytest.mark.slow
def test_odd_year_filters_match_nothing_instead_of_failing(big, generated):
    for year in ("²⁰¹⁹", "20x9", "9" * 5000):
        html = get(big, f"/?year={year}").data.decode()
        assert listed(html) == [] and shown_text(html) == "No project matches these filters."
    first_year = min(int(r["start_date"][:4]) for r in generated["records"])
    assert listed(get(big, f"/?year={first_year}").data.decode())


@pytest.mark.slow
def test_each_page_has_its_own_validators(big):
    one, two = get(big, "/"), get(big, "/?page=2")
    assert one.headers["ETag"] != two.headers["ETag"]
    assert one.headers["Vary"] == two.headers["Vary"] == "Accept, Accept-Language"
    assert two.headers["Last-Modified"] and two.headers["Content-Language"] == "en"
    assert get(big, "/?page=2", status=304, **{"If-None-Match": two.headers["ETag"]}).data == b""
    assert get(big, "/?page=2", lang="it").headers["ETag"] != two.headers["ETag"]


@pytest.mark.slow
def test_figures_and_charts_count_every_project_on_every_page(big, generated):
    records = generated["records"]
    per_country: Counter[str] = Counter()
    for record in records:
        for alpha2 in {(p["organisation"]["id"], p["organisation"]["country"]) for p in record["participants"]
                       if p["organisation"].get("country")}:
            per_country[by_alpha2(alpha2[1]).alpha2] += 1
    for url in ("/", "/?page=3", f"/?programme={PROGRAMME}&page=2"):
        html = get(big, url).data.decode()
        assert f"<strong>{GENERATED}</strong> projects" in html
        chart = re.search(r'id="chart-partners">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
        bars = re.findall(r'<th scope="row"><a href="/\?country=([A-Z]{3})">[^<]*</a></th><td class="num">([\d,]+)</td>', chart)
        assert bars and len(bars) == min(25, len(per_country))
        for alpha3, count in bars:
            alpha2 = next(a for a in per_country if by_alpha2(a).alpha3 == alpha3)
            assert int(count.replace(",", "")) == per_country[alpha2], alpha3
        assert {int(c.replace(",", "")) for _a, c in bars} <= set(per_country.values())
        assert min(int(c.replace(",", "")) for _a, c in bars) >= sorted(per_country.values(), reverse=True)[len(bars) - 1]


def funding_bars(html: str) -> set[str]:
    chart = re.search(r'id="chart-funding">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return set(re.findall(r'<td class="num">([^<]+)</td>', chart))


def expected_funding(records: list[dict], lang: str) -> set[str]:
    """Per programme and currency: the stated totals, else the partners' stated contributions."""
    sums: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for record in records:
        currency = record.get("currency") or "EUR"
        total = (record.get("budget") or {}).get("eu_contribution")
        parts = [p["budget"]["eu_contribution"] for p in record["participants"] if (p.get("budget") or {}).get("eu_contribution")]
        for amount in ([total] if total else parts):
            sums[(record["programme"], currency)] += Decimal(str(amount))
    return {i18n.money(v, c, lang) for (_p, c), v in sums.items() if v}


@pytest.mark.slow
def test_funding_chart_sums_stated_totals(big, generated):
    assert funding_bars(get(big, "/?page=2").data.decode()) == expected_funding(generated["records"], "en")


def test_funding_chart_falls_back_to_the_partners_contributions(client):
    sample = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(RECORDS.glob("*.yaml"))]
    expected = expected_funding(sample, "it")
    assert expected, "the sample records state no EU contribution at all"
    assert funding_bars(get(client, "/", lang="it").data.decode()) == expected


@pytest.mark.slow
def test_the_listing_is_read_once_per_generation(big_app, caplog):
    """Concurrent first requests wait for one reading; later ones, any page, filter or language, reuse it."""
    caplog.set_level(logging.INFO, logger="eulod.endpoint.listing")
    urls = ["/", "/?page=2", "/?lang=it", f"/?programme={PROGRAMME}", "/?page=3&lang=it", "/?country=ITA"]
    statuses: list[int] = []

    def fetch(url: str) -> None:
        statuses.append(big_app.test_client().get(url, headers=HTML).status_code)

    threads = [threading.Thread(target=fetch, args=(url,)) for url in urls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for url in urls:
        fetch(url)
    assert statuses == [200] * (2 * len(urls))
    readings = [r for r in caplog.records if "projects of generation" in r.getMessage()]
    assert len(readings) == 1, [r.getMessage() for r in readings]
    assert f"{GENERATED} projects" in readings[0].getMessage()


def fetch(url: str) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={**HTML, "Accept-Language": "en"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.server
def test_a_live_server_lists_a_new_build(tmp_path: Path):
    """A rebuild beside the running server replaces the listing: the old one is never served again."""
    build_dir = tmp_path / "build"
    build_into(build_dir, RECORDS)
    server = start_server(build_dir, tmp_path / "serve.log")
    try:
        status, html = fetch(server.url + "/")
        assert status == 200 and shown_text(html) == "Projects 1–5 of 5." and link(html, "next") is None
        assert fetch(server.url + "/?page=2")[0] == 404
        records = generate(GENERATED, tmp_path / "records.jsonl")
        build_into(build_dir, tmp_path / "records.jsonl")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, html = fetch(server.url + "/?page=2")
            if status == 200:
                break
            time.sleep(0.3)
        assert status == 200, "the server kept the old listing"
        assert shown_text(html) == f"Projects {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {GENERATED}."
        assert listed(html) == in_title_order(records)[PAGE_SIZE:2 * PAGE_SIZE]
    finally:
        server.stop()


@pytest.mark.server
def test_paging_with_a_filter_in_the_browser(browser, generated, tmp_path: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    server = start_server(generated["build_dir"], tmp_path / "serve.log")
    try:
        browser.get_log("browser")
        browser.get(server.url + "/?lang=en")
        Select(browser.find_element(By.ID, "filter-programme")).select_by_value(PROGRAMME)
        browser.find_element(By.ID, "apply-filters").click()
        WebDriverWait(browser, 15).until(lambda driver: PROGRAMME in driver.current_url)
        titles = lambda: [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#projects tbody th a")]  # noqa: E731
        first = titles()
        assert len(first) == PAGE_SIZE
        browser.find_element(By.ID, "next-page").click()
        WebDriverWait(browser, 15).until(lambda driver: "page=2" in driver.current_url)
        second = titles()
        expected = [r for r in generated["records"] if r["programme"] == PROGRAMME]
        assert len(second) == len(expected) - PAGE_SIZE and not set(first) & set(second)
        assert f"of the {len(expected)} that match" in browser.find_element(By.ID, "shown").text
        assert Select(browser.find_element(By.ID, "filter-programme")).first_selected_option.get_attribute("value") == PROGRAMME
        browser.find_element(By.ID, "previous-page").click()
        WebDriverWait(browser, 15).until(lambda driver: "page=" not in driver.current_url)
        assert titles() == first
        errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]
        assert not errors, errors
    finally:
        server.stop()
