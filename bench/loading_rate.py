"""Records per CPU-second of loading and checking a JSON Lines file (converters/records.py
``load_file``: parse, value limits, schema, amounts, countries), as bench/scale.py's "load +
schema-check records" step reads its records, best of three runs.

Like bench/mapping_rate.py, run it with two checkouts' interpreters on the same records to compare
two versions in one run (a ``git worktree`` of the older commit, with its own virtualenv):

    python bench/generate.py --projects 5000 --invalid-every 0 --out /tmp/p5k.jsonl
    /tmp/venv-old/bin/python bench/loading_rate.py /tmp/p5k.jsonl
    .venv/bin/python bench/loading_rate.py /tmp/p5k.jsonl
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from eulod.converters.records import load_file


def main(path: Path, runs: int = 3) -> None:
    best, loaded = 0.0, None
    for _ in range(runs):
        cpu = time.process_time()
        loaded = load_file(path)
        best = max(best, len(loaded.records) / (time.process_time() - cpu))
    print(f"{best:,.0f} records per CPU-second ({len(loaded.records)} records, {len(loaded.problems)} problems)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
