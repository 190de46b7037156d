"""What loading the country names into the vocabulary graph costs a build.

Builds the sample records with and without the country-name step (eulod.pipeline.build's
``country_label_triples`` replaced by an empty list for the "without" runs), alternating,
and prints the median build times, their ratio, the step on its own and the extra triples.
The step's cost does not depend on the number of records (it adds the same ~6 500
triples to every build), so its share of a 100 000-project build is the step's time
over that build's time.

    python bench/country_labels.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

import eulod.pipeline.build as build_module
from eulod.core.config import load_settings
from eulod.core.countries import label_triples

RECORDS = Path(__file__).resolve().parent.parent / "data" / "records"


def timed_build(folder: Path, with_names: bool) -> tuple[float, int]:
    settings = load_settings(environ={}, build_dir=folder, records=(RECORDS,))
    original = build_module.country_label_triples
    if not with_names:
        build_module.country_label_triples = lambda: []
    try:
        started = time.perf_counter()
        outcome = build_module.build(settings)
        elapsed = time.perf_counter() - started
    finally:
        build_module.country_label_triples = original
    assert outcome.loaded
    return elapsed, outcome.manifest["statistics"]["triples"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    label_triples()  # the table is read once per process either way (the conversion needs it)
    times: dict[bool, list[float]] = {True: [], False: []}
    triples: dict[bool, int] = {}
    with tempfile.TemporaryDirectory() as scratch:
        timed_build(Path(scratch) / "warm", True)  # imports, caches
        for run in range(args.runs):
            for with_names in (False, True):
                elapsed, count = timed_build(Path(scratch) / f"{run}-{with_names}", with_names)
                times[with_names].append(elapsed)
                triples[with_names] = count
    started = time.perf_counter()
    store = ox.Store()
    graph = ox.NamedNode("http://127.0.0.1:5000/graph/vocabulary")
    store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in label_triples())
    step = time.perf_counter() - started
    before, after = statistics.median(times[False]), statistics.median(times[True])
    print(f"build of the 5 sample records, median of {args.runs}: without names {before:.3f} s, "
          f"with names {after:.3f} s, ratio {after / before:.3f}")
    print(f"triples: {triples[False]} -> {triples[True]} (+{triples[True] - triples[False]})")
    print(f"the step alone (triples from the cached table + store.extend): {step * 1000:.1f} ms")


if __name__ == "__main__":
    main()
