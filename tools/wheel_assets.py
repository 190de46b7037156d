"""What a wheel of eulod gets when it is built, beyond the tracked files (used by setup.py).

- The SPARQL editor (YASGUI): its built files, installed from the npm registry at the versions
  of ``endpoint/static/package-lock.json``, copied into ``endpoint/vendor/yasgui/`` (package
  data, gitignored, never committed) with the licences of every npm package bundled into
  them. A clone serves the editor from ``endpoint/static/node_modules`` instead (``make install``).
- ``eulod/core/build-info.json``: the git commit the wheel was built from, since an installed
  wheel has no ``.git`` (read by ``eulod.core.software``).

Building from an sdist needs neither npm nor git: the sdist carries both already.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

EDITOR = "@zazuko/yasgui"
EDITOR_FILES = ("yasgui.min.js", "yasgui.min.css")
STATIC = Path("endpoint/static")
VENDOR = Path("endpoint/vendor/yasgui")
NOTICES = "THIRD-PARTY-LICENSES.txt"
STAMP = "installed-from.json"
BUILD_INFO = Path("eulod/core/build-info.json")
WITHOUT_EDITOR = "EULOD_WHEEL_WITHOUT_EDITOR"  # 1: build without the editor (/sparql falls back to a form)
LICENCE_NAMES = ("license", "licence", "copying", "notice")


class AssetError(RuntimeError):
    """The editor cannot be installed; the message says what to do."""


def lock_facts(root: Path) -> dict:
    """The editor's locked version and the lock file's digest: what the vendored copy must match."""
    lock = (root / STATIC / "package-lock.json").read_bytes()
    packages = json.loads(lock)["packages"]
    return {"package": EDITOR, "version": packages[f"node_modules/{EDITOR}"]["version"],
            "package_lock_sha256": hashlib.sha256(lock).hexdigest()}


def vendored(root: Path, facts: dict) -> bool:
    target = root / VENDOR
    try:
        stamp = json.loads((target / STAMP).read_text("utf-8"))
    except (OSError, ValueError):
        return False
    return stamp == facts and all((target / name).is_file() for name in (*EDITOR_FILES, NOTICES))


def installed_modules(root: Path, facts: dict) -> Path | None:
    """A clone's node_modules (``make install``) when it holds the locked editor."""
    modules = root / STATIC / "node_modules"
    try:
        found = json.loads((modules / EDITOR / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None
    return modules if found == facts["version"] else None


def npm_install(root: Path, into: Path) -> Path:
    """``npm ci`` of endpoint/static's lock file in ``into``; returns its node_modules."""
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            "building eulod's wheel installs the SPARQL editor (YASGUI) from the npm registry, and npm "
            "was not found: install Node.js and npm (Debian: apt-get install npm), or set "
            f"{WITHOUT_EDITOR}=1 to build a wheel whose /sparql page is a plain form")
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(root / STATIC / name, into / name)
    done = subprocess.run([npm, "ci", "--prefix", str(into), "--no-audit", "--no-fund", "--loglevel=error",
                           "--ignore-scripts"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise AssetError(f"npm ci failed while installing the SPARQL editor:\n{done.stderr.strip()}")
    return into / "node_modules"


def notices(modules: Path, lock: dict) -> str:
    """The licence of every npm package in the lock (all are bundled into yasgui.min.js): its
    declared licence, author and repository, then the licence text the package ships, if any."""
    parts = [
        "The SPARQL editor served at /sparql is YASGUI (https://github.com/rdfjs/Yasgui), installed\n"
        "from the npm registry when this eulod wheel was built. yasgui.min.js and yasgui.min.css bundle\n"
        "the npm packages below; each is listed with its declared licence and the licence text it ships.\n"]
    for key in sorted(k for k in lock["packages"] if k.startswith("node_modules/")):
        folder = modules / key.removeprefix("node_modules/")
        meta = json.loads((folder / "package.json").read_text("utf-8"))
        author = meta.get("author")
        author = author.get("name", "") if isinstance(author, dict) else (author or "")
        repository = meta.get("repository")
        repository = repository.get("url", "") if isinstance(repository, dict) else (repository or "")
        parts.append("=" * 78)
        parts.append(f"{meta.get('name')} {meta.get('version')}")
        parts.append(f"licence: {meta.get('license') or 'not declared in package.json'}")
        for label, value in (("author", author), ("repository", repository), ("homepage", meta.get("homepage"))):
            if value:
                parts.append(f"{label}: {value}")
        texts = sorted(p for p in folder.iterdir() if p.is_file() and p.name.lower().startswith(LICENCE_NAMES))
        if not texts:
            parts.append("(the npm package ships no licence file; its licence is the one declared above)")
        for text in texts:
            parts.append(f"--- {text.name} ---")
            parts.append(text.read_text("utf-8", errors="replace").rstrip())
        parts.append("")
    return "\n".join(parts) + "\n"


def vendor_editor(root: Path) -> str:
    """Make endpoint/vendor/yasgui/ hold the locked editor and its licences; says what it did."""
    if os.environ.get(WITHOUT_EDITOR) == "1":
        return f"{WITHOUT_EDITOR}=1: the wheel has no SPARQL editor"
    facts = lock_facts(root)
    if vendored(root, facts):
        return f"{EDITOR} {facts['version']} already in {VENDOR}"
    lock = json.loads((root / STATIC / "package-lock.json").read_text("utf-8"))
    with tempfile.TemporaryDirectory(prefix="eulod-npm-") as scratch:
        modules = installed_modules(root, facts) or npm_install(root, Path(scratch))
        target = root / VENDOR
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name in EDITOR_FILES:
            shutil.copyfile(modules / EDITOR / "build" / name, target / name)
        (target / NOTICES).write_text(notices(modules, lock), "utf-8")
        (target / STAMP).write_text(json.dumps(facts, indent=1, sort_keys=True) + "\n", "utf-8")
    return f"{EDITOR} {facts['version']} installed into {VENDOR}"


def git_commit(root: Path) -> str:
    """HEAD of the clone at ``root`` (its top, not a repository around it), else ''."""
    try:
        done = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel", "HEAD"],
                              capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != root.resolve():
        return ""
    return lines[1]


def build_info(root: Path) -> dict:
    """The commit of the clone, or the one an sdist recorded (an unpacked sdist has no .git)."""
    commit = git_commit(root)
    if not commit and (root / BUILD_INFO).is_file():
        return json.loads((root / BUILD_INFO).read_text("utf-8"))
    return {"commit": commit}


def write_build_info(root: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(build_info(root), sort_keys=True) + "\n", "utf-8")
