"""The organisations' spool writes each organisation triple once (issue 19): what the organisation pass's
store holds is the same as when every record's copy was written, and every record still names its
organisations (``namedBy``), whatever the bound on the lines remembered."""

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


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, limit=st.integers(1, 12))
def test_the_spool_holds_the_same_triples_and_every_records_naming(records: list[list[tuple[int, int]]],
                                                                   limit: int) -> None:
    written = WrittenLines(limit)
    every, once = [], []
    for index, organisations in enumerate(records):
        text = _record(organisations)
        every += organisation_lines(text, f"r{index}", PREFIX, TYPING).splitlines()
        once += organisation_lines(text, f"r{index}", PREFIX, TYPING, written).splitlines()
    assert set(once) == set(every)  # what a store of either holds
    named = [line for line in every if f"<{NAMED_BY.value}>".encode() in line]
    assert sorted(line for line in once if f"<{NAMED_BY.value}>".encode() in line) == sorted(named)
    assert len(once) <= len(every)


def test_a_repeated_organisation_is_written_once() -> None:
    """Three records naming the same body write its four triples once, its naming three times."""
    written = WrittenLines()
    lines = [line for index in range(3)
             for line in organisation_lines(_record([(1, 0)]), f"r{index}", PREFIX, TYPING, written).splitlines()]
    assert len([line for line in lines if f"<{NAMED_BY.value}>".encode() in line]) == 3
    assert len([line for line in lines if f"<{NAMED_BY.value}>".encode() not in line]) == 4
