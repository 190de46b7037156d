"""eulod as users install it: a wheel built from this tree, installed into a fresh virtualenv,
run from an empty folder.

The source is copied (the tracked files and the new untracked ones, as they are now) into a new
git repository with one commit, so the wheel's recorded commit is known; its node_modules are
not copied, so the build installs the SPARQL editor from the npm registry as any wheel build does.
``python -m build`` makes the sdist and then the wheel from the unpacked sdist, which has no
.git and no npm step: both must travel in the sdist. The container recipe's commands (its ENV,
``RUN eulod ...`` and ``CMD``) are run from that installed wheel too, with the host and port
changed to a free port on 127.0.0.1; Docker itself is not run here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, free_port, stop_process
from test_init import run_workflow

pytestmark = pytest.mark.slow  # builds a wheel, installs it with its dependencies: a minute or more

EDITOR_FILES = ("eulod/endpoint/vendor/yasgui/yasgui.min.js", "eulod/endpoint/vendor/yasgui/yasgui.min.css",
                "eulod/endpoint/vendor/yasgui/THIRD-PARTY-LICENSES.txt")


def missing(tool: str) -> None:
    message = f"{tool} is not installed: building the wheel needs it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def clean_env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith(("EULOD_", "VIRTUAL_ENV", "PYTHON"))}, **extra}


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env or clean_env(), capture_output=True, text=True,
                          timeout=timeout)
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The wheel and sdist of a copy of this tree, and the commit that copy was made as."""
    for tool in ("npm", "git"):
        if shutil.which(tool) is None:
            missing(tool)
    source = tmp_path_factory.mktemp("source")
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).stdout
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    assert not (source / "endpoint" / "static" / "node_modules").exists()
    identity = ["-c", "user.name=eulod tests", "-c", "user.email=tests@eulod.invalid"]
    for step in (["init", "-q"], ["add", "-A"], [*identity, "commit", "-q", "-m", "the tree under test"]):
        assert run("git", *step, cwd=source).returncode == 0
    commit = run("git", "rev-parse", "HEAD", cwd=source).stdout.strip()
    dist = tmp_path_factory.mktemp("dist")
    built = run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, source, cwd=source)
    assert built.returncode == 0, built.stdout[-4000:] + built.stderr[-4000:]
    (whl,) = dist.glob("eulod-*.whl")
    (sdist,) = dist.glob("eulod-*.tar.gz")
    return {"wheel": whl, "sdist": sdist, "commit": commit}


@pytest.fixture(scope="module")
def installed(wheel: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv with only the wheel (and its dependencies) installed: its bin folder."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    assert run(sys.executable, "-m", "venv", venv, cwd=venv.parent).returncode == 0
    done = run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel["wheel"], cwd=venv.parent)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return venv / "bin"


def test_the_wheel_and_sdist_carry_the_editor_its_licences_and_the_commit(wheel: dict):
    with zipfile.ZipFile(wheel["wheel"]) as archive:
        names = set(archive.namelist())
        assert set(EDITOR_FILES) <= names
        assert "eulod/endpoint/static/js/sparql-editor.js" in names and "eulod/data/records/000-cities-at-heart.yaml" in names
        assert {"eulod/review/templates/sheet.html", "eulod/review/static/review.js"} <= names  # eulod review's page
        assert json.loads(archive.read("eulod/core/build-info.json")) == {"commit": wheel["commit"]}
        notices = archive.read("eulod/endpoint/vendor/yasgui/THIRD-PARTY-LICENSES.txt").decode()
        assert "@zazuko/yasgui" in notices and "licence: MIT" in notices and "Permission is hereby granted" in notices
        assert not any("node_modules" in name or name.endswith(".map") for name in names)
    with tarfile.open(wheel["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"endpoint/vendor/yasgui/yasgui.min.js", "eulod/core/build-info.json", "tools/wheel_assets.py"} <= names


def test_from_an_empty_folder_version_and_the_missing_records_hint(installed: Path, wheel: dict, tmp_path: Path):
    version = run(installed / "eulod", "--version", cwd=tmp_path)
    assert version.returncode == 0 and version.stdout.startswith("eulod ") and wheel["commit"] in version.stdout
    build = run(installed / "eulod", "build", cwd=tmp_path)
    assert build.returncode == 2 and "--sample" in build.stderr and "eulod init" in build.stderr
    assert list(tmp_path.iterdir()) == []


def dockerfile() -> tuple[dict[str, str], list[list[str]], list[str]]:
    """The container recipe's environment (ENV, with ARG defaults), its `RUN eulod ...` commands and its CMD."""
    text = (ROOT / "Dockerfile").read_text("utf-8").replace("\\\n", " ")
    final = text.rsplit("\nFROM ", 1)[1]  # the image that runs eulod
    args = dict(re.findall(r"^ARG (\w+)=(\S+)", final, re.MULTILINE))
    env: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", final, re.MULTILINE):
        for name, value in (pair.split("=", 1) for pair in shlex.split(line)):
            env[name] = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], value)
    commands = [shlex.split(c) for c in re.findall(r"^RUN (eulod .+)$", final, re.MULTILINE)]
    (cmd,) = re.findall(r"^CMD (\[.+\])$", final, re.MULTILINE)
    return env, commands, json.loads(cmd)


class WheelServer:
    def __init__(self, url: str, process: subprocess.Popen, log: Path) -> None:
        self.url, self.process, self.log = url, process, log


@pytest.fixture(scope="module")
def wheel_server(installed: Path, tmp_path_factory: pytest.TempPathFactory):
    """The container's commands from the installed wheel in an empty folder: its ENV (host and
    port moved to a free port on 127.0.0.1, the build folder into this folder), `eulod build
    --sample`, then its CMD, `eulod serve`."""
    env, commands, cmd = dockerfile()
    assert env["EULOD_HOST"] == "0.0.0.0" and cmd == ["eulod", "serve"]
    assert ["eulod", "build", "--sample", "--quiet"] in commands
    folder = tmp_path_factory.mktemp("empty")
    port = free_port()
    env = clean_env(**{**env, "EULOD_HOST": "127.0.0.1", "EULOD_PORT": str(port), "EULOD_BASE_IRI": f"http://127.0.0.1:{port}/",
                       "EULOD_BUILD_DIR": str(folder / "build"), "EULOD_WORKERS": "1"})
    for command in commands:
        done = run(installed / command[0], *command[1:], cwd=folder, env=env)
        assert done.returncode == 0, done.stdout + done.stderr
    log = folder.parent / "serve.log"
    with open(log, "wb") as handle:
        process = subprocess.Popen([str(installed / cmd[0]), *cmd[1:]], cwd=folder, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT)
    server = WheelServer(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(server.url + "/sparql?query=ASK%7B%7D", timeout=2):
                break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail(f"eulod serve from the wheel did not answer:\n{log.read_text()}")
    yield server
    stop_process(process)


def get(url: str, accept: str = "text/html") -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_the_installed_wheel_serves_the_sample_and_the_editor(wheel_server):
    status, _type, page = get(wheel_server.url + "/sparql")
    assert status == 200 and b"yasgui.min.js" in page and b"/static/js/sparql-editor.js" in page
    for name in ("yasgui.min.js", "yasgui.min.css"):
        status, _type, body = get(f"{wheel_server.url}/sparql/yasgui/{name}")
        assert status == 200 and len(body) > 10_000, name
    assert get(wheel_server.url + "/static/js/sparql-editor.js")[0] == 200
    status, _type, body = get(wheel_server.url + "/project/conet", "text/turtle")
    assert status == 200 and b"CoNet" in body


def test_the_installed_wheel_catalogue_names_its_version_and_commit(wheel_server, wheel: dict):
    status, _type, body = get(wheel_server.url + "/catalogue", "text/turtle")
    assert status == 200 and wheel["commit"].encode() in body and b"prov:wasGeneratedBy" in body


def test_the_editor_from_the_wheel_runs_in_chromium(wheel_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(wheel_server.url + "/sparql")
    wait = WebDriverWait(browser, 30)
    wait.until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".yasgui .tabsList")))
    wait.until(lambda driver: len(driver.find_elements(By.CSS_SELECTOR, ".yasgui .tabsList .tab")) >= 2)
    severe = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert severe == []


def test_init_in_the_installed_wheel_runs_every_workflow_command(installed: Path, wheel: dict, tmp_path: Path):
    """Here the workflow's install step runs too: requirements.txt names the wheel under test."""
    repository = tmp_path / "publisher"
    made = run(installed / "eulod", "init", repository, "--requirement", wheel["wheel"], cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    commands = run_workflow(repository, installed, install=True)
    assert any("pip install -r requirements.txt" in c for c in commands)
    assert (repository / "eulod-dumps" / "eulod.nt.gz").is_file()
