"""Reading a file once, front to back, and giving its disk space back as it is read.

A full build at 1 000 000 projects holds the data graph's N-Triples (11.5 GB) until the dumps
sort its lines into chunk files by entity (eulod.pipeline.dumps.split), which together are as
large again: for the length of the split the disk held both, the build's peak (bench/RESULTS.md).
The file is removed once split, so nothing needs the lines already read: :func:`draining_lines`
punches them out of the file (Linux ``fallocate`` with ``FALLOC_FL_PUNCH_HOLE``: the file keeps
its length, the blocks behind the reader go back to the file system), and the chunks grow as the
file shrinks. Where the file system or platform cannot punch holes, the file is read as before
and removed after.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import io
import logging
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path

log = logging.getLogger(__name__)

BLOCK = 16 << 20  # bytes read at a time; what lies before the current block is given back
FALLOC_FL_KEEP_SIZE = 0x01
FALLOC_FL_PUNCH_HOLE = 0x02
PAGE = 4096  # holes are punched in whole pages (a partial page is zeroed, not freed)


@cache
def _fallocate():
    """libc's ``fallocate``, or None where there is none (not Linux)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    function = getattr(ctypes.CDLL(name, use_errno=True), "fallocate", None)
    if function is not None:
        function.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
        function.restype = ctypes.c_int
    return function


def punch(descriptor: int, length: int) -> bool:
    """Give back the disk blocks of the first ``length`` bytes of an open file (rounded down to
    whole pages), keeping its size; False where the platform or file system cannot."""
    length -= length % PAGE
    function = _fallocate()
    if function is None or length <= 0:
        return function is not None
    if function(descriptor, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, length) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
        return False
    raise OSError(code, os.strerror(code))


def draining_lines(path: Path, block: int = BLOCK) -> Iterator[bytes]:
    """The lines of ``path`` (with their ends), the file's blocks given back behind the reader.

    Only for a file that is removed once read: its first bytes read back as zeros afterwards.
    A file with another name (a hard link) is read and left whole. The last line is given as it
    is, with or without its end.
    """
    with open(path, "r+b", buffering=0) as handle:
        carried, read, punching = b"", 0, os.fstat(handle.fileno()).st_nlink == 1
        while data := handle.read(block):
            read += len(data)
            if punching:  # what was read is in memory: the file need not hold it any longer
                punching = punch(handle.fileno(), read)
                if not punching:
                    log.debug("%s: the file system gives no blocks back while it is read", path.name)
            data = carried + data
            cut = data.rfind(b"\n") + 1
            carried = data[cut:]
            yield from io.BytesIO(data[:cut])  # lines end at b"\n" only, as a file's do
        if carried:
            yield carried
