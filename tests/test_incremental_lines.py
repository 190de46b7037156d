"""The lines an incremental build reads of unchanged records: a regular expression over each
record's N-Triples must keep exactly the lines a line-by-line filter keeps."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eulod.pipeline.incremental import lines_of, matching_lines

BASE = "http://example.org/"
NAMES = st.sampled_from(["organisation/a", "organisation/ab", "organisation/a.b", "organisation/a+b",
                         "organisation/a/identifier/1", "organisation/a#x", "project/p", "project/p#contact",
                         "organisation/A", "organisation/a(b)"])
OBJECTS = st.sampled_from(['"x"', '"a > b"', '"line\\nbreak"', f"<{BASE}organisation/a>", '"\u2028 U+2028 inside"',
                           '"<http://example.org/organisation/a> at the start"'])


def line(subject: str, obj: str) -> bytes:
    return f"<{BASE}{subject}> <{BASE}p> {obj} .\n".encode()


def naive(text: bytes, subjects: set[str], below: bool) -> bytes:
    kept = []
    for raw in text.split(b"\n"):
        if not raw:
            continue
        subject = raw[:raw.index(b" ")].decode()
        if subject in subjects or (below and any(subject.startswith(s[:-1] + c) for s in subjects for c in "/#")):
            kept.append(raw + b"\n")
    return b"".join(kept)


@given(st.lists(st.tuples(NAMES, OBJECTS), max_size=30), st.sets(NAMES, max_size=4), st.booleans())
def test_the_pattern_keeps_the_lines_a_line_filter_keeps(lines, chosen, below):
    text = b"".join(line(s, o) for s, o in lines)
    subjects = {f"<{BASE}{name}>" for name in chosen}
    assert matching_lines(lines_of(subjects, below), text) == naive(text, subjects, below)


def test_no_subjects_keep_nothing():
    assert matching_lines(lines_of(set()), line("organisation/a", '"x"')) == b""
