"""The collaborations summary's pair count, alone and beside Python work (issue 19).

A build counts the pairs of organisations on a side thread while its main thread compares
the generation with the previous one and writes the change feed, Python work holding the
interpreter's lock. In the 1 000 000-project build this step took 243 s against 41 s alone.

For each size: the generator's records (bench/generate.py, seeded, all valid), their
(project, organisation) rows parked in a SQLite ``member`` table as a build parks them
(eulod.core.listing.PARKED), then the pairs counted four ways, in the same run:

- ``streamed``: the rows read through Python and inserted one at a time
  (eulod.pipeline.paircounts.count_pairs, the build's path before this change);
- ``parked``: the parked table attached and counted inside SQLite (count_parked_pairs);
- each alone, and each beside a thread running pure Python until the count ends.

Printed: the times, each "beside / alone" ratio (the lock's cost) and the growth between
sizes (above 1: faster than the data). Both ways must give the same pairs.

    python bench/pair_counts.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import generate  # noqa: E402  (bench/scale.py: the same records)

BASE = "http://127.0.0.1:5000/"


def park(records: Path, target: Path) -> int:
    """The records' memberships in a ``member`` table made as a build makes it; returns the rows."""
    from eulod.core.listing import PARKED
    from eulod.core.staging import create, fill

    ((name, columns, unique, _, _),) = [table for table in PARKED if table[0] == "member"]

    def rows() -> Iterator[tuple[str, str]]:
        with records.open("rb") as lines:
            for line in lines:
                record = json.loads(line)
                for participant in record.get("participants", []):
                    yield (f"{BASE}project/{record['id']}", f"{BASE}organisation/{participant['organisation']['id']}")

    target.unlink(missing_ok=True)
    with sqlite3.connect(target) as db:
        create(db, name, columns, unique)
        fill(db, name, columns, rows())
        (count,) = db.execute(f"SELECT COUNT(*) FROM {name}").fetchone()
    db.close()
    return count


def streamed(parked: Path, target: Path) -> None:
    from eulod.pipeline.paircounts import count_pairs

    db = sqlite3.connect(parked)
    try:
        rows = db.execute("SELECT '<' || project || '>', organisation FROM member")
        count_pairs(target, rows, lambda members: {}, 1000)
    finally:
        db.close()


def parked_count(parked: Path, target: Path) -> None:
    from eulod.pipeline.paircounts import count_parked_pairs

    count_parked_pairs(target, parked, lambda members: {}, 1000)


def busy(stop: threading.Event, done: list[int]) -> None:
    """Pure Python, as the change feed's comparisons are: it holds the lock whenever it can."""
    rounds = 0
    while not stop.is_set():
        sum(len(str(k)) for k in range(2000))
        rounds += 1
    done.append(rounds)


@contextmanager
def beside_python(beside: bool) -> Iterator[None]:
    """The block, alone or (``beside``) with a thread running pure Python (:func:`busy`) until it ends."""
    stop, done = threading.Event(), []
    worker = threading.Thread(target=busy, args=(stop, done)) if beside else None
    if worker:
        worker.start()
    try:
        yield
    finally:
        stop.set()
        if worker:
            worker.join()


def timed(count: Callable[[Path, Path], None], parked: Path, target: Path, beside: bool) -> float:
    target.unlink(missing_ok=True)
    with beside_python(beside):
        started = time.perf_counter()
        count(parked, target)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--streamed-beside-up-to", type=int, default=100000,
                        help="the streamed count beside Python only up to this size (it takes ~90 times as long)")
    args = parser.parse_args()
    from eulod.pipeline.paircounts import read_pairs

    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        records = generate(size, args.work, invalid_every=0)
        with tempfile.TemporaryDirectory(dir=args.work) as scratch:
            folder = Path(scratch)
            members = park(records, folder / "parked.sqlite")
            row: dict[str, float] = {}
            for way, count in (("streamed", streamed), ("parked", parked_count)):
                for beside in (False, True):
                    if way == "streamed" and beside and size > args.streamed_beside_up_to:
                        continue
                    row[f"{way}{' beside Python' if beside else ''}"] = timed(
                        count, folder / "parked.sqlite", folder / f"{way}-pairs.sqlite", beside)
            if read_pairs(folder / "streamed-pairs.sqlite") != read_pairs(folder / "parked-pairs.sqlite"):
                raise SystemExit(f"{size}: the two ways counted different pairs")
        results[size] = row
        print(f"{size:,} projects, {members:,} memberships:", flush=True)
        for name, seconds in row.items():
            print(f"  {name:<24} {seconds:8.1f} s")
        for way in ("streamed", "parked"):
            if way + " beside Python" in row:
                print(f"  {way}: beside / alone = {row[way + ' beside Python'] / row[way]:.2f}")
        if "streamed beside Python" in row:
            print(f"  parked / streamed, beside Python = {row['parked beside Python'] / row['streamed beside Python']:.2f}")
    for small, large in zip(args.sizes, args.sizes[1:]):
        print(f"growth {small:,} -> {large:,} (time ratio / size ratio; above 1: faster than the data):")
        for name in [name for name in results[small] if name in results[large]]:
            print(f"  {name:<24} {results[large][name] / results[small][name] / (large / small):.2f}")


if __name__ == "__main__":
    main()
