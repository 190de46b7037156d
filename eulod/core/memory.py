"""Giving memory a process has freed back to the system.

glibc's allocator keeps what a process frees in its heaps for later allocations; after a large
transient structure (a reading's query solutions, a build's converted batches), the process stays
at that peak. Other threads' allocations (pyoxigraph's bulk loader threads) come from arenas of
their own and do not reuse it, so a build would carry its conversion's freed heap through the
load, its largest step.
"""

from __future__ import annotations

import ctypes
from functools import cache


@cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only
    except (OSError, AttributeError):
        return None
    return libc


def release_freed_memory() -> bool:
    """Hand the memory freed in the process's heaps back to the system (``malloc_trim``).

    Returns whether it could: elsewhere than glibc this does nothing."""
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True
