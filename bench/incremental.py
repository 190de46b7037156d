"""Re-publishing one changed record: ``eulod build`` after a full build, against the full build (issue 19).

Generates N projects (bench/generate.py, JSON Lines), builds them in full (which leaves a
checkpoint), changes the title of one record in the middle of the file, and builds again: the
incremental build. Then the same changed file is built with ``--full`` in the same folder, so
both second builds start from the same previous generation on the same machine in the same run.
Prints each build's wall time, the steps of the incremental one, and the ratio.

    python bench/incremental.py --projects 20000 --work /tmp/inc

``--reuse`` keeps the records and the first full build of an earlier run in ``--work`` (a full
build of 100 000 projects takes over ten minutes) and changes another record; ``--no-full``
leaves out the second full build.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
from pathlib import Path

from eulod.core.config import load_settings
from eulod.pipeline.build import build

HERE = Path(__file__).resolve().parent


def generate(count: int, target: Path) -> None:
    sys.path.insert(0, str(HERE))
    import generate as generator  # bench/generate.py

    generator.main(["--projects", str(count), "--invalid-every", "0", "--out", str(target)])


def change_one(path: Path, offset: int = 0) -> str:
    """Give the record in the middle of the file (``offset`` lines on) another title; returns its id."""
    lines = path.read_bytes().split(b"\n")
    middle = len([line for line in lines if line.strip()]) // 2 + offset
    record = json.loads(lines[middle])
    record["title"] = f"{record['title'] if isinstance(record['title'], str) else 'Project'} (changed)"
    lines[middle] = json.dumps(record, ensure_ascii=False).encode("utf-8")
    path.write_bytes(b"\n".join(lines))
    return record["id"]


class Steps:
    """The time each stage of a build started, as the CLI's progress line hears them."""

    def __init__(self) -> None:
        self.marks: list[tuple[str, float]] = []

    def __call__(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def report(self, end: float) -> list[str]:
        out = []
        for (name, start), (_next, stop) in zip(self.marks, self.marks[1:] + [("end", end)]):
            out.append(f"    {stop - start:8.2f} s  {name}")
        return out


def timed(settings, full: bool) -> tuple[float, list[str], object]:
    steps = Steps()
    started = time.perf_counter()
    outcome = build(settings, full=full, stage=steps)
    ended = time.perf_counter()
    return ended - started, steps.report(ended), outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--work", type=Path, required=True, help="a scratch folder (emptied unless --reuse)")
    parser.add_argument("--reuse", action="store_true", help="start from the records and build an earlier run left")
    parser.add_argument("--no-full", action="store_true", help="do not build the changed records in full")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)  # the generated records name no source documents: a warning each
    records = args.work / "records" / "projects.jsonl"
    settings = load_settings(environ={}, build_dir=args.work / "build", records=(records.parent,))
    runs = args.work / "runs"
    if not (args.reuse and records.is_file() and (args.work / "build" / "current").exists()):
        shutil.rmtree(args.work, ignore_errors=True)
        records.parent.mkdir(parents=True)
        generate(args.projects, records)
        first, _steps, outcome = timed(settings, full=True)
        print(f"full build of {args.projects} projects: {first:.1f} s "
              f"({outcome.manifest['statistics']['triples']} triples)")
    done = int(runs.read_text()) if runs.is_file() else 0
    runs.write_text(str(done + 1))
    changed = change_one(records, done)
    again, steps, outcome = timed(settings, full=False)
    how = outcome.manifest.get("incremental")
    print(f"after changing record {changed}: incremental build {again:.1f} s ({how})")
    print("\n".join(steps))
    if args.no_full:
        return 0
    records.touch()  # the same file, built in full from the same previous generation
    full, full_steps, _outcome = timed(settings, full=True)
    print(f"the same change, --full: {full:.1f} s")
    print("\n".join(full_steps))
    print(f"incremental / full: {again / full:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
