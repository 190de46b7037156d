"""Memory a process has freed goes back to the system when eulod asks (before a bulk load).

glibc keeps freed small blocks in its heap; a heap with a live block here and there cannot
shrink from its top, so only ``malloc_trim`` hands the free pages between them back.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from eulod.core.memory import release_freed_memory

# Run in a fresh interpreter: the suite's own heap would blur the figures.
PROGRAM = textwrap.dedent("""
    import sys
    from eulod.core.memory import release_freed_memory

    def anonymous_kib():
        for line in open("/proc/self/status"):
            if line.startswith("RssAnon:"):
                return int(line.split()[1])

    blocks = [bytes(2000) for _ in range(100_000)]  # 200 MB through malloc (above pymalloc's 512 bytes)
    kept = blocks[::50]  # one live block in fifty: the heap cannot shrink from its top
    del blocks
    freed = anonymous_kib()
    released = release_freed_memory()
    print(freed, anonymous_kib(), released, len(kept))
""")


@pytest.mark.skipif(not Path("/proc/self/status").exists() or not release_freed_memory(),
                    reason="glibc and /proc only")
def test_freed_heap_memory_goes_back_to_the_system():
    output = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, check=True, timeout=120)
    before, after, released, _ = output.stdout.split()
    assert released == "True"
    assert int(before) - int(after) > 100 * 1024, f"RssAnon {before} KiB -> {after} KiB"


def test_the_bulk_load_starts_with_the_freed_memory_released(monkeypatch):
    """The build's loads (the store, the organisations' store) run inside ``loader_threads``, which releases first."""
    from eulod.pipeline import bulk

    calls = []
    monkeypatch.setattr(bulk, "release_freed_memory", lambda: calls.append("released"))
    with bulk.loader_threads(1):
        calls.append("loading")
    assert calls == ["released", "loading"]
