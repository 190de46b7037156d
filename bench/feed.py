"""What the change feed costs a build (issue 18, part 3): the diff's share of the build.

For each size: the generator's records (bench/generate.py, seeded, all valid), and a second set
with one record changed (its title), one removed and one added. Both are mapped to N-Triples
with eulod's bulk mapper, then loaded one after the other into one build folder with
``eulod.pipeline.build.load_generation`` (spool, bulk load, optimise, summaries, listing, the
change feed, dumps), as a build does after conversion and validation. The feed's own step
(eulod.pipeline.changes.publish_changes) logs its two parts: comparing (hashing every entity in
one pass over the data graph, looking each up in the previous generation's hashes) and writing
(dcterms:modified, changes.sqlite, the pages: on the first load every entity is a Create, so
its description is written; on the second only the three changed ones). Printed: both, and
their share of the load.

The share is of ``load_generation``, not of ``eulod build`` end to end: conversion and
validation come before it (more than half of a build's time at 20 000 projects, bench/RESULTS.md),
so the share of a whole build is smaller than the one printed.

    python bench/feed.py --sizes 20000 100000
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import BASE, convert, generate  # noqa: E402  (bench/scale.py: the same records and mapping)

log = logging.getLogger("bench.feed")


class _FeedTimings(logging.Handler):
    """Reads what publish_changes logs: 'compared N entities (T triples) ... in X s; wrote the change feed in Y s: ...'."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.found: dict[str, Any] = {}

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"compared (\d+) entities \((\d+) triples\).* in ([0-9.]+) s; wrote the change feed in "
                          r"([0-9.]+) s: (\d+) created, (\d+) updated, (\d+) removed, (\d+) pages", record.getMessage())
        if found:
            entities, triples, compare_s, write_s, created, updated, removed, pages = found.groups()
            self.found = {"entities": int(entities), "triples": int(triples), "compare_s": float(compare_s),
                          "write_s": float(write_s), "created": int(created), "updated": int(updated),
                          "removed": int(removed), "pages": int(pages)}


def changed_records(records: Path, target: Path) -> dict[str, str]:
    """The records with the 10th's title changed, the 20th removed and a copy of the 30th under a new id."""
    lines = records.read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    changed, removed, copied = rows[9], rows[19], dict(rows[29])
    title = changed["title"]
    changed["title"] = ({lang: f"{text} (revised)" for lang, text in title.items()} if isinstance(title, dict)
                        else f"{title} (revised)")
    copied["id"] = f"{copied['id']}-again"
    kept = [row for n, row in enumerate(rows) if n != 19] + [copied]
    target.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in kept), "utf-8")
    return {"changed": changed["id"], "removed": removed["id"], "added": copied["id"]}


def load(nt_file: Path, build_dir: Path, when: datetime) -> dict[str, Any]:
    """One load_generation into ``build_dir`` (after the one before it), sealed and switched to."""
    from eulod.core.config import load_settings
    from eulod.core.generation import dataset_graphs
    from eulod.pipeline.build import load_generation, ntriples_file_chunks
    from eulod.pipeline.generations import switch_to, write_manifest

    settings = load_settings(build_dir=str(build_dir), base_iri=BASE)
    handler = _FeedTimings()
    logger = logging.getLogger("eulod.pipeline.changes")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    started = time.perf_counter()
    generation, stats, dumps = load_generation(settings, ntriples_file_chunks(nt_file), when=when)
    total = time.perf_counter() - started
    logger.removeHandler(handler)
    write_manifest(generation, {"generation": generation.id, "base_iri": BASE, "records": [], "rejected": [],
                                "statistics": stats, "dumps": dumps, "built": when.isoformat(),
                                "graphs": dataset_graphs(settings)})
    switch_to(build_dir, generation)
    return {"total_s": total, "triples": stats["triples"], **handler.found}


def measure(size: int, work: Path) -> dict[str, Any]:
    records = generate(size, work, invalid_every=0)
    second = work / f"p{size}-changed.jsonl"
    names = changed_records(records, second)
    nt1, nt2 = work / f"feed-{size}-1.nt", work / f"feed-{size}-2.nt"
    convert(records, nt1, check=False)
    convert(second, nt2, check=False)
    build_dir = work / f"feed-build-{size}"
    shutil.rmtree(build_dir, ignore_errors=True)
    first = load(nt1, build_dir, datetime(2026, 1, 1, tzinfo=timezone.utc))
    log.info("%d projects, first load: %s", size, first)
    again = load(nt2, build_dir, datetime(2026, 2, 1, tzinfo=timezone.utc))
    log.info("%d projects, second load: %s", size, again)
    shutil.rmtree(build_dir, ignore_errors=True)
    nt1.unlink()
    nt2.unlink()
    return {"size": size, "names": names, "first": first, "second": again}


def report(results: list[dict[str, Any]], command: str) -> str:
    lines = [f"Command: `{command}`", "",
             "| projects | load | data-graph triples | entities | compare | write feed | diff (compare + write) | "
             "share of the load | members (created / updated / removed) | pages | compare per million triples |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in results:
        for label, run in (("first (empty log)", r["first"]), ("second (1 changed, 1 new, 1 removed)", r["second"])):
            diff = run["compare_s"] + run["write_s"]
            lines.append(
                f"| {r['size']:,} | {label}: {run['total_s']:.1f} s | {run['triples']:,} | {run['entities']:,} | "
                f"{run['compare_s']:.1f} s | {run['write_s']:.1f} s | {diff:.1f} s | {100 * diff / run['total_s']:.1f} % | "
                f"{run['created']:,} / {run['updated']:,} / {run['removed']:,} | {run['pages']:,} | "
                f"{run['compare_s'] / run['triples'] * 1e6:.2f} s |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--out", type=Path, help="also write the table here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args.work.mkdir(parents=True, exist_ok=True)
    results = [measure(size, args.work) for size in args.sizes]
    text = report(results, "python bench/feed.py " + " ".join(sys.argv[1:] if argv is None else argv))
    print(text)
    if args.out:
        args.out.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
