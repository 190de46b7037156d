"""The incremental listing and search index (eulod/core/listing_update.py, search_update.py)
equal what the full writes give on the changed data.

Two generations are built in full, G1 from records R1 and G2 from R2 (R1 with a shared
organisation renamed, another moved to another country, a project's partners, amounts and
total cost and dates changed, a result retitled, a record deleted and one added in the middle of the IRI
order). G1's store, copied and patched with the difference, must give from G1's files what G2's
full build wrote. Then, on the same stores, changes drawn at random (parts of that difference,
and triples made up to reach the corners: new projects between others, a shared result, a new
language, a partner's type) are applied one after another, each file updated from the last
update, and compared with the full write of the same store.

The listing must equal the full write's table by table. The search index must equal it up to
the rowid numbers: the same rows in the same rowid order, the same words in each document
(FTS5's own vocabulary), the same answers and bm25 scores to the last bit; FTS5's
integrity-check must pass.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from conftest import RECORDS, ROOT
from derived_files import listing_contents, search_contents
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.core import listing_update, search, search_update
from eulod.core.config import load_settings
from eulod.core.generation import current_generation, data_graph_iri
from eulod.core.listing import write_listing
from eulod.core.listing_update import update_listing
from eulod.core.search import write_search
from eulod.core.search_update import update_search
from eulod.pipeline.build import build
from eulod.pipeline.delta import Delta, apply, copy_store, difference, graph_triples

EULOD = "https://w3id.org/eulod/ontology#"
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TITLE = ox.NamedNode("http://purl.org/dc/terms/title")
PREF = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
DESCRIPTION = ox.NamedNode("http://purl.org/dc/terms/description")
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def e(name: str) -> ox.NamedNode:
    return ox.NamedNode(EULOD + name)


# --- two generations built in full ----------------------------------------------------------


def generated(count: int, out: Path) -> list[dict]:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", str(count),
                    "--invalid-every", "0", "--seed", "19", "--out", str(out)], check=True, capture_output=True)
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def organisations(records: list[dict]) -> list[str]:
    """Organisation ids, the most shared first."""
    counts: dict[str, int] = {}
    for record in records:
        for participant in record["participants"]:
            counts[participant["organisation"]["id"]] = counts.get(participant["organisation"]["id"], 0) + 1
    return sorted(counts, key=lambda o: (-counts[o], o))


def changed(records: list[dict]) -> list[dict]:
    """R2: R1 with the changes of the module's docstring."""
    records = json.loads(json.dumps(records))
    shared = organisations(records)
    renamed, moved = shared[0], shared[1]
    for record in records:
        for participant in record["participants"]:
            organisation = participant["organisation"]
            if organisation["id"] == renamed:
                organisation["name"] = {"en": "Renamed Regional Innovation Agency", "fr": "Agence renommée"}
            if organisation["id"] == moved:
                organisation["country"] = "MT" if organisation["country"] != "MT" else "CY"
    partners = records[3]["participants"]
    partners.pop()  # a partner leaves
    partners.append({"organisation": {"id": "valletta-new-partner", "name": {"en": "Valletta New Partner"},
                                      "type": "ngo", "city": "Valletta", "country": "MT"}, "role": "partner",
                     "budget": {"total_cost": "1000.00", "eu_contribution": "800.00"}})
    records[5]["budget"]["eu_contribution"] = "123456.78"  # an amount
    records[5]["budget"]["total_cost"] = "234567.89"  # a stated total the programme page sums
    records[6]["budget"].pop("eu_contribution", None)  # the partners' sum instead
    records[6]["budget"].pop("eu_contribution_rate", None)
    records[7]["start_date"], records[7]["end_date"] = "2011-02-01", "2013-01-31"  # dates
    records[7].pop("duration_months", None)
    added = json.loads(json.dumps(records[8]))
    added["id"] = records[10]["id"] + "b"  # between two others in IRI order
    added["title"] = "Brand new project on tidal energy"
    added["acronym"] = "TIDAL"
    added["identifiers"] = [{"scheme": "eu-grant-agreement", "value": "999999"}]
    added["source"] = {"file": "generated/added.json"}
    del records[12]  # a record deleted
    return records + [added]


def write_records(folder: Path, generated_records: list[dict], change_samples: bool) -> list[Path]:
    folder.mkdir(parents=True)
    (folder / "generated.jsonl").write_text("".join(json.dumps(r) + "\n" for r in generated_records), "utf-8")
    samples = folder / "samples"
    shutil.copytree(RECORDS, samples)
    if change_samples:
        conet = samples / "004-conet.yaml"
        data = yaml.safe_load(conet.read_text("utf-8"))
        data["results"][0]["title"] = "Piano di Azione Locale rinnovato"
        data["description"] = "A new description of CoNet, about cohesion in neighbourhoods."
        conet.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    return [folder / "generated.jsonl", samples]


def build_into(build_dir: Path, sources: list[Path]):
    outcome = build(load_settings(environ={}, build_dir=build_dir, records=tuple(sources), personal_data="publish"))
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return current_generation(build_dir)


class Built(dict):
    """The two generations and their difference; its repr is short, as Hypothesis prints it with a failure."""

    def __repr__(self) -> str:
        return f"Built({self['g1'].id}, {self['g2'].id}: {len(self['delta'].removed)} triples out, " \
               f"{len(self['delta'].added)} in)"


@pytest.fixture(scope="module")
def generations(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("incremental-files")
    r1 = generated(40, folder / "r1.jsonl")
    g1 = build_into(folder / "b1", write_records(folder / "records1", r1, change_samples=False))
    g2 = build_into(folder / "b2", write_records(folder / "records2", changed(r1), change_samples=True))
    graph = data_graph_iri(load_settings(environ={}, build_dir=folder / "b1"))
    delta = difference(ox.Store.read_only(str(g1.store_path)), ox.Store.read_only(str(g2.store_path)), graph)
    with sqlite3.connect(g1.listing_path) as db:
        (year,) = db.execute("SELECT value FROM meta WHERE key = 'current_year'").fetchone()
    return Built(g1=g1, g2=g2, graph=graph, delta=delta, folder=folder, year=int(year))


@contextmanager
def patched(generations: dict, delta: Delta) -> Iterator[ox.Store]:
    """A copy of G1's store with ``delta`` applied to its data graph."""
    with tempfile.TemporaryDirectory(prefix="incremental-", dir=generations["folder"]) as folder:
        copy_store(generations["g1"].store_path, Path(folder) / "store")
        store = ox.Store(str(Path(folder) / "store"))
        apply(store, delta, generations["graph"])
        yield store
        del store


# --- the recipe: G1 patched equals G2 ---------------------------------------------------------


@pytest.mark.slow
def test_updated_files_equal_the_full_build_of_the_new_records(generations, tmp_path, caplog):
    g1, g2, delta, year = generations["g1"], generations["g2"], generations["delta"], generations["year"]
    assert len(delta.removed) > 20 and len(delta.added) > 20
    with patched(generations, delta) as store, caplog.at_level(logging.INFO, logger="eulod.core"):
        update_listing(store, g1.listing_path, tmp_path / "listing.sqlite", delta, year, g2.id)
        update_search(store, g1.search_path, tmp_path / "search.sqlite", delta, g2.id)
    assert "written whole" not in caplog.text and "updated the home page listing" in caplog.text
    assert "updated the search index" in caplog.text
    assert listing_contents(tmp_path / "listing.sqlite") == listing_contents(g2.listing_path)
    assert search_contents(tmp_path / "search.sqlite", integrity=True) == search_contents(g2.search_path)
    # What the endpoint reads: the generation's id.
    for name in ("listing.sqlite", "search.sqlite"):
        with sqlite3.connect(tmp_path / name) as db:
            assert db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone() == (g2.id,)


@pytest.mark.slow
def test_a_missed_document_is_seen(generations, tmp_path, monkeypatch):
    """The comparison can fail: an update that leaves out the projects of a renamed partner."""
    g1, g2, delta = generations["g1"], generations["g2"], generations["delta"]
    up = {p: tuple(path for path in paths if path != (EULOD + "organisation", EULOD + "hasParticipation"))
          for p, paths in search_update.REACH.up.items()}  # forgets the partner's projects
    monkeypatch.setattr(search_update, "REACH", search_update.Reach(search_update.REACH.owners, up,
                                                                    search_update.REACH.down))
    with patched(generations, delta) as store:
        update_search(store, g1.search_path, tmp_path / "search.sqlite", delta, g2.id)
    assert search_contents(tmp_path / "search.sqlite") != search_contents(g2.search_path)


@pytest.mark.slow
def test_a_missed_listing_row_is_seen(generations, tmp_path, monkeypatch):
    """The comparison can fail: an update that forgets that a partner's country is its projects'."""
    g1, g2, delta, year = generations["g1"], generations["g2"], generations["delta"], generations["year"]
    up = {p: paths for p, paths in listing_update.REACH.up.items() if p != EULOD + "country"}
    monkeypatch.setattr(listing_update, "REACH", listing_update.Reach(listing_update.REACH.owners, up,
                                                                      listing_update.REACH.down))
    with patched(generations, delta) as store:
        update_listing(store, g1.listing_path, tmp_path / "listing.sqlite", delta, year, g2.id)
        write_listing(store, tmp_path / "full.sqlite", year, g2.id)
    assert listing_contents(tmp_path / "listing.sqlite") != listing_contents(tmp_path / "full.sqlite")


@pytest.mark.slow
def test_fallbacks_write_the_files_whole(generations, tmp_path, caplog):
    g1, g2, delta, year = generations["g1"], generations["g2"], generations["delta"], generations["year"]
    old = tmp_path / "old-format.sqlite"
    shutil.copyfile(g1.search_path, old)
    with sqlite3.connect(old) as db:
        db.execute("UPDATE meta SET value = '2' WHERE key = 'format'")
    with patched(generations, delta) as store, caplog.at_level(logging.INFO, logger="eulod.core"):
        update_listing(store, tmp_path / "missing.sqlite", tmp_path / "a.sqlite", delta, year, g2.id)
        assert "no previous listing" in caplog.text
        update_listing(store, g1.listing_path, tmp_path / "b.sqlite", delta, year + 1, g2.id)
        assert f"now {year + 1}" in caplog.text
        update_search(store, old, tmp_path / "c.sqlite", delta, g2.id)
        assert "format '2'" in caplog.text
        write_listing(store, tmp_path / "full.sqlite", year, g2.id)
        write_listing(store, tmp_path / "full-next.sqlite", year + 1, g2.id)
    assert listing_contents(tmp_path / "a.sqlite") == listing_contents(tmp_path / "full.sqlite")
    assert listing_contents(tmp_path / "b.sqlite") == listing_contents(tmp_path / "full-next.sqlite")
    assert search_contents(tmp_path / "c.sqlite") == search_contents(g2.search_path)
    # Rows made by another eulod (or stemmer), or a change naming blank nodes: written whole too.
    other = tmp_path / "other-software.sqlite"
    shutil.copyfile(g1.listing_path, other)
    with sqlite3.connect(other) as db:
        db.execute("UPDATE meta SET value = 'eulod 0.0.1' WHERE key = 'software'")
    blank = Delta(delta.removed, delta.added | {ox.Triple(ox.BlankNode(), TITLE, ox.Literal("x"))})
    caplog.clear()
    with patched(generations, delta) as store, caplog.at_level(logging.INFO, logger="eulod.core"):
        update_listing(store, other, tmp_path / "e.sqlite", delta, year, g2.id)
        update_search(store, g1.search_path, tmp_path / "f.sqlite", blank, g2.id)
    assert "written by eulod 0.0.1" in caplog.text and "blank nodes" in caplog.text
    assert listing_contents(tmp_path / "e.sqlite") == listing_contents(tmp_path / "full.sqlite")


@pytest.mark.slow
def test_a_result_of_two_projects_is_in_both_documents(generations, tmp_path, caplog):
    g1 = generations["g1"]
    extra, _ = made_up(generations)
    shared = frozenset(t for t in extra if t.predicate == e("result") or t.subject.value.endswith("/result/shared"))
    assert len(shared) == 3
    with patched(generations, Delta(added=shared)) as store, caplog.at_level(logging.INFO):
        update_search(store, g1.search_path, tmp_path / "search.sqlite", Delta(added=shared), "g")
        write_search(store, tmp_path / "full.sqlite", "g")
    assert "updated the search index" in caplog.text
    assert search_contents(tmp_path / "search.sqlite") == search_contents(tmp_path / "full.sqlite")
    with sqlite3.connect(tmp_path / "search.sqlite") as db:
        found = search.ranked(db, search.question("result of two projects", search.languages(db)))
    assert len(found) == 2


@pytest.mark.slow
def test_a_new_project_beside_the_touched_project_of_the_highest_id(generations, tmp_path):
    """The project of the highest id changed and a new one come in the same change: the new one
    must not take the id the changed one comes back with (its row is out while ids are chosen)."""
    g1, year = generations["g1"], generations["year"]
    with sqlite3.connect(g1.listing_path) as db:
        (last,) = db.execute("SELECT iri FROM project ORDER BY id DESC LIMIT 1").fetchone()
    last_node, new = ox.NamedNode(last), ox.NamedNode(last[:-1])  # sorts just before it
    change = Delta(added=frozenset({ox.Triple(last_node, TITLE, ox.Literal("Retitled", language="it")),
                                    ox.Triple(new, TYPE, e("Project")), ox.Triple(new, TITLE, ox.Literal("New"))}))
    with patched(generations, change) as store:
        update_listing(store, g1.listing_path, tmp_path / "listing.sqlite", change, year, "g")
        write_listing(store, tmp_path / "full.sqlite", year, "g")
    assert listing_contents(tmp_path / "listing.sqlite") == listing_contents(tmp_path / "full.sqlite")


@pytest.mark.slow
def test_new_documents_in_one_gap_until_it_is_full(generations, tmp_path, caplog, monkeypatch):
    """Projects put one after another between the same two neighbours: halving the gap, then
    writing the index whole when no rowid is left; the answers equal the full write's each time."""
    monkeypatch.setattr(search, "GAP", 4)
    g1 = generations["g1"]
    base = "http://127.0.0.1:5000/project/"
    store = ox.Store.read_only(str(g1.store_path))
    projects = sorted(q.subject.value for q in store.quads_for_pattern(None, TYPE, e("Project"), None))
    write_search(store, tmp_path / "s0.sqlite", "g1")
    low = projects[1]
    assert low.startswith(base)
    previous, quads = tmp_path / "s0.sqlite", []
    for step in range(1, 4):
        project = ox.NamedNode(low + "~" * (4 - step))  # each sorts just before the last one, after `low`
        triples = {ox.Triple(project, TYPE, e("Project")), ox.Triple(project, TITLE, ox.Literal(f"Gap filler {step}"))}
        quads.extend(triples)
        with patched(generations, Delta(added=frozenset(quads))) as store, caplog.at_level(logging.INFO):
            update_search(store, previous, tmp_path / f"s{step}.sqlite", Delta(added=frozenset(triples)), f"g{step}")
            write_search(store, tmp_path / "full.sqlite", f"g{step}")
        updated = search_contents(tmp_path / f"s{step}.sqlite", integrity=True)
        assert updated == search_contents(tmp_path / "full.sqlite")
        previous = tmp_path / f"s{step}.sqlite"
    assert "no rowid left between the neighbours" in caplog.text  # 4 -> 2 -> 1: the third finds none


# --- random changes, one after another ---------------------------------------------------------


def made_up(generations: dict) -> tuple[set[ox.Triple], set[ox.Triple]]:
    """Triples that reach what the built change does not: a project and an organisation new
    between others, a result shared by two projects, a title in a language of its own, a partner
    that stops being an organisation, a renamed and a relocated partner. The second set: triples
    of G1 to take out."""
    base = "http://127.0.0.1:5000/"
    store = ox.Store.read_only(str(generations["g1"].store_path))
    projects = sorted(q.subject.value for q in store.quads_for_pattern(None, TYPE, e("Project"), None)
                      if q.subject.value.startswith(base + "project/gen-"))
    members = sorted(store.quads_for_pattern(None, e("organisation"), None, None), key=str)
    organisation = members[0].object
    new_project, new_organisation = ox.NamedNode(projects[4] + "a"), ox.NamedNode(base + "organisation/aa-new")
    participation = ox.NamedNode(new_project.value + "/participation/x")
    shared = ox.NamedNode(base + "result/shared")
    return {
        ox.Triple(new_project, TYPE, e("Project")),
        ox.Triple(new_project, TITLE, ox.Literal("Tuulivoima", language="fi")),
        ox.Triple(new_project, e("hasParticipation"), participation),
        ox.Triple(participation, e("organisation"), new_organisation),
        ox.Triple(new_organisation, TYPE, e("Organisation")),
        ox.Triple(new_organisation, PREF, ox.Literal("Nova Organizacija", language="hr")),
        ox.Triple(new_organisation, e("country"), ox.NamedNode(COUNTRY + "HRV")),
        ox.Triple(participation, e("organisation"), organisation),
        ox.Triple(organisation, PREF, ox.Literal("A second preferred name", language="en")),
        ox.Triple(organisation, e("country"), ox.NamedNode(COUNTRY + "ISL")),
        ox.Triple(ox.NamedNode(projects[0]), e("result"), shared),
        ox.Triple(ox.NamedNode(projects[1]), e("result"), shared),
        ox.Triple(shared, TITLE, ox.Literal("A result of two projects", language="en")),
        ox.Triple(ox.NamedNode(projects[2]), DESCRIPTION, ox.Literal("Kuvaus suomeksi", language="fi")),
    }, {ox.Triple(organisation, TYPE, e("Organisation"))}


PICKS = st.lists(st.integers(0, 1 << 20), max_size=12)  # positions in a list of candidates, modulo its length


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(PICKS, PICKS), min_size=1, max_size=3))
@pytest.mark.slow
def test_random_changes_one_after_another(generations, steps):
    year = generations["year"]
    delta: Delta = generations["delta"]
    extra, removable = made_up(generations)
    current = graph_triples(ox.Store.read_only(str(generations["g1"].store_path)), generations["graph"])
    pool = delta.added | extra | delta.removed | removable
    applied: set[ox.Triple] = set(current)
    with tempfile.TemporaryDirectory(dir=generations["folder"]) as folder:
        folder = Path(folder)
        listing, index = generations["g1"].listing_path, generations["g1"].search_path
        for step, (outs, ins) in enumerate(steps):
            present, absent = sorted(applied & pool, key=str), sorted(pool - applied, key=str)
            taken = {present[i % len(present)] for i in outs} if present else set()
            put = {absent[i % len(absent)] for i in ins} if absent else set()
            change = Delta(frozenset(taken), frozenset(put))
            applied = (applied - taken) | put
            with patched(generations, Delta.between(current, applied)) as store:
                update_listing(store, listing, folder / f"listing{step}.sqlite", change, year, f"g{step}")
                update_search(store, index, folder / f"search{step}.sqlite", change, f"g{step}")
                write_listing(store, folder / "full-listing.sqlite", year, f"g{step}")
                write_search(store, folder / "full-search.sqlite", f"g{step}")
            listing, index = folder / f"listing{step}.sqlite", folder / f"search{step}.sqlite"
            assert listing_contents(listing) == listing_contents(folder / "full-listing.sqlite")
            assert search_contents(index, integrity=True) == search_contents(folder / "full-search.sqlite")
