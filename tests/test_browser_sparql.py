"""The query editor in a real browser: Debian's headless Chromium against the live server."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from eulod.endpoint import examples
from test_example_queries import expected_programme_counts

pytestmark = pytest.mark.server


def console_errors(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def test_editor_loads_with_the_examples_as_tabs(browser, live_server):
    browser.get(live_server.url + "/sparql")
    wait = WebDriverWait(browser, 20)
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .tabsList")))
    titles = [example["title"] for example in examples.load()]
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".yasgui .tabsList .tab")) >= len(titles))
    shown = browser.find_element(By.CSS_SELECTOR, ".yasgui .tabsList").text
    for title in titles:
        assert title in shown
    assert console_errors(browser) == []
    # every script and style came from eulod itself, none from a CDN
    sources = browser.execute_script(
        "return Array.from(document.querySelectorAll('script[src], link[href]')).map(e => e.src || e.href)"
    )
    assert sources and all(source.startswith((live_server.url, "data:")) for source in sources)


def test_an_example_query_runs_and_the_table_shows_its_rows(browser, live_server):
    browser.get(live_server.url + "/sparql")
    wait = WebDriverWait(browser, 20)
    tab = wait.until(
        expected_conditions.element_to_be_clickable(
            (By.XPATH, "//div[contains(@class,'tabsList')]//a[contains(., 'Projects per programme')]")
        )
    )
    tab.click()
    button = wait.until(
        expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton"))
    )
    button.click()
    cells = ".tabPanel.active .yasr table tbody tr"
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, cells)) > 0)
    rows = browser.find_elements(By.CSS_SELECTOR, cells)
    expected = expected_programme_counts()
    assert len(rows) == len(expected)
    text = "\n".join(row.text for row in rows)
    for notation in expected:
        assert notation in text
    assert console_errors(browser) == []
