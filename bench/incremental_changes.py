"""The change step after one changed record (issue 19): full against incremental, same run.

For a size: the generator's records (bench/generate.py, seeded, all valid) mapped to N-Triples
and loaded as generation G1 (``load_generation``: store, summaries, listing, search, change
step, dumps), kept in ``--work`` for the next run. Then one record's title is changed: the
delta is the difference of that record's triples before and after. Each path gets its own
copy of G1's store (``copy_store``) with the delta applied:

- full: :func:`eulod.pipeline.changes.publish_changes` (the previous generation's
  dcterms:modified taken out first, as a full build's store never has them);
- incremental: :func:`eulod.pipeline.incremental_changes.update_changes`.

Printed: both times and their ratio, and whether changes.sqlite and the pages agree.

    python bench/incremental_changes.py --size 100000
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import BASE, convert, generate  # noqa: E402  (bench/scale.py: the same records and mapping)

log = logging.getLogger("bench.incremental_changes")
FIRST = datetime(2026, 1, 1, tzinfo=timezone.utc)
SECOND = datetime(2026, 2, 1, tzinfo=timezone.utc)


def first_generation(size: int, work: Path):
    """G1 at ``size``, built once into ``work`` and reused (minutes at 100 000 projects)."""
    from eulod.core.config import load_settings
    from eulod.core.generation import current_generation, dataset_graphs
    from eulod.pipeline.build import load_generation, ntriples_file_chunks
    from eulod.pipeline.generations import switch_to, write_manifest

    build_dir = work / f"incremental-{size}"
    settings = load_settings(environ={}, build_dir=str(build_dir), base_iri=BASE)
    found = current_generation(build_dir)
    if found is not None:
        return settings, found
    records = generate(size, work, invalid_every=0)
    nt_file = work / f"p{size}.nt"
    if not nt_file.exists():
        convert(records, nt_file, check=False)
    started = time.perf_counter()
    generation, stats, dumps = load_generation(settings, ntriples_file_chunks(nt_file), when=FIRST)
    write_manifest(generation, {"generation": generation.id, "base_iri": BASE, "records": [], "rejected": [],
                                "statistics": stats, "dumps": dumps, "built": FIRST.isoformat(),
                                "graphs": dataset_graphs(settings)})
    switch_to(build_dir, generation)
    log.info("G1 at %d projects built in %.1f s", size, time.perf_counter() - started)
    return settings, generation


def one_record_delta(size: int, work: Path, number: int = 9):
    """The delta of changing record ``number``'s title: its triples before and after."""
    import pyoxigraph as ox

    from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream
    from eulod.converters.records import Record
    from eulod.pipeline.delta import Delta

    records = generate(size, work, invalid_every=0)
    with open(records, "rb") as handle:
        for _ in range(number):
            handle.readline()
        row = json.loads(handle.readline())
    changed = json.loads(json.dumps(row))
    title = changed["title"]
    changed["title"] = ({lang: f"{text} (revised)" for lang, text in title.items()} if isinstance(title, dict)
                        else f"{title} (revised)")
    mapper = RecordMapper(MappingOptions(BASE, "role-only", FIRST))

    def triples(data: dict) -> list:
        text = b"".join(ntriples_stream(mapper, [Record(data, str(records), number + 1)]))
        return list(ox.parse(text, ox.RdfFormat.N_TRIPLES))

    return row["id"], Delta.between(triples(row), triples(changed))


def patched(settings, previous, delta):
    import pyoxigraph as ox

    from eulod.core.generation import data_graph_iri
    from eulod.pipeline.delta import apply, copy_store
    from eulod.pipeline.generations import new_generation

    generation = new_generation(settings.build_dir)
    started = time.perf_counter()
    copy_store(previous.store_path, generation.store_path)
    store = ox.Store(str(generation.store_path))
    apply(store, delta, data_graph_iri(settings))
    return generation, store, time.perf_counter() - started


def tables(path: Path) -> dict[str, list]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        found = {name: sorted(connection.execute(f"SELECT * FROM {name}"))
                 for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    connection.close()
    return found


def measure(size: int, work: Path) -> dict[str, Any]:
    from eulod.core.feed import CHANGES, DCTERMS_MODIFIED, read_pages
    from eulod.core.generation import data_graph_iri
    from eulod.pipeline.changes import DATA_FILE, publish_changes
    from eulod.pipeline.generations import discard
    from eulod.pipeline.incremental_changes import update_changes

    settings, g1 = first_generation(size, work)
    record, delta = one_record_delta(size, work)
    graph = data_graph_iri(settings)

    full, store, copy_s = patched(settings, g1, delta)
    started = time.perf_counter()
    store.update(f"DELETE WHERE {{ GRAPH <{graph}> {{ ?entity <{DCTERMS_MODIFIED}> ?modified }} }}")
    unstamp_s = time.perf_counter() - started
    started = time.perf_counter()
    full_counts = publish_changes(store, full, settings, SECOND, keep_data=True, previous_generation=g1)
    full_s = time.perf_counter() - started
    (full.path / DATA_FILE).unlink()
    del store

    incremental, store, _ = patched(settings, g1, delta)
    started = time.perf_counter()
    counts = update_changes(store, g1, incremental, delta, settings, SECOND)
    incremental_s = time.perf_counter() - started
    del store

    same_rows = tables(full.path / CHANGES) == tables(incremental.path / CHANGES)
    members = [(p.members, p.published) for p in read_pages(full)] == [(p.members, p.published)
                                                                      for p in read_pages(incremental)]
    for made in (full, incremental):
        discard(made)
    return {"size": size, "record": record, "delta": [len(delta.removed), len(delta.added)], "copy_store_s": copy_s,
            "full_s": full_s, "full_unstamp_s": unstamp_s, "incremental_s": incremental_s,
            "ratio": full_s / incremental_s, "counts": counts, "same_counts": counts == full_counts,
            "same_changes_rows": same_rows, "same_pages": members}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args.work.mkdir(parents=True, exist_ok=True)
    result = measure(args.size, args.work)
    print(json.dumps(result, indent=1))
    print(f"change step at {args.size} projects, one record changed: full {result['full_s']:.1f} s, "
          f"incremental {result['incremental_s']:.3f} s ({result['ratio']:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
