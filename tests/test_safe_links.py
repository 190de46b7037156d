"""Only http(s) URLs and the site's own paths become links (issue 14, item 5).

A record's ``source.url: "javascript:alert(1)"`` used to render as a clickable link. The
record schema is tightened elsewhere; these tests check the pages on their own: hostile
values are written straight into a built store (pyoxigraph, lenient N-Triples so that even
values no valid IRI can hold get in, as a remote store could hand them over), the real
server serves it, and every link target on every page must resolve, as a browser resolves
it, to http(s), and to this site when it is relative. The filter itself is checked with
hypothesis against the scheme tricks an attacker tries, and against Chromium's own URL
parser.
"""

from __future__ import annotations

import re
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import RECORDS, start_server
from eulod.pipeline.build import build
from eulod.core.config import load_settings
from eulod.endpoint.links import link_to, safe_href, safe_mailto

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "endpoint" / "templates"
BASE = "http://127.0.0.1:5000/"  # the default base IRI of the data
PROJECT = BASE + "project/cities-at-heart"
ORGANISATION = BASE + "organisation/cesena-municipality"
PROGRAMME = "https://w3id.org/eulod/code/programme/URBACT"
GENERIC = BASE + "hostile/links"  # a resource of no page type: the generic Linked Data page
EULOD = "https://w3id.org/eulod/ontology#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"

# ------------------------------------------------------------------ what an attacker writes

HOSTILE_SCHEMES = ("javascript", "data", "vbscript", "file", "blob", "livescript", "jar", "view-source")
# Characters a browser strips before the scheme (C0 controls and space) or drops inside it
# (tab, LF, CR), and look-alikes that it does not strip but a careless check might.
STRIPPED = [chr(c) for c in range(0x00, 0x21)] + ["\x7f"]
LOOK_ALIKES = ["\u00a0", "\u200b", "\u2028", "\ufeff", "\u3000"]
NOISE = st.sampled_from(STRIPPED + LOOK_ALIKES)


@st.composite
def mixed_case(draw, word: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    return "".join(c.upper() if flip else c for c, flip in zip(word, flips))


@st.composite
def with_noise(draw, word: str) -> str:
    """``word`` with stripped or dropped characters inserted before it and inside it."""
    chars = list(word)
    for _ in range(draw(st.integers(1, 3))):
        chars.insert(draw(st.integers(0, len(chars))), draw(NOISE))
    return "".join(chars)


@st.composite
def hostile_scheme_urls(draw) -> str:
    scheme = draw(st.sampled_from(HOSTILE_SCHEMES))
    scheme = draw(st.one_of(st.just(scheme), mixed_case(scheme)))
    written = draw(st.one_of(
        st.just(scheme + ":"),
        with_noise(scheme + ":"),
        st.just("&#x" + format(ord(scheme[0]), "x") + ";" + scheme[1:] + ":"),  # entity for the first letter
        st.just("&#" + str(ord(scheme[0])) + ";" + scheme[1:] + ":"),
        st.just(scheme + "&colon;"),
        st.just(scheme + "&#58;"),
        st.just("%" + format(ord(scheme[0]), "02X") + scheme[1:] + ":"),
    ))
    body = draw(st.sampled_from(["alert(1)", "alert(document.domain)//", "text/html,<script>alert(1)</script>",
                                 "text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "msgbox(1)", "//evil.example"]))
    return written + body


# Another host while looking like a path: protocol-relative, backslashes (browsers read "\" as
# "/" in http(s) URLs), and the same with the characters browsers drop.
OTHER_HOST = st.one_of(
    st.sampled_from(["//evil.example", "///evil.example", "\\\\evil.example", "/\\evil.example", "\\/evil.example",
                     "https:\\\\evil.example", "http:/\\evil.example", "/\t/evil.example", "/\n/evil.example",
                     " //evil.example", "\x00//evil.example", "https:evil.example"]),
    st.builds(lambda a, b: a + b + "evil.example", st.sampled_from(["//", "\\\\", "/\\", "\\/"]), NOISE),
    with_noise("//evil.example"),
)
HOSTILE = st.one_of(hostile_scheme_urls(), OTHER_HOST)


def browser_resolution(href: str, base: str) -> urllib.parse.SplitResult | None:
    """Where a browser sends a click on ``href`` in a page at ``base`` (WHATWG URL parsing,
    as far as it matters here): leading and trailing C0 controls and spaces are stripped,
    tabs and newlines removed everywhere, and a backslash counts as a slash. None for a
    URL that cannot be parsed (such as ``http://[``), which a browser does not follow."""
    cleaned = href.strip("".join(chr(c) for c in range(0x21)))
    cleaned = re.sub(r"[\t\n\r]", "", cleaned).replace("\\", "/")
    try:
        return urllib.parse.urlsplit(urllib.parse.urljoin(base, cleaned))
    except ValueError:
        return None


def harmless(href: str, base: str) -> bool:
    """``href`` goes to an http(s) address, and a relative one stays on the site at ``base``."""
    resolved = browser_resolution(href, base)
    if resolved is None:
        return True
    if resolved.scheme not in ("http", "https"):
        return False
    written_scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", href)
    return bool(written_scheme) or resolved.netloc == urllib.parse.urlsplit(base).netloc


# ------------------------------------------------------------------ the filter itself


@given(HOSTILE)
@settings(max_examples=500)
def test_no_scheme_trick_becomes_a_link(value):
    assert safe_href(value) is None
    assert "<a" not in link_to(value, "text")


@given(st.one_of(HOSTILE, st.text(), st.builds(lambda a, b: a + b, st.sampled_from(
    ["http://", "https://", "HTTP://", "/", "//", "?", "#", "http:", "https:/", "mailto:", ""]), st.text())))
@settings(max_examples=1000)
def test_whatever_becomes_a_link_is_harmless(value):
    accepted = safe_href(value)
    if accepted is not None:
        assert accepted == value  # nothing stripped, decoded or rewritten
        assert harmless(value, "http://site.example/project/x")


@given(st.sampled_from(["http", "https", "HTTP", "Https"]),
       st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?(\.[a-z]{2,6}){1,2}(:[0-9]{2,5})?", fullmatch=True),
       st.from_regex(r"(/[A-Za-z0-9._~%!$&'()*+,;=:@-]{1,12}){0,4}(\?[A-Za-z0-9=&%-]{0,12})?(#[A-Za-z0-9-]{0,8})?",
                     fullmatch=True))
def test_web_addresses_and_site_paths_stay_links(scheme, host, path):
    url = f"{scheme}://{host}{path}"
    assert safe_href(url) == url
    if path.startswith("/"):
        assert safe_href(path) == path


def test_link_to_escapes_text_and_attributes():
    html = str(link_to('https://example.org/?a=1&b="2"', "<b>x</b>", title='"t"', class_="brand", data_x=None))
    assert html == ('<a href="https://example.org/?a=1&amp;b=&#34;2&#34;" title="&#34;t&#34;" class="brand">'
                    "&lt;b&gt;x&lt;/b&gt;</a>")
    assert str(link_to("javascript:alert(1)", "<i>x</i>")) == "&lt;i&gt;x&lt;/i&gt;"


@given(st.one_of(HOSTILE, st.text()))
def test_mail_links_keep_their_own_scheme(address):
    href = safe_mailto(address)
    if href is not None:
        assert href.startswith("mailto:") and harmless_mailto(href)


def harmless_mailto(href: str) -> bool:
    resolved = browser_resolution(href, "http://site.example/")
    return resolved is not None and resolved.scheme == "mailto"


# ------------------------------------------------------------------ every template uses it

HREF = re.compile(r"""\b(?:href|src|action|formaction|xlink:href)\s*=\s*(["'])(.*?)\1""", re.S)
CHECKED = re.compile(r"\{\{\s*[^{}]*\|\s*(safe_href|safe_mailto)\s*\}\}")


def test_every_link_target_in_the_templates_goes_through_the_check():
    """A target is fixed text, ``url_for(...)``, or a value piped through ``safe_href``; data
    reaches a link only through that filter or ``link_to``."""
    unchecked = []
    for template in sorted(TEMPLATES.glob("*.html")):
        for match in HREF.finditer(template.read_text("utf-8")):
            target = match.group(2)
            if "{{" not in target and "{%" not in target:
                continue
            if CHECKED.fullmatch(target) or re.fullmatch(r"\{\{\s*url_for\([^{}]*\)\s*\}\}", target):
                continue
            unchecked.append(f"{template.name}: {match.group(0)}")
    assert not unchecked, "link targets built from data without safe_href/link_to:\n" + "\n".join(unchecked)


def test_python_code_builds_no_link_without_the_check():
    """A module that writes link markup itself (the ontology diagram) checks its targets too."""
    offenders = [module.name for module in sorted((ROOT / "endpoint").glob("*.py"))
                 if re.search(r"<a\s+href", module.read_text("utf-8")) and module.name != "links.py"
                 and "safe_href(" not in module.read_text("utf-8")]
    assert not offenders, f"modules writing <a href> without safe_href: {offenders}"


# ------------------------------------------------------------------ pages over a hostile store

# Values a browser would follow somewhere other than an http(s) address or this site.
# Those no valid IRI can hold (whitespace, "<", "\") get into the store through lenient
# N-Triples, as a remote store could hand them over.
HOSTILE_VALUES = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", "javascript:alert(document.domain)//", " javascript:alert(1)",
    "\tjavascript:alert(1)", "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)",
    "&#x6a;avascript:alert(1)", "&#106;avascript:alert(1)", "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>", "DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)", "VBScript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "\\\\evil.example\\x",
    "/\\evil.example", "https:\\\\evil.example", BASE + "/evil.example/x",  # the last one: local() makes it //evil.example/x
]
FIRST = HOSTILE_VALUES[0]  # the issue's own example, in every single-valued place


def nt_iri(value: str) -> str:
    """``value`` as an N-Triples IRI term, escaping what the syntax cannot hold as such."""
    return "<" + "".join(c if c.isprintable() and c not in '<>\\"{}|^`' and not c.isspace()
                         else f"\\u{ord(c):04X}" for c in value) + ">"


def nt_literal(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_triples(source: str) -> str:
    """Hostile link targets in every place a page shows one."""
    lines = [
        f"<{PROJECT}> <{FOAF}homepage> {nt_iri(FIRST)} .",
        f"<{ORGANISATION}> <{FOAF}homepage> {nt_iri(FIRST)} .",
        f"<{source}> <{FOAF}page> {nt_iri(FIRST)} .",
        f"<{GENERIC}> <{RDFS}label> \"hostile links\" .",
        f"<{GENERIC}> {nt_iri(FIRST)} <{PROJECT}> .",  # a hostile predicate: the generic page links predicates too
    ]
    for number, value in enumerate(HOSTILE_VALUES):
        result = f"{PROJECT}/result/hostile-{number}"
        lines += [
            f"<{PROJECT}> <{EULOD}fund> {nt_iri(value)} .",  # a list on the project page, through local()
            f"<{PROJECT}> <{EULOD}result> <{result}> .",
            f"<{result}> <{DCT}title> {nt_literal(f'hostile result {number}')} .",
            f"<{result}> <{FOAF}page> {nt_iri(value)} .",
            f"{nt_iri(value)} <{SKOS}broader> <{PROGRAMME}> .",  # a narrower programme of URBACT
            f"<{GENERIC}> <{RDFS}seeAlso> {nt_iri(value)} .",
        ]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory):
    """The sample records built, then hostile link targets added to the store, served for real."""
    build_dir = tmp_path_factory.mktemp("hostile-build")
    config = load_settings(environ={}, build_dir=build_dir, records=(RECORDS,), personal_data="publish")
    assert build(config).loaded
    store = ox.Store(str(build_dir / "current" / "store"))
    source = next(iter(store.query(
        f"SELECT ?s WHERE {{ <{PROJECT}> <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.w3.org/ns/prov#wasDerivedFrom> ?s }}",
        use_default_graph_as_union=True)))["s"].value
    for subject, predicate in ((PROJECT, FOAF + "homepage"), (ORGANISATION, FOAF + "homepage"), (source, FOAF + "page")):
        for quad in list(store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, None)):
            store.remove(quad)  # the hostile value is then the one the page shows
    quads = list(ox.parse(hostile_triples(source).encode(), format=ox.RdfFormat.N_TRIPLES, lenient=True))
    stored = {q.object.value for q in quads} | {q.subject.value for q in quads}
    assert set(HOSTILE_VALUES) <= stored, "every hostile value made it into the store"
    store.extend(quads)
    store.flush()
    del store
    server = start_server(build_dir, tmp_path_factory.mktemp("hostile-logs") / "serve.log")
    server.source_path = urllib.parse.urlsplit(source).path
    yield server
    server.stop()


class Targets(HTMLParser):
    """Every URL-valued attribute of a page, entities decoded as a browser decodes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "formaction", "xlink:href", "background", "poster") and value is not None:
                self.found.append((tag, name, value))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def page(server, path: str) -> tuple[str, Targets]:
    request = urllib.request.Request(server.url + path, headers={"Accept": "text/html"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        body = response.read().decode("utf-8")
    parser = Targets()
    parser.feed(body)
    return body, parser


HOSTILE_PAGES = {
    "project": "/project/cities-at-heart",
    "organisation": "/organisation/cesena-municipality",
    "programme": "/code/programme/URBACT",
    "generic": "/hostile/links",
    "result": "/project/cities-at-heart/result/hostile-0",
}


@pytest.mark.server
@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES) + ["source"])
def test_pages_over_hostile_data_link_only_to_the_web(hostile_server, name):
    path = hostile_server.source_path if name == "source" else HOSTILE_PAGES[name]
    body, parser = page(hostile_server, path)
    base = hostile_server.url + path
    bad = [(tag, attr, value) for tag, attr, value in parser.found
           if not (value == "data:," and tag == "link")  # the empty favicon of base.html
           and not (tag == "a" and value.startswith("mailto:") and harmless_mailto(value))  # contacts' e-mail
           and not harmless(value, base)]
    assert not bad, f"{path} links where a browser must not go: {bad}"
    assert parser.found, "the page has links at all"


@pytest.mark.server
def test_hostile_values_are_shown_as_text(hostile_server):
    """Not dropped either: the reader sees what the source says, just not as a link."""
    for path, expected in (("/project/cities-at-heart", FIRST), ("/organisation/cesena-municipality", FIRST),
                           (hostile_server.source_path, FIRST), ("/hostile/links", "vbscript:msgbox(1)")):
        _body, parser = page(hostile_server, path)
        assert expected in "".join(parser.text), f"{expected!r} shown as text on {path}"


@pytest.mark.server
def test_good_links_survive_beside_hostile_ones(hostile_server):
    _body, parser = page(hostile_server, "/project/cities-at-heart")
    targets = {value for _tag, _attr, value in parser.found}
    assert "/organisation/cesena-municipality" in targets
    assert "/code/programme/URBACT-IV" in targets
    assert "/project/cities-at-heart/result/hostile-0" in targets


# ------------------------------------------------------------------ in a real browser


@pytest.mark.server
def test_in_chromium_no_link_on_a_hostile_page_leaves_the_web(browser, hostile_server):
    """Chromium's own URL parser says where every link of the hostile pages goes."""
    for path in [*HOSTILE_PAGES.values(), hostile_server.source_path]:
        browser.get(hostile_server.url + path)
        targets = browser.execute_script(
            "return Array.from(document.querySelectorAll('a[href], link[href], [src]'))"
            ".map(e => { const u = new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI);"
            " return [e.tagName, u.protocol, u.origin, e.getAttribute('href') || e.getAttribute('src')]; })"
        )
        origin = hostile_server.url
        bad = [t for t in targets if not (t[1] in ("http:", "https:") and (t[2] == origin or re.match(r"https?:", t[3], re.I)))
               and not (t[0] == "LINK" and t[3] == "data:,")  # the empty favicon of base.html
               and not (t[0] == "A" and t[1] == "mailto:" and t[3].startswith("mailto:"))]  # contacts' e-mail
        assert not bad, f"{path}: {bad}"


@pytest.mark.server
@given(st.lists(st.one_of(HOSTILE, st.text(max_size=30), st.builds(lambda a, b: a + b, st.sampled_from(
    ["http://", "https://", "/", "//", "?", "#", "HtTp://", "\\"]), st.text(max_size=20))), min_size=1, max_size=40))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_chromium_agrees_that_accepted_targets_are_harmless(browser, hostile_server, values):
    """What safe_href lets through, Chromium resolves to http(s), on this site when relative."""
    accepted = [v for v in values if safe_href(v) is not None]
    if not accepted:
        return
    if not browser.current_url.startswith(hostile_server.url):
        browser.get(hostile_server.url + "/hostile/links")
    resolved = browser.execute_script(
        "return arguments[0].map(v => { const u = new URL(v, document.baseURI); return [u.protocol, u.origin]; })",
        accepted,
    )
    for value, (protocol, origin) in zip(accepted, resolved):
        assert protocol in ("http:", "https:"), value
        if not re.match(r"https?:", value, re.I):
            assert origin == hostile_server.url, value
