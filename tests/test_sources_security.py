"""A record's ``source.file`` cannot make the build publish a file it should not (issue 14, item 2).

Before, ``eulod build`` copied whatever file a record named (``/etc/passwd``,
``/proc/self/environ`` with EULOD_REMOTE_PASSWORD in it) into the generation and served it
at ``/source/<name>``. Now a source document must be a regular fact-sheet file that resolves
inside the folders given to the build (or the folder above them, or the data folder); an
absolute path, ``..``, a hidden file, a symlink leading out, /proc, a device or a pipe is a
problem of the record's field ``source.file`` and nothing is copied. The page that shows a
copied document reads only regular files directly in the generation's sources folder.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import DATA, EULOD, RECORDS, start_server
from eulod.converters.sources import (MAX_SOURCE_BYTES, UnsafeSource, load_sources, locate_source, read_source,
                                      source_roots)

SECRET = "s3cret-canary-7f1d"  # in every file the build must not publish
PASSWORD = "remote-password-canary-91c2"  # in the build's environment: /proc/self/environ would show it
SHEET = "Project title: Safe sources\nProgramme: URBACT IV\nStart date: 1 June 2023\n"


def record_text(record_id: str, source: str) -> str:
    return yaml.safe_dump({"id": record_id, "language": "en", "title": f"Project {record_id}",
                           "source": {"file": source}}, allow_unicode=True)


def make_tree(base: Path) -> dict[str, Path]:
    """A publisher's folders, with secrets beside and above them and traps inside them.

    base/secret.txt, base/work/private.txt      outside every root
    base/work/data/records/                      the input folder
    base/work/data/factsheets/ok.txt             a real fact sheet
    base/work/data/factsheets/link-out.txt       -> base/secret.txt (a symlink leading out)
    base/work/data/factsheets/link-in.txt        -> ok.txt (a symlink staying inside)
    base/work/data/factsheets/fifo.txt           a named pipe (reading it would block)
    base/work/data/factsheets/folder.txt/        a folder
    base/work/data/.env, settings.yaml           secrets inside the tree, not fact sheets
    """
    work = base / "work"
    data = work / "data"
    records = data / "records"
    sheets = data / "factsheets"
    for folder in (records, sheets, sheets / "folder.txt"):
        folder.mkdir(parents=True, exist_ok=True)
    (base / "secret.txt").write_text(SECRET, "utf-8")
    (work / "private.txt").write_text(SECRET, "utf-8")
    (data / ".env").write_text(f"EULOD_REMOTE_PASSWORD={SECRET}\n", "utf-8")
    (data / "settings.yaml").write_text(f"password: {SECRET}\n", "utf-8")
    (sheets / "ok.txt").write_text(SHEET, "utf-8")
    (sheets / "link-out.txt").symlink_to(base / "secret.txt")
    (sheets / "link-in.txt").symlink_to("ok.txt")
    os.mkfifo(sheets / "fifo.txt")
    return {"base": base, "work": work, "data": data, "records": records, "sheets": sheets}


# --- the containment check, property-based ----------------------------------------------------

SEGMENTS = ["..", ".", "", "factsheets", "ok.txt", "secret.txt", "private.txt", "link-out.txt", "link-in.txt",
            "fifo.txt", "folder.txt", ".env", "settings.yaml", "records", "data", "work", "%2e%2e", "..%2f", "~",
            "proc", "self", "environ", "etc", "passwd", "dev", "zero", "..\\..", "\x00", "ok.txt\x00.yaml", "…"]


@st.composite
def tricky_names(draw) -> str:
    """A source.file as someone trying to leave the data folder would write it."""
    parts = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=6))
    separator = draw(st.sampled_from(["/", "/", "\\", "//", "/./"]))
    prefix = draw(st.sampled_from(["", "", "/", "/proc/self/", "../", "~/", "./", "/dev/", "file:"]))
    return prefix + separator.join(parts)


def check_located(name: str, tree: dict[str, Path], roots) -> None:
    """The property: refused, not found, or a regular file inside the roots that holds no secret."""
    record = tree["records"] / "r.yaml"
    try:
        document = locate_source(name, record, roots, tree["data"])
    except UnsafeSource:
        return
    if document is None:
        return
    assert any(document.path.is_relative_to(root) for root in roots), (name, document.path)
    assert document.path.is_file() and not document.path.is_symlink()
    if document.withheld is None:
        assert SECRET not in read_source(document).decode("utf-8", "replace"), name


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_tree(tmp_path_factory.mktemp("publisher"))


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=tricky_names())
def test_no_name_reaches_a_file_outside_the_roots(tree: dict[str, Path], name: str):
    check_located(name, tree, source_roots([tree["records"]], tree["data"]))


LINK_TARGETS = ["secret", "private", "ok", "proc", "dev", "fifo", "folder", "dangling", "loop", "env", "root"]


@settings(max_examples=150, deadline=None)
@given(target=st.sampled_from(LINK_TARGETS), where=st.sampled_from(["records", "sheets", "data"]),
       chain=st.booleans(), relative=st.booleans())
def test_a_symlink_never_leads_a_source_out(target: str, where: str, chain: bool, relative: bool):
    """Symlinks made in a fresh folder, to every kind of place: resolved, then checked."""
    with tempfile.TemporaryDirectory() as scratch:
        tree = make_tree(Path(scratch))
        targets = {"secret": tree["base"] / "secret.txt", "private": tree["work"] / "private.txt",
                   "ok": tree["sheets"] / "ok.txt", "proc": Path("/proc/self/environ"), "dev": Path("/dev/zero"),
                   "fifo": tree["sheets"] / "fifo.txt", "folder": tree["sheets"] / "folder.txt",
                   "dangling": tree["sheets"] / "missing.txt", "loop": tree[where] / "loop.txt",
                   "env": tree["data"] / ".env", "root": Path("/")}
        destination = targets[target]
        link = tree[where] / "loop.txt" if target == "loop" else tree[where] / "link.txt"
        if relative and target not in ("proc", "dev", "root", "loop"):
            destination = Path(os.path.relpath(destination, link.parent))
        if chain:  # a symlink to a symlink
            middle = tree[where] / "middle.txt"
            middle.symlink_to(destination)
            destination = middle
        link.symlink_to(destination)
        name = {"records": link.name, "sheets": f"factsheets/{link.name}", "data": link.name}[where]
        roots = source_roots([tree["records"]], tree["data"])
        check_located(name, tree, roots)
        if target in ("secret", "private", "proc", "dev", "fifo", "folder", "dangling", "loop", "root"):
            with pytest.raises(UnsafeSource):
                locate_source(name, tree["records"] / "r.yaml", roots, tree["data"])


def test_the_documented_places_still_work(tree: dict[str, Path]):
    roots = source_roots([tree["records"]], tree["data"])
    record = tree["records"] / "r.yaml"
    beside = tree["records"] / "beside.txt"
    beside.write_text(SHEET, "utf-8")
    assert locate_source("beside.txt", record, roots).path == beside.resolve()  # beside the record
    assert locate_source("factsheets/ok.txt", record, roots).path == (tree["sheets"] / "ok.txt").resolve()  # one up
    assert locate_source("factsheets/link-in.txt", record, roots).path == (tree["sheets"] / "ok.txt").resolve()
    elsewhere = tree["base"] / "elsewhere" / "records"
    elsewhere.mkdir(parents=True)
    assert locate_source("factsheets/ok.txt", elsewhere / "r.yaml", source_roots([elsewhere], tree["data"]),
                         tree["data"]).path == (tree["sheets"] / "ok.txt").resolve()  # the data folder
    assert locate_source("factsheets/missing.txt", record, roots) is None


@pytest.mark.parametrize("name", ["/etc/passwd", "/proc/self/environ", "../../secret.txt", "factsheets/../../private.txt",
                                  "factsheets/link-out.txt", "factsheets/fifo.txt", "factsheets/folder.txt", ".env",
                                  "factsheets\\..\\..\\private.txt", "ok.txt\x00", "~/secret.txt", ""])
def test_unsafe_names_are_refused(tree: dict[str, Path], name: str):
    with pytest.raises(UnsafeSource):
        locate_source(name, tree["records"] / "r.yaml", source_roots([tree["records"]], tree["data"]), tree["data"])


def test_the_folder_above_the_file_system_root_is_no_root(tmp_path: Path):
    """``eulod build /records`` must not make all of / a place a source may be in."""
    assert Path("/") not in source_roots([Path("/records")])
    assert Path("/") not in source_roots([Path("/some-file.yaml")])
    (tmp_path / "records").mkdir()
    assert source_roots([tmp_path / "records"]) == ((tmp_path / "records").resolve(), tmp_path.resolve())


def test_load_sources_reports_the_record_and_field(tree: dict[str, Path], tmp_path: Path):
    records = tmp_path / "records"
    records.mkdir()
    (records / "a.yaml").write_text(record_text("passwd", "/etc/passwd"), "utf-8")
    (records / "b.yaml").write_text(record_text("fine", "b.txt"), "utf-8")
    (records / "b.txt").write_text(SHEET, "utf-8")
    loaded = load_sources([records])
    assert [r.id for r in loaded.records] == ["fine"]
    [problem] = loaded.problems
    assert (problem.file, problem.record, problem.field) == (str(records / "a.yaml"), "passwd", "source.file")
    assert "absolute" in problem.reason


# --- eulod build, as a user runs it -----------------------------------------------------------


def run(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}
    return subprocess.run([str(EULOD), *args], cwd=cwd, env={**environment, **(env or {})}, capture_output=True,
                          text=True, timeout=timeout)


def every_file_text(folder: Path) -> str:
    """Every byte of every file under ``folder``, as text (RocksDB files, gzip dumps and all)."""
    import gzip

    chunks = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            chunks.append(data.decode("utf-8", "replace"))
    return "\n".join(chunks)


BAD_SOURCES = {
    "passwd": "/etc/passwd",
    "environ": "/proc/self/environ",
    "device": "/dev/zero",
    "climb": "../../secret.txt",
    "climb-inside": "factsheets/../../private.txt",
    "link-out": "factsheets/link-out.txt",
    "pipe": "factsheets/fifo.txt",
    "folder": "factsheets/folder.txt",
    "dotenv": ".env",
}


@pytest.mark.slow
def test_build_refuses_unsafe_sources_and_copies_only_the_fact_sheet(tmp_path: Path):
    tree = make_tree(tmp_path)
    for record_id, source in BAD_SOURCES.items():
        (tree["records"] / f"{record_id}.yaml").write_text(record_text(record_id, source), "utf-8")
    (tree["records"] / "good.yaml").write_text(record_text("good", "factsheets/ok.txt"), "utf-8")
    (tree["records"] / "config.yaml").write_text(record_text("config", "settings.yaml"), "utf-8")  # not a fact sheet
    big = tree["sheets"] / "big.txt"
    big.write_text(SECRET + "x" * MAX_SOURCE_BYTES, "utf-8")
    (tree["records"] / "big.yaml").write_text(record_text("big", "factsheets/big.txt"), "utf-8")
    build_dir = tmp_path / "build"

    # The pipe would block a build that opened it: the timeout turns a hang into a failure.
    result = run("build", str(tree["records"]), "--build-dir", str(build_dir), "--skip-invalid", cwd=tree["work"],
                 env={"EULOD_REMOTE_PASSWORD": PASSWORD}, timeout=240)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "unexpected error" not in output and "Traceback" not in output
    for record_id in BAD_SOURCES:
        assert f"record '{record_id}': field source.file:" in output or (
            f"record '{record_id}'" in output and "source.file" in output), (record_id, output)
    generation = (build_dir / "current").resolve()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    assert sorted(manifest["records"]) == ["big", "config", "good"]
    assert sorted(manifest["rejected"]) == sorted(BAD_SOURCES)
    assert sorted(p.name for p in (generation / "sources").iterdir()) == ["ok.txt"]
    assert manifest["sources"] == {"good": "ok.txt"}
    published = every_file_text(generation)
    for secret in (SECRET, PASSWORD, "root:x:0:0"):
        assert secret not in published, secret


@pytest.mark.slow
def test_the_documented_builds_copy_their_fact_sheets(tmp_path: Path):
    """`make serve`'s build (data/records) and `eulod build data/factsheets` still publish the sheets."""
    sheets = sorted(p.name for p in (DATA / "factsheets").iterdir())
    for name, paths in (("records", []), ("factsheets", [str(DATA / "factsheets")])):
        build_dir = tmp_path / name
        result = run("build", *paths, "--build-dir", str(build_dir), cwd=DATA.parent)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "not found" not in result.stderr, result.stderr
        assert sorted(p.name for p in (build_dir / "current" / "sources").iterdir()) == sheets


# --- the page that shows a copied document ---------------------------------------------------

TRICKS = ["..", "...", ".hidden", "secret.txt", "manifest.json", "link.txt", "..%2Fmanifest.json", "%2e%2e",
          "%2e%2e%2fmanifest.json", "..%5Cmanifest.json", "%00", "x%00.txt", "..%252fmanifest.json"]


@pytest.fixture(scope="module")
def tampered_server(tmp_path_factory: pytest.TempPathFactory):
    """A real server over a sample build whose store describes source IRIs no build makes, and
    whose sources folder holds a symlink to a secret: what a remote or edited store could hold."""
    base = tmp_path_factory.mktemp("tampered")
    build_dir = base / "build"
    result = run("build", str(RECORDS), "--build-dir", str(build_dir), cwd=DATA.parent)
    assert result.returncode == 0, result.stdout + result.stderr
    generation = (build_dir / "current").resolve()
    (generation / "secret.txt").write_text(SECRET, "utf-8")
    (base / "secret.txt").write_text(SECRET, "utf-8")
    (generation / "sources" / "link.txt").symlink_to(generation / "secret.txt")
    (generation / "sources" / ".hidden").write_text(SECRET, "utf-8")
    store = ox.Store(str(generation / "store"))
    document = ox.NamedNode("http://xmlns.com/foaf/0.1/Document")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    graph = ox.NamedNode("http://127.0.0.1:5000/graph/projects")
    for trick in TRICKS + ["../secret.txt", "../../secret.txt", "%2e%2e%2fsecret.txt"]:
        try:
            subject = ox.NamedNode(f"http://127.0.0.1:5000/source/{trick}")
        except ValueError:
            continue
        store.add(ox.Quad(subject, rdf_type, document, graph))
    store.flush()
    del store
    server = start_server(build_dir, base / "serve.log")
    yield server, generation
    server.stop()


def raw_get(url: str, path: str) -> tuple[int, str]:
    """GET ``path`` exactly as written (no client-side normalisation of '..' or escapes)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("Accept", "text/html")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def secret_free(body: str, generation: Path) -> bool:
    manifest_marker = '"eulod_version"'
    return SECRET not in body and manifest_marker not in body and str(generation) not in body


@pytest.mark.server
def test_the_source_page_still_shows_a_copied_fact_sheet(tampered_server):
    server, _generation = tampered_server
    status, body = raw_get(server.url, "/source/000_541b14564dc59dea.txt")
    assert status == 200 and "Cities@Heart" in body


@pytest.mark.server
@pytest.mark.parametrize("trick", TRICKS + ["../secret.txt", "%2e%2e/%2e%2e/secret.txt", "..%2f..%2fsecret.txt",
                                            "..\\..\\secret.txt".replace("\\", "%5C"), "link.txt%00.txt"])
def test_the_source_page_cannot_be_walked_out_of(tampered_server, trick: str):
    server, generation = tampered_server
    status, body = raw_get(server.url, f"/source/{trick}")
    assert secret_free(body, generation), (trick, status, body[:500])


@pytest.mark.server
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.sampled_from(["..", ".", "%2e%2e", "%2E%2e", "%2f", "%2F", "%5c", "%00", "%252e", "secret.txt",
                                       "link.txt", ".hidden", "manifest.json", "sources", "~", "%c0%ae"]),
                      min_size=1, max_size=5),
       separator=st.sampled_from(["/", "%2f", "%5c", "//"]))
def test_no_encoded_path_under_source_reads_outside_the_copies(tampered_server, parts: list[str], separator: str):
    server, generation = tampered_server
    status, body = raw_get(server.url, "/source/" + separator.join(parts))
    assert status != 500, body[:500]
    assert secret_free(body, generation), (parts, status, body[:500])
