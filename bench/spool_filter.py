"""The organisation spool's filter of written lines (issue 19): the direct-mapped table that
eulod.pipeline.stream.WrittenLines is against the bounded set of digests it replaced, on a stream
shaped like the generator's organisations (half the lines drawn from a heavy-tailed popularity, half
uniformly, from a pool of 27 % of the lines), while small objects stay alive beside it as a
conversion's do. Prints, for each, the time, the lines written, the memory held while it runs and
what is still held once it is freed (the heap the store's load then starts from), and the ratios.

    python bench/spool_filter.py [LINES]     # default 10 000 000, as at 1 000 000 projects
"""

from __future__ import annotations

import gc
import hashlib
import random
import sys
import time

from eulod.pipeline.stream import WrittenLines


class DigestSet:
    """The filter before: a set of 8-byte digests, emptied when it reaches ``limit``."""

    def __init__(self, limit: int = 4_000_000) -> None:
        self.limit = limit
        self.digests: set[bytes] = set()

    def first(self, line: bytes) -> bool:
        digest = hashlib.blake2b(line, digest_size=8).digest()
        if digest in self.digests:
            return False
        if len(self.digests) >= self.limit:
            self.digests.clear()
        self.digests.add(digest)
        return True


def resident_mib() -> int:
    with open("/proc/self/status") as status:
        return int(status.read().split("VmRSS:")[1].split()[0]) // 1024


def stream(count: int) -> list[bytes]:
    random.seed(1)
    pool = int(count * 0.27)
    picks = [min(int(random.paretovariate(0.6)) - 1, pool - 1) if random.random() < 0.5 else random.randrange(pool)
             for _ in range(count)]
    return [b'<http://127.0.0.1:5000/organisation/o%d> <http://www.w3.org/2004/02/skos/core#altLabel> "Body %d"@en .'
            % (pick, pick) for pick in picks]


def measure(name: str, make, lines: list[bytes]) -> tuple[float, int, int, int]:
    gc.collect()
    before = resident_mib()
    alive = []
    written, started = 0, time.perf_counter()
    kept = make()
    for number, line in enumerate(lines):
        written += kept.first(line)
        if number % 7 == 0:
            alive.append(b"alive %d" % number)
    seconds = time.perf_counter() - started
    held = resident_mib() - before
    del kept
    gc.collect()
    after = resident_mib() - before - sys.getsizeof(alive) // 2**20 - len(alive) * 41 // 2**20
    print(f"{name}: {seconds:.1f} s, {written} lines written, +{held} MiB while running, "
          f"+{after} MiB still held once freed (beside the objects kept alive)")
    return seconds, written, held, after


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000_000
    lines = stream(count)
    print(f"{count} lines, {len(set(lines))} distinct")
    base = measure("set of digests (before)", DigestSet, lines)
    table = measure("direct-mapped table", lambda: WrittenLines(WrittenLines.slots_for(count // 10)), lines)
    print(f"table / set: time {table[0] / base[0]:.2f}, lines written {table[1] / base[1]:.2f}, "
          f"memory while running {table[2] / max(base[2], 1):.2f}, still held once freed {table[3]} / {base[3]} MiB")


if __name__ == "__main__":
    main()
