"""The organisations' spool writes each organisation triple once (issue 19): what the organisation pass's
store holds is the same as when every record's copy was written, and every record still names its
organisations (``namedBy``, in a file of their own, never in the store), whatever the bound on the lines
remembered."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.pipeline.checks import NAMED_BY, RDF_TYPE
from eulod.pipeline.stream import WrittenLines, organisation_lines

PREFIX = b"<http://example.org/organisation/"
TYPING = f" <{RDF_TYPE.value}> <".encode()
ORGANISATION = "http://example.org/ontology#Organisation"


def _record(organisations: list[tuple[int, int]]) -> bytes:
    """A record's N-Triples: its project, and for each (organisation, name variant) the organisation's type, name
    and an identifier node minted under it."""
    lines = [b'<http://example.org/project/p> <http://purl.org/dc/terms/title> "P" .']
    for number, variant in organisations:
        iri = f"http://example.org/organisation/o{number}"
        lines += [f"<{iri}> <{RDF_TYPE.value}> <{ORGANISATION}> .".encode(),
                  f'<{iri}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Body {number} v{variant}"@en .'.encode(),
                  f"<{iri}> <http://example.org/ontology#identifier> <{iri}/identifier/pic> .".encode(),
                  f'<{iri}/identifier/pic> <http://example.org/ontology#value> "{number}" .'.encode()]
    return b"\n".join(lines) + b"\n"


RECORDS = st.lists(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 2)), max_size=4), min_size=1, max_size=25)


def _lines(text: bytes, record: str, written: WrittenLines | None = None) -> tuple[list[bytes], list[bytes]]:
    said, named = organisation_lines(text, record, PREFIX, TYPING, written)
    return said.splitlines(), named.splitlines()


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, limit=st.integers(1, 16))
def test_the_spool_holds_the_same_triples_and_every_records_naming(records: list[list[tuple[int, int]]],
                                                                   limit: int) -> None:
    written = WrittenLines(limit)
    every, once, namings = [], [], []
    for index, organisations in enumerate(records):
        text = _record(organisations)
        said, named = _lines(text, f"r{index}")
        every += said
        said_once, named_again = _lines(text, f"r{index}", written)
        once += said_once
        assert named_again == named  # the filter never touches the namings
        namings += named
    assert set(once) == set(every)  # what a store of either holds
    assert not any(f"<{NAMED_BY.value}>".encode() in line for line in every)  # namings stay out of the store
    expected = sorted({(f"<http://example.org/organisation/o{number}>", f"r{index}")
                       for index, organisations in enumerate(records) for number, _variant in organisations})
    got = [(line.split(b" ")[0].decode(), line.split(b'"')[1].decode()) for line in namings]
    assert sorted(got) == expected  # each node a record types, once
    assert len(once) <= len(every)


def test_a_repeated_organisation_is_written_once() -> None:
    """Three records naming the same body write its four triples once, its naming three times."""
    written = WrittenLines()
    said, named = [], []
    for index in range(3):
        triples, namings = _lines(_record([(1, 0), (1, 1)]), f"r{index}", written)
        said += triples
        named += namings
    assert len(named) == 3 and all(f"<{NAMED_BY.value}>".encode() in line for line in named)
    assert len(said) == 5  # type, two names, identifier link, identifier value


def test_the_filter_is_one_block_sized_to_the_records() -> None:
    """Eight slots a record, a power of two, never above 64 MiB; a full table still lets new lines through."""
    assert WrittenLines.slots_for(10) == 1 << 10 and WrittenLines.slots_for(100_000) == 800_000
    assert WrittenLines.slots_for(10_000_000) == 1 << 23
    assert len(WrittenLines(800_000).table) == 1 << 20
    small = WrittenLines(3)
    assert len(small.table) == 4
    lines = [f"<http://example.org/organisation/o{n}> <http://example.org/p> \"{n}\" .".encode() for n in range(50)]
    assert all(small.first(line) for line in lines)  # 50 new lines through 4 slots: none taken for a repeat
    assert not small.first(lines[-1])  # the last one still holds its slot
