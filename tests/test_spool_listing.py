"""The home page listing read from the records' N-Triples beside the bulk load (issue 19).

At 1 000 000 projects the listing's queries over the loaded store took 31 minutes, most of it
random reads turning ids back into text; eulod.pipeline.spool_listing asks the same queries of
small in-memory stores, each holding a group of whole records, while the store is loaded. These
tests hold the build to it (the listing's queries never reach the generation's store) and the
file it writes to the one written from the sealed store, with groups of a few records, records
left out by --skip-invalid, projects stating no EU contribution (the partners' sums) and
organisations shared between groups.
"""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import ROOT
from eulod.core import listing
from eulod.core.config import load_settings
from eulod.core.generation import current_generation
from eulod.pipeline import spool_listing
from eulod.pipeline.build import build

LISTING_QUERIES = {"listing-projects.rq", "listing-titles.rq", "listing-facts.rq", "listing-amounts.rq",
                   "listing-partner-funding.rq", "listing-countries.rq"}


@given(st.lists(st.integers(min_value=1, max_value=500), max_size=60), st.integers(min_value=1, max_value=7))
def test_the_groups_are_whole_records_covering_the_spool_once(lengths, per_store):
    ranges = spool_listing.record_ranges(lengths, per_store)
    ends, at = set(), 0
    for length in lengths:
        at += length
        ends.add(at)
    assert [start for start, _ in ranges] == ([0] + [end for _, end in ranges[:-1]] if ranges else [])  # no gap
    assert (ranges[-1][1] if ranges else 0) == sum(lengths)
    for start, end in ranges:
        assert end in ends and end > start  # cut at the end of a record only
        assert sum(1 for e in ends if start < e <= end) <= per_store


def test_a_stopped_reading_leaves_no_file(tmp_path):
    stop = threading.Event()
    stop.set()
    target = tmp_path / ".listing.parked"
    spool = io.BytesIO(b"<http://e.org/p> <http://e.org/q> <http://e.org/o> .\n")
    with pytest.raises(spool_listing.Stopped):
        spool_listing.park_listing(spool, [(0, len(spool.getvalue()))], target, stop)
    assert not target.exists()
    assert spool.closed


def records(out: Path) -> list[dict]:
    """60 generated records, every seventh broken; a few with no EU contribution of their own (the
    listing then sums their partners') and a few in Swedish kronor."""
    generated = out.with_suffix(".generated.jsonl")
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", "60", "--invalid-every", "7",
                    "--seed", "19", "--out", str(generated)], check=True, capture_output=True)
    rows = [json.loads(line) for line in generated.read_text("utf-8").splitlines()]
    for n, row in enumerate(rows):
        if n % 5 == 1:
            row["budget"].pop("eu_contribution", None)
            row["budget"].pop("eu_contribution_rate", None)
        if n % 9 == 4:
            row["currency"] = "SEK"
    out.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return rows


def tables(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as db:
        names = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        found = {name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr) for name in names}
    found["meta"] = [row for row in found["meta"] if row[0] != "software"]
    return found


@pytest.fixture(scope="module")
def spied_build(tmp_path_factory: pytest.TempPathFactory):
    """A --skip-invalid build in groups of three records, every listing query's store noted."""
    folder = tmp_path_factory.mktemp("spool-listing")
    written = records(folder / "records.jsonl")
    asked: list[tuple[str, bool]] = []  # (query, whether the store has named graphs: the generation's)
    original = listing.run_stored

    def spy(store, name, package=None):
        asked.append((name, any(True for _ in store.named_graphs())))
        return original(store, name, package)

    with pytest.MonkeyPatch.context() as patcher:
        patcher.setattr(spool_listing, "RECORDS_PER_STORE", 3)
        patcher.setattr(listing, "run_stored", spy)
        settings = load_settings(environ={}, build_dir=folder / "build", records=(folder / "records.jsonl",))
        outcome = build(settings, skip_invalid=True)
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return {"records": written, "generation": current_generation(folder / "build"), "asked": asked}


def test_the_build_asks_the_listing_queries_of_the_records_not_of_the_loaded_store(spied_build):
    asked = spied_build["asked"]
    assert {name for name, _ in asked} >= LISTING_QUERIES  # the listing was written, its queries asked
    of_the_store = sorted({name for name, whole in asked if whole and name in LISTING_QUERIES})
    assert of_the_store == []


def test_the_listing_read_from_the_records_is_the_one_written_from_the_store(spied_build, tmp_path):
    generation = spied_build["generation"]
    store = ox.Store.read_only(str(generation.store_path))
    built = tables(generation.listing_path)
    again = tmp_path / "listing.sqlite"
    listing.write_listing(store, again, int(dict(built["meta"])["current_year"]), generation.id)
    assert tables(again) == built
    # What the comparison covered: records left out, partners' sums, two currencies, shared organisations.
    listed = {iri.rsplit("/", 1)[-1] for _, iri, *_ in built["project"]}
    ids = [row["id"] for row in spied_build["records"]]
    assert 40 <= len(listed) < len(ids)  # the broken records are not listed
    assert {currency for _, currency, _ in built["project_funding"]} == {"EUR", "SEK"}
    without = {row["id"] for row in spied_build["records"] if "eu_contribution" not in row["budget"]}
    assert listed & without
    shared = [org for org, count in _counts(built["membership"]).items() if count > 3]
    assert shared  # organisations taking part in projects of different groups
    assert not list(generation.path.glob(".listing*"))  # the parked rows are gone


def _counts(memberships: list[tuple]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for organisation, _project in memberships:
        counts[organisation] = counts.get(organisation, 0) + 1
    return counts
