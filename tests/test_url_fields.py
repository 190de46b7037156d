"""Fields that become IRIs or links accept only absolute http(s) addresses that are valid IRIs.

Issue 14, items 5 and 8: ``javascript:alert(1)`` passed the record schema and became a link,
and an address with ``"``, ``<>``, spaces or control characters passed the schema and then
aborted ``eulod build`` (even with ``--skip-invalid``) and ``eulod validate`` with "Invalid IRI
code point". Now the schema refuses them, and a value that slips past the schema (an importer,
a fact-sheet extraction, the Python validator's lenient ``$``) is refused where the mapping
mints the IRI: either way a problem naming the file, record and field, and the other records
still build.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import unicodedata
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from rdflib.namespace import FOAF

from conftest import EULOD
from eulod.pipeline.build import convert_records
from eulod.core.config import load_settings
from eulod.converters.records import Record, check_record

BASE_RECORD: dict[str, Any] = {
    "id": "demo",
    "language": "en",
    "title": "Demo",
    "source": {"file": "factsheets/demo.txt", "url": "https://example.org/sheet"},
    "website": "https://example.org/",
    "participants": [{"role": "coordinator", "organisation": {"id": "city-of-demo", "name": "City of Demo", "website": "https://demo.example.org/"}}],
    "results": [{"title": "A guide", "url": "https://example.org/guide"}],
    "contacts": [{"role": "Project manager", "name": "Ann Example", "email": "ann@example.org", "organisation": "city-of-demo"}],
}


def _setter(*path: str | int) -> Callable[[dict, Any], None]:
    def put(record: dict, value: Any) -> None:
        target = record
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return put


# Every record field that the mapping turns into an IRI from the text the record gives.
URL_FIELDS: dict[str, Callable[[dict, Any], None]] = {
    "website": _setter("website"),
    "source.url": _setter("source", "url"),
    "participants[0].organisation.website": _setter("participants", 0, "organisation", "website"),
    "results[0].url": _setter("results", 0, "url"),
}

SETTINGS = load_settings(environ={}, personal_data="publish")


def with_value(field: str, value: Any) -> dict:
    record = copy.deepcopy(BASE_RECORD)
    URL_FIELDS[field](record, value)
    return record


def is_safe_web_iri(value: str) -> bool:
    """The oracle: what a published link may be (independent of the code under test)."""
    if not value.startswith(("http://", "https://")):
        return False
    if any(unicodedata.category(c)[0] in "CZ" for c in value):  # controls, format, unassigned, spaces
        return False
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    parts = urlsplit(value)
    return bool(parts.hostname) and "@" not in parts.netloc


# --- strategies: what an attacker writes into a URL field --------------------------------

DANGEROUS_SCHEMES = ["javascript:", "data:", "vbscript:", "file:", "jar:", "livescript:"]


@st.composite
def mixed_case(draw, text: str) -> str:
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    return "".join(c.upper() if flip else c for c, flip in zip(text, flips))


@st.composite
def dangerous_scheme_urls(draw) -> str:
    """javascript: and friends, with the case, whitespace, control-character and entity tricks."""
    scheme = draw(st.sampled_from(DANGEROUS_SCHEMES))
    scheme = draw(mixed_case(scheme))
    trick = draw(st.sampled_from(["none", "lead", "inner", "entity", "percent"]))
    junk = draw(st.sampled_from([" ", "\t", "\n", "\r", "\x00", "\x0b", "\u200b", "\ufeff", "\u00a0", "\x1f"]))
    if trick == "lead":
        scheme = junk * draw(st.integers(1, 3)) + scheme
    elif trick == "inner":
        cut = draw(st.integers(1, len(scheme) - 1))
        scheme = scheme[:cut] + junk + scheme[cut:]
    elif trick == "entity":
        scheme = scheme[:-1] + draw(st.sampled_from(["&#58;", "&#x3a;", "&colon;", "&#0000058"]))
    elif trick == "percent":
        scheme = "%" + format(ord(scheme[0]), "02x") + scheme[1:]
    payload = draw(st.sampled_from(["alert(1)", "alert(document.cookie)", "text/html;base64,PHNjcmlwdD4=", "//example.org/%0aalert(1)"]))
    prefix = draw(st.sampled_from(["", "http:", "https:/"]))  # "http:javascript:..." has no authority either
    return prefix + scheme + payload


BAD_CODE_POINTS = list(' <>"{}|\\^`\t\n\r\x00\x01\x1f\x7f\x80\x85\x9f\u2028\u2029\u200b\u202e\ufeff')


@st.composite
def broken_http_urls(draw) -> str:
    """An http(s) address with a character no IRI may hold, somewhere in it."""
    scheme = draw(st.sampled_from(["http://", "https://"]))
    host = draw(st.sampled_from(["example.org", "www.comune.cesena.fc.it", "münchen.de"]))
    path = draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12))
    bad = draw(st.sampled_from(BAD_CODE_POINTS))
    where = draw(st.sampled_from(["host", "path", "end", "query"]))
    if where == "host":
        return f"{scheme}{host[:3]}{bad}{host[3:]}/{path}"
    if where == "query":
        return f"{scheme}{host}/?q={path}{bad}x"
    if where == "end":
        return f"{scheme}{host}/{path}{bad}"
    return f"{scheme}{host}/{bad}{path}"


any_url_text = st.one_of(
    dangerous_scheme_urls(),
    broken_http_urls(),
    st.text(max_size=40),
    st.builds(lambda s, t: s + t, st.sampled_from(["http://", "https://", "HTTP://", "https:", "//"]), st.text(max_size=30)),
)

FIELDS = st.sampled_from(sorted(URL_FIELDS))


# --- the schema ---------------------------------------------------------------------------


def problem_fields(data: dict) -> set[str]:
    return {p.field for p in check_record(data, "records/demo.yaml")}


def test_the_base_record_is_valid():
    assert check_record(BASE_RECORD, "records/demo.yaml") == []


@pytest.mark.parametrize("field", sorted(URL_FIELDS))
@pytest.mark.parametrize("value", ["javascript:alert(1)", "https://example.org/a\"b", "https://example.org/<x>",
                                   "https://example.org/a b", "data:text/html,<script>alert(1)</script>",
                                   "https://example.org/\n", "https://user:pw@example.org/", "http://", "https:///x"])
def test_the_schema_refuses_an_unsafe_url_naming_the_field(field: str, value: str):
    assert field in problem_fields(with_value(field, value))


@settings(max_examples=300, deadline=None)
@given(field=FIELDS, value=dangerous_scheme_urls())
def test_the_schema_refuses_every_dangerous_scheme(field: str, value: str):
    assert field in problem_fields(with_value(field, value)), value


@settings(max_examples=300, deadline=None)
@given(field=FIELDS, value=broken_http_urls())
def test_the_schema_refuses_invalid_code_points(field: str, value: str):
    assert field in problem_fields(with_value(field, value)), value


@pytest.mark.parametrize("value", ["https://example.org/", "http://www.urbact.eu/conet", "https://münchen.de/rathaus?x=1#top",
                                   "https://example.org/a%20b", "https://[2001:db8::1]:8080/x"])
def test_good_addresses_still_pass(value: str):
    for field in URL_FIELDS:
        assert problem_fields(with_value(field, value)) == set(), (field, value)


def test_contact_fields_that_become_iris_are_checked_too():
    bad_mail = copy.deepcopy(BASE_RECORD)
    bad_mail["contacts"][0]["email"] = 'ann"<x>@example.org'
    assert "contacts[0].email" in problem_fields(bad_mail)
    bad_org = copy.deepcopy(BASE_RECORD)
    bad_org["contacts"][0]["organisation"] = "city of <demo>"
    assert "contacts[0].organisation" in problem_fields(bad_org)


# --- the mapping: a value that slipped past the schema ---------------------------------------


def converted(data: dict):
    """Convert a record as eulod build does, without the schema check in front of it."""
    [outcome] = convert_records([Record(data, "records/demo.jsonl")], SETTINGS)
    return outcome


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=FIELDS, value=any_url_text)
def test_the_mapping_refuses_or_publishes_a_valid_iri(field: str, value: str):
    """Whatever reaches the mapping becomes a problem naming the field, or a safe IRI: never a crash."""
    outcome = converted(with_value(field, value))
    if outcome.problems:
        assert [p.field for p in outcome.problems] == [field], outcome.problems
        assert outcome.graph is None
        return
    links = {str(o) for _s, p, o in outcome.graph if p in (FOAF.homepage, FOAF.page)}
    if value:  # an empty value is left out, never published
        assert value in links
    assert all(is_safe_web_iri(link) for link in links), links
    ox.parse(outcome.graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)


@pytest.mark.parametrize(("field", "value"), [
    ("contacts[0].email", 'ann"<x>@example.org'),
    ("contacts[0].email", "ann@exa mple.org"),
    ("contacts[0].organisation", "city of <demo>"),
])
def test_the_mapping_refuses_contact_values_that_cannot_be_iris(field: str, value: str):
    data = copy.deepcopy(BASE_RECORD)
    data["contacts"][0][field.rsplit(".", 1)[-1]] = value
    outcome = converted(data)
    assert [p.field for p in outcome.problems] == [field]


# --- the command line: one bad record never stops the others ---------------------------------


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_build_and_validate_report_bad_urls_and_build_the_others(tmp_path: Path):
    records = tmp_path / "records"
    records.mkdir()
    good = copy.deepcopy(BASE_RECORD)
    lines = [good]
    bad = {
        "js-link": ("website", "javascript:alert(1)"),
        "quote-link": ("source.url", 'https://example.org/a"b<c>'),
        "newline-link": ("results[0].url", "https://example.org/\n"),  # passes Python's lenient `$`
        "space-link": ("participants[0].organisation.website", "https://example.org/a b"),
        "port-link": ("website", "https://example.org:99999/"),  # passes the schema: the mapping refuses it
    }
    for record_id, (field, value) in bad.items():
        data = with_value(field, value)
        data["id"] = record_id
        lines.append(data)
    (records / "all.jsonl").write_text("".join(json.dumps(d) + "\n" for d in lines), "utf-8")

    built = run("build", str(records), "--build-dir", str(tmp_path / "build"), "--skip-invalid", cwd=tmp_path)
    output = built.stdout + built.stderr
    assert built.returncode == 1, output
    assert "unexpected error" not in output and "Traceback" not in output
    for record_id, (field, _value) in bad.items():
        assert f"record '{record_id}'" in output and field in output, (record_id, output)
    manifest = json.loads((tmp_path / "build" / "current" / "manifest.json").read_text("utf-8"))
    assert manifest["records"] == ["demo"]
    assert sorted(manifest["rejected"]) == sorted(bad)

    checked = run("validate", str(records), cwd=tmp_path)
    output = checked.stdout + checked.stderr
    assert checked.returncode == 1, output
    assert "unexpected error" not in output and "Traceback" not in output
    for record_id, (field, _value) in bad.items():
        assert record_id in output and field in output, (record_id, output)


# --- the importers: a web-address cell becomes a link only when it may be one ---------------


@pytest.mark.parametrize("cell", ["javascript:alert(1)", 'https://example.org/a"b', "https://example.org/<x>",
                                  "https://exa mple.org/", "www.example.org/\u202eevil", "data:text/html,x"])
def test_a_tabular_import_reports_a_bad_web_address_cell(tmp_path: Path, cell: str):
    from eulod.converters.tabular import load_mapping, read_table

    (tmp_path / "projects.csv").write_text(
        "Code,Name,Website\n"
        f'P1,First project,"{cell.replace(chr(34), chr(34) * 2)}"\n'
        "P2,Second project,www.example.org/second\n", "utf-8")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("record: {id: {template: 'x-{Code}', slug: true}, title: Name, "
                       "website: {column: Website, type: url}}\n", "utf-8")
    items = list(read_table(tmp_path / "projects.csv", load_mapping(str(mapping))))
    records = {i.record["id"]: i.record for i in items if i.record is not None}
    assert records == {"x-p2": records["x-p2"]} and records["x-p2"]["website"] == "https://www.example.org/second"
    [problem] = [i.problem for i in items if i.problem is not None]
    assert problem.field == "Website", problem
