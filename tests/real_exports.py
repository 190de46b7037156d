"""The real third-party exports (../shared/real) and building them as a user does: shared by the tests that read them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("EULOD_SHARED", ROOT.parent / "shared")) / "real"
CORDIS = SHARED / "cordis-he"
PROJECTS, ORGANISATIONS = CORDIS / "project_df_100.csv", CORDIS / "organization_df_100.csv"
KOHESIO = SHARED / "kohesio-2021-2027"
COUNTRIES = ["BG", "CZ", "FR", "PL", "PT"]
PRESENT = PROJECTS.is_file() and KOHESIO.is_dir()
ABSENT = f"the real exports are not in {SHARED} (set EULOD_SHARED)"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """An eulod command in a subprocess, as a user runs it (no EULOD_ setting of the test run leaks in)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([sys.executable, "-m", "eulod.cli", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=600)


def import_real(folder: Path) -> list[str]:
    """CORDIS and the five Kohesio samples imported into ``folder`` as a user imports them; the files' names."""
    inputs = ["cordis.jsonl"]
    result = run("import", "cordis", str(PROJECTS), str(ORGANISATIONS), "-o", "cordis.jsonl", cwd=folder)
    assert result.returncode == 0, result.stderr
    for country in COUNTRIES:
        result = run("import", "csv", str(KOHESIO / f"{country}-sample.csv"), "--mapping", "kohesio",
                     "-o", f"{country}.jsonl", cwd=folder)
        assert result.returncode == 0, result.stderr
        inputs.append(f"{country}.jsonl")
    return inputs


def build_real(folder: Path, base: str) -> Path:
    """CORDIS and the five Kohesio samples imported and built into ``folder``/build; returns the build folder."""
    inputs = import_real(folder)
    result = run("build", *inputs, "--build-dir", "build", "--base-iri", base, "-q", cwd=folder)
    assert result.returncode == 0, result.stdout + result.stderr
    return folder / "build"
