"""What the summaries cost after a small change (issue 19): computed again, or updated.

For each size: the generator's records (bench/generate.py, seeded, all valid), mapped to
N-Triples with eulod's bulk mapper and bulk-loaded into a store, optimised, its summaries
computed in full with their pair counts (the previous generation, kept in bench/out and reused).
Then, for each change, in the same run, two copies of that store with the change applied to
the data graph: one whose summaries are updated (eulod.pipeline.summaries_update), one whose
summary graph is emptied and computed again (eulod.pipeline.summaries.add_summaries, as a full
build does, pair counts included). Both must hold the same summary graph; printed: both times
and their ratio.

The changes:

- ``record``: one project record (an amount, a partner replaced by another, its end date):
  the triples of its project, participations and amounts;
- ``organisation``: the busiest organisation moves to another country, which every
  participation of it, in hundreds of projects, follows.

    python bench/incremental_summaries.py --sizes 20000 100000
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import BASE, convert, generate  # noqa: E402  (bench/scale.py: the same records and mapping)

log = logging.getLogger("bench.incremental_summaries")
KEEP = 1000  # the default summary_collaborations
COUNTRY = "http://publications.europa.eu/resource/authority/country/"


def data_graph() -> str:
    return BASE + "graph/projects"


def summary_graph() -> str:
    return BASE + "graph/summaries"


def previous_generation(size: int, folder: Path, year: int) -> tuple[Any, Path]:
    """The store with the generator's data and its full summaries; made once, then reused."""
    import pyoxigraph as ox

    from eulod.core.generation import Generation
    from eulod.pipeline.summaries import add_summaries

    records = generate(size, folder, invalid_every=0)
    generation = Generation(folder / f"incsum-{size}" / "previous")
    if not generation.summary_counts_path.is_file():
        shutil.rmtree(generation.path, ignore_errors=True)
        generation.path.mkdir(parents=True)
        nt_file = folder / f"incsum-{size}.nt"
        convert(records, nt_file, check=False)
        store = ox.Store(str(generation.store_path))
        store.bulk_load(path=str(nt_file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(data_graph()))
        store.optimize()
        add_summaries(store, data_graph(), summary_graph(), BASE, KEEP, year, counts=generation.summary_counts_path)
        store.flush()
        del store
        nt_file.unlink()
    return generation, records


def record_change(records_file: Path) -> Callable:
    """The delta of one changed record: its own nodes' triples, before and after (the
    organisations it names are in the store through other records, so theirs do not change)."""
    import pyoxigraph as ox

    from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream
    from eulod.converters.records import Record
    from eulod.pipeline.delta import Delta

    lines = records_file.read_text("utf-8").splitlines()
    old = json.loads(lines[len(lines) // 2])
    new = json.loads(json.dumps(old))
    funded = next((p for p in new["participants"] if "budget" in p), None)
    if funded is not None:
        funded["budget"]["eu_contribution"] = "4321.00"
    others = {p["organisation"]["id"] for p in new["participants"]}
    newcomer = next(p for line in lines[:100] for p in json.loads(line)["participants"]
                    if p["organisation"]["id"] not in others)
    new["participants"][-1] = {**newcomer, "role": "partner"}
    new.pop("duration_months", None)
    new["end_date"] = "2030-06-30"
    mapper = RecordMapper(MappingOptions(BASE, "role-only", datetime(2026, 1, 1, tzinfo=timezone.utc)))
    prefix = f"{BASE}project/{old['id']}"

    def own(record: dict) -> set:
        chunks = b"".join(ntriples_stream(mapper, [Record(record, str(records_file), 1)]))
        return {t for t in (q.triple for q in ox.parse(chunks, ox.RdfFormat.N_TRIPLES))
                if t.subject.value == prefix or t.subject.value.startswith((prefix + "/", prefix + "#"))}

    def change(_store: Any) -> Any:
        return Delta.between(own(old), own(new))

    return change


def organisation_change(store: Any) -> Any:
    """The busiest organisation moves to another country."""
    import pyoxigraph as ox

    from eulod.core.namespaces import EULOD
    from eulod.pipeline.delta import Delta

    graph = ox.NamedNode(data_graph())
    organisation = ox.NamedNode(str(EULOD.organisation))
    busiest, _ = Counter(q.object for q in store.quads_for_pattern(None, organisation, None, graph)).most_common(1)[0]
    country = ox.NamedNode(str(EULOD.country))
    old = next(store.quads_for_pattern(busiest, country, None, graph)).object
    moved = ox.NamedNode(COUNTRY + ("MLT" if old.value != COUNTRY + "MLT" else "CYP"))
    return Delta(frozenset({ox.Triple(busiest, country, old)}), frozenset({ox.Triple(busiest, country, moved)}))


def measure(size: int, folder: Path, year: int) -> list[dict[str, Any]]:
    import pyoxigraph as ox

    from eulod.core.generation import Generation
    from eulod.pipeline.delta import apply, copy_store, graph_triples
    from eulod.pipeline.summaries import add_summaries
    from eulod.pipeline.summaries_update import update_summaries

    previous, records = previous_generation(size, folder, year)
    results = []
    for name, change in (("record", record_change(records)), ("organisation", organisation_change)):
        work = folder / f"incsum-{size}" / name
        shutil.rmtree(work, ignore_errors=True)
        updated, computed = Generation(work / "updated"), Generation(work / "computed")
        copy_store(previous.store_path, updated.store_path)
        copy_store(previous.store_path, computed.store_path)
        one, other = ox.Store(str(updated.store_path)), ox.Store(str(computed.store_path))
        delta = change(one)
        apply(one, delta, data_graph())
        apply(other, delta, data_graph())
        started = time.perf_counter()
        update_summaries(one, data_graph(), summary_graph(), BASE, KEEP, year, delta, previous, updated)
        update_s = time.perf_counter() - started
        started = time.perf_counter()
        other.clear_graph(ox.NamedNode(summary_graph()))
        add_summaries(other, data_graph(), summary_graph(), BASE, KEEP, year, counts=computed.summary_counts_path)
        full_s = time.perf_counter() - started
        same = graph_triples(one, summary_graph(), frozenset()) == graph_triples(other, summary_graph(), frozenset())
        results.append({"size": size, "change": name, "delta": len(delta.removed) + len(delta.added),
                        "full_s": full_s, "update_s": update_s, "ratio": full_s / update_s, "same": same})
        del one, other
        shutil.rmtree(work)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100000])
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args.out.mkdir(parents=True, exist_ok=True)
    year = datetime.now(timezone.utc).year
    rows = [row for size in args.sizes for row in measure(size, args.out, year)]
    print("| projects | change | changed triples | full (s) | update (s) | full / update | same summaries |")
    print("|---:|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(f"| {r['size']} | {r['change']} | {r['delta']} | {r['full_s']:.2f} | {r['update_s']:.3f} "
              f"| {r['ratio']:.0f}x | {'yes' if r['same'] else 'NO'} |")
    return 0 if all(r["same"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
