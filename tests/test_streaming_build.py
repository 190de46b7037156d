"""The streaming build (issue 19) finds what whole-graph validation finds, and publishes the same data.

``eulod build`` validates a batch of records at a time and the organisations, which records
share, in a pass of their own (eulod/pipeline/checks.py). These tests hold it to the whole-graph
validation of the same records (eulod.pipeline.build.validate_outcomes, itself held to pySHACL
by tests/test_fast_validation.py), at batch sizes that cut the records every which way, on the
sample records and on records written to cross the batches: an organisation shared by records
in different batches, a contact whose organisation only another record lists, records that
disagree about an organisation, and invalid ones.
"""

from __future__ import annotations

import gzip
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import RECORDS
from rdflib.compare import to_isomorphic
from streaming import (
    BASE,
    expected_graph,
    participant,
    published_graph,
    record,
    streamed,
    whole_graph,
    whole_graph_validation,
    write_jsonl,
)

from eulod.core.config import load_settings
from eulod.pipeline.build import build
from eulod.pipeline.checks import OrganisationStore, named_results, organisation_results


def crossing_records() -> list[dict]:
    """Records whose findings depend on other records (organisations) and on nothing but themselves."""
    return [
        record("a-first", participants=[participant("shared-org", "coordinator", name="Shared Org", country="IT",
                                                    type="ngo")]),
        record("b-unnamed", participants=[participant("kohesio-org", "beneficiary",
                                                      same_as="https://linkedopendata.eu/entity/Q1")]),
        record("c-names-it", participants=[participant("kohesio-org", "beneficiary", name="Named Later")]),
        # Disagrees with a-first about the shared organisation's country: a warning, one value published.
        record("d-disagrees", participants=[participant("shared-org", "coordinator", name="Shared Org", country="FR")]),
        # A contact whose organisation is listed as a participant by another record only.
        record("e-contact", contacts=[{"role": "press", "organisation": "shared-org"}]),
        # A violation: the project ends before it starts.
        record("f-invalid", start_date="2024-01-01", end_date="2023-01-01"),
        # A violation and a warning inside one record, with the shared organisation.
        record("g-two-coordinators", participants=[participant("shared-org", "coordinator", name="Shared Org"),
                                                   participant("other-org", "coordinator", name="Other Org")]),
        record("h-plain", participants=[participant("shared-org", name="Shared Organisation", country="IT")]),
    ]


def write_crossing(folder: Path) -> Path:
    write_jsonl(folder / "crossing.jsonl", crossing_records())
    return folder


@pytest.fixture(scope="module")
def crossing(tmp_path_factory) -> Path:
    return write_crossing(tmp_path_factory.mktemp("crossing") / "records")


@pytest.mark.parametrize(("batch", "processes"), [(1, 1), (2, 0), (3, 1), (3, 0), (2000, 1)])
def test_streaming_results_are_the_whole_graph_results(tmp_path, crossing, batch, processes):
    """In the build's process or in a validation process beside it (processes 1, used when there
    is more than one batch), the results are the same."""
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(crossing,), personal_data="publish",
                             build_batch_records=batch, build_check_processes=processes)
    expected = whole_graph(crossing, settings)
    assert {"d-disagrees", "f-invalid", "g-two-coordinators"} <= set(expected), expected  # the set proves something
    outcome = build(settings, skip_invalid=True)
    assert streamed(outcome) == expected
    assert sorted(outcome.manifest["rejected"]) == ["f-invalid", "g-two-coordinators"]


@pytest.mark.parametrize("batch", [1, 2])
def test_the_sample_records_get_the_whole_graph_results(tmp_path, batch):
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(RECORDS,), personal_data="publish",
                             build_batch_records=batch)
    expected = whole_graph(RECORDS, settings)
    assert expected, "the sample records were expected to carry warnings"
    assert streamed(build(settings)) == expected


def test_the_store_holds_what_the_records_say_whatever_the_batch(tmp_path, crossing):
    """The published data graph is the union of the valid records' graphs plus their preferred
    labels, as the build made it before streaming; batches change nothing of it."""
    graphs = []
    for batch in (1, 3):
        settings = load_settings(environ={}, build_dir=tmp_path / f"build-{batch}", records=(crossing,),
                                 personal_data="publish", build_batch_records=batch)
        graphs.append(published_graph(build(settings, skip_invalid=True), settings))
    expected = expected_graph(whole_graph_validation(crossing, settings)[1])
    for graph in graphs:
        assert to_isomorphic(graph) == to_isomorphic(expected)


def test_a_left_out_record_gives_no_preferred_name(tmp_path):
    """--skip-invalid: an organisation's preferred name is chosen among the published records only."""
    folder = tmp_path / "records"
    folder.mkdir()
    rows = [record("ok", participants=[participant("org", name="Published Name")])]
    rows += [record(f"bad-{n}", start_date="2024-01-01", end_date="2023-01-01",
                    participants=[participant("org", name="Rejected Name")]) for n in range(3)]
    write_jsonl(folder / "r.jsonl", rows)
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(folder,), personal_data="publish",
                             build_batch_records=2)
    outcome = build(settings, skip_invalid=True)
    assert outcome.manifest["records"] == ["ok"]
    store = ox.Store.read_only(str(outcome.generation.store_path))
    names = {q.object.value for q in store.quads_for_pattern(
        ox.NamedNode(f"{BASE}organisation/org"), ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel"), None)}
    assert names == {"Published Name"}


def test_without_skip_invalid_nothing_is_loaded_and_the_report_stays(tmp_path, crossing):
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(crossing,), personal_data="publish")
    outcome = build(settings)
    assert not outcome.loaded
    assert {o.record.id for o in outcome.invalid("violation")} == {"f-invalid", "g-two-coordinators"}
    generations = tmp_path / "build" / "generations"
    assert not generations.exists() or not list(generations.iterdir())  # no half-written generation left
    assert (tmp_path / "build" / "report.sqlite").is_file()


def test_the_organisation_pass_sees_every_record_and_names_them(tmp_path):
    """Organisation shapes run on what all records say of an organisation, and a result goes to each
    record naming it: here two records give two countries (the shape allows one). The namings come
    from their own file, read after the pass; a record naming a node twice gets its results once."""
    spool, naming = tmp_path / "orgs.nt", tmp_path / "named.nt"
    org = f"<{BASE}organisation/x>"
    other = f"<{BASE}organisation/y>"
    lines = [
        f'{org} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/eulod/ontology#Organisation> .',
        f'{org} <http://www.w3.org/2004/02/skos/core#altLabel> "X"@en .',
        f'{org} <https://w3id.org/eulod/ontology#country> <http://publications.europa.eu/resource/authority/country/ITA> .',
        f'{org} <https://w3id.org/eulod/ontology#country> <http://publications.europa.eu/resource/authority/country/FRA> .',
        f'{other} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/eulod/ontology#Organisation> .',
        f'{other} <http://www.w3.org/2004/02/skos/core#altLabel> "Y"@en .',
    ]
    spool.write_text("\n".join(lines) + "\n", "utf-8")
    naming.write_text(f'{org} <urn:eulod:build:namedBy> "one" .\n{other} <urn:eulod:build:namedBy> "three" .\n'
                      f'{org} <urn:eulod:build:namedBy> "t\\"wo" .\n{org} <urn:eulod:build:namedBy> "one" .\n', "utf-8")
    store = OrganisationStore(tmp_path / "store", spool)
    found = list(organisation_results(store, batch_size=1))
    assert [(r.focus, r.path) for r in found] == [(org[1:-1], "https://w3id.org/eulod/ontology#country")]
    assert found[0].severity == "violation"
    by_focus = {org[1:-1]: found}
    assert list(named_results(naming, by_focus)) == [("one", found), ('t"wo', found)]
    assert list(named_results(naming, {})) == []


def test_the_organisation_pass_in_validation_processes_gives_the_same_results_in_order(tmp_path):
    """Batches of organisations validated by two processes: the results of one process, in order."""
    spool = tmp_path / "orgs.nt"
    lines = []
    for number in range(25):
        org = f"<{BASE}organisation/o{number}>"
        lines += [f'{org} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/eulod/ontology#Organisation> .']
        if number % 3:
            lines.append(f'{org} <http://www.w3.org/2004/02/skos/core#altLabel> "O {number}"@en .')
        if number % 4 == 0:
            lines += [f'{org} <https://w3id.org/eulod/ontology#country> <http://publications.europa.eu/resource/authority/country/ITA> .',
                      f'{org} <https://w3id.org/eulod/ontology#country> <http://publications.europa.eu/resource/authority/country/FRA> .']
    spool.write_text("\n".join(lines) + "\n", "utf-8")
    store = OrganisationStore(tmp_path / "store", spool)
    serial = list(organisation_results(store, batch_size=4))
    parallel = list(organisation_results(store, batch_size=4, processes=2))
    assert parallel == serial
    assert {r.path for r in serial} >= {"https://w3id.org/eulod/ontology#country"} and len(serial) >= 10


@pytest.mark.skipif(not hasattr(__import__("os"), "sched_setaffinity") or len(__import__("os").sched_getaffinity(0)) < 2,
                    reason="needs two CPUs and CPU affinity")
def test_the_bulk_loader_sees_as_many_cpus_as_the_setting_says():
    """pyoxigraph's bulk loader starts a thread (about 1 GB at scale) per CPU it may run on: the
    build narrows that to build_load_threads while loading, and gives the CPUs back after."""
    import os

    from eulod.pipeline.bulk import loader_threads

    before = os.sched_getaffinity(0)
    with loader_threads(1):
        assert len(os.sched_getaffinity(0)) == 1
    assert os.sched_getaffinity(0) == before
    with loader_threads(0):
        assert os.sched_getaffinity(0) == before


def test_the_dump_holds_exactly_the_stores_triples(tmp_path, crossing):
    """The N-Triples dump is the data graph the change step read out of the store (with the
    dcterms:modified it added) and the store's other graphs: every triple of the store, no other,
    on a first build and on the next one (where dcterms:modified is kept or renewed)."""
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(crossing,), personal_data="publish")
    for _ in range(2):
        outcome = build(settings, skip_invalid=True)
        store = ox.Store.read_only(str(outcome.generation.store_path))
        in_store = Counter(str(q.triple) for q in store.quads_for_pattern(None, None, None, None))
        del store
        dumped = Counter(str(t) for t in ox.parse(gzip.decompress((outcome.generation.dumps_path / "eulod.nt.gz")
                                                                  .read_bytes()), format=ox.RdfFormat.N_TRIPLES))
        assert dumped == in_store
        assert any("http://purl.org/dc/terms/modified" in t for t in dumped)
        assert not list(outcome.generation.path.glob(".feed-data*"))


def test_typed_subjects_are_read_from_the_lines_that_type_them():
    """Which record types which node is read from the bytes of its N-Triples; a literal that
    spells a type statement is not a typed subject."""
    from eulod.pipeline.checks import typed_subjects

    rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    text = (f'<{BASE}project/a> {rdf_type} <https://w3id.org/eulod/ontology#Project> .\n'
            f'<{BASE}project/a> <http://purl.org/dc/terms/title> "x {rdf_type} y"@en .\n'
            f'<{BASE}project/a> <http://purl.org/dc/terms/description> "<{BASE}z> {rdf_type} <q>" .\n'
            f'<{BASE}organisation/o> {rdf_type} <https://w3id.org/eulod/ontology#Organisation> .\n').encode()
    assert list(typed_subjects(text)) == [f"{BASE}project/a", f"{BASE}organisation/o"]


# Found by tests/test_streaming_property.py, each minimised to a plain case.

def test_a_name_holding_a_unicode_line_separator_is_one_line(tmp_path):
    """N-Triples leaves U+2028 (and U+0085, a form feed ...) unescaped in a literal; the
    organisations' spool once cut its lines there, and the organisation pass failed to parse it."""
    folder = tmp_path / "records"
    write_jsonl(folder / "r.jsonl", [
        record("a", participants=[participant("org", "coordinator", name="Line\u2028break\x85here",
                                              identifiers=[{"scheme": "vat-number", "value": "IT\u20280002"}])]),
        record("b", participants=[participant("org", "coordinator", name="Other")])])
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(folder,), personal_data="publish",
                             build_batch_records=1, build_check_processes=0)
    expected = whole_graph(folder, settings)
    outcome = build(settings)
    assert streamed(outcome) == expected
    names = {t[2] for t in published_graph(outcome, settings)
             if str(t[1]) == "http://www.w3.org/2004/02/skos/core#altLabel"}
    assert {str(n) for n in names} == {"Line\u2028break\x85here", "Other"}


def test_records_giving_an_organisation_two_pics_are_told_in_any_batch(tmp_path):
    """{organisation}/identifier/eu-pic is one node whichever record states it: two PICs give it
    two notations (a violation of both records stating one), also when the records are in
    different batches; a record naming the organisation without a PIC is not concerned."""
    folder = tmp_path / "records"
    write_jsonl(folder / "r.jsonl", [
        record("a", participants=[participant("org", "coordinator", name="Org",
                                              identifiers=[{"scheme": "eu-pic", "value": "111"}])]),
        record("b", participants=[participant("other", "coordinator", name="Other")]),
        record("c", participants=[participant("org", "coordinator", name="Org",
                                              identifiers=[{"scheme": "eu-pic", "value": "222"}])]),
        record("d", participants=[participant("org", "coordinator", name="Org")])])
    for batch in (1, 2, 4):
        settings = load_settings(environ={}, build_dir=tmp_path / f"build-{batch}", records=(folder,),
                                 personal_data="publish", build_batch_records=batch, build_check_processes=0)
        expected = whole_graph(folder, settings)
        outcome = build(settings, skip_invalid=True)
        assert streamed(outcome) == expected
        assert sorted(outcome.manifest["rejected"]) == ["a", "c"]


def test_a_repeated_id_refuses_the_later_record_only(tmp_path):
    """The loader refuses a record whose id an earlier one has; the earlier one is published with
    --skip-invalid (the refusal once left both out), and without it nothing is loaded."""
    folder = tmp_path / "records"
    write_jsonl(folder / "r.jsonl", [record("same", title="First"), record("same", title="Second"),
                                     record("other")])
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(folder,), personal_data="publish",
                             build_batch_records=1, build_check_processes=0)
    outcome = build(settings, skip_invalid=True)
    assert [p.field for p in outcome.problems] == ["id"]
    assert outcome.manifest["records"] == ["same", "other"]
    assert outcome.manifest["rejected"] == ["same"]  # as before streaming: the refused record's id
    titles = {str(o) for s, p, o in published_graph(outcome, settings)
              if str(p) == "http://purl.org/dc/terms/title" and str(s).endswith("/project/same")}
    assert titles == {"First"}
    assert not build(settings).loaded


class _Cycle:
    """An object in a reference cycle: only Python's cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.mark.parametrize("enabled", [True, False])
def test_a_batch_pauses_the_cycle_collector_and_leaves_it_as_it_found_it(enabled):
    """Validation pauses the collector for a batch (it took a third of a batch's time); the
    collector is on again after it when it was on before, and a cycle the batch dropped is freed
    right after, so memory stays bounded by the batch."""
    import gc
    import weakref

    from eulod.pipeline.checks import collector_paused

    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        with collector_paused():
            assert not gc.isenabled()
            dropped = weakref.ref(_Cycle())
        assert gc.isenabled() is enabled
        if enabled:
            assert dropped() is None
        else:
            assert dropped() is not None  # the caller's choice: nothing collected behind its back
            gc.collect()
            assert dropped() is None
    finally:
        (gc.enable if was else gc.disable)()


def test_a_batch_checked_by_the_validation_code_runs_with_the_collector_paused(monkeypatch):
    """check_batch and check_organisation_batch validate with the collector off."""
    import gc

    from eulod.pipeline import checks

    seen: list[bool] = []

    def spy(triples, *args, **kwargs):
        seen.append(gc.isenabled())
        raise RuntimeError("stop here")

    monkeypatch.setattr(checks, "validate_part", spy)
    text = (f'<{BASE}project/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> '
            f'<https://w3id.org/eulod/ontology#Project> .\n').encode()
    for call in (lambda: checks.check_batch([(None, text)]), lambda: checks.check_organisation_batch(text)):
        with pytest.raises(RuntimeError):
            call()
    assert seen == [False, False]
    assert gc.isenabled()
