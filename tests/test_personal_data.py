"""``personal_data = role-only | omit`` keeps contact persons out of everything a build publishes.

Issue 14, item 4: with role-only and omit the contact fields were dropped from the RDF, but the
copied fact sheets (``/source/*``) still showed the contact persons' names and e-mails, and
so did a curator's note naming a person (``skos:editorialNote``: project page, SPARQL, dumps).

The seed records and fact sheets (which name their contacts), plus a record whose note and
description name contact persons, are built with each setting; then every file of the
generation and every page a visitor can fetch is searched for each contact's name and
e-mail. With ``publish`` they must be found, so the search itself is shown to work.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

from conftest import DATA, EULOD, RECORDS, ROOT, start_server
from eulod.converters.extract import extract_file

EXTRA = ROOT / "tests" / "data" / "personal-data"
FACTSHEETS = DATA / "factsheets"


def seed_contacts() -> dict[str, set[str]]:
    """Every contact person's name and e-mail stated anywhere in the inputs: records and fact sheets."""
    names: set[str] = set()
    emails: set[str] = set()
    contacts = []
    for path in [*sorted(RECORDS.glob("*.yaml")), *sorted(EXTRA.glob("*.yaml"))]:
        contacts += yaml.safe_load(path.read_text("utf-8")).get("contacts", [])
    for sheet in sorted(FACTSHEETS.iterdir()):
        draft = extract_file(sheet)
        contacts += (draft.record or {}).get("contacts", [])
    for contact in contacts:
        if contact.get("name"):
            names.add(contact["name"])
        if contact.get("email"):
            emails.add(contact["email"])
    return {"names": names, "emails": emails}


_CONTACTS: dict[str, set[str]] = {}


def contacts() -> dict[str, set[str]]:
    """seed_contacts() on first use: the fact sheets' extraction (~2 s) delayed every run of the suite
    when it ran at import."""
    if not _CONTACTS:
        _CONTACTS.update(seed_contacts())
    return _CONTACTS


def needles() -> list[str]:
    return sorted(contacts()["names"] | contacts()["emails"])


@pytest.mark.slow  # extracts every fact sheet: ~2 s
def test_the_inputs_name_the_contacts_the_issue_is_about():
    """The search is only worth something if the inputs hold the people: guard against an empty list."""
    assert {"Matteo Gaggi", "Elena Giovanni", "Roberto Zoffoli", "Sofia Burioli", "Giulia Bianchi"} <= contacts()["names"]
    assert {"gaggi_m@unionevallesavio.it", "partnership@cesie.org", "giulia.bianchi@comune.cesena.fc.it"} <= contacts()["emails"]


def found_in(text: str) -> set[str]:
    """The needles in ``text``, case-insensitively and across line breaks (a name may wrap)."""
    folded = " ".join(text.split()).casefold()
    return {needle for needle in needles() if needle.casefold() in folded}


def file_texts(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` as text: store files, listing.sqlite, manifest, sources, dumps (unzipped)."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            texts[str(path.relative_to(folder))] = data.decode("utf-8", "replace")
    return texts


def fetch(url: str, accept: str = "text/html") -> str:
    request = urllib.request.Request(url, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode("utf-8", "replace")


CONSTRUCT_ALL = "CONSTRUCT { ?s ?p ?o } WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


def pages(url: str, generation: Path) -> dict[str, str]:
    """Every page a visitor can fetch about the data: home, projects, records, sources, SPARQL, dumps."""
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    paths = ["/", "/?lang=it"]
    for record_id in manifest["records"]:
        paths += [f"/project/{record_id}", f"/project/{record_id}.ttl", f"/record/{record_id}", f"/record/{record_id}.ttl"]
    for name in sorted(set(manifest["sources"].values())):
        paths += [f"/source/{name}", f"/source/{name}.ttl"]
    paths += [f"/dumps/{name.removesuffix('.gz')}" for name in manifest["dumps"]]  # served uncompressed
    texts = {path: fetch(url + path) for path in paths}
    query = urllib.parse.urlencode({"query": CONSTRUCT_ALL})
    texts["/sparql CONSTRUCT"] = fetch(f"{url}/sparql?{query}", "application/n-triples")
    with urllib.request.urlopen(f"{url}/dumps/eulod.nt.gz", timeout=60) as response:
        texts["/dumps/eulod.nt.gz"] = gzip.decompress(response.read()).decode("utf-8")
    return texts


@pytest.fixture(scope="module", params=["role-only", "omit", "publish"])
def published(request, tmp_path_factory: pytest.TempPathFactory):
    """(setting, generation folder, {what: text} of its files and of its pages over HTTP)."""
    mode = request.param
    base = tmp_path_factory.mktemp(f"personal-{mode}")
    build_dir = base / "build"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    result = subprocess.run(
        [str(EULOD), "build", str(RECORDS), str(FACTSHEETS), str(EXTRA), "--build-dir", str(build_dir),
         "--personal-data", mode],
        cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    generation = (build_dir / "current").resolve()
    assert generation.parent == build_dir / "generations"
    texts = {f"file {name}": text for name, text in file_texts(generation).items()}
    server = start_server(build_dir, base / "serve.log")
    try:
        texts.update({f"page {path}": text for path, text in pages(server.url, generation).items()})
    finally:
        server.stop()
    return mode, generation, texts


@pytest.mark.server
def test_no_contact_person_is_published_without_publish(published):
    mode, generation, texts = published
    # What is searched: every file of the generation, sources and store included, and the pages.
    assert {"manifest.json", "validation.json", "listing.sqlite"} <= {n[5:] for n in texts if n.startswith("file ")}
    assert any(n.startswith("file store/") for n in texts) and any(n.startswith("file sources/") for n in texts)
    assert any(n.startswith("page /source/") for n in texts) and "page /sparql CONSTRUCT" in texts
    leaks = {where: sorted(found_in(text)) for where, text in texts.items() if found_in(text)}
    if mode == "publish":
        # The same search finds every contact when they are published: it can fail.
        everything = "\n".join(text for where, text in texts.items() if where.startswith("page "))
        assert found_in(everything) == set(needles())
        assert found_in(texts["file sources/000_541b14564dc59dea.txt"]) >= {"Matteo Gaggi", "gaggi_m@unionevallesavio.it"}
        assert found_in(texts["page /project/note-names-contacts"]) >= {"Giulia Bianchi", "Roberto Zoffoli"}
        return
    assert leaks == {}, f"personal data published with personal_data = {mode}: {json.dumps(leaks, indent=1)}"


@pytest.mark.server
def test_redacted_texts_say_so_and_keep_the_rest(published):
    """Redaction, not withholding: the notes and fact sheets are still there, with a marker."""
    mode, _generation, texts = published
    if mode == "publish":
        pytest.skip("nothing is redacted when personal data is published")
    sheet = texts["page /source/000_541b14564dc59dea.txt"]
    assert "[personal data removed]" in sheet and "Economic Development Sector" in sheet
    note = texts["page /project/note-names-contacts"]
    assert "confirmed by phone with [personal data removed]" in note
    assert "Ms [personal data removed] also wrote" in note  # a surname alone, in the person's own record
    assert "0547" not in note  # the phone number too
    conet = texts["page /source/004_fd8f106ac58b7d0c.txt"]
    assert "Città di Sofia" in conet  # another record's contact's first name is a city here: left alone


# --- the redactor itself, property-based -------------------------------------------------------

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

from eulod.converters.personal import MARKER, Redactor  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyzàèéìòùçñäöü"
name_words = st.text(LETTERS, min_size=2, max_size=10).map(str.capitalize)
names = st.lists(name_words, min_size=2, max_size=3).map(" ".join)
filler = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@st.composite
def written(draw, name: str) -> str:
    """A name as a text may write it: any case, wrapped, emphasised, quoted, in brackets."""
    words = name.split()
    separator = draw(st.sampled_from([" ", "  ", "\n", " \n  ", "** **", "_ "]))
    text = separator.join(words)
    text = draw(st.sampled_from([str.upper, str.lower, str.title, lambda t: t]))(text)
    left, right = draw(st.sampled_from([("", ""), ('"', '"'), ("(", ")"), ("**", "**"), ("«", "»"), ("Ms ", ".")]))
    return left + text + right


@hsettings(max_examples=300, deadline=None)
@given(data=st.data(), name=names, before=filler, after=filler)
def test_a_contact_name_never_survives_redaction(data, name: str, before: str, after: str):
    text = f"{before} {data.draw(written(name))} {after}"
    redacted = Redactor([name]).redact(text)
    assert " ".join(name.split()).casefold() not in " ".join(redacted.split()).casefold()
    assert MARKER in redacted


@hsettings(max_examples=300, deadline=None)
@given(email=st.emails(), before=filler, after=filler, obfuscate=st.booleans())
def test_no_e_mail_address_survives_redaction(email: str, before: str, after: str, obfuscate: bool):
    """Every address, not only the contacts' own: the pattern, with '[at]' and '(dot)' forms."""
    local, domain = email.rsplit("@", 1)
    shown = f"{local} [at] {domain.replace('.', ' (dot) ')}" if obfuscate else email
    redacted = Redactor().redact(f"{before} {shown} {after}")
    assert email.casefold() not in redacted.casefold() and shown.casefold() not in redacted.casefold()
    assert f"@{domain}".casefold() not in redacted.casefold()


long_names = st.lists(st.text(LETTERS, min_size=3, max_size=10).map(str.capitalize), min_size=2, max_size=3).map(" ".join)


@hsettings(max_examples=200, deadline=None)
@given(name=long_names, other=names)
def test_a_part_of_a_name_goes_only_where_the_person_is_a_contact(name: str, other: str):
    """'Ms Bianchi' in the person's own record goes; another name is left as it is."""
    surname = name.split()[-1]
    own = Redactor(parts_of=[name]).redact(f"Ms {surname}.")
    assert own == f"Ms {MARKER}."
    untouched = f"{other} wrote"
    if not {w.casefold() for w in other.split()} & {w.casefold() for w in name.split()}:
        assert Redactor([name]).redact(untouched) == untouched


def every_free_text_record(name: str, email: str) -> dict:
    """A record whose every free-text field, result and contact text names ``name`` and ``email``."""
    from eulod.converters import rdf

    says = f"Ask {name} ({email}) for details."
    data = {"id": "every-free-text", "language": "en", "source": {"file": f"{name}.txt"}, "notes": says,
            "contacts": [{"name": name, "email": email, "role": f"press, {says}", "office": says}],
            "results": [{"title": says, "description": says}]}
    for key, _, convert in rdf.PROJECT_FIELDS:
        if key in rdf._FREE_FIELDS:
            data[key] = [says] if convert is not rdf._texts else says
    return data


@pytest.mark.parametrize("mode", ["role-only", "omit"])
def test_every_free_text_predicate_is_redacted_in_the_mapping(mode: str):
    """The mapping sends only free texts through the redactor (issue 15: wrapping every triple cost a
    quarter of its time); every predicate of ``_FREE_TEXT`` must therefore be reached by a field this
    record fills, and none of its literals may keep the contact's name or e-mail."""
    from eulod.converters import rdf
    from eulod.converters.records import Record

    name, email = "Ottavia Quirini", "o.quirini@example.org"
    mapper = rdf.RecordMapper(rdf.MappingOptions("http://127.0.0.1:5000/", mode, persons=frozenset({name})))
    sink = rdf.NTriplesSink()
    captured: list[tuple[str, object]] = []

    class Capture:
        def add(self, subject: str, predicate: str, obj: object) -> None:
            captured.append((str(predicate), obj))
            sink.add(subject, predicate, obj)

    mapper.emit(Capture(), Record(every_free_text_record(name, email), "every.yaml", 1))
    texts = {(predicate, obj.lexical) for predicate, obj in captured if isinstance(obj, rdf.Lit)}
    reached = {predicate for predicate, _ in texts}
    expected = set(rdf._FREE_TEXT) - ({str(rdf._vcard.role), str(rdf._vcard["organization-unit"])}
                                      if mode == "omit" else set())
    assert expected <= reached, f"free-text predicates no field of the test record fills: {expected - reached}"
    leaks = sorted(text for _, text in texts if name.split()[1] in text or email in text)
    assert leaks == []
    assert any("[personal data removed]" in text for _, text in texts)
