"""Peak memory of writing the change step's dcterms:modified quads into a store (issue 19).

A full build states dcterms:modified on every entity (1 531 288 at 1 000 000 projects) in the
freshly loaded store. Each way of writing them runs in a fresh process, on an on-disk
pyoxigraph store, and reports its peak RSS and time; the baseline is one transaction of all
of them (what eulod.pipeline.changes did before), the ratio is each way's peak against it.

    python bench/modified_writes.py --quads 1500000
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import pyoxigraph as ox

MODIFIED = ox.NamedNode("http://purl.org/dc/terms/modified")
DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
GRAPH = ox.NamedNode("http://127.0.0.1:5000/graph/projects")


def quads(count: int):
    for number in range(count):
        yield ox.Quad(ox.NamedNode(f"http://127.0.0.1:5000/project/gen-{number:07d}"), MODIFIED,
                      ox.Literal("2026-12-04T20:05:00Z", datatype=DATETIME), GRAPH)


def write(count: int, batch: int, flush: bool) -> dict:
    """Write ``count`` quads ``batch`` at a time (a flush after each with ``flush``); peak RSS and seconds."""
    folder = tempfile.mkdtemp(prefix="eulod-modified-")
    try:
        store = ox.Store(folder)
        started = time.perf_counter()
        given = quads(count)
        while chunk := list(itertools.islice(given, batch)):
            store.extend(chunk)
            if flush:
                store.flush()
        store.flush()
        seconds = time.perf_counter() - started
        del store
        return {"peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "seconds": seconds}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


WAYS = {  # name -> (batch, flush); None: all in one
    "one transaction (baseline)": (None, False),
    "transactions of 100 000": (100_000, False),
    "transactions of 100 000, each flushed (eulod.pipeline.changes)": (100_000, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quads", type=int, default=1_500_000)
    parser.add_argument("--one", nargs=3, metavar=("COUNT", "BATCH", "FLUSH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:  # a child process: one way
        count, batch, flush = int(args.one[0]), int(args.one[1]), args.one[2] == "1"
        print(json.dumps(write(count, batch, flush)))
        return
    results = {}
    for name, (batch, flush) in WAYS.items():
        child = subprocess.run([sys.executable, __file__, "--one", str(args.quads), str(batch or args.quads),
                                "1" if flush else "0"], check=True, capture_output=True, text=True)
        results[name] = json.loads(child.stdout)
    base = results["one transaction (baseline)"]
    print(f"{args.quads:,} dcterms:modified quads into an on-disk store, each way in a fresh process\n")
    print("| way | peak RSS | ratio to baseline | time | ratio |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, found in results.items():
        print(f"| {name} | {found['peak_mib']:.0f} MiB | {found['peak_mib'] / base['peak_mib']:.2f} | "
              f"{found['seconds']:.1f} s | {found['seconds'] / base['seconds']:.2f} |")


if __name__ == "__main__":
    main()
