"""Gzip files written as independent deflate segments, so that a section can be copied from one
file to the next as compressed bytes, without being read.

A file is one gzip member (RFC 1952): a header, deflate segments each ending at a full flush
(RFC 1951: a byte-aligned empty stored block, after which nothing refers back), an empty last
block and the trailer (CRC-32 and size of the uncompressed content). Every gzip reader reads it,
also those that stop after a first member (Rust's ``GzDecoder``, a browser's Content-Encoding);
pigz writes such streams.

The trailer's CRC-32 is that of the whole content, but a copied segment's content is never read:
each segment's CRC-32 and size are kept (the dumps' index), and CRCs are *combined*
(:func:`crc32_combine`, zlib's ``crc32_combine64``; a copy of zlib's method in Python where the
library cannot be loaded).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import struct
import zlib
from typing import Callable, NamedTuple

log = logging.getLogger(__name__)

LEVEL = 6  # gzip(1)'s default: 2.5x faster than 9 for 5 % more bytes
FINAL = b"\x03\x00"  # an empty last block (fixed Huffman codes): the deflate stream ends here


class Segment(NamedTuple):
    """Content deflated on its own: the compressed bytes, the content's CRC-32 and size."""

    data: bytes
    crc: int
    size: int


EMPTY = Segment(b"", 0, 0)


def header(name: str) -> bytes:
    """Deflate, the uncompressed file's ``name`` as gzip(1) writes it, no time, unknown system:
    the same bytes every build."""
    return b"\x1f\x8b\x08\x08\x00\x00\x00\x00\x00\xff" + name.encode("ascii") + b"\x00"


def segment(content: bytes) -> Segment:
    """``content`` deflated on its own, ending at a full flush: segments of this kind, one after the
    other, make one deflate stream. (zlib gives up the interpreter's lock while it compresses.)"""
    if not content:
        return EMPTY
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return Segment(packer.compress(content) + packer.flush(zlib.Z_FULL_FLUSH), zlib.crc32(content), len(content))


def inflate(data: bytes) -> bytes:
    """The content of one or more whole segments."""
    return zlib.decompressobj(-15).decompress(data) if data else b""


def trailer(crc: int, size: int) -> bytes:
    return FINAL + struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


# --- combining CRC-32s --------------------------------------------------------------------------

POLYNOMIAL = 0xEDB88320  # CRC-32's, reflected


def _times(a: int, b: int) -> int:
    """a * b modulo the CRC polynomial, both reflected (zlib's multmodp)."""
    mask, product = 1 << 31, 0
    while a:
        if a & mask:
            product ^= b
            a ^= mask
        mask >>= 1
        b = (b >> 1) ^ POLYNOMIAL if b & 1 else b >> 1
    return product


def _powers() -> list[int]:
    """x^(2^k) modulo the polynomial, k = 0..31 (x^1 is bit 30 when reflected)."""
    found = [1 << 30]
    for _ in range(31):
        found.append(_times(found[-1], found[-1]))
    return found


_POWERS = _powers()


def _python_combine(first: int, second: int, second_size: int) -> int:
    """CRC-32 of A + B from crc(A), crc(B) and len(B): crc(A) shifted by 8 * len(B) zero bits."""
    shift, k, bits = 1 << 31, 3, second_size  # x^0; 2^3 bits per byte
    while bits:
        if bits & 1:
            shift = _times(_POWERS[k & 31], shift)
        bits >>= 1
        k += 1
    return _times(shift, first) ^ second


def _library_combine() -> Callable[[int, int, int], int] | None:
    try:
        library = ctypes.CDLL(ctypes.util.find_library("z") or "libz.so.1")
        function = library.crc32_combine64
    except (OSError, AttributeError):
        log.info("zlib's crc32_combine64 cannot be loaded: CRC-32s are combined in Python")
        return None
    function.argtypes = [ctypes.c_ulong, ctypes.c_ulong, ctypes.c_int64]
    function.restype = ctypes.c_ulong
    return lambda first, second, size: function(first, second, size) & 0xFFFFFFFF


_combine = _library_combine() or _python_combine


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """The CRC-32 of A followed by B, from crc(A), crc(B) and len(B)."""
    if second_size <= 0:
        return first
    return _combine(first, second, second_size)
