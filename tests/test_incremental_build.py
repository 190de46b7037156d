"""``eulod build`` after a change redoes only what changed, and gives what a full build gives (issue 19).

Each case builds records R1 (a full build, which leaves a checkpoint), changes them to R2, builds
again in the same folder (incremental where it can be) and compares with a full build of R2 in a
folder of its own: the published data graph (without the build's own time stamps, which an
incremental build keeps for the records it did not convert again), the summaries, the problems
and SHACL results per record, the records published, the listing and the search index.
"""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

import pyoxigraph as ox
import pytest
from derived_files import listing_contents, search_contents
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from streaming import participant, problems, published_graph, record, results_by_record, write_jsonl

from eulod.core.config import load_settings
from eulod.core.generation import summary_graph_iri
from eulod.pipeline.build import build


def settings_for(folder: Path, records: Path, **overrides):
    return load_settings(environ={}, build_dir=folder / "build", records=(records,), **overrides)


def summary_graph(outcome, settings) -> set[str]:
    store = ox.Store.read_only(str(outcome.generation.store_path))
    try:
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(summary_graph_iri(settings)))
        return {str(q.triple) for q in quads}
    finally:
        del store


def compare(incremental, full, settings_a, settings_b) -> None:
    """Everything a reader or the CLI sees of the two builds is the same."""
    assert incremental.loaded == full.loaded
    assert problems(incremental.problems, incremental.outcomes) == problems(full.problems, full.outcomes)
    assert results_by_record(incremental.outcomes) == results_by_record(full.outcomes)
    if not full.loaded:
        return
    assert sorted(incremental.manifest["records"]) == sorted(full.manifest["records"])
    a, b = published_graph(incremental, settings_a), published_graph(full, settings_b)
    assert set(a) == set(b), (sorted(set(a) - set(b))[:5], sorted(set(b) - set(a))[:5])
    assert summary_graph(incremental, settings_a) == summary_graph(full, settings_b)
    assert incremental.manifest["statistics"] == full.manifest["statistics"]
    store = ox.Store.read_only(str(incremental.generation.store_path))
    try:  # the incremental build counts the quads it adds and removes instead of asking the store
        assert incremental.manifest["statistics"]["triples"] == len(store)
    finally:
        del store
    assert listing_contents(incremental.generation.listing_path) == listing_contents(full.generation.listing_path)
    assert search_contents(incremental.generation.search_path, integrity=True) == search_contents(
        full.generation.search_path)
    validation = [json.loads((o.generation.path / "validation.json").read_text("utf-8")) for o in (incremental, full)]
    assert validation[0] == validation[1]
    assert incremental.manifest["sources"] == full.manifest["sources"]
    assert published_sources(incremental) == published_sources(full)


def published_sources(outcome) -> dict[str, bytes]:
    folder = outcome.generation.path / "sources"
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def run_case(tmp_path: Path, first: list[dict], second: list[dict], **overrides):
    """Build ``first`` then ``second`` in one build folder, and ``second`` alone in another:
    (the second build, the full one)."""
    records = tmp_path / "a" / "records" / "projects.jsonl"
    settings_a = settings_for(tmp_path / "a", records.parent, **overrides)
    write_jsonl(records, first)
    build(settings_a)
    write_jsonl(records, second)
    incremental = build(settings_a)
    settings_b = settings_for(tmp_path / "b", records.parent, **overrides)  # the same files: messages name them
    full = build(settings_b, full=True)
    compare(incremental, full, settings_a, settings_b)
    return incremental, full


def projects() -> list[dict]:
    return [
        record("p1", participants=[participant("shared", "coordinator", name="Shared Org", country="IT"),
                                   participant("alone", name="Alone Ltd", country="FR")],
               budget={"total_cost": 1000, "eu_contribution": 800}),
        record("p2", participants=[participant("shared", name="Shared Org", country="IT"),
                                   participant("other", "coordinator", name="Other Org", country="DE")],
               budget={"total_cost": 500}),
        record("p3", participants=[participant("other", "coordinator", name="Other Org", country="DE")]),
    ]


CHANGES = {
    "a title": lambda rs: rs[1].update(title="A new title"),
    "an amount": lambda rs: rs[0]["budget"].update(eu_contribution=700),
    "dates": lambda rs: rs[2].update(start_date="2019-01-01", end_date="2020-06-30"),
    "a record added": lambda rs: rs.append(record("p4", participants=[participant("shared", "coordinator",
                                                                                  name="Shared Org", country="IT")])),
    "a record removed": lambda rs: rs.pop(0),
    "a partner dropped": lambda rs: rs[0]["participants"].pop(1),
    "a partner added": lambda rs: rs[2]["participants"].append(participant("new", name="New Org", country="ES")),
    "a shared organisation's name": lambda rs: rs[0]["participants"][0]["organisation"].update(name="Shared Org SpA"),
    "a record moved in its file": lambda rs: rs.insert(0, rs.pop()),
    # sh:class on a contact's organisation that only another record lists (typed there, not here)
    "a contact of an organisation another record lists": lambda rs: rs[2].update(
        contacts=[{"role": "press office", "organisation": "alone"}]),
    "a contact of an organisation no record lists": lambda rs: rs[2].update(
        contacts=[{"role": "press office", "organisation": "nowhere"}]),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_an_incremental_build_is_a_full_build(tmp_path, change, caplog):
    second = projects()
    CHANGES[change](second)
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.build"):
        incremental, _full = run_case(tmp_path, projects(), second)
    assert caplog.text.count("building every record") == 1, caplog.text  # the first build only
    if incremental.loaded:
        assert incremental.manifest["incremental"]["converted"] <= 1


def test_a_change_that_reaches_other_records_builds_them_all(tmp_path, caplog):
    """Another value for an organisation another record states: the one published is chosen across
    records, so the build is a full one, and says why."""
    second = projects()
    second[1]["participants"][0]["organisation"]["country"] = "FR"  # p1 still says IT
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.build"):
        incremental, _full = run_case(tmp_path, projects(), second)
    assert "records disagree about organisation" in caplog.text
    assert "incremental" not in incremental.manifest


def test_an_organisation_no_longer_typed_that_another_record_points_to_builds_them_all(tmp_path, caplog):
    """p3's contact names organisation "new", which p1 lists. When p1 drops it, no record types it
    and p3 fails sh:class, though p3 did not change: the build validates p3 again (a full build)."""
    first = projects()
    first[0]["participants"].append(participant("new", name="New Org", country="ES"))
    first[2]["contacts"] = [{"role": "press office", "organisation": "new"}]
    second = [dict(r) for r in first]
    second[0] = dict(first[0], participants=first[0]["participants"][:-1])
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.build"):
        incremental, full = run_case(tmp_path, first, second)
    assert "is now typed differently" in caplog.text
    assert not full.loaded
    assert any(r.constraint.endswith("ClassConstraintComponent") for o in full.outcomes if o.record.id == "p3"
               for r in o.report.results)


def test_a_source_the_full_build_refuses_is_refused(tmp_path):
    second = projects()
    second[1]["source"] = {"file": "../../../../etc/passwd"}
    incremental, full = run_case(tmp_path, projects(), second)
    assert not incremental.loaded
    assert any(p.field == "source.file" for p in incremental.problems)


def test_a_new_contact_name_builds_them_all(tmp_path, caplog):
    second = projects()
    second[2]["contacts"] = [{"name": "Ann Example", "role": "press"}]
    with caplog.at_level(logging.INFO, logger="eulod.pipeline.build"):
        incremental, _full = run_case(tmp_path, projects(), second)
    assert "names changed" in caplog.text
    assert "incremental" not in incremental.manifest


def named_contacts() -> list[dict]:
    """The projects with contact persons, whose names are not published by default (personal_data)."""
    named = projects()
    named[0]["contacts"] = [{"name": "Ann Example", "role": "project manager", "email": "ann@example.org"}]
    named[2]["contacts"] = [{"name": "Bo Ekström", "role": "press"}]
    named[2]["description"] = "Bo Ekström and Ann Example lead it."
    return named


def test_contact_persons_keep_their_checkpoint_out_of_the_generation(tmp_path, caplog):
    second = named_contacts()
    CHANGES["a title"](second)
    with caplog.at_level(logging.INFO, logger="eulod.pipeline"):
        incremental, _full = run_case(tmp_path, named_contacts(), second)
    assert incremental.manifest["incremental"]["converted"] == 1
    build_dir = tmp_path / "a" / "build"
    private = build_dir / ".private"
    kept = sorted(p.name for p in private.iterdir())
    assert kept == [f"{incremental.generation.id}.checkpoint.sqlite"] or len(kept) == 2  # the previous one's too
    assert f"{incremental.generation.id}.checkpoint.sqlite" in kept
    assert private.stat().st_mode & 0o077 == 0
    assert all((private / name).stat().st_mode & 0o077 == 0 for name in kept)
    for generation in (build_dir / "generations").iterdir():  # names nowhere in what is published
        for path in generation.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                data = gzip.decompress(data) if path.suffix == ".gz" else data
                assert b"Ekstr" not in data and b"Ann Example" not in data and b"ann@example" not in data, path
    assert "names changed" not in caplog.text
    records = tmp_path / "a" / "records" / "projects.jsonl"
    third = [dict(r) for r in second]
    third[1] = dict(third[1], title="A third title")
    write_jsonl(records, third)
    after = build(settings_for(tmp_path / "a", records.parent))
    assert after.manifest["incremental"]["from"] == incremental.generation.id
    generations = {p.name for p in (build_dir / "generations").iterdir()}
    assert {p.name.split(".")[0] for p in private.iterdir()} <= generations  # pruned with their generation
    assert f"{incremental.generation.id}.checkpoint.sqlite" in {p.name for p in private.iterdir()}


SHEET = """<html lang="en"><body><h1>{title}</h1><p>Fact sheet of {title}. Contact: Ann Example,
ann@example.org, +39 051 123 4567.</p></body></html>"""


def with_documents(folder: Path, names: dict[str, str]) -> None:
    """Source documents one folder above the records (where a record's source.file is looked for)."""
    for name, title in names.items():
        path = folder / "a" / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SHEET.format(title=title), "utf-8")


def documented() -> list[dict]:
    named = named_contacts()
    for index, data in enumerate(named):
        data["source"] = {"file": f"docs/sheet{index}.html"}
    named.append(record("p9", source={"file": "docs/missing.html"}))
    return named


@pytest.mark.parametrize("case", ["a record changed", "a document changed", "a missing document added",
                                  "a record names another document", "a record naming a document removed"])
def test_source_documents_are_published_as_a_full_build_publishes_them(tmp_path, case, caplog):
    with_documents(tmp_path, {"sheet0.html": "Sheet zero", "sheet1.html": "Sheet one", "sheet2.html": "Sheet two"})
    records = tmp_path / "a" / "records" / "projects.jsonl"
    settings_a = settings_for(tmp_path / "a", records.parent)
    write_jsonl(records, documented())
    first = build(settings_a)
    assert set(first.manifest["sources"].values()) == {"sheet0.html", "sheet1.html", "sheet2.html"}
    second = documented()
    if case == "a record changed":
        CHANGES["a title"](second)
    elif case == "a document changed":
        CHANGES["a title"](second)
        (tmp_path / "a" / "docs" / "sheet2.html").write_text(SHEET.format(title="Sheet two, revised"), "utf-8")
    elif case == "a missing document added":
        CHANGES["a title"](second)
        with_documents(tmp_path, {"missing.html": "Found at last"})
    elif case == "a record names another document":
        second[0]["source"] = {"file": "docs/sheet2.html"}
    else:
        second.pop(1)
    write_jsonl(records, second)
    with caplog.at_level(logging.INFO, logger="eulod.pipeline"):
        incremental = build(settings_a)
    assert "incremental" in incremental.manifest, caplog.text
    settings_b = settings_for(tmp_path / "b", records.parent)
    full = build(settings_b, full=True)
    compare(incremental, full, settings_a, settings_b)
    if case == "a missing document added":
        assert incremental.manifest["sources"]["p9"] == "missing.html"
        assert "all copied again" in caplog.text  # its folder changed
    elif case == "a record changed":
        assert "2 kept from the previous build, 1 looked at again" in caplog.text  # p2 names sheet1
    if case == "a document changed":
        assert b"revised" in published_sources(incremental)["sheet2.html"]


def test_a_rejected_change_leaves_the_served_generation(tmp_path):
    records = tmp_path / "records" / "projects.jsonl"
    settings_ = settings_for(tmp_path, records.parent)
    write_jsonl(records, projects())
    first = build(settings_)
    second = projects()
    second[1]["start_date"], second[1]["end_date"] = "2024-01-01", "2020-01-01"  # ends before it starts
    write_jsonl(records, second)
    outcome = build(settings_, fail_on="warning")
    assert not outcome.loaded
    assert (tmp_path / "build" / "current").resolve() == first.generation.path.resolve()
    assert any(o.record.id == "p2" and not o.valid("warning") for o in outcome.outcomes)


def test_a_checkpoint_says_which_build_it_follows(tmp_path):
    second = projects()
    CHANGES["a title"](second)
    incremental, full = run_case(tmp_path, projects(), second)
    assert incremental.manifest["incremental"]["from"] != incremental.generation.id
    assert "incremental" not in full.manifest


# --- generated records ---------------------------------------------------------------------------

# Each organisation keeps its country (another one makes the records disagree: a full build, tested
# above); its name varies, so the preferred name is chosen again across the records naming it.
COUNTRIES = {"shared": "IT", "other": "DE", "third": "FR"}
organisation = st.sampled_from(sorted(COUNTRIES)).flatmap(lambda key: st.fixed_dictionaries(
    {"id": st.just(key), "name": st.sampled_from(["Shared Org", "Shared Organisation", "Città di Roma"]),
     "country": st.just(COUNTRIES[key])}))
generated = st.fixed_dictionaries(
    {"title": st.sampled_from(["One", "Two", "Τρία"]),
     "participants": st.lists(organisation, min_size=1, max_size=3, unique_by=lambda o: o["id"]).map(
         lambda orgs: [{"role": "coordinator" if i == 0 else "partner", "organisation": o} for i, o in enumerate(orgs)])},
    optional={"budget": st.fixed_dictionaries({"total_cost": st.sampled_from([100, 250, 1000])}),
              "start_date": st.sampled_from(["2019-01-01", "2021-06-01"]),
              "description": st.sampled_from(["Bo Ek leads it.", "About towns."])})


@st.composite
def record_pairs(draw) -> tuple[list[dict], list[dict]]:
    count = draw(st.integers(2, 6))
    first = [record(f"p{i}", **draw(generated)) for i in range(count)]
    second = [dict(r) for r in first]
    for index in draw(st.lists(st.integers(0, count - 1), max_size=2, unique=True)):
        second[index] = record(f"p{index}", **draw(generated))
    if draw(st.booleans()):
        second.append(record(f"p{count}", **draw(generated)))
    if draw(st.booleans()) and len(second) > 2:
        second.pop(draw(st.integers(0, len(second) - 1)))
    return first, second


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(pair=record_pairs())
def test_generated_changes(tmp_path_factory, pair):
    reasons, logger = Reasons(), logging.getLogger("eulod.pipeline.build")
    level = logger.level
    logger.addHandler(reasons)
    logger.setLevel(logging.INFO)
    try:
        incremental, _full = run_case(tmp_path_factory.mktemp("case"), *pair)
    finally:
        logger.removeHandler(reasons)
        logger.setLevel(level)
    if not incremental.loaded:
        event("rejected")
    else:
        event("incremental" if "incremental" in incremental.manifest else f"full: {reasons.said[-1][:50]}")


class Reasons(logging.Handler):
    """Why builds were full ones (the log line eulod.pipeline.build writes)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.said: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().startswith("building every record"):
            self.said.append(record.getMessage())
