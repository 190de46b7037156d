"""Security headers on every response, a Content-Security-Policy without inline script that
the pages and the SPARQL editor live with, and only an allow-list of static files (issue 14, item 5).
"""

from __future__ import annotations

import base64
import hashlib
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.endpoint import security
from eulod.endpoint.sparql import YASGUI_BUILD

pytestmark = pytest.mark.server

PAGES = ["/", "/?lang=it", "/project/cities-at-heart", "/organisation/cesena-municipality", "/code/programme/URBACT",
         "/code/programme", "/ontology", "/catalogue", "/source/000_541b14564dc59dea.txt", "/sparql",
         "/project/cities-at-heart/contact/1", "/no-such-page"]
OTHERS = ["/sparql?query=ASK%7B%7D", "/project/cities-at-heart.ttl", "/catalogue.jsonld", "/sparql/examples",
          "/static/css/eulod.css", "/static/js/sparql-editor.js", "/sparql/yasgui/yasgui.min.js", "/dumps/eulod.nt",
          "/static/package.json", "/sparql/nothing"]


def fetch(url: str, accept: str = "*/*", method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


@pytest.mark.parametrize("path", PAGES + OTHERS)
def test_every_response_forbids_sniffing_framing_and_leaking_the_referrer(live_server, path):
    _status, headers, _body = fetch(live_server.url + path, accept="text/html" if path in PAGES else "*/*")
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("x-frame-options") == "DENY"
    assert headers.get("referrer-policy") in ("strict-origin-when-cross-origin", "no-referrer")
    assert directives(headers.get("content-security-policy", "")).get("frame-ancestors") == ["'none'"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_allow_no_inline_script_and_no_inline_style(live_server, path):
    status, headers, _body = fetch(live_server.url + path, accept="text/html")
    assert headers["content-type"].startswith("text/html"), (status, path)
    policy = directives(headers["content-security-policy"])
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "style-src"):
        assert "'unsafe-inline'" not in policy[directive] and "'unsafe-eval'" not in policy[directive]
        assert not any(source.startswith(("'nonce-", "http", "*", "data:")) for source in policy[directive])
    assert policy["script-src"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"] and policy.get("object-src", ["'none'"]) == ["'none'"]


class Inline(HTMLParser):
    """What a page would need 'unsafe-inline' for: inline scripts, <style>, style="", on*=""."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._tag = ""

    def handle_starttag(self, tag, attrs):
        self._tag = tag
        names = {name for name, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        self.found += [f"{tag} {name}=" for name in names if name == "style" or name.startswith("on")]
        self.found += [f"{tag} {name}=javascript:" for name, value in attrs
                       if value and name in ("href", "src", "action") and value.strip().lower().startswith("javascript:")]


@pytest.mark.parametrize("path", PAGES)
def test_pages_hold_no_inline_script_or_style(live_server, path):
    _status, _headers, body = fetch(live_server.url + path, accept="text/html")
    parser = Inline()
    parser.feed(body.decode("utf-8"))
    assert parser.found == [], f"{path}: {parser.found}"


def test_the_style_hashes_are_those_yasgui_injects():
    """The two hashes in the policy are of the <style> texts YASGUI's column-resizer adds, as installed."""
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed (npm)")
    code = (YASGUI_BUILD / "yasgui.min.js").read_text("utf-8")
    fixed = re.findall(r"createStyle\(\w+,`([^`]*)`\)", code)
    default_cursor = re.search(r"dragCursor:`([^`]*)`", code).group(1)
    texts = fixed + [f"*{{cursor:{default_cursor}!important}}"]
    assert "*{cursor:`+" in code, "the drag cursor rule is still built as '*{cursor:' + dragCursor + '!important}'"

    def digest(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"

    assert sorted(map(digest, texts)) == sorted(security.YASGUI_STYLE_HASHES)


# ------------------------------------------------------------------ static files


@pytest.mark.parametrize("path, media_type", [
    ("/static/css/eulod.css", "text/css"), ("/static/css/docs.css", "text/css"),
    ("/static/js/sparql-editor.js", "text/javascript"),
])
def test_the_pages_own_static_files_are_served(live_server, path, media_type):
    status, headers, body = fetch(live_server.url + path)
    assert status == 200 and headers["content-type"].split(";")[0] in (media_type, "application/javascript") and body


def test_the_two_yasgui_files_are_served(live_server):
    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed (npm)")
    for name in ("yasgui.min.js", "yasgui.min.css"):
        assert fetch(live_server.url + "/sparql/yasgui/" + name)[0] == 200


NOT_SERVED = [
    "package.json", "package-lock.json", "node_modules/@zazuko/yasgui/package.json",
    "node_modules/@zazuko/yasgui/build/yasgui.min.js", "node_modules/@zazuko/yasgui/build/yasgui.min.js.map",
    "node_modules/jquery/dist/jquery.js", "node_modules/.package-lock.json", ".gitignore", "css/.hidden.css",
    "css/../package.json", "css/%2e%2e/package.json", "css/..%2fpackage.json", "css%2f..%2fpackage.json",
    "js/../../sparql.py", "css//eulod.css", "CSS/eulod.css", "css/eulod.css/", "css\\..\\package.json",
    "css/eulod.css%00.json", "js/sparql-editor.js.map", "css/eulod.CSS", "./package.json", "%2e/package.json",
]


@pytest.mark.parametrize("name", NOT_SERVED)
def test_nothing_else_under_static_is_served(live_server, name):
    status, headers, body = fetch(live_server.url + "/static/" + name)
    assert status == 404, name
    assert headers["content-type"].startswith("text/plain") and b'"name"' not in body


@given(st.lists(st.one_of(
    st.sampled_from(["css", "js", "node_modules", "..", ".", "%2e%2e", "%2E", "%2f", "@zazuko", "yasgui", "build", ""]),
    st.sampled_from(["package.json", "package-lock.json", "eulod.css", "sparql-editor.js", ".env", "yasgui.min.js"]),
    st.text(alphabet="abc./\\%2eEfF_-", max_size=8),
), min_size=1, max_size=5))
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_only_allowed_static_files_are_served(live_server, parts):
    path = "/".join(parts)
    status, headers, body = fetch(live_server.url + "/static/" + path)
    if status == 200:
        folder, _slash, name = path.partition("/")
        assert folder in security.STATIC_FILES and "/" not in name and not name.startswith(".")
        assert (security.STATIC / folder / name).is_file()
    assert b'"dependencies"' not in body and b'"lockfileVersion"' not in body


# ------------------------------------------------------------------ in a real browser

VIOLATIONS = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push([e.violatedDirective, e.blockedURI, e.sourceFile, e.lineNumber].join(' '));
});
"""


@pytest.fixture()
def watched(browser):
    """The browser, recording every CSP violation of every page from its first byte on."""
    registered = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": VIOLATIONS})
    browser.get_log("browser")  # drop what earlier tests left
    yield browser
    browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": registered["identifier"]})


def violations(browser) -> list[str]:
    events = browser.execute_script("return window.__csp || null")
    assert events is not None, "the violation listener was installed"
    logged = [e["message"] for e in browser.get_log("browser")
              if "Content Security Policy" in e["message"] or "Content-Security-Policy" in e["message"]]
    return events + logged


@pytest.mark.parametrize("path", [p for p in PAGES if p != "/sparql"])
def test_pages_work_under_the_policy_without_violations(watched, live_server, path):
    from selenium.webdriver.common.by import By

    watched.get(live_server.url + path)
    assert watched.find_element(By.TAG_NAME, "main").text.strip()
    stylesheets = watched.execute_script("return document.styleSheets.length")
    assert stylesheets >= 1, "the site's stylesheet applied"
    assert violations(watched) == []


def test_the_sparql_editor_works_under_the_policy_without_violations(watched, live_server):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    if not (YASGUI_BUILD / "yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed (npm)")
    watched.get(live_server.url + "/sparql")
    wait = WebDriverWait(watched, 20)
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".yasgui .tabsList .tab")) >= 2)
    button = wait.until(expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, ".tabPanel.active .yasqe_queryButton")))
    button.click()
    cells = ".tabPanel.active .yasr table tbody tr"
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, cells)) > 0)
    grips = watched.find_elements(By.CSS_SELECTOR, ".tabPanel.active .grip-handle")
    if grips:  # dragging a column adds YASGUI's second <style>
        ActionChains(watched).click_and_hold(grips[0]).move_by_offset(20, 0).release().perform()
    # completion stays local: nothing typed is sent to another site
    completers = watched.execute_script("return window.eulodYasgui.getTab().getYasqe().config.autocompleters")
    assert sorted(completers) == ["prefixes", "variables"]
    assert violations(watched) == []
