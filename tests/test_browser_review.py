"""``eulod review`` in a real browser (Debian's headless Chromium), end to end.

A publisher opens the draft of a fact sheet whose title the extractor only inferred (so it is
flagged), sees its source line lit in the sheet, corrects the title and saves; ``eulod build``
on the folder then publishes the corrected title on the project's page, served by ``eulod serve``.
"""

from __future__ import annotations

import os
import selectors
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import EULOD, start_server, stop_process

SHEET = """# Green Roofs for Cities

Start date: 1 March 2021
End date: 28 February 2023
Programme: URBACT
Total budget: EUR 1,000,000

Partners:
- Comune di Torino (coordinator)

<script>document.title = "owned"</script>
"""
CORRECTED = "Rooftop Gardens Network"


class ReviewServer:
    def __init__(self, process: subprocess.Popen, url: str, folder: Path) -> None:
        self.process, self.url, self.folder = process, url, folder


@pytest.fixture()
def review_server(tmp_path: Path):
    """``eulod review`` as a publisher runs it, on a sheet copied into a fresh folder."""
    folder = tmp_path / "factsheets"
    folder.mkdir()
    (folder / "green-roofs.txt").write_text(SHEET, "utf-8")
    log = open(tmp_path / "review.log", "wb")  # the request log: a pipe nobody reads would fill and block
    process = subprocess.Popen([str(EULOD), "review", str(folder / "green-roofs.txt")],
                               stdout=subprocess.PIPE, stderr=log, text=True)
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    url, said, deadline = None, [], time.monotonic() + 60
    while url is None and time.monotonic() < deadline and process.poll() is None:
        if selector.select(timeout=1):
            line = process.stdout.readline()
            said.append(line)
            url = next((word for word in line.split() if word.startswith("http://127.0.0.1:")), None)
    selector.close()
    try:
        if url is None:
            process.kill()
            process.wait()
            pytest.fail(f"eulod review printed no URL:\n{''.join(said)}{(tmp_path / 'review.log').read_text()}")
        yield ReviewServer(process, url, folder)
    finally:
        stop_process(process)
        process.stdout.close()
        log.close()


def console_errors(browser) -> list[dict]:
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def test_a_corrected_flagged_title_is_saved_built_and_published(browser, review_server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get_log("browser")
    browser.get(review_server.url)
    WebDriverWait(browser, 15).until(lambda driver: driver.find_elements(By.ID, "field-title"))
    assert browser.title != "owned"  # the sheet's script is text, never run
    flagged = [f.get_attribute("data-field") for f in browser.find_elements(By.CSS_SELECTOR, "fieldset.field")
               if "flagged" in f.get_attribute("class")]
    assert "title" in flagged
    assert flagged == [f.get_attribute("data-field") for f in browser.find_elements(By.CSS_SELECTOR, "fieldset.field")][:len(flagged)]
    title_box = browser.find_element(By.ID, "field-title")
    assert "inferred" in title_box.find_element(By.CSS_SELECTOR, "legend").text

    title = browser.find_element(By.ID, "value-title")
    assert title.get_attribute("value") == "Green Roofs for Cities"
    title.click()  # the field's source line is lit in the sheet
    WebDriverWait(browser, 10).until(lambda driver: "lit" in driver.find_element(By.ID, "L1").get_attribute("class"))
    assert not browser.find_elements(By.CSS_SELECTOR, "#sheet-lines li.lit:not(#L1)")
    title.clear()
    title.send_keys(CORRECTED)
    browser.find_element(By.ID, "save").click()
    WebDriverWait(browser, 15).until(lambda driver: driver.find_elements(By.ID, "saved") or driver.find_elements(By.ID, "record-problems"))
    assert not browser.find_elements(By.ID, "record-problems"), browser.find_element(By.ID, "record-problems").text
    assert browser.find_element(By.ID, "value-title").get_attribute("value") == CORRECTED
    assert not console_errors(browser), console_errors(browser)
    browser.save_screenshot(str(tmp_path / "review-saved.png"))

    record = yaml.safe_load((review_server.folder / "green-roofs.yaml").read_text("utf-8"))
    assert record["title"] == CORRECTED
    decision = next(d for d in record["curation"]["decisions"] if d["field"] == "title")
    assert decision["decision"] == "edited" and decision["extracted"] == "Green Roofs for Cities"

    build_dir = tmp_path / "build"
    built = subprocess.run([str(EULOD), "build", str(review_server.folder), "--build-dir", str(build_dir)],
                           capture_output=True, text=True, timeout=600, env={**os.environ, "EULOD_PERSONAL_DATA": "publish"})
    assert built.returncode == 0, built.stdout + built.stderr
    server = start_server(build_dir, tmp_path / "serve.log")
    try:
        browser.get(f"{server.url}/project/{record['id']}?lang=en")
        heading = browser.find_element(By.TAG_NAME, "h1").text
        assert CORRECTED in heading and "Green Roofs" not in heading
        assert CORRECTED in browser.find_element(By.TAG_NAME, "main").text
    finally:
        server.stop()
