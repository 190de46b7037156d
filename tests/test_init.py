"""``eulod init``: a publisher's repository that validates, builds and runs its own CI commands.

The workflow's steps are read from the workflow file that ``eulod init`` wrote and run in a shell
as GitHub's runner runs them (bash -e -o pipefail, in the repository's folder). Here eulod is
already installed (this test session's editable install), so the step that installs eulod from
``requirements.txt`` is left out: run, it would replace the editable install with another. The
wheel test (tests/test_wheel.py) runs every step, that one included, against the built wheel.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from eulod import cli
from eulod.commands.init import layout
from eulod.converters.records import check_record
from eulod.core.config import _PARSERS, Settings, load_settings
from eulod.core.software import software

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "data" / "publisher"
BIN = Path(sys.executable).parent
EULOD = BIN / "eulod"
WORKFLOW = ".github/workflows/eulod.yml"
INSTALL_STEP = re.compile(r"\bpip install\b")


def without_eulod_settings() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}


def workflow_steps(path: Path) -> list[dict]:
    """The workflow's steps that run commands, in order."""
    workflow = yaml.safe_load(path.read_text("utf-8"))
    return [step for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def run_workflow(repository: Path, bin_dir: Path, install: bool) -> list[str]:
    """Run the workflow's commands in ``repository`` with ``bin_dir`` first on PATH (where eulod
    and its python are); ``install=False`` leaves out the step installing eulod. Returns the commands run."""
    env = {**without_eulod_settings(), "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = []
    for step in workflow_steps(repository / WORKFLOW):
        if not install and INSTALL_STEP.search(step["run"]):
            continue
        ran = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", step["run"]],
                             cwd=repository, env=env, capture_output=True, text=True, timeout=600)
        assert ran.returncode == 0, f"step {step.get('name', step['run'])!r} failed:\n{ran.stdout}\n{ran.stderr}"
        done.append(step["run"])
    return done


def eulod(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(EULOD), *args], cwd=cwd, env=without_eulod_settings(),
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # eulod init, validate, build and the workflow's commands in subprocesses
def test_init_writes_a_repository_that_validates_builds_and_runs_its_workflow(tmp_path: Path):
    repository = tmp_path / "records-repo"
    made = eulod("init", str(repository), cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    for target in layout().values():
        assert (repository / target).is_file(), target
        assert "@EULOD_" not in (repository / target).read_text("utf-8"), f"{target}: a placeholder was left"

    checked = eulod("validate", "records/", cwd=repository)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "1 checked: 0 errors, 0 violations, 0 warnings" in checked.stdout
    built = eulod("build", cwd=repository)
    assert built.returncode == 0, built.stdout + built.stderr
    assert built.stdout.startswith("built 1 records (1 projects")

    commands = run_workflow(repository, BIN, install=False)
    assert any("eulod validate records/" in c for c in commands) and any("eulod build" in c for c in commands)
    dumps = sorted(p.name for p in (repository / "eulod-dumps").iterdir())
    assert "manifest.json" in dumps and "eulod.nt.gz" in dumps and "eulod.ttl.gz" in dumps, dumps
    assert (repository / "eulod-validation.xml").read_text("utf-8").lstrip().startswith("<?xml")


def test_init_refuses_to_overwrite_and_writes_nothing_then(tmp_path: Path, capsys):
    assert cli.main(["init", str(tmp_path)]) == cli.EXIT_OK
    settings_file = tmp_path / "eulod.toml"
    settings_file.write_text("# mine\n", "utf-8")
    (tmp_path / "README.md").unlink()
    capsys.readouterr()
    assert cli.main(["init", str(tmp_path)]) == cli.EXIT_ERROR
    error = capsys.readouterr().err
    assert "eulod.toml" in error and "--force" in error
    assert settings_file.read_text("utf-8") == "# mine\n" and not (tmp_path / "README.md").exists()
    assert cli.main(["init", "--force", str(tmp_path)]) == cli.EXIT_OK
    assert settings_file.read_text("utf-8") != "# mine\n" and (tmp_path / "README.md").is_file()


def test_init_pins_this_eulod_or_the_requirement_given(tmp_path: Path):
    assert cli.main(["init", str(tmp_path / "a")]) == cli.EXIT_OK
    assert f"\neulod=={software().version}\n" in (tmp_path / "a" / "requirements.txt").read_text("utf-8")
    spec = "eulod @ git+https://example.org/eulod@v1"
    assert cli.main(["init", "--requirement", spec, str(tmp_path / "b")]) == cli.EXIT_OK
    assert f"\n{spec}\n" in (tmp_path / "b" / "requirements.txt").read_text("utf-8")


def test_the_settings_template_lists_every_setting_at_its_default(tmp_path: Path):
    """Uncommented, the template's settings are exactly eulod's, each at its default: a setting
    added to eulod.core.config, or a default changed there, fails here until the template follows."""
    text = (TEMPLATES / "eulod.toml").read_text("utf-8")
    assignment = re.compile(r"^#? ?([a-z_]+) = (.+)$")
    lines = [m.group(1, 2) for m in map(assignment.match, text.splitlines()) if m]
    names = [name for name, _value in lines]
    assert sorted(names) == sorted(_PARSERS), "every setting once, and nothing else"
    assert len(names) == len(set(names))
    uncommented = tmp_path / "all.toml"
    uncommented.write_text("\n".join(f"{name} = {value}" for name, value in lines) + "\n", "utf-8")
    tomllib.loads(uncommented.read_text("utf-8"))
    assert load_settings(config_file=uncommented, environ={}) == replace(Settings(), records=(Path("records"),))
    active = tomllib.loads(text.replace("@EULOD_VERSION@", "0"))
    assert active == {"records": ["records"]}, "only the records' folder is set; the rest is commented out"


def test_the_example_record_holds_against_the_record_schema():
    record = yaml.safe_load((TEMPLATES / "example-record.yaml").read_text("utf-8"))
    assert check_record(record, "example-record.yaml") == []
    assert (TEMPLATES / layout()["example-record.yaml"]).parent.name == "records"
    assert layout()["example-source.md"] == record["source"]["file"], "the record cites the source written beside it"


def test_the_pre_commit_hook_is_eulods_hook():
    """The generated hook runs eulod's hook definition (.pre-commit-hooks.yaml) with the eulod
    of requirements.txt: the same id, command, files and calling convention."""
    (shipped,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    config = yaml.safe_load((TEMPLATES / "pre-commit-config.yaml").read_text("utf-8"))
    (repo,) = config["repos"]
    (hook,) = repo["hooks"]
    assert repo["repo"] == "local" and hook["language"] == "system"
    for key in ("id", "name", "description", "entry", "files", "pass_filenames", "require_serial"):
        assert hook[key] == shipped[key], key


def test_the_workflow_validates_on_every_push_and_keeps_the_dumps():
    workflow = yaml.safe_load((TEMPLATES / "workflow.yml").read_text("utf-8"))
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "push" in triggers and triggers["push"] is None, "every push, on every branch"
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uploads = [step["with"] for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert {"name": "eulod-dumps", "path": "eulod-dumps/"} in uploads
    assert any("pip install -r requirements.txt" in step.get("run", "") for step in steps)
