"""``eulod review``'s save path without a browser: what is written, what is refused, and why.

The page is driven through Flask's test client with the requests a browser sends (a form
post with the page's token), against real fact sheets in a temporary folder, extracted by the
real extractor; the saved records are read back by the build's own loader.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
import yaml

from eulod.cli import main
from eulod.converters.records import check_record
from eulod.converters.sources import load_sources
from eulod.review.app import ReviewState, create_app
from eulod.review.curate import SheetProblem, make_sheet, write_atomically

SHEET = """# Green Roofs for Cities

Start date: 1 March 2021
End date: 28 February 2023
Programme: URBACT
Total budget: EUR 1,000,000

Hostile: <script>alert(1)</script> <img src=x onerror=alert(2)> "quoted" & more
"""
PORT = 8123
BASE = f"http://127.0.0.1:{PORT}"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    sheets = tmp_path / "factsheets"
    sheets.mkdir()
    (sheets / "green-roofs.txt").write_text(SHEET, "utf-8")
    return sheets


@pytest.fixture()
def review(folder: Path):
    state = ReviewState([make_sheet(folder / "green-roofs.txt")], port=PORT)
    client = create_app(state).test_client()
    return state, client


def page(client, state: ReviewState, number: int = 0, **headers) -> str:
    response = client.get(f"/{state.key}/sheet/{number}", base_url=BASE, headers=headers)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def form_of(html: str) -> dict[str, str]:
    """The values a browser would submit from the page, unchanged (checkboxes unticked)."""
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        if name and 'type="checkbox"' not in tag:
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = _unescape(value.group(1) if value else "")
    for name, body in re.findall(r'<textarea name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[name] = _unescape(body)
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r"<option(?: value=\"[^\"]*\")? selected>([^<]*)</option>", body)
        fields[name] = _unescape(chosen.group(1)) if chosen and "(none)" not in chosen.group(0) else ""
    return fields


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def fieldset(html: str, name: str) -> str:
    """The HTML of one field's box on the page."""
    found = re.search(rf'<fieldset[^>]*id="field-{name}".*?</fieldset>', html, re.S)
    assert found, name
    return found.group(0)


def save(client, state: ReviewState, form: dict[str, str], number: int = 0, **headers):
    return client.post(f"/{state.key}/sheet/{number}", data=form, base_url=BASE, headers=headers)


def saved_record(folder: Path) -> dict:
    return yaml.safe_load((folder / "green-roofs.yaml").read_text("utf-8"))


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_flagged_fields_first_with_their_lines_and_the_sheet_escaped(review):
    state, client = review
    response = client.get(f"/{state.key}/sheet/0", base_url=BASE)
    html = response.get_data(as_text=True)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    names = re.findall(r'<fieldset class="field([^"]*)"\s+id="field-([a-z_]+)"', html)
    flags = [" flagged" in classes for classes, _ in names]
    assert flags == sorted(flags, reverse=True), "flagged fields come first"
    assert "title" in [name for classes, name in names if "flagged" in classes]
    title = re.search(r'<fieldset[^>]*id="field-title"[^>]*data-lines="([^"]*)"', html)
    assert title.group(1) == "1"
    assert '<li id="L1" value="1"><code># Green Roofs for Cities</code></li>' in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt;" in html
    assert len(re.findall(r"<script\b", html)) == 1  # the page's own file, nothing from the sheet
    # every schema field can be filled, also those the draft left empty
    assert 'name="value.acronym"' in html and 'name="value.participants"' in html


def test_values_read_from_a_hostile_sheet_stay_text_in_attributes_and_candidates(tmp_path):
    sheet = tmp_path / "hostile.html"
    sheet.write_text("""<html><body><main>
<h1>Roofs "><img src=x onerror=alert(1)> '<svg/onload=alert(2)></h1>
<p>Start date: 1 March 2021</p><p>End date: 28 February 2023</p><p>Programme: URBACT</p>
<p><a href="javascript:alert(3)">site</a></p>
</main></body></html>
""", "utf-8")
    state = ReviewState([make_sheet(sheet)], port=PORT)
    client = create_app(state).test_client()
    html = page(client, state)
    assert "<img" not in html and "<svg" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    title = form_of(html)["value.title"]
    assert title.startswith('Roofs ">')  # the quote that would close the attribute is escaped in it
    assert 'value="Roofs "' not in html and 'data-value="Roofs "' not in html


def test_a_sheet_the_extractor_gives_no_draft_for_can_be_filled_by_hand(tmp_path):
    sheet = tmp_path / "note.txt"
    sheet.write_text("Just a note about lunch.\n", "utf-8")
    state = ReviewState([make_sheet(sheet)], port=PORT)
    client = create_app(state).test_client()
    html = page(client, state)
    assert "The extractor made no draft" in html
    form = form_of(html)
    response = save(client, state, form)
    assert response.status_code == 422 and not (tmp_path / "note.yaml").exists()
    for name in ("id", "language", "title"):
        assert "is a required property" in fieldset(response.get_data(as_text=True), name)
    form |= {"value.id": "lunch-note", "value.language": "en", "value.title": "Lunch", "value.programme": "URBACT"}
    assert save(client, state, form).status_code == 303
    record = yaml.safe_load((tmp_path / "note.yaml").read_text("utf-8"))
    assert {d["field"]: d["decision"] for d in record["curation"]["decisions"]} == {
        "id": "filled", "language": "filled", "title": "filled", "programme": "filled"}


def test_saving_writes_a_valid_curated_record_that_the_build_takes_in_place_of_the_sheet(review, folder):
    state, client = review
    form = form_of(page(client, state))
    assert form["value.title"] == "Green Roofs for Cities"
    form["value.title"] = "Green Roofs for European Cities"
    form["value.acronym"] = "GREENROOFS"
    form["accept.language"] = "1"
    response = save(client, state, form)
    assert response.status_code == 303, response.get_data(as_text=True)
    record = saved_record(folder)
    assert check_record(record, "green-roofs.yaml") == []
    assert record["title"] == "Green Roofs for European Cities" and record["acronym"] == "GREENROOFS"
    assert record["source"]["file"] == "factsheets/green-roofs.txt"
    curation = record["curation"]
    assert curation["sha256"] == hashlib.sha256(SHEET.encode()).hexdigest()
    decisions = {d["field"]: d for d in curation["decisions"]}
    assert decisions["title"]["decision"] == "edited"
    assert decisions["title"]["extracted"] == "Green Roofs for Cities"
    assert decisions["title"]["found"] == "inferred" and decisions["title"]["lines"] == [1]
    assert decisions["title"]["flagged"] is True
    assert decisions["acronym"]["decision"] == "filled"
    assert decisions["language"]["decision"] == "accepted"
    assert decisions["start_date"]["decision"] == "accepted" and decisions["start_date"]["found"] == "stated"
    # what the extractor found stays for the values kept as found, not for the corrected title
    assert "start_date" in record["provenance"] and "title" not in record["provenance"]
    assert "review" not in record or all(item["field"] != "title" for item in record["review"])
    loaded = load_sources([folder])
    assert not loaded.problems
    assert [r.data["title"] for r in loaded.records] == ["Green Roofs for European Cities"]
    assert loaded.records[0].file.endswith("green-roofs.yaml")


def test_a_flagged_value_neither_accepted_nor_changed_stays_in_the_review_list(review, folder):
    state, client = review
    assert save(client, state, form_of(page(client, state))).status_code == 303
    record = saved_record(folder)
    decisions = {d["field"]: d["decision"] for d in record["curation"]["decisions"]}
    assert decisions["title"] == "open" and decisions["language"] == "open"
    assert {"title", "language"} <= {item["field"] for item in record["review"]}
    assert record["title"] == "Green Roofs for Cities"


def test_a_second_review_starts_from_the_saved_record_and_keeps_when_unchanged_fields_were_decided(review, folder):
    state, client = review
    form = form_of(page(client, state))
    form["value.title"] = "Green Roofs for European Cities"
    save(client, state, form)
    first = {d["field"]: d for d in saved_record(folder)["curation"]["decisions"]}
    again = page(client, state)
    assert 'value="Green Roofs for European Cities"' in again and "Starting from the record saved" in again
    assert "saved: edited" in fieldset(again, "title") and "saved: accepted" in fieldset(again, "start_date")
    form = form_of(again)
    form["value.acronym"] = "GR"
    first["title"]["at"] = "2000-01-01T00:00:00Z"  # written back as if decided long ago
    record = saved_record(folder)
    record["curation"]["decisions"] = list(first.values())
    (folder / "green-roofs.yaml").write_text(yaml.safe_dump(record, sort_keys=False), "utf-8")
    assert save(client, state, form).status_code == 303
    second = {d["field"]: d for d in saved_record(folder)["curation"]["decisions"]}
    assert second["title"]["decision"] == "edited" and second["title"]["at"] == "2000-01-01T00:00:00Z"
    assert second["acronym"]["decision"] == "filled"


# --- what is refused ------------------------------------------------------------------------


def test_schema_errors_are_shown_on_the_page_and_nothing_is_written(review, folder):
    state, client = review
    form = form_of(page(client, state))
    form["value.id"] = "Not A Slug"
    form["value.website"] = "javascript:alert(1)"
    form["value.budget"] = "total_cost: [unclosed"
    response = save(client, state, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in html
    assert "not valid YAML" in fieldset(html, "budget") and 'class="problem"' not in fieldset(html, "id")
    assert not (folder / "green-roofs.yaml").exists()
    form["value.budget"] = "total_cost: '1000000'"
    response = save(client, state, form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for name in ("id", "website"):
        assert 'class="field invalid"' in fieldset(html, name) and 'class="problem"' in fieldset(html, name)
    assert 'class="problem"' not in fieldset(html, "budget")
    assert 'value="Not A Slug"' in html  # what the reviewer typed is kept
    assert not (folder / "green-roofs.yaml").exists()
    assert [p.name for p in folder.iterdir()] == ["green-roofs.txt"]  # no temporary file left either


def test_a_save_needs_the_page_token_and_its_own_origin(review, folder):
    state, client = review
    form = form_of(page(client, state))
    without = {k: v for k, v in form.items() if k != "csrf"}
    assert save(client, state, without).status_code == 403
    assert save(client, state, form | {"csrf": "guessed"}).status_code == 403
    assert save(client, state, form, Origin="http://evil.example").status_code == 403
    assert save(client, state, form, **{"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert not (folder / "green-roofs.yaml").exists()
    assert save(client, state, form, Origin=BASE).status_code == 303


def test_only_the_sheets_given_can_be_opened_or_written(review, folder, tmp_path):
    state, client = review
    assert client.get(f"/{state.key}/sheet/1", base_url=BASE).status_code == 404
    assert client.get(f"/{state.key}/sheet/-1", base_url=BASE).status_code == 404
    assert client.get("/wrong-key/sheet/0", base_url=BASE).status_code == 404
    assert client.get(f"/{state.key}/sheet/0", base_url="http://evil.example:8123").status_code == 421
    assert client.get(f"/{state.key}/sheet/0", base_url="http://127.0.0.1:9999").status_code == 421
    form = form_of(page(client, state))
    response = save(client, state, form | {"target": str(tmp_path / "elsewhere.yaml"), "file": "../../x.yaml",
                                           "value.source": "file: ../../etc/passwd"})
    assert response.status_code == 303
    assert sorted(p.name for p in folder.iterdir()) == ["green-roofs.txt", "green-roofs.yaml"]
    assert not (tmp_path / "elsewhere.yaml").exists()
    assert saved_record(folder)["source"]["file"] == "factsheets/green-roofs.txt"


def test_a_file_that_is_not_the_sheets_record_is_never_written_over(folder):
    other = folder / "green-roofs.yaml"
    other.write_text("id: someone-else\nsource:\n  file: other.txt\n", "utf-8")
    state = ReviewState([make_sheet(folder / "green-roofs.txt")], port=PORT)
    client = create_app(state).test_client()
    html = page(client, state)
    assert "is not the curated record of green-roofs.txt" in html
    response = save(client, state, form_of(html))
    assert response.status_code == 409
    assert other.read_text("utf-8").startswith("id: someone-else")
    assert main(["review", str(folder / "green-roofs.txt")]) == 2


def test_the_command_refuses_what_is_not_a_fact_sheet_and_a_symlinked_record(folder, tmp_path):
    record = tmp_path / "record.yaml"
    record.write_text("id: x\n", "utf-8")
    with pytest.raises(SheetProblem):
        make_sheet(record)
    assert main(["review", str(record)]) == 2
    assert main(["review", str(folder / "missing.txt")]) == 2
    (folder / "green-roofs.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    with pytest.raises(SheetProblem):
        make_sheet(folder / "green-roofs.txt")


def test_a_changed_sheet_is_not_saved_over_without_a_second_look(review, folder):
    state, client = review
    form = form_of(page(client, state))
    (folder / "green-roofs.txt").write_text(SHEET.replace("Green Roofs", "Blue Roofs"), "utf-8")
    response = save(client, state, form)
    assert response.status_code == 409
    assert "the fact sheet changed since the page was loaded" in response.get_data(as_text=True)
    assert not (folder / "green-roofs.yaml").exists()


def test_records_go_into_the_records_folder_and_name_the_sheet_so_the_build_finds_it(tmp_path, folder):
    records = tmp_path / "records"
    records.mkdir()
    state = ReviewState([make_sheet(folder / "green-roofs.txt", records)], port=PORT)
    client = create_app(state).test_client()
    assert save(client, state, form_of(page(client, state))).status_code == 303
    record = yaml.safe_load((records / "green-roofs.yaml").read_text("utf-8"))
    assert record["source"]["file"] == "factsheets/green-roofs.txt"  # found one folder up from records/
    loaded = load_sources([records, folder])
    assert not loaded.problems and len(loaded.records) == 1 and loaded.records[0].file.endswith("green-roofs.yaml")


# --- the atomic write -------------------------------------------------------------------------


def test_the_write_replaces_the_record_whole_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "r.yaml"
    target.write_text("old", "utf-8")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o644)


def test_a_write_that_fails_leaves_the_old_file_and_no_temporary_file(tmp_path):
    target = tmp_path / "r.yaml"
    target.mkdir()  # the rename over a folder fails after the temporary file was written
    (target / "inside").write_text("kept", "utf-8")
    with pytest.raises(OSError):
        write_atomically(target, b"new")
    assert (target / "inside").read_text("utf-8") == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]
    if os.geteuid() != 0:  # a folder without write permission refuses the temporary file itself
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o555)
        with pytest.raises(PermissionError):
            write_atomically(locked / "r.yaml", b"new")


# --- in RDF ----------------------------------------------------------------------------------


def test_a_curated_record_converts_with_its_review_as_prov_and_validates(review, folder):
    from rdflib import Literal, URIRef
    from rdflib.namespace import PROV, RDF, RDFS, XSD

    from eulod.converters.rdf import MappingOptions, RecordMapper
    from test_emitted_terms import excerpts

    state, client = review
    form = form_of(page(client, state))
    form["value.title"] = "Green Roofs for European Cities"
    assert save(client, state, form).status_code == 303
    [record] = load_sources([folder]).records
    graph = RecordMapper(MappingOptions("http://example.org/t/")).graph(record)
    node = URIRef(f"http://example.org/t/record/{record.id}")
    activity = graph.value(node, PROV.wasGeneratedBy)
    assert activity == URIRef(f"{node}/review") and (activity, RDF.type, PROV.Activity) in graph
    assert graph.value(activity, PROV.used) == graph.value(node, PROV.wasDerivedFrom)
    assert graph.value(activity, PROV.endedAtTime) == Literal(record.data["curation"]["reviewed"], datatype=XSD.dateTime)
    for term in (PROV.wasGeneratedBy, PROV.used, PROV.endedAtTime, PROV.Activity):
        assert excerpts().value(term, RDFS.label) is not None, term
    # nothing of the decisions reaches RDF, and the shapes hold
    assert not any("decision" in str(p) or "curation" in str(p) for p in graph.predicates())
    assert main(["validate", str(folder)]) == 0


def test_the_command_says_when_its_port_is_taken(folder):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        assert main(["review", "--port", str(taken.getsockname()[1]), str(folder / "green-roofs.txt")]) == 2


EXTRACTION_SHEETS = sorted(p for folder in (Path(__file__).parent / "data").glob("extraction*") for p in folder.iterdir()
                           if p.suffix.lower() in (".txt", ".md", ".html", ".htm"))


@pytest.mark.slow
def test_every_labelled_sheet_saves_unchanged_as_a_valid_record_with_nothing_marked_edited(tmp_path):
    """Each value kind the extractor gives (text maps, budgets, participants, numbers) goes into
    its widget and comes back equal: saving the page untouched edits nothing and is valid. A sheet
    the extractor finds no project in (its draft is empty) cannot be saved untouched: it is refused
    and no record is written."""
    from eulod.converters.extract import extract_file

    assert len(EXTRACTION_SHEETS) > 50
    for number, original in enumerate(EXTRACTION_SHEETS):
        folder = tmp_path / str(number) / original.parent.name
        folder.mkdir(parents=True)
        sheet = folder / original.name
        sheet.write_bytes(original.read_bytes())
        state = ReviewState([make_sheet(sheet)], port=PORT)
        client = create_app(state).test_client()
        response = save(client, state, form_of(page(client, state)))
        if extract_file(sheet).record is None:
            assert response.status_code == 422 and not (folder / f"{sheet.stem}.yaml").exists(), original
            continue
        assert response.status_code == 303, (original, re.findall(r'class="problem"[^>]*>([^<]*)', response.get_data(as_text=True)))
        record = yaml.safe_load((folder / f"{sheet.stem}.yaml").read_text("utf-8"))
        changed = [d["field"] for d in record["curation"]["decisions"] if d["decision"] not in ("accepted", "open")]
        assert changed == [], (original, changed)


def test_several_sheets_each_have_a_page_and_may_not_share_a_record_file(folder, tmp_path):
    other = tmp_path / "more"
    other.mkdir()
    (other / "canal-side.md").write_text(SHEET.replace("Green Roofs for Cities", "Canal Side"), "utf-8")
    state = ReviewState([make_sheet(folder / "green-roofs.txt"), make_sheet(other / "canal-side.md")], port=PORT)
    client = create_app(state).test_client()
    index = client.get(f"/{state.key}/", base_url=BASE).get_data(as_text=True)
    assert "green-roofs.txt" in index and "canal-side.md" in index
    second = page(client, state, 1)
    assert 'value="Canal Side"' in second and f"/{state.key}/sheet/0" in second  # the link back
    assert save(client, state, form_of(second), 1).status_code == 303
    assert (other / "canal-side.yaml").is_file() and not (folder / "green-roofs.yaml").exists()
    (other / "green-roofs.txt").write_text(SHEET, "utf-8")
    records = tmp_path / "records"
    records.mkdir()
    assert main(["review", "--records", str(records), str(folder / "green-roofs.txt"), str(other / "green-roofs.txt")]) == 2
