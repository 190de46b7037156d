"""Reading a file while giving its disk back (eulod.pipeline.draining): the lines are the file's,
whatever the block size, and the blocks already read are freed while the reader goes on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.pipeline import draining
from eulod.pipeline.draining import draining_lines, punch

lines = st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=60)


@settings(max_examples=200, deadline=None)
@given(content=lines.map(lambda ls: b"\n".join(ls)), end=st.booleans(), block=st.integers(1, 64))
def test_the_lines_are_the_files_at_any_block_size(tmp_path_factory, content, end, block):
    """Lines end at b"\\n" only (a carriage return or form feed inside a line stays in it), a last
    line without its end comes as it is, and no line is split at a block's edge."""
    path = tmp_path_factory.mktemp("draining") / "lines.nt"
    data = content + (b"\n" if end and content else b"")
    path.write_bytes(data)
    with open(path, "rb") as handle:
        expected = list(handle)
    assert list(draining_lines(path, block)) == expected


def _supported(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_bytes(b"x" * 3 * draining.PAGE)
    with open(probe, "r+b") as handle:
        return punch(handle.fileno(), 2 * draining.PAGE)


def test_the_blocks_read_are_given_back_while_reading(tmp_path):
    if not _supported(tmp_path):
        pytest.skip("this file system cannot punch holes (fallocate)")
    path = tmp_path / "data.nt"
    line = b"<http://example.org/s> <http://example.org/p> \"" + b"v" * 200 + b"\" .\n"
    count = 40_000  # about 10 MB
    path.write_bytes(line * count)
    allocated = os.stat(path).st_blocks * 512
    reader = draining_lines(path, block=1 << 20)
    for _ in range(count // 2):
        assert next(reader) == line
    halfway = os.stat(path).st_blocks * 512
    assert os.stat(path).st_size == len(line) * count  # the file keeps its length
    assert halfway < allocated * 0.6, (allocated, halfway)
    assert sum(1 for _ in reader) == count - count // 2
    assert os.stat(path).st_blocks * 512 < allocated * 0.2


def test_a_hard_linked_file_is_left_whole(tmp_path):
    path = tmp_path / "data.nt"
    path.write_bytes(b"<a> <b> <c> .\n" * 100_000)
    os.link(path, tmp_path / "kept.nt")
    allocated = os.stat(path).st_blocks
    assert len(list(draining_lines(path, block=4096))) == 100_000
    assert os.stat(path).st_blocks == allocated
    assert (tmp_path / "kept.nt").read_bytes() == b"<a> <b> <c> .\n" * 100_000
