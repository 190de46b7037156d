"""The pages in a real browser (Debian's headless Chromium): they load without console
errors, the filters work by hand, the layout fits a phone, and screenshots of the key pages
are kept under the pytest temp folder and checked for content through the DOM."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.server]

KEY_PAGES = {
    "home": ("/", "EU funding per programme"),
    "project": ("/project/cities-at-heart", "Where the partners are"),
    "organisation": ("/organisation/cesena-municipality", "Cities@Heart"),
    "programme": ("/code/programme/URBACT", "Projects of this programme"),
    "catalogue": ("/catalogue", "Distributions"),
    "source": ("/source/000_541b14564dc59dea.txt", "Text of the fact sheet"),
}


def console_errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


@pytest.fixture()
def fresh(browser):
    browser.set_window_size(1280, 900)
    browser.get_log("browser")  # drop what earlier tests left
    yield browser
    browser.set_window_size(1280, 900)


@pytest.mark.parametrize("name", sorted(KEY_PAGES))
def test_key_pages_load_cleanly_and_are_captured(fresh, live_server, tmp_path, name):
    from selenium.webdriver.common.by import By

    path, expected = KEY_PAGES[name]
    fresh.get(live_server.url + path + ("&" if "?" in path else "?") + "lang=en")
    assert fresh.find_element(By.TAG_NAME, "main").is_displayed()
    assert expected in fresh.find_element(By.TAG_NAME, "main").text
    shot = tmp_path / f"{name}.png"
    assert fresh.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 5000
    assert not console_errors(fresh), console_errors(fresh)


def test_charts_render_as_images(fresh, live_server):
    from selenium.webdriver.common.by import By

    fresh.get(live_server.url + "/?lang=en")
    svgs = fresh.find_elements(By.CSS_SELECTOR, "figure.chart svg[role=img]")
    assert len(svgs) == 2
    for svg in svgs:
        assert svg.size["width"] > 100 and svg.size["height"] > 20
        assert svg.find_elements(By.CSS_SELECTOR, "rect")


def test_filters_work_in_the_browser(fresh, live_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    fresh.get(live_server.url + "/?lang=en")
    everything = len(fresh.find_elements(By.CSS_SELECTOR, "#projects tbody tr"))
    Select(fresh.find_element(By.ID, "filter-country")).select_by_value("POL")
    fresh.find_element(By.ID, "apply-filters").click()
    # The click starts a navigation; wait for it instead of racing it.
    WebDriverWait(fresh, 15).until(lambda driver: "country=POL" in driver.current_url)
    titles = [a.text for a in fresh.find_elements(By.CSS_SELECTOR, "#projects tbody th a")]
    assert 0 < len(titles) < everything
    assert "Cities@Heart" in titles
    Select(fresh.find_element(By.ID, "filter-programme")).select_by_value("AMIF-2014-2020")  # no Polish partner
    fresh.find_element(By.ID, "apply-filters").click()
    WebDriverWait(fresh, 15).until(lambda driver: "AMIF-2014-2020" in driver.current_url)
    assert "No project matches" in fresh.find_element(By.TAG_NAME, "main").text
    fresh.save_screenshot(str(tmp_path / "home-filtered.png"))
    assert not console_errors(fresh), console_errors(fresh)


def test_language_switch_and_phone_layout(fresh, live_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    fresh.set_window_size(375, 800)
    fresh.get(live_server.url + "/project/cities-at-heart?lang=en")
    fresh.find_element(By.CSS_SELECTOR, 'a[hreflang="it"]').click()
    WebDriverWait(fresh, 15).until(lambda driver: "lang=it" in driver.current_url)
    assert fresh.find_element(By.TAG_NAME, "html").get_attribute("lang") == "it"
    assert "841.061,50" in fresh.find_element(By.TAG_NAME, "main").text
    overflow = fresh.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a 375px phone screen"
    fresh.save_screenshot(str(tmp_path / "project-phone-it.png"))
    assert (tmp_path / "project-phone-it.png").stat().st_size > 5000
    assert not console_errors(fresh), console_errors(fresh)
