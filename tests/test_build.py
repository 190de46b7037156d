"""``eulod build`` end to end, as a user runs it: exit codes, reports, and an untouched store on failure."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from conftest import EULOD, RECORDS

COUNT_PROJECTS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/eulod/ontology#Project> }"


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run(
        [str(EULOD), *args], cwd=cwd, env={**environment, **(env or {})}, capture_output=True, text=True, timeout=300
    )


def snapshot(build_dir: Path) -> tuple[str, str, int]:
    current = (build_dir / "current").resolve()
    store = ox.Store.read_only(str(current / "store"))
    count = int(next(iter(store.query(COUNT_PROJECTS, use_default_graph_as_union=True)))["n"].value)
    del store
    return current.name, (current / "manifest.json").read_text(), count


@pytest.mark.slow
def test_build_of_the_sample_data_succeeds(tmp_path: Path):
    result = run("build", str(RECORDS), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built 5 records (5 projects" in result.stdout
    _, manifest, count = snapshot(tmp_path / "build")
    assert count == 5
    dumps = json.loads(manifest)["dumps"]
    assert set(dumps) == {"eulod.nt.gz", "eulod.ttl.gz", "eulod.jsonld.gz"}
    for name in dumps:
        path = tmp_path / "build" / "dumps" / name
        assert path.stat().st_size == dumps[name]["bytes"]
        assert len(gzip.decompress(path.read_bytes())) == dumps[name]["uncompressed_bytes"]
    assert not list((tmp_path / "build" / "current" / "dumps").glob(".*tmp"))


# The home page listing and the search index are written while the store loads, from the rows parked
# beside the load (eulod.pipeline.build.indexes_from_parked): no step of their own.
STEPS = ["reading the records", "validating the organisations", "loading the store", "optimising the store",
         "computing the summaries", "comparing with the previous build", "writing the change feed", "writing the dumps"]
# After the optimisation two lines of steps run side by side (eulod.pipeline.build.load_spool):
# each keeps its order, and the dumps wait for the summaries.
STEPS_BEFORE = [("optimising the store", "computing the summaries"),
                ("optimising the store", "comparing with the previous build"),
                ("comparing with the previous build", "writing the change feed"),
                ("writing the change feed", "writing the dumps"), ("computing the summaries", "writing the dumps")]


@pytest.mark.slow
def test_a_build_in_a_terminal_says_which_step_runs(tmp_path: Path):
    """After the conversion's progress bar, a person at a terminal sees each long step start;
    a build whose output goes to a file or pipe (CI) prints none of it."""
    import pty
    import re

    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    primary, terminal = pty.openpty()
    try:
        completed = subprocess.run([str(EULOD), "build", str(RECORDS), "--build-dir", str(tmp_path / "build")],
                                   cwd=tmp_path, env=environment, stdout=subprocess.PIPE, stderr=terminal,
                                   timeout=300)
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(primary)
    assert completed.returncode == 0, shown
    steps = re.findall(r"eulod build: (.+?)\.\.\.", shown.decode("utf-8", "replace"))
    assert sorted(steps) == sorted(STEPS) and steps[:4] == STEPS[:4]
    assert all(steps.index(first) < steps.index(then) for first, then in STEPS_BEFORE), steps
    piped = run("build", str(RECORDS), "--build-dir", str(tmp_path / "again"), cwd=tmp_path)
    assert piped.returncode == 0 and "eulod build:" not in piped.stderr


def break_record(records: Path, name: str, change) -> str:
    path = next(records.glob(f"*{name}*.yaml"))
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return data["id"]


def _end_before_start(data):
    data["start_date"], data["end_date"] = "2025-12-31", "2023-06-01"
    data.pop("duration_months", None)


def _bad_country(data):
    data["participants"][2]["organisation"]["country"] = "XX"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("change", "field"),
    [(_end_before_start, "endDate"), (_bad_country, "participants[2].organisation.country")],
    ids=["shacl-violation", "schema-error"],
)
def test_a_broken_record_stops_the_load_and_leaves_the_store_unchanged(
    tmp_path: Path, records_copy: Path, change, field: str
):
    build_dir = tmp_path / "build"
    assert run("build", str(records_copy), "--build-dir", str(build_dir), cwd=tmp_path).returncode == 0
    before = snapshot(build_dir)

    record_id = break_record(records_copy, "cities-at-heart", change)
    result = run("build", str(records_copy), "--build-dir", str(build_dir), cwd=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"record '{record_id}'" in result.stdout
    assert field in result.stdout
    assert "unchanged" in result.stderr
    assert snapshot(build_dir) == before
    generations = list((build_dir / "generations").iterdir())
    assert [g.name for g in generations] == [before[0]], "a half-built generation was left behind"


@pytest.mark.slow
def test_skip_invalid_loads_the_good_records_and_still_exits_1(tmp_path: Path, records_copy: Path):
    break_record(records_copy, "cities-at-heart", _end_before_start)
    build_dir = tmp_path / "build"
    result = run("build", str(records_copy), "--build-dir", str(build_dir), "--skip-invalid", cwd=tmp_path)
    assert result.returncode == 1
    _, manifest, count = snapshot(build_dir)
    assert count == 4
    assert json.loads(manifest)["rejected"] == ["cities-at-heart"]


@pytest.mark.slow
def test_usage_errors_exit_2(tmp_path: Path):
    assert run("build", str(tmp_path / "missing"), cwd=tmp_path).returncode == 2
    bad_env = run("build", str(RECORDS), cwd=tmp_path, env={"EULOD_BASE_IRI": "not-an-iri"})
    assert bad_env.returncode == 2
    assert "EULOD_BASE_IRI" in bad_env.stderr
    assert run("no-such-command", cwd=tmp_path).returncode == 2


@pytest.mark.slow
def test_serve_without_a_build_says_what_to_do(tmp_path: Path):
    result = run("serve", "--build-dir", str(tmp_path / "nothing"), cwd=tmp_path)
    assert result.returncode == 2
    assert "eulod build" in result.stderr


def test_the_console_script_answers(tmp_path: Path):
    result = run("--version", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("eulod ")


@pytest.mark.slow
def test_two_builds_of_the_same_input_give_byte_identical_dumps(tmp_path: Path):
    """With SOURCE_DATE_EPOCH (the reproducible-builds convention) the dumps do not depend on when
    or in which process a build ran: blank nodes of the vocabulary, build time, gzip header."""
    epoch = {"SOURCE_DATE_EPOCH": "1780000000"}
    dumps = []
    for name in ("first", "second"):
        result = run("build", str(RECORDS), "--build-dir", str(tmp_path / name), cwd=tmp_path, env=epoch)
        assert result.returncode == 0, result.stdout + result.stderr
        folder = (tmp_path / name / "current" / "dumps").resolve()
        dumps.append({path.name: path.read_bytes() for path in sorted(folder.iterdir())})
    assert sorted(dumps[0]) == ["eulod.jsonld.gz", "eulod.nt.gz", "eulod.ttl.gz"]
    for name in dumps[0]:
        assert dumps[0][name] == dumps[1][name], f"{name} differs between two builds of the same input"
    plain = gzip.decompress(dumps[0]["eulod.nt.gz"]).decode()
    assert '"2026-05-28T20:26:40Z"^^<http://www.w3.org/2001/XMLSchema#dateTime>' in plain
    assert "_:" in plain  # the vocabulary's blank nodes are there, named the same both times


def test_the_build_time_is_now_without_source_date_epoch():
    from datetime import datetime, timezone

    from eulod.core.clock import build_time

    assert build_time({"SOURCE_DATE_EPOCH": "86400"}) == datetime(1970, 1, 2, tzinfo=timezone.utc)
    before = datetime.now(timezone.utc).replace(microsecond=0)
    assert before <= build_time({}) <= datetime.now(timezone.utc)
    assert before <= build_time({"SOURCE_DATE_EPOCH": "not a number"}) <= datetime.now(timezone.utc)
