"""Which eulod this is: its version and, where there is one, the git commit it was built from.

``eulod --version`` prints both, and each build records them in its manifest, from which the
catalogue names the software that made the data. An installed wheel has no ``.git``: the commit
was written into ``build-info.json`` beside this module when the wheel (or the sdist it was made
from) was built (``tools/wheel_assets.py``). A clone has no such file and asks git, at run time;
without git, or outside a clone, there is simply no commit.
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from pathlib import Path

log = logging.getLogger(__name__)

BUILD_INFO = Path(__file__).with_name("build-info.json")
# The clone's top: eulod/core/software.py is two folders below it.
SOURCE_TREE = Path(__file__).resolve().parent.parent.parent
GIT_TIMEOUT = 5.0


@dataclass(frozen=True)
class Software:
    """This eulod: its name, version and commit ('' when unknown)."""

    name: str
    version: str
    commit: str

    def __str__(self) -> str:
        return f"{self.name} {self.version}" + (f" (git commit {self.commit})" if self.commit else "")


def version() -> str:
    try:
        return installed_version("eulod")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0.0.0+unknown"


def recorded_commit(path: Path | None = None) -> str | None:
    """The commit written at wheel build time; None when there is no build-info file."""
    path = path or BUILD_INFO
    try:
        info = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s): the build's commit is unknown", path, exc)
        return ""
    commit = info.get("commit", "") if isinstance(info, dict) else ""
    return commit if isinstance(commit, str) else ""


def git_commit(tree: Path = SOURCE_TREE) -> str:
    """HEAD of the clone eulod runs from, or '' without git or outside eulod's own clone.

    Only when the clone's top is ``tree`` itself: an installed eulod in a virtualenv inside
    someone else's repository must not report that repository's commit.
    """
    if not (tree / "pyproject.toml").is_file() or not (tree / ".git").exists():
        return ""
    try:
        found = subprocess.run(["git", "-C", str(tree), "rev-parse", "--show-toplevel", "HEAD"],
                               capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = found.stdout.split()
    if found.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != tree:
        return ""
    return lines[1]


@cache
def software() -> Software:
    """This eulod, looked up once per process."""
    commit = recorded_commit()
    return Software("eulod", version(), git_commit() if commit is None else commit)
