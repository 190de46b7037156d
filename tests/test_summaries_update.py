"""The summaries updated from the previous generation's (eulod.pipeline.summaries_update) are the
summaries a full build of the new data computes (eulod.pipeline.summaries.add_summaries).

Two full builds of generated records, the second with records changed, added and removed (amounts,
partners, dates, a currency, a shared organisation's country and name): the first's store patched
with the difference and updated must hold the second's summary graph, triple for triple, and its
pair counts. Hand-made data graphs drawn by Hypothesis cover what generated records seldom have:
groups that appear and vanish, organisations in two countries, ties at the cut of the top list.
"""

from __future__ import annotations

import copy
import json
import logging
import sqlite3
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from tempfile import TemporaryDirectory
from unittest import mock

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.core.config import load_settings
from eulod.core.generation import Generation, data_graph_iri, summary_graph_iri
from eulod.core.namespaces import EULOD
from eulod.pipeline import summaries_update
from eulod.pipeline.build import build
from eulod.pipeline.delta import Delta, apply, copy_store, difference, graph_triples
from eulod.pipeline.paircounts import read_meta, read_pairs
from eulod.pipeline.summaries import add_summaries
from eulod.pipeline.summaries_update import update_summaries

ROOT = Path(__file__).resolve().parent.parent
GENERATED = 150
KEEP = 25  # small enough that the cut falls inside ties of the generated data


def generate(count: int, out: Path) -> list[dict]:
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", str(count),
                    "--invalid-every", "0", "--out", str(out)], check=True, capture_output=True)
    return [json.loads(line) for line in out.read_text("utf-8").splitlines()]


def busiest_organisation(records: list[dict]) -> str:
    return Counter(p["organisation"]["id"] for r in records for p in r["participants"]).most_common(1)[0][0]


def changed(records: list[dict]) -> list[dict]:
    """The records with the kinds of change a publisher makes, each touching a different summary."""
    out = copy.deepcopy(records)
    funded = next(r for r in out if any("budget" in p for p in r["participants"]))
    participant = next(p for p in funded["participants"] if "budget" in p)
    participant["budget"]["eu_contribution"] = "1234.56"  # an amount: that country's total
    partners = next(r for r in out[10:] if len(r["participants"]) >= 3)
    partners["participants"].pop()  # a partner leaves, another joins: pair counts
    newcomer = next(p for r in out[40:] for p in r["participants"]
                    if p["organisation"]["id"] not in {q["organisation"]["id"] for q in partners["participants"]})
    partners["participants"].append({**copy.deepcopy(newcomer), "role": "partner"})
    dated = out[20]
    dated.pop("end_date", None)
    dated.pop("duration_months", None)  # no end: runs to the build's year
    dated["start_date"] = "2012-02-01"
    out[30]["currency"] = "PLN"  # a group in another currency appears
    busiest = busiest_organisation(out)  # moves country: every group its participations are in
    for record in out:
        for p in record["participants"]:
            if p["organisation"]["id"] == busiest:
                p["organisation"]["country"] = "MT" if p["organisation"]["country"] != "MT" else "CY"
                p["organisation"]["name"] = {"en": "Renamed Organisation"}
                p["organisation"]["city"] = "Valletta" if p["organisation"].get("city") != "Valletta" else "Nicosia"
    del out[50]  # a record removed
    added = copy.deepcopy(out[60])
    added["id"] = "gen-added"
    added["title"] = "An added project"
    return [*out, added]


def full_build(records: list[dict], folder: Path) -> Generation:
    source = folder / "records.jsonl"
    folder.mkdir(parents=True)
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    outcome = build(builds_settings(folder))
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return outcome.generation


def builds_settings(folder: Path):
    return load_settings(environ={}, build_dir=folder / "build", records=(folder / "records.jsonl",),
                         personal_data="publish", summary_collaborations=KEEP)


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("summaries-update")
    records = generate(GENERATED, folder / "generated.jsonl")
    first = full_build(records, folder / "one")
    second = full_build(changed(records), folder / "two")
    return first, second, builds_settings(folder / "one")


def built_year(generation: Generation) -> int:
    return int(generation.manifest()["built"][:4])


def summary(store: ox.Store, graph: str) -> set[ox.Triple]:
    return graph_triples(store, graph, frozenset())


def same_counts(updated: Path, counted: Path) -> None:
    """The pair counts and what they were counted for, as a full build keeps them."""
    assert read_pairs(updated) == read_pairs(counted)
    assert read_meta(updated) == read_meta(counted)


def incremental(first: Generation, second: Generation, config, folder: Path, previous: Generation | None = None,
                year: int | None = None) -> tuple[ox.Store, Generation, Delta, int]:
    """G1's store copied, patched with the difference to G2, and its summaries updated."""
    target = Generation(folder / "incremental")
    copy_store(first.store_path, target.store_path)
    store = ox.Store(str(target.store_path))
    data = data_graph_iri(config)
    delta = difference(ox.Store.read_only(str(first.store_path)), ox.Store.read_only(str(second.store_path)), data)
    apply(store, delta, data)
    written = update_summaries(store, data, summary_graph_iri(config), config.base_iri, config.summary_collaborations,
                               built_year(second) if year is None else year, delta, previous or first, target)
    return store, target, delta, written


def test_an_update_leaves_the_summaries_of_a_full_build(builds, tmp_path, caplog):
    first, second, config = builds
    if built_year(first) != built_year(second):
        pytest.skip("the two builds straddle a new year: the update computes everything again, rightly")
    graph = summary_graph_iri(config)
    expected = summary(ox.Store.read_only(str(second.store_path)), graph)
    assert expected != summary(ox.Store.read_only(str(first.store_path)), graph), "the change shows in the summaries"
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.summaries_update"):
        store, target, delta, written = incremental(first, second, config, tmp_path)
    assert "computing them all again" not in caplog.text and "updated from" in caplog.text
    changed_predicates = {t.predicate.value.rsplit("#", 1)[-1] for t in delta.removed | delta.added}
    assert {"country", "amount", "organisation", "hasParticipation", "startDate", "currency", "city"} <= changed_predicates
    assert summary(store, graph) == expected
    same_counts(target.summary_counts_path, second.summary_counts_path)
    assert 0 < written < len(expected) // 4, "the update writes what changed, not the whole graph"


def test_the_change_reaches_every_kind_of_summary(builds):
    """Guards the test above: each summary differs between the two builds, so each is updated."""
    first, second, config = builds
    graph = summary_graph_iri(config)
    before = summary(ox.Store.read_only(str(first.store_path)), graph)
    after = summary(ox.Store.read_only(str(second.store_path)), graph)
    moved = {t.predicate.value.rsplit("#", 1)[1] for t in before ^ after}
    assert {"totalAmount", "participationCount", "activeInYear", "sharedProjects", "cityKey"} <= moved, moved
    counts = sorted(read_pairs(second.summary_counts_path).values(), reverse=True)
    assert len(counts) > KEEP and counts[KEEP - 1] == counts[KEEP], "the cut falls inside a tie"


@pytest.mark.parametrize("spoil", ["missing", "other format", "broken counts", "large"])
def test_an_update_that_cannot_be_sure_computes_everything(builds, tmp_path, caplog, monkeypatch, spoil):
    first, second, config = builds
    previous = Generation(tmp_path / "previous")
    previous.path.mkdir()
    if spoil != "missing":
        previous.summary_counts_path.write_bytes(first.summary_counts_path.read_bytes())
        with sqlite3.connect(previous.summary_counts_path) as db:
            if spoil == "other format":
                db.execute("UPDATE meta SET value = '0' WHERE key = 'format'")
            elif spoil == "broken counts":
                db.execute("DELETE FROM pair")  # the changed projects' pairs would count below zero
    if spoil == "large":
        monkeypatch.setattr(summaries_update, "LARGE_DELTA_FLOOR", 10)
        monkeypatch.setattr(summaries_update, "LARGE_DELTA_SHARE", 0.01)
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.summaries_update"):
        store, target, _delta, _written = incremental(first, second, config, tmp_path, previous)
    assert "computing them all again" in caplog.text
    assert summary(store, summary_graph_iri(config)) == summary(ox.Store.read_only(str(second.store_path)),
                                                                 summary_graph_iri(config))
    same_counts(target.summary_counts_path, second.summary_counts_path)


def test_another_year_computes_everything_for_that_year(builds, tmp_path, caplog):
    """Every project without an end runs a year longer: the previous years cannot be updated."""
    first, second, config = builds
    year = built_year(second) + 1
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.summaries_update"):
        store, _target, _delta, _written = incremental(first, second, config, tmp_path, year=year)
    assert "current_year" in caplog.text and "computing them all again" in caplog.text
    fresh = tmp_path / "fresh"
    copy_store(second.store_path, fresh)
    expected = ox.Store(str(fresh))
    expected.clear_graph(ox.NamedNode(summary_graph_iri(config)))
    add_summaries(expected, data_graph_iri(config), summary_graph_iri(config), config.base_iri, KEEP, year)
    assert summary(store, summary_graph_iri(config)) == summary(expected, summary_graph_iri(config))


# -- hand-made data graphs ---------------------------------------------------------------------

BASE = "http://example.org/"
DATA, SUMMARIES = BASE + "graph/data", BASE + "graph/summaries"
XSD = "http://www.w3.org/2001/XMLSchema#"
YEAR = 2025
PROJECTS = [f"p{n}" for n in range(6)]
ORGANISATIONS = [f"o{n}" for n in range(6)]
# as the store holds them, and as a record may state them ("10.00" is held as "10")
AMOUNTS = ["0", "0.5", "1.25", "10", "999999.99", "0.000000000000000001", "10.00", "0.50", "1.250"]


def e(name: str) -> ox.NamedNode:
    return ox.NamedNode(str(EULOD[name]))


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(BASE + name)


def literal(value: str | int, datatype: str) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + datatype))


def dated(value: str) -> ox.Literal:
    return literal(value, {4: "gYear", 7: "gYearMonth"}.get(len(value), "date"))


money = st.none() | st.tuples(st.sampled_from(AMOUNTS), st.sampled_from(["EUR", "PLN"]))
participations = st.lists(st.tuples(st.sampled_from(ORGANISATIONS), money), max_size=4)
starts = st.none() | st.sampled_from(["2019", "2020-06", "2021-03-01"])
ends = st.none() | st.sampled_from(["2020", "2022-12-31"])
durations = st.none() | st.sampled_from([1, 13, 30])
projects = st.fixed_dictionaries({"partners": participations, "start": starts, "end": ends, "months": durations})
# most organisations in one country; the shapes forbid two, the join would count both
countries = st.frozensets(st.sampled_from(["AAA", "BBB", "CCC"]), max_size=2)
# names that share a key or not, in and out of language tags; the shapes allow one, records state others
cities = st.frozensets(st.tuples(st.sampled_from(["Torino", "TORINO", " torino", "Turin", "Αθήνα", ""]),
                                 st.sampled_from([None, "it", "en"])), max_size=2)
worlds = st.fixed_dictionaries({
    "projects": st.dictionaries(st.sampled_from(PROJECTS), projects, max_size=6),
    "countries": st.dictionaries(st.sampled_from(ORGANISATIONS), countries),
    "cities": st.dictionaries(st.sampled_from(ORGANISATIONS), cities),
})


@st.composite
def changes(draw: st.DrawFn) -> tuple[dict, dict]:
    """A data graph and the same with some of it changed, as publishers change records: projects
    kept, dropped, added or edited (a partner's amount or organisation, a date), organisations moved."""
    before = draw(worlds)
    after = copy.deepcopy(before)
    for name in sorted(before["projects"]):
        action = draw(st.sampled_from(["keep", "drop", "replace", "edit"]))
        if action == "drop":
            del after["projects"][name]
        elif action == "replace":
            after["projects"][name] = draw(projects)
        elif action == "edit":
            about = after["projects"][name]
            about["partners"] = [(draw(st.sampled_from([organisation, *ORGANISATIONS])), draw(st.just(amount) | money))
                                 for organisation, amount in about["partners"]] + draw(participations)[:1]
            about.update(start=draw(st.just(about["start"]) | starts), end=draw(st.just(about["end"]) | ends),
                         months=draw(st.just(about["months"]) | durations))
    for name in PROJECTS:
        if name not in after["projects"] and draw(st.booleans()):
            after["projects"][name] = draw(projects)
    for organisation in ORGANISATIONS:
        if draw(st.booleans()):
            after["countries"][organisation] = draw(countries)
        if draw(st.booleans()):
            after["cities"][organisation] = draw(cities)
    return before, after


def triples(world: dict) -> set[ox.Triple]:
    found = set()
    for project, about in world["projects"].items():
        for number, (organisation, money) in enumerate(about["partners"]):
            node = n(f"{project}/participation/{number}")  # its organisation can change; one can take part twice
            found |= {ox.Triple(n(project), e("hasParticipation"), node),
                      ox.Triple(node, e("organisation"), n(organisation))}
            if money is not None:
                amount = ox.NamedNode(node.value + "#eu")
                found |= {ox.Triple(node, e("euContribution"), amount),
                          ox.Triple(amount, e("amount"), literal(money[0], "decimal")),
                          ox.Triple(amount, e("currency"), n(f"currency/{money[1]}"))}
        for key, predicate in (("start", "startDate"), ("end", "endDate")):
            if about[key]:
                found.add(ox.Triple(n(project), e(predicate), dated(about[key])))
        if about["months"]:
            found.add(ox.Triple(n(project), e("durationMonths"), literal(about["months"], "integer")))
    for organisation, countries in world["countries"].items():
        found |= {ox.Triple(n(organisation), e("country"), n(f"country/{c}")) for c in countries}
    for organisation, names in world["cities"].items():
        found |= {ox.Triple(n(organisation), e("city"), ox.Literal(name, language=lang) if lang else ox.Literal(name))
                  for name, lang in names}
    return found


def in_graph(found: set[ox.Triple]) -> list[ox.Quad]:
    return [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(DATA)) for t in found]


def updated(before: dict, after: dict, keep: int, folder: Path) -> tuple[ox.Store, Generation]:
    """A store holding ``before`` and its summaries, patched to ``after`` and its summaries updated;
    and the generation the updated pair counts went to."""
    first, second = Generation(folder / "one"), Generation(folder / "two")
    first.path.mkdir()
    second.path.mkdir()
    store = ox.Store()
    store.extend(in_graph(triples(before)))
    add_summaries(store, DATA, SUMMARIES, BASE, keep, YEAR, counts=first.summary_counts_path)
    delta = Delta.between(triples(before), triples(after))
    apply(store, delta, DATA)
    update_summaries(store, DATA, SUMMARIES, BASE, keep, YEAR, delta, first, second)
    return store, second


@settings(max_examples=200, deadline=None)
@given(change=changes(), keep=st.integers(min_value=0, max_value=6))
def test_updates_of_hand_made_graphs_equal_their_full_summaries(change, keep):
    before, after = change
    with TemporaryDirectory() as folder:
        with mock.patch.object(summaries_update, "add_summaries", side_effect=AssertionError("fell back")):
            store, second = updated(before, after, keep, Path(folder))
        expected = ox.Store()
        expected.extend(in_graph(triples(after)))
        add_summaries(expected, DATA, SUMMARIES, BASE, keep, YEAR, counts=Path(folder) / "full.sqlite")
        assert summary(store, SUMMARIES) == summary(expected, SUMMARIES)
        same_counts(second.summary_counts_path, Path(folder) / "full.sqlite")


@pytest.mark.parametrize("amount", ["abc", "1e3", "", "NaN"])
def test_an_ill_formed_amount_is_computed_again_and_not_counted(amount, caplog):
    """An amount that is not a well-formed xsd:decimal (Decimal would raise on most): the update is
    not sure, the full computation leaves it out, as it leaves it out of a first build."""
    before = {"projects": {"p0": {"partners": [("o0", ("10", "EUR")), ("o1", ("2.5", "EUR"))], "start": None,
                                  "end": None, "months": None}}, "countries": {"o0": {"AAA"}, "o1": {"AAA"}},
              "cities": {}}
    after = copy.deepcopy(before)
    after["projects"]["p0"]["partners"][1] = ("o1", (amount, "EUR"))
    with TemporaryDirectory() as folder:
        with caplog.at_level(logging.INFO, logger="eulod.pipeline.summaries_update"):
            store, _second = updated(before, after, 5, Path(folder))
        assert "computing them all again" in caplog.text
        amounts = [Decimal(q.object.value) for q in store.quads_for_pattern(None, e("totalAmount"), None,
                                                                            ox.NamedNode(SUMMARIES))]
        assert amounts == [Decimal(10)]
