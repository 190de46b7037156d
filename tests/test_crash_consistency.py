"""``eulod build`` killed at any point: the served generation survives, and the next build cleans up.

A build is SIGKILLed (no handler runs, as after ``kill -9``, the OOM killer or a power cut
of the process) when its new generation folder first holds a given file: filesystem
events, not timings, so the kill lands once that step has begun, whatever the machine's load.
After the kill, ``current`` must still point to the previous complete generation, whole
(manifest checksums, store, listing); the next build must succeed, remove the interrupted
folder and keep the generation served before it as the one a running server may still hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from conftest import EULOD, RECORDS, ROOT, descendants, process_table, start_server, still_running
from eulod.pipeline.generations import BuildBusy, acquire, discard, new_generation, release, switch_to, write_manifest
from eulod.core.handle import StoreHandle
from eulod.core.generation import StoreMissing, current_generation

COUNT_PROJECTS = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/eulod/ontology#Project> }"

# What the new generation folder holds when the build is killed, in the order a build writes
# them: the store (while loading), the listing (then the dumps start), the dumps folder (while
# the N-Triples dump streams), the first dump, the validation results, the manifest (last
# before the switch).
KILL_POINTS = ["store", "listing.sqlite", "dumps", "dumps/eulod.nt.gz", "validation.json", "manifest.json"]


def environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}


def build_command(records: Path, build_dir: Path) -> list[str]:
    return [str(EULOD), "build", str(records), "--build-dir", str(build_dir), "-q"]


def run_build(records: Path, build_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(build_command(records, build_dir), env=environment(), capture_output=True, text=True,
                          timeout=600)


def served(build_dir: Path) -> str:
    """The name of the generation ``current`` points to."""
    return os.readlink(build_dir / "current").rsplit("/", 1)[-1]


def generations(build_dir: Path) -> set[str]:
    return {p.name for p in (build_dir / "generations").iterdir()}


def kill_when(records: Path, build_dir: Path, trigger: str, limit: float = 600) -> tuple[str, list[str]] | None:
    """Start ``eulod build`` and SIGKILL it as soon as a new generation folder holds ``trigger``.

    Returns the killed generation's name and what its folder held just after the kill, or
    None when the build ended first (it can outrun the poll only after writing its manifest).
    """
    before = generations(build_dir)
    process = subprocess.Popen(build_command(records, build_dir), env=environment(), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                assert process.returncode == 0, f"the build failed (exit {process.returncode}) before {trigger} appeared"
                return None
            for name in generations(build_dir) - before:
                if (build_dir / "generations" / name / trigger).exists():
                    process.kill()
                    process.wait()
                    folder = build_dir / "generations" / name
                    held = sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []
                    return name, held
            time.sleep(0.002)
        raise AssertionError(f"{trigger} did not appear within {limit} s")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def assert_intact(generation: Path) -> dict:
    """A complete generation: every file its manifest describes matches, store and listing open and answer."""
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    assert manifest["generation"] == generation.name
    for name, described in manifest["dumps"].items():
        data = (generation / "dumps" / name).read_bytes()
        assert (len(data), hashlib.sha256(data).hexdigest()) == (described["bytes"], described["sha256"]), name
    assert not [p.name for p in generation.rglob(".*.tmp")], "a temporary file was left in a complete generation"
    assert isinstance(json.loads((generation / "validation.json").read_text("utf-8")), dict)
    for name in manifest.get("sources", {}).values():
        assert (generation / "sources" / name).is_file()
    statistics = manifest["statistics"]
    with sqlite3.connect(f"{(generation / 'listing.sqlite').as_uri()}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT COUNT(*) FROM project").fetchone()[0] == statistics["projects"]
    store = ox.Store.read_only(str(generation / "store"))
    try:
        answer = next(iter(store.query(COUNT_PROJECTS, use_default_graph_as_union=True)))["n"].value
        assert int(answer) == statistics["projects"]
        assert len(store) == statistics["triples"]
    finally:
        del store
    return manifest


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build folder serving one complete generation of the sample records, built once and copied per test."""
    build_dir = tmp_path_factory.mktemp("first") / "build"
    result = run_build(RECORDS, build_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return build_dir


@pytest.fixture(scope="module")
def larger_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 generated projects: enough for each step of a build to take a while, so a kill lands in it."""
    target = tmp_path_factory.mktemp("generated") / "projects.jsonl"
    subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--projects", "200", "--invalid-every", "0",
                    "--out", str(target)], check=True, capture_output=True, timeout=300)
    return target


def copy_build(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "build"
    shutil.copytree(source, target, symlinks=True)
    return target


def fewer_records(tmp_path: Path) -> Path:
    """The sample records but one, so a store's project count says which build it came from."""
    folder = tmp_path / "four"
    shutil.copytree(RECORDS, folder)
    sorted(folder.glob("*.yaml"))[-1].unlink()
    return folder


@pytest.mark.slow
@pytest.mark.parametrize("trigger", KILL_POINTS)
def test_a_killed_build_leaves_the_served_generation_and_the_next_build_cleans_up(
    first_build: Path, larger_records: Path, tmp_path: Path, trigger: str
):
    build_dir = copy_build(first_build, tmp_path)
    before = served(build_dir)

    killed = kill_when(larger_records, build_dir, trigger)  # None: the build finished before the poll saw it
    now = served(build_dir)
    # The kill lands just after the trigger; only on a starved machine can that be after the
    # switch, and then the new generation was complete before current named it.
    assert now == before or (killed is None or now == killed[0]), f"current moved elsewhere after a kill at {trigger}"
    assert_intact(build_dir / "generations" / now)

    result = run_build(fewer_records(tmp_path), build_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    newest = served(build_dir)
    assert generations(build_dir) == {newest, now}, (
        f"after a kill at {trigger} (the folder then held {killed and killed[1]}), the next build should keep "
        f"only itself and the generation served before it ({now})")
    assert assert_intact(build_dir / "generations" / newest)["statistics"]["projects"] == 4
    assert_intact(build_dir / "generations" / now)


STEPS = st.lists(st.sampled_from([*KILL_POINTS, None]), min_size=1, max_size=2)


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=STEPS)
@example(steps=["store", "dumps"])
def test_any_sequence_of_killed_and_whole_builds_keeps_a_whole_generation_served(first_build: Path,
                                                                                 steps: list[str | None]):
    """Builds of the sample records, each killed at a point (or let finish), one after another,
    and a whole build at the end.

    After every step ``current`` names a complete, intact generation: the last build that
    switched. After every whole build only it and the generation served before it are left.
    """
    with tempfile.TemporaryDirectory() as folder:
        build_dir = copy_build(first_build, Path(folder))
        for trigger in [*steps, None]:
            before = served(build_dir)
            killed = kill_when(RECORDS, build_dir, trigger) if trigger else None
            if killed is None:  # let finish, or it outran the poll (the sample data builds in a second)
                if trigger is None:
                    result = run_build(RECORDS, build_dir)
                    assert result.returncode == 0, result.stdout + result.stderr
                assert served(build_dir) != before
                assert generations(build_dir) == {served(build_dir), before}
            else:  # killed before the switch, or (the sample data builds fast) just after it
                assert served(build_dir) in (before, killed[0])
            assert_intact(build_dir / "generations" / served(build_dir))


@pytest.mark.slow
def test_a_second_build_into_the_same_folder_is_refused_while_one_runs(larger_records: Path, tmp_path: Path):
    """The second build stops at once, saying why, and removes nothing of the first one's work."""
    build_dir = tmp_path / "build"
    with subprocess.Popen(build_command(larger_records, build_dir), env=environment(), stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as first:
        try:
            deadline = time.monotonic() + 600
            while not list(build_dir.glob("generations/*/store")):
                assert first.poll() is None, "the first build ended before writing its store"
                assert time.monotonic() < deadline
                time.sleep(0.01)
            second = run_build(RECORDS, build_dir)
            assert second.returncode == 2, second.stdout + second.stderr
            assert "another eulod build" in second.stderr and str(first.pid) in second.stderr, second.stderr
            assert "unexpected error" not in second.stderr
            output, _ = first.communicate(timeout=600)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
    assert first.returncode == 0, output
    assert served(build_dir) in output
    assert_intact(build_dir / "generations" / served(build_dir))


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_killed_build_leaves_no_validation_process_behind(larger_records: Path, tmp_path: Path):
    """Killed while its validation processes hold batches, the build takes them with it: none waits
    for work forever with its memory (they hold their task queue's both ends, so no end of file
    would tell them)."""
    env = environment() | {"EULOD_BUILD_BATCH_RECORDS": "10", "EULOD_BUILD_CHECK_PROCESSES": "2"}
    process = subprocess.Popen(build_command(larger_records, tmp_path / "build"), env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:  # until a validation process (a child of the fork server, the build's child) runs
            assert process.poll() is None, "the build ended before its validation processes started"
            assert time.monotonic() < deadline, "no validation process within 600 s"
            table = process_table()
            started = descendants(process.pid, table)
            if any(table[p][0] != process.pid for p in started):
                break
            time.sleep(0.005)
    finally:
        process.kill()
        process.wait()
    left = still_running(started, limit=120)
    assert not left, f"processes of the killed build still run: {left}"


def count_projects(url: str) -> tuple[int, int | None]:
    """The status of a count of the projects through /sparql, and the count when it answered."""
    request = urllib.request.Request(f"{url}/sparql?query={urllib.parse.quote(COUNT_PROJECTS)}",
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
            return response.status, int(body["results"]["bindings"][0]["n"]["value"])
    except urllib.error.HTTPError as error:
        return error.code, None


def point_current_at(build_dir: Path, name: str) -> None:
    """Repoint ``current`` as a foreign tool or a hand might, atomically."""
    temporary = build_dir / ".current.by-hand"
    temporary.symlink_to(Path("generations") / name)
    os.replace(temporary, build_dir / "current")


@pytest.mark.server
@pytest.mark.slow
def test_a_server_never_opens_an_incomplete_generation(first_build: Path, larger_records: Path, tmp_path: Path):
    """A server following ``current`` keeps serving the last complete generation through a killed
    build, and even when ``current`` is pointed at the interrupted folder; it moves on to the next
    complete one."""
    build_dir = copy_build(first_build, tmp_path)
    server = start_server(build_dir, tmp_path / "serve.log")
    try:
        assert count_projects(server.url) == (200, 5)
        killed = kill_when(larger_records, build_dir, "dumps")
        assert killed is not None
        point_current_at(build_dir, killed[0])
        deadline = time.monotonic() + 3  # the server looks at current every second: three looks
        while time.monotonic() < deadline:
            assert count_projects(server.url) == (200, 5)
            time.sleep(0.2)
        assert f"opening store generation {killed[0]}" not in (tmp_path / "serve.log").read_text("utf-8", "replace")
        result = run_build(fewer_records(tmp_path), build_dir)
        assert result.returncode == 0, result.stdout + result.stderr
        deadline = time.monotonic() + 30
        while count_projects(server.url) != (200, 4):
            assert time.monotonic() < deadline, "the server did not move to the next complete generation"
            time.sleep(0.2)
    finally:
        server.stop()


# ---------------------------------------------------------------- the same rules, in one process


def left_by_a_killed_build(build_dir: Path, name: str) -> Path:
    """What a build killed while loading leaves: a generation folder with part of a store and no manifest."""
    folder = build_dir / "generations" / name
    (folder / "store").mkdir(parents=True)
    (folder / "store" / "000001.sst").write_bytes(b"half")
    return folder


def complete_generation(build_dir: Path, n: int):
    generation = new_generation(build_dir)
    store = ox.Store(str(generation.store_path))
    store.bulk_load(f'<urn:s> <urn:p> "{n}" .\n'.encode(), ox.RdfFormat.N_TRIPLES)
    del store
    write_manifest(generation, {"generation": generation.id, "n": n})
    return generation


def test_pruning_keeps_the_served_generation_not_the_newest_folders(tmp_path: Path):
    """Served A; a build killed while loading left K; another was killed after its manifest (B,
    complete, never served). Switching to C keeps C and A, nothing else."""
    served_before = complete_generation(tmp_path, 1)
    switch_to(tmp_path, served_before)
    killed = left_by_a_killed_build(tmp_path, "29990101T000000000000Z-1")
    never_served = left_by_a_killed_build(tmp_path, "29990101T000000000001Z-2")
    (never_served / "manifest.json").write_text("{}")
    newest = complete_generation(tmp_path, 3)
    switch_to(tmp_path, newest)
    assert generations(tmp_path) == {newest.id, served_before.id}
    assert not killed.exists() and not never_served.exists()


def test_a_generation_without_its_manifest_is_never_current(tmp_path: Path):
    generation = new_generation(tmp_path)
    ox.Store(str(generation.store_path))
    with pytest.raises(ValueError, match="incomplete"):
        switch_to(tmp_path, generation)
    assert not (tmp_path / "current").exists()
    discard(generation)  # what a build does when a step fails: the folder goes, and its hold on the lock
    assert not generation.path.exists()
    other = subprocess.run([sys.executable, "-c", "import sys; from pathlib import Path; "
                            "from eulod.pipeline.generations import acquire; acquire(Path(sys.argv[1]))", str(tmp_path)],
                           capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr  # another process may build here now


def test_a_handle_keeps_serving_when_current_names_an_incomplete_generation(tmp_path: Path):
    switch_to(tmp_path, complete_generation(tmp_path, 1))
    handle = StoreHandle(tmp_path, check_interval=0)
    served_id = handle.generation.id
    point_current_at(tmp_path, left_by_a_killed_build(tmp_path, "29990101T000000000000Z-1").name)
    assert handle.generation.id == served_id and handle.manifest["n"] == 1
    assert current_generation(tmp_path) is None
    with pytest.raises(StoreMissing, match="incomplete"):
        StoreHandle(tmp_path).store  # a server starting now has nothing whole to serve, and says why


def test_the_lock_is_refused_to_a_second_holder_and_names_the_first(tmp_path: Path):
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from pathlib import Path; "
                               "from eulod.pipeline.generations import acquire; acquire(Path(sys.argv[1])); print('held', flush=True); "
                               "time.sleep(600)", str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(BuildBusy, match=f"another eulod build \\(process {holder.pid}\\)"):
            acquire(tmp_path)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    acquire(tmp_path)  # the kernel dropped the dead holder's lock
    release(tmp_path)
