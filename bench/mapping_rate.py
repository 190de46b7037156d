"""Records per CPU-second of the bulk mapping (converters/rdf.py ``ntriples_stream``), as
bench/scale.py's convert step maps them (personal_data role-only), best of three runs.

Run it with two checkouts' interpreters on the same records to compare two versions of the
mapping in one run (a ``git worktree`` of the older commit, with its own virtualenv):

    python bench/generate.py --projects 5000 --invalid-every 0 --out /tmp/p5k.jsonl
    /tmp/venv-old/bin/python bench/mapping_rate.py /tmp/p5k.jsonl
    .venv/bin/python bench/mapping_rate.py /tmp/p5k.jsonl
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream
from eulod.converters.records import Record


def main(path: Path, runs: int = 3) -> None:
    records = [Record(json.loads(line), str(path), n) for n, line in enumerate(path.open("rb"), start=1)]
    best, size = 0.0, 0
    for _ in range(runs):
        mapper = RecordMapper(MappingOptions("http://127.0.0.1:5000/", "role-only", datetime(2026, 1, 1, tzinfo=timezone.utc)))
        cpu = time.process_time()
        size = sum(len(chunk) for chunk in ntriples_stream(mapper, records))
        best = max(best, len(records) / (time.process_time() - cpu))
    print(f"{best:,.0f} records per CPU-second ({size} bytes of N-Triples)")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
