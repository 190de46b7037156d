"""The streaming build's validation against whole-graph pySHACL on the real exports (issue 19).

``eulod build`` validates a batch of records at a time and the organisations in a pass of their own,
reading which record names which organisation from a file written beside the store
(eulod/pipeline/checks.py). tests/test_streaming_build.py and tests/test_streaming_property.py hold
that to whole-graph validation on records written for them or generated; here the records are what
CORDIS and Kohesio publish, imported as a user imports them: organisations shared by many projects,
names in several scripts, fields no generator fills. Small batches, so that every organisation's
projects lie in different batches.

The exports alone give no finding that spans records (their organisations agree with themselves), so
a second run adds copies of real records that disagree with the originals about a real organisation:
its country, its name, its type, as a second source would.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from real_exports import ABSENT, PRESENT, import_real
from streaming import key_and_messages, problems, results_by_record, whole_graph_validation

from eulod.core.config import load_settings
from eulod.pipeline.build import build

pytestmark = [pytest.mark.skipif(not PRESENT, reason=ABSENT), pytest.mark.slow]

BASE = "https://example.org/eulod/"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("real-validation")
    records = folder / "records"
    records.mkdir()
    import_real(records)
    return folder, records


def disagreeing_copies(records: Path, count: int = 12) -> list[dict]:
    """Copies of real records (new ids) whose first participant's organisation differs from the
    original's: another country, another name, another type or (CORDIS) another PIC, in turn. A second
    PIC is a violation of the original record too, which lies in another file and another batch."""
    originals = [json.loads(line) for path in sorted(records.glob("*.jsonl"))
                 for line in path.read_text("utf-8").splitlines() if line.strip()]
    shared = [r for r in originals if r.get("participants") and r["participants"][0]["organisation"].get("country")]
    copies = []
    for index, original in enumerate(shared[::max(1, len(shared) // count)][:count]):
        record = copy.deepcopy(original)
        record["id"] = f"{original['id']}-second-source"
        organisation = record["participants"][0]["organisation"]
        change = index % 4
        pics = [i for i in organisation.get("identifiers", []) if i.get("scheme") == "eu-pic"]
        if change == 3 and pics:
            pics[0]["value"] = str(int(pics[0]["value"]) + 1)
        elif change in (0, 3):
            organisation["country"] = "MT" if organisation["country"] != "MT" else "CY"
        elif change == 1:
            organisation["name"] = {"en": f"{organisation['id']} as another source names it"}
        else:
            organisation["type"] = "ngo" if organisation.get("type") != "ngo" else "research-organisation"
        copies.append(record)
    return copies


@pytest.mark.parametrize(("batch", "processes", "disagreeing"), [(7, 0, False), (50, 1, False), (7, 0, True),
                                                                 (50, 1, True)])
def test_the_streamed_results_on_the_real_exports_are_the_whole_graph_results(imported, tmp_path, batch, processes,
                                                                               disagreeing):
    folder, imported_records = imported
    records = imported_records
    if disagreeing:
        records = tmp_path / "records"
        records.mkdir()
        for path in imported_records.glob("*.jsonl"):
            (records / path.name).write_bytes(path.read_bytes())
        copies = disagreeing_copies(imported_records)
        (records / "second-source.jsonl").write_text("".join(json.dumps(r) + "\n" for r in copies), "utf-8")
    settings = load_settings(environ={}, build_dir=tmp_path / "build", records=(records,),
                             base_iri=BASE, build_batch_records=batch, build_check_processes=processes)
    load_problems, converted = whole_graph_validation(records, settings)
    expected = results_by_record(converted, key_and_messages)
    assert len(converted) >= 150, len(converted)  # 100 CORDIS projects and the Kohesio samples
    assert expected, "the real exports were expected to carry findings"
    spanning = {k for found in expected.values() for k in found if "/organisation/" in str(k[1])}
    assert bool(spanning) is disagreeing, spanning  # the copies give findings on shared organisations
    by_shapes = {k for k in spanning if "urn:eulod:build" not in str(k[4])}  # the organisation pass's own
    assert bool(by_shapes) is disagreeing, spanning
    outcome = build(settings, skip_invalid=True)
    assert results_by_record(outcome.outcomes, key_and_messages) == expected
    assert problems(outcome.problems, outcome.outcomes) == problems(load_problems, converted)
    rejected = sorted(c.record.id for c in converted if not c.valid("violation"))
    assert sorted(outcome.manifest["rejected"]) == rejected
