"""Errors answer in one consistent way (issue 14, item 10): plain text from /sparql and the
other machine addresses, an HTML page for people when they ask for HTML, ``Vary: Accept``,
and never a traceback or Werkzeug's default page, not even for an unexpected exception.
"""

from __future__ import annotations

import html
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RECORDS, start_server
from test_security_headers import fetch
from eulod.pipeline.build import build
from eulod.core.config import load_settings

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
# What Werkzeug's default error pages and a Python traceback say; no answer may contain it.
LEAKS = (b"Traceback", b"File \"/", b"The requested URL was not found on the server",
         b"The method is not allowed for the requested URL", b"Werkzeug", b"<title>404 Not Found</title>",
         b"<title>405 Method Not Allowed</title>", b"The server encountered an internal error")


def media_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip()


def assert_no_leak(body: bytes) -> None:
    for leak in LEAKS:
        assert leak not in body, f"{leak!r} in the answer:\n{body[:600]!r}"


MACHINE = [("PUT", "/sparql", 405), ("DELETE", "/sparql", 405), ("PATCH", "/sparql", 405),
           ("GET", "/sparql/nothing-here", 404), ("GET", "/dumps/nothing.nt", 404), ("GET", "/static/package.json", 404),
           ("PUT", "/sparql/examples", 405)]
PAGES = [("GET", "/project/no-such-project", 404), ("PUT", "/project/cities-at-heart", 405),
         ("DELETE", "/organisation/cesena-municipality", 405), ("GET", "/no/such/page", 404), ("POST", "/", 405),
         ("GET", "/catalogue.xyz", 404)]


@pytest.mark.server
@pytest.mark.parametrize("accept", ["text/html", "*/*", BROWSER_ACCEPT])
@pytest.mark.parametrize("method, path, status", MACHINE)
def test_machine_addresses_answer_errors_as_plain_text(live_server, method, path, status, accept):
    code, headers, body = fetch(live_server.url + path, accept, method)
    assert code == status
    assert media_type(headers) == "text/plain"
    assert body.decode("utf-8").startswith(f"{status} ") and body.count(b"\n") == 1
    assert "Accept" in headers.get("vary", "")
    assert_no_leak(body)
    if status == 405:
        assert "GET" in headers["allow"]


@pytest.mark.server
@pytest.mark.parametrize("method, path, status", PAGES)
def test_pages_answer_errors_as_html_to_browsers(live_server, method, path, status):
    for accept in ("text/html", BROWSER_ACCEPT):
        code, headers, body = fetch(live_server.url + path, accept, method)
        assert code == status
        assert media_type(headers) == "text/html"
        assert "Accept" in headers.get("vary", "")
        text = body.decode("utf-8")
        assert f'<h1 id="error-status">{status} ' in text and '<nav aria-label="main">' in text  # the site's own page
        assert "default-src 'none'" in headers["content-security-policy"]
        assert_no_leak(body)
        if status == 405:
            assert "GET" in headers["allow"]


@pytest.mark.server
@pytest.mark.parametrize("accept", ["*/*", "text/plain", "application/json", "text/turtle"])
@pytest.mark.parametrize("method, path, status", PAGES)
def test_pages_answer_errors_as_plain_text_to_programs(live_server, method, path, status, accept):
    code, headers, body = fetch(live_server.url + path, accept, method)
    assert code == status
    assert media_type(headers) == "text/plain"
    assert "Accept" in headers.get("vary", "")
    assert body.decode("utf-8").startswith(f"{status} ")
    assert_no_leak(body)


@pytest.mark.server
def test_the_sparql_protocol_errors_stay_as_they_were(live_server):
    """The protocol's own messages (endpoint/sparql.py) keep their text."""
    for accept, status in (("*/*", 400), ("text/html", 406)):
        code, headers, body = fetch(live_server.url + "/sparql?query=SELEC", accept)
        assert code == status and media_type(headers) == "text/plain" and b"Traceback" not in body
        assert not body.startswith(f"{status} ".encode())  # sparql.error()'s text, not this module's


# ------------------------------------------------------------------ an unexpected exception


@pytest.fixture(scope="module")
def broken_server(tmp_path_factory: pytest.TempPathFactory):
    """A real fault: the generation's validation results are not JSON, so a project page fails."""
    build_dir = tmp_path_factory.mktemp("broken-build")
    config = load_settings(environ={}, build_dir=build_dir, records=(RECORDS,), personal_data="publish")
    assert build(config).loaded
    (build_dir / "current" / "validation.json").write_text("{ this is not JSON", "utf-8")
    server = start_server(build_dir, tmp_path_factory.mktemp("broken-logs") / "serve.log")
    yield server
    server.stop()


@pytest.mark.server
def test_an_unexpected_exception_is_logged_and_answered_without_details(broken_server):
    # (*/* asks for the page by its .html name: negotiated, */* would get the Turtle, which works)
    for path, accept, expected in (("/project/cities-at-heart", "text/html", "text/html"),
                                   ("/project/cities-at-heart", BROWSER_ACCEPT, "text/html"),
                                   ("/project/cities-at-heart.html", "*/*", "text/plain")):
        code, headers, body = fetch(broken_server.url + path, accept)
        assert code == 500
        assert media_type(headers) == expected
        assert_no_leak(body)
        assert b"JSONDecodeError" not in body and b"validation.json" not in body and b"line " not in body
        assert headers["x-content-type-options"] == "nosniff"
    log = broken_server.log.read_text("utf-8", errors="replace")
    assert "unexpected error answering GET /project/cities-at-heart" in log
    assert "Traceback" in log and "JSONDecodeError" in log  # the details go to the log, and only there


@pytest.mark.server
def test_the_rest_of_the_site_keeps_working_beside_the_fault(broken_server):
    assert fetch(broken_server.url + "/organisation/cesena-municipality", "text/html")[0] == 200
    assert fetch(broken_server.url + "/sparql?query=ASK%7B%7D", "*/*")[0] == 200


# ------------------------------------------------------------------ any request at all

METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND"])
PATHS = st.one_of(
    st.sampled_from(["/sparql", "/sparql/", "/sparql/examples", "/sparql/yasgui/x.js", "/static/", "/static/css/",
                     "/dumps/", "/dumps/..", "/project/", "/project/cities-at-heart.xyz", "/catalogue.", "/code/",
                     "/ontology.xyz", "/source/nothing", "/?page=0", "/?page=99", "/.well-known/x"]),
    st.lists(st.text(alphabet="abc-_.~%2F/", min_size=1, max_size=8), min_size=1, max_size=4).map(lambda p: "/" + "/".join(p))
    .filter(lambda p: not p.startswith("//")),  # the test client would read "//x" as a host
)
ACCEPTS = st.sampled_from(["text/html", "*/*", BROWSER_ACCEPT, "text/plain", "application/json", "text/turtle",
                           "application/sparql-results+json", "image/png", "text/html;q=0, */*", ""])


@given(METHODS, PATHS, ACCEPTS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_error_is_short_plain_text_or_an_html_page(client, method, path, accept):
    headers = {"Accept": accept} if accept else {}
    response = client.open(path, method=method, headers=headers)
    if response.status_code < 400:
        return
    body = response.get_data()
    assert_no_leak(body)
    assert response.status_code != 500, body[:300]
    assert response.mimetype in ("text/plain", "text/html"), (method, path, response.mimetype)
    assert "Accept" in response.headers.get("Vary", "")
    if path.startswith(("/sparql", "/dumps/", "/static/")):
        assert response.mimetype == "text/plain"
    if response.mimetype == "text/html":
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_the_error_page_is_translated(client):
    response = client.get("/no/such/page?lang=it", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.headers["Content-Language"] == "it"
    assert "Vai all'elenco dei progetti" in html.unescape(response.get_data(as_text=True))
    messages = {lang: json.loads((RECORDS.parent.parent / "endpoint" / "translations" / f"{lang}.json").read_text("utf-8"))
                for lang in ("en", "it")}
    assert {k for k in messages["en"] if k.startswith("error.")} == {k for k in messages["it"] if k.startswith("error.")}
