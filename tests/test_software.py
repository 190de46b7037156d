"""Which eulod runs (``eulod --version``), and the command line's way to the sample records."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from eulod import cli
from eulod.commands.build import sample_data
from eulod.core import software as software_module
from eulod.core.software import git_commit, recorded_commit, software

ROOT = Path(__file__).resolve().parent.parent


def test_version_prints_the_version_and_this_clones_commit(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert exited.value.code == 0
    printed = capsys.readouterr().out.strip()
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        head = ""
    if head:  # a clone
        assert printed == f"eulod {software().version} (git commit {head})" and len(head) == 40
    else:  # a tree without git: the version alone, no failure
        assert printed == f"eulod {software().version}"


def test_the_commit_of_a_repository_around_eulod_is_not_eulods(tmp_path: Path):
    """An installed eulod in a virtualenv inside a publisher's repository reports no commit, not theirs."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "pyproject.toml").write_text("", "utf-8")
    inner = tmp_path / "venv" / "lib"
    inner.mkdir(parents=True)
    assert git_commit(inner) == ""  # not a clone's top
    assert git_commit(tmp_path) == ""  # a clone's top without a commit
    assert git_commit(tmp_path / "nowhere") == ""


def test_a_wheels_build_info_wins_and_a_broken_one_gives_no_commit(tmp_path: Path, monkeypatch):
    info = tmp_path / "build-info.json"
    assert recorded_commit(info) is None
    info.write_text(json.dumps({"commit": "a" * 40}), "utf-8")
    assert recorded_commit(info) == "a" * 40
    monkeypatch.setattr(software_module, "BUILD_INFO", info)
    software.cache_clear()
    try:
        assert software().commit == "a" * 40 and str(software()).endswith(f"(git commit {'a' * 40})")
        info.write_text("{not json", "utf-8")
        assert recorded_commit(info) == ""
        info.write_text(json.dumps({"commit": ""}), "utf-8")
        software.cache_clear()
        assert str(software()) == f"eulod {software().version}"
    finally:
        software.cache_clear()


def test_build_without_records_says_what_to_do(tmp_path: Path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("EULOD_")]:
        monkeypatch.delenv(name)
    assert cli.main(["build"]) == cli.EXIT_ERROR
    error = capsys.readouterr().err
    assert "no such file or folder: data/records" in error
    assert "eulod build --sample" in error and "eulod init" in error
    assert cli.main(["build", "--sample", "records/"]) == cli.EXIT_ERROR
    assert "not both" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_sample_records_are_found_through_the_package():
    folder = sample_data()
    assert sorted(p.name for p in (folder / "records").glob("*.yaml")) == sorted(
        p.name for p in (ROOT / "data" / "records").glob("*.yaml"))
    assert (folder / "factsheets").is_dir()  # the documents the samples cite (source.file)
