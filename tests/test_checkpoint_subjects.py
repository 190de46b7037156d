"""Which subjects of a record's N-Triples other records may also state (eulod.pipeline.checkpoint).

The incremental build re-validates the records sharing a changed record's organisations by these
subjects; the function skips the lines of a subject it has just seen, so it is held here to the
plain definition (every line's subject, the record's own project and source record left out) on
lines in any order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from eulod.pipeline.checkpoint import own_subject, shared_subjects

BASE = "http://e.org/"
SUBJECTS = st.sampled_from([f"{BASE}project/r1", f"{BASE}project/r1/participation/1", f"{BASE}project/r10",
                            f"{BASE}record/r1", f"{BASE}organisation/o1", f"{BASE}organisation/o1/identifier/pic",
                            f"{BASE}organisation/o2", f"{BASE}project/r2", "http://other.org/x"])
LINES = st.lists(st.tuples(SUBJECTS, st.sampled_from(['"a"', "<http://e.org/organisation/o3>", '"<x> y"'])),
                 max_size=40)


def plain(text: bytes, record_id: str) -> set[str]:
    subjects = {line.split(b" ", 1)[0].decode("utf-8") for line in text.split(b"\n") if line.startswith(b"<")}
    return {s for s in subjects if not own_subject(s, BASE, record_id)}


@given(LINES)
def test_the_shared_subjects_are_every_line_s_subject_but_the_record_s_own(lines):
    text = "".join(f"<{s}> <http://e.org/p> {o} .\n" for s, o in lines).encode("utf-8")
    found = shared_subjects(text, BASE, "r1")
    assert found == plain(text, "r1")
    assert f"<{BASE}project/r10>" in found or f"{BASE}project/r10" not in {s for s, _ in lines}  # not r1's own
