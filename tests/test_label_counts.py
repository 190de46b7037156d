"""The build's organisation-name counts on disk choose the same preferred labels as the counts in
memory (issue 19: eulod/pipeline/label_counts.py), whatever the names, ties, scripts and records
taken back out."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eulod.converters.rdf import LabelCounter, Lit
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
