"""The change step's pass over the data graph (eulod.pipeline.changes.scan_entities) keeps a
sum per entity, not a note per subject: at 1 000 000 projects the data graph has tens of
millions of subjects (participations, amounts, identifiers), and a dict of them all took
gigabytes (issue 19). The store writes a subject's triples together, so one look-up per
run of a subject is enough."""

from __future__ import annotations

import tracemalloc

from eulod.core.feed import Owners
from eulod.pipeline.changes import scan_entities

BASE = "https://example.org/"


def lines(entities: int, subjects_each: int) -> list[bytes]:
    """N-Triples as the store dumps them: each subject's triples together."""
    out = []
    for e in range(entities):
        project = f"{BASE}project/{e:05d}"
        out.append(f'<{project}> <{BASE}p> "title {e}" .\n'.encode())
        for s in range(subjects_each):
            subject = f"{project}/participation/{s}"
            out.append(f'<{subject}> <{BASE}p> "a" .\n'.encode())
            out.append(f'<{subject}> <{BASE}q> <{BASE}organisation/{s}> .\n'.encode())
    return out


def peak(data: list[bytes]) -> tuple[int, object]:
    tracemalloc.start()
    try:
        scan = scan_entities(iter(data), Owners(BASE), frozenset())
        return tracemalloc.get_traced_memory()[1], scan
    finally:
        tracemalloc.stop()


def test_the_scan_keeps_nothing_per_subject():
    few_data, many_data = lines(500, 1), lines(500, 40)
    few, few_scan = peak(few_data)
    many, many_scan = peak(many_data)
    assert set(few_scan.sums) == set(many_scan.sums) and len(few_scan.sums) == 500
    assert many_scan.triples == 500 * 81
    assert many < 1.5 * few, (few, many)


def test_a_subject_seen_again_later_still_counts_for_its_entity():
    """The one-subject memory is only a shortcut: a subject whose triples are not together
    (another store's order) hashes the same."""
    data = lines(3, 2)
    together = scan_entities(iter(data), Owners(BASE), frozenset())
    apart = scan_entities(iter(data[::2] + data[1::2]), Owners(BASE), frozenset())
    assert together.sums == apart.sums and together.kinds == apart.kinds
