"""How many threads pyoxigraph's bulk loader may use: the build's memory depends on it.

pyoxigraph's ``Store.bulk_load`` starts one loading thread per CPU the process may run on, and
each thread holds a batch of about a million quads in memory before writing it out: at 100 000
projects, 1.8 GiB with two threads and 1.2 GiB with one (bench/RESULTS.md, the streaming build).
The loader has no setting for it in Python, but it counts the CPUs the way Rust does, from the
thread's CPU affinity; so the build narrows its affinity to ``build_load_threads`` CPUs while it
bulk-loads, and restores it after.

The loader's threads allocate from glibc arenas of their own, so what the build freed in its own
heap before (its conversion's batches) would stay in the process beside the loader's batches, at
the build's peak: it is handed back to the system first (the peak of a build of 100 000
projects: 1 703 -> 1 657 MiB).
"""

from __future__ import annotations

import logging
import os
from contextlib import contextmanager
from typing import Iterator

from eulod.core.memory import release_freed_memory

log = logging.getLogger(__name__)


@contextmanager
def loader_threads(count: int) -> Iterator[None]:
    """Run the block on at most ``count`` CPUs (0: on all the process may use), with the
    memory the process has freed handed back to the system first."""
    release_freed_memory()
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
