"""The build's organisation-name counts on disk choose the same preferred labels as the counts in
memory (issue 19: eulod/pipeline/label_counts.py), whatever the names, ties, scripts and records
taken back out."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from real_exports import ABSENT, PRESENT, import_real

from eulod.converters.rdf import LabelCounter, Lit, MappingOptions, NTriplesSink, RecordMapper
from eulod.converters.records import load_records
from eulod.pipeline import label_counts
from eulod.pipeline.label_counts import LabelCounts

_ORGS = st.sampled_from([f"https://example.org/organisation/{n}" for n in ("a", "b", "c", "ä")])
_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6)
_RECORD = st.lists(st.tuples(_ORGS, st.sampled_from(["", "en", "el"]), _NAMES), min_size=0, max_size=6)


def _counter(names: list[tuple[str, str, str]]) -> LabelCounter:
    record = LabelCounter()
    for organisation, language, name in names:
        record.count(organisation, Lit(name, language or None))
    return record


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=st.lists(_RECORD, max_size=12), dropped=st.lists(st.integers(0, 11), max_size=4, unique=True))
def test_the_counts_on_disk_prefer_the_names_the_counts_in_memory_prefer(tmp_path_factory, monkeypatch, records,
                                                                        dropped) -> None:
    monkeypatch.setattr(label_counts, "PENDING", 3)  # the file takes the sums every few names, as at scale
    memory = LabelCounter()
    disk = LabelCounts(tmp_path_factory.mktemp("labels") / ".labels.sqlite")
    try:
        for names in records:
            memory.add_record(_counter(names))
            disk.add_record(_counter(names))
        for index in dropped:  # records the build leaves out after all (--skip-invalid)
            if index < len(records):
                memory.add_record(_counter(records[index]), sign=-1)
                disk.add_record(_counter(records[index]), sign=-1)
        assert sorted(disk.preferred(), key=repr) == sorted(memory.preferred(), key=repr)
    finally:
        disk.close()
    assert not disk.path.exists()


def test_a_tie_goes_to_the_alphabetically_first_name_by_code_point(tmp_path) -> None:
    """'Zeta' (U+005A) before 'zeta' before 'Ärzte' (U+00C4) before 'Ωmega': code point order, not a locale's."""
    disk = LabelCounts(tmp_path / ".labels.sqlite")
    for name in ("Ωmega", "Ärzte", "zeta", "Zeta"):
        disk.add_record(_counter([("https://example.org/organisation/x", "", name)]))
    assert [label.lexical for _, label in disk.preferred()] == ["Zeta"]
    disk.close()


@pytest.mark.skipif(not PRESENT, reason=ABSENT)
def test_the_real_exports_names_get_the_same_preferred_labels_on_disk_as_in_memory(tmp_path) -> None:
    """CORDIS and the Kohesio samples, imported as a user imports them (names nobody on the project wrote: legal
    forms, capitals, several languages and scripts): every organisation's preferred name is the one the
    in-memory counter chooses. (No organisation there goes by two names in two records: the property test
    above covers rival names.)"""
    inputs = import_real(tmp_path)
    records = load_records([tmp_path / name for name in inputs]).records
    mapper = RecordMapper(MappingOptions("https://example.org/"))
    memory = LabelCounter()
    disk = LabelCounts(tmp_path / ".labels.sqlite")
    try:
        for record in records:
            names = LabelCounter()
            mapper.emit(NTriplesSink(names), record)
            memory.add_record(names)
            disk.add_record(names)
        chosen = sorted(disk.preferred(), key=repr)
        assert chosen == sorted(memory.preferred(), key=repr)
        assert len(chosen) > 50
    finally:
        disk.close()
