"""The dumps after one changed record (issue 19): full against incremental, same run.

G1 and the one-record delta as bench/incremental_changes.py makes them (G1 kept in ``--work``;
its dumps rewritten in sections first if it was built before them). One copy of G1's store gets
the delta and the incremental change step, then:

- full: :func:`eulod.pipeline.dumps.write_dumps` from the store (as a fallback writes them);
- incremental: :func:`eulod.pipeline.incremental_dumps.update_dumps` (copies G1's unchanged
  sections, hashing them on the way), once without and once with the deltas of the summary and
  vocabulary graphs (empty here: the store's are G1's).

Also printed: the sizes of the files, and what reading them costs (a sha256 pass, a plain copy),
the floor under any update that writes new files.

    python bench/incremental_dumps.py --size 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from incremental_changes import first_generation, one_record_delta, patched  # noqa: E402

log = logging.getLogger("bench.incremental_dumps")
SECOND = datetime(2026, 2, 1, tzinfo=timezone.utc)


def sectioned(settings, generation) -> float:
    """G1's dumps in sections (written again from its store when they are not): seconds it took, or 0."""
    import pyoxigraph as ox

    from eulod.core.generation import Generation
    from eulod.pipeline.dumps import INDEX, read_index, write_dumps

    if read_index(generation) is not None:
        return 0.0
    scratch = Generation(generation.path.parent / f".{generation.id}-dumps")
    shutil.rmtree(scratch.path, ignore_errors=True)
    scratch.path.mkdir()
    store = ox.Store.read_only(str(generation.store_path))
    started = time.perf_counter()
    described = write_dumps(store, scratch, None, settings.base_iri)
    seconds = time.perf_counter() - started
    del store
    shutil.rmtree(generation.dumps_path)
    os.replace(scratch.dumps_path, generation.dumps_path)
    os.replace(scratch.path / INDEX, generation.path / INDEX)
    shutil.rmtree(scratch.path)
    manifest = generation.manifest()
    manifest["dumps"] = described
    generation.manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True), "utf-8")
    return seconds


def read_costs(folder: Path) -> dict[str, Any]:
    """Bytes of each dump, and the time of a sha256 pass and of a plain copy over all of them."""
    sizes = {p.name: p.stat().st_size for p in sorted(folder.iterdir())}
    started = time.perf_counter()
    for path in folder.iterdir():
        digest = hashlib.sha256()
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    sha_s = time.perf_counter() - started
    target = folder.parent / ".copy-test"
    target.mkdir(exist_ok=True)
    started = time.perf_counter()
    for path in folder.iterdir():
        with open(path, "rb") as source, open(target / path.name, "wb") as out:
            size = os.fstat(source.fileno()).st_size
            copied = 0
            while copied < size:
                copied += os.copy_file_range(source.fileno(), out.fileno(), size - copied)
    copy_s = time.perf_counter() - started
    started = time.perf_counter()
    for path in target.iterdir():
        with open(path, "rb+") as handle:
            os.fsync(handle.fileno())
    fsync_s = time.perf_counter() - started
    shutil.rmtree(target)
    return {"sizes": sizes, "total_bytes": sum(sizes.values()), "sha256_all_s": sha_s,
            "copy_file_range_all_s": copy_s, "fsync_copies_s": fsync_s}


def measure(size: int, work: Path) -> dict[str, Any]:
    from eulod.core.generation import summary_graph_iri, vocabulary_graph_iri
    from eulod.pipeline.delta import Delta
    from eulod.pipeline.dumps import write_dumps
    from eulod.pipeline.generations import discard
    from eulod.pipeline.incremental_changes import update_changes
    from eulod.pipeline.incremental_dumps import update_dumps

    settings, g1 = first_generation(size, work)
    rewrite_s = sectioned(settings, g1)
    costs = read_costs(g1.dumps_path)
    record, delta = one_record_delta(size, work)
    generation, store, _ = patched(settings, g1, delta)
    update_changes(store, g1, generation, delta, settings, SECOND)
    results: dict[str, Any] = {"size": size, "record": record, "g1_full_dumps_in_sections_s": rewrite_s, **costs}

    started = time.perf_counter()
    update_dumps(store, g1, generation, delta, settings)
    results["incremental_s"] = time.perf_counter() - started
    results["incremental_bytes"] = sum(p.stat().st_size for p in generation.dumps_path.iterdir())

    shutil.rmtree(generation.dumps_path)
    unchanged = {summary_graph_iri(settings): Delta(), vocabulary_graph_iri(settings): Delta()}  # both G1's here
    started = time.perf_counter()
    update_dumps(store, g1, generation, delta, settings, unchanged)
    results["incremental_with_summary_delta_s"] = time.perf_counter() - started

    shutil.rmtree(generation.dumps_path)
    started = time.perf_counter()
    write_dumps(store, generation, None, settings.base_iri)
    results["full_s"] = time.perf_counter() - started
    results["ratio"] = results["full_s"] / results["incremental_s"]
    del store
    discard(generation)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    args.work.mkdir(parents=True, exist_ok=True)
    result = measure(args.size, args.work)
    print(json.dumps(result, indent=1))
    print(f"dumps at {args.size} projects, one record changed: full {result['full_s']:.1f} s, "
          f"incremental {result['incremental_s']:.2f} s ({result['ratio']:.0f}x), with the summaries' delta "
          f"{result['incremental_with_summary_delta_s']:.2f} s; sha256 over all files {result['sha256_all_s']:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
