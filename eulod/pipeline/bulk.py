"""How many threads pyoxigraph's bulk loader may use: the build's memory depends on it.

pyoxigraph's ``Store.bulk_load`` starts one loading thread per CPU the process may run on, and
each thread holds a batch of about a million quads in memory before writing it out: at 100 000
projects, 1.8 GiB with two threads and 1.2 GiB with one (bench/RESULTS.md, the streaming build).
The loader has no setting for it in Python, but it counts the CPUs the way Rust does, from the
thread's CPU affinity; so the build narrows its affinity to ``build_load_threads`` CPUs while it
bulk-loads, and restores it after.
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Iterator

log = logging.getLogger(__name__)


@contextmanager
def loader_threads(count: int) -> Iterator[None]:
    """Run the block on at most ``count`` CPUs (0: on all the process may use)."""
    if count <= 0 or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    if len(before) <= count:
        yield
        return
    os.sched_setaffinity(0, set(sorted(before)[:count]))
    log.debug("bulk loading on %d of %d CPUs", count, len(before))
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)
