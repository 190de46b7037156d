"""The build's cost stays linear in the records whatever files sit beside the input (issue 15).

Imported records all name their export as ``source.file`` (``project.csv``). Before, ``eulod
build`` looked for that document once per record and logged "source document not found" (or "not
published") once per record: 100 000 lines for a CORDIS export. Now each document a build names
is located, read and copied at most once, and a missing or withheld one is reported once, with
the number of records naming it.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import EULOD

import eulod.converters.sources as sources_module
import eulod.pipeline.build as build_module
import eulod.pipeline.publication as publication_module
from eulod.core.config import load_settings
from eulod.pipeline.build import build

SHEET = "Project title: Shared sheet\nProgramme: URBACT IV\nStart date: 1 June 2023\n"


def write_records(folder: Path, count: int, source: str) -> Path:
    """``count`` records in one JSON Lines file, all naming ``source`` as their source document."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "import.jsonl"
    with open(target, "w", encoding="utf-8") as handle:
        for n in range(1, count + 1):
            record = {"id": f"row-{n}", "language": "en", "title": f"Project {n}", "source": {"file": source}}
            handle.write(json.dumps(record) + "\n")
    return target


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("count", [3, 40])
def test_a_withheld_export_beside_the_records_is_reported_once(tmp_path: Path, count: int):
    records = write_records(tmp_path / "in", count, "project.csv")
    (tmp_path / "in" / "project.csv").write_text("id;title\n1;One\n", "utf-8")
    result = run("build", str(records), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "source document" in line]
    assert len(lines) == 1, lines
    assert "'project.csv'" in lines[0] and f"{count} records" in lines[0] and "not published" in lines[0] and "only fact sheets" in lines[0]


@pytest.mark.parametrize("count", [3, 40])
def test_a_missing_document_is_reported_once_with_the_records_naming_it(tmp_path: Path, count: int):
    records = write_records(tmp_path / "in", count, "gone.txt")
    result = run("build", str(records), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if "source document" in line]
    assert len(lines) == 1, lines
    assert "'gone.txt'" in lines[0] and "not found" in lines[0] and f"{count} records" in lines[0] and "'row-1'" in lines[0]


class Counting:
    """Wraps a real function and counts its calls (the files it reads are real)."""

    def __init__(self, function) -> None:
        self.function = function
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def located_and_read(tmp_path: Path, count: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int, dict]:
    """(calls of locate_source, calls of read_source, manifest sources) of one build of ``count`` records."""
    folder = tmp_path / f"n{count}"
    records = write_records(folder / "in", count, "sheet.txt")
    (folder / "in" / "sheet.txt").write_text(SHEET, "utf-8")
    locate = Counting(sources_module.locate_source)
    read = Counting(sources_module.read_source)
    for module in (sources_module, build_module, publication_module):
        if hasattr(module, "locate_source"):
            monkeypatch.setattr(module, "locate_source", locate)
        if hasattr(module, "read_source"):
            monkeypatch.setattr(module, "read_source", read)
    settings = load_settings(environ={}, build_dir=folder / "build", records=(records,), data_dir=folder / "in")
    outcome = build(settings, [records])
    monkeypatch.undo()
    assert outcome.loaded, [str(p) for p in outcome.problems]
    return locate.calls, read.calls, outcome.manifest["sources"]


def test_each_source_document_is_located_and_read_once_whatever_the_number_of_records(tmp_path: Path,
                                                                                        monkeypatch: pytest.MonkeyPatch):
    few = located_and_read(tmp_path, 2, monkeypatch)
    many = located_and_read(tmp_path, 50, monkeypatch)
    assert (few[0], few[1]) == (1, 1)
    assert (many[0], many[1]) == (1, 1)
    assert set(many[2].values()) == {"sheet.txt"} and len(many[2]) == 50


def test_a_document_replaced_after_it_was_checked_is_not_read(tmp_path: Path):
    """Located once at load time and read at copy time, minutes later at scale: what is read must
    be the file that was checked, not one put at its path since (through a folder swapped for a
    symlink, which opening without following the last part's symlink does not see)."""
    from eulod.converters.sources import UnsafeSource, locate_source, read_source, source_roots

    folder = tmp_path / "in"
    (folder / "sheets").mkdir(parents=True)
    (folder / "sheets" / "sheet.txt").write_text(SHEET, "utf-8")
    document = locate_source("sheets/sheet.txt", folder / "r.yaml", source_roots([folder]))
    assert read_source(document) == SHEET.encode("utf-8")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "sheet.txt").write_text("not to be published", "utf-8")
    (folder / "sheets").rename(folder / "old")
    (folder / "sheets").symlink_to(tmp_path / "outside")  # the checked path now leads outside
    with pytest.raises(UnsafeSource):
        read_source(document)


def test_many_missing_documents_are_named_up_to_a_limit_then_counted(tmp_path: Path):
    """A records file whose every record names a document of its own that is not there (a
    generated data set): the first ones are named, the rest counted in one line."""
    from eulod.pipeline.build import SAID_ONE_BY_ONE

    folder = tmp_path / "in"
    folder.mkdir()
    count = SAID_ONE_BY_ONE + 15
    rows = [{"id": f"row-{n}", "language": "en", "title": f"Project {n}", "source": {"file": f"gone-{n}.txt"}}
            for n in range(1, count + 1)]
    (folder / "import.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")
    result = run("build", str(folder / "import.jsonl"), "--build-dir", str(tmp_path / "build"), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    named = [line for line in result.stderr.splitlines() if "source document '" in line and line.endswith("not found")]
    assert len(named) == SAID_ONE_BY_ONE
    [counted] = [line for line in result.stderr.splitlines() if "more source documents" in line]
    assert "15 more source documents, named by 15 records" in counted
