"""The dumps as files: gzip streams made of separately compressed segments whose trailer CRC is
combined, never recomputed (eulod/pipeline/gzipped.py), and their uncompressed content served
by the endpoint, inflated as it is sent (endpoint/resources.py)."""

from __future__ import annotations

import gzip
import json
import subprocess
import urllib.error
import urllib.request
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eulod.pipeline import gzipped

CONTENTS = st.lists(st.binary(max_size=3000) | st.text(max_size=500).map(str.encode), max_size=8)


@given(st.binary(max_size=2000), st.binary(max_size=5000))
def test_combined_crcs_are_the_crc_of_the_whole(first: bytes, second: bytes):
    whole = zlib.crc32(first + second)
    assert gzipped.crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == whole
    if second:  # the Python fallback, for where zlib's own cannot be loaded
        assert gzipped._python_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == whole


@given(st.integers(0, 2**32 - 1), st.integers(0, 2**32 - 1), st.integers(1, 2**40))
def test_the_fallback_agrees_with_zlib_at_any_length(first: int, second: int, size: int):
    assert gzipped._python_combine(first, second, size) == gzipped.crc32_combine(first, second, size)


@settings(max_examples=60)
@given(CONTENTS)
def test_segments_make_one_gzip_member_any_reader_reads(contents: list[bytes]):
    crc, size, parts = 0, 0, [gzipped.header("eulod.nt")]
    for content in contents:
        part = gzipped.segment(content)
        assert gzipped.inflate(part.data) == content
        crc, size = gzipped.crc32_combine(crc, part.crc, part.size), size + part.size
        parts.append(part.data)
    parts.append(gzipped.trailer(crc, size))
    data = b"".join(parts)
    whole = b"".join(contents)
    assert gzip.decompress(data) == whole
    single = zlib.decompressobj(wbits=31)  # a reader that stops after the first member
    assert single.decompress(data) == whole and single.eof and not single.unused_data
    assert subprocess.run(["gzip", "-dc"], input=data, capture_output=True, check=True).stdout == whole


def test_a_wrong_crc_is_caught_by_readers():
    """The trailer is checked: a combination that were wrong would not go unnoticed."""
    part = gzipped.segment(b"<a> <b> <c> .\n")
    data = gzipped.header("x") + part.data + gzipped.trailer(part.crc ^ 1, part.size)
    with pytest.raises(gzip.BadGzipFile):
        gzip.decompress(data)


# --- served ------------------------------------------------------------------------------------

def test_each_dump_is_served_compressed_and_uncompressed(client, sample_build):
    folder = sample_build.generation.dumps_path
    for name, facts in sample_build.manifest["dumps"].items():
        packed = client.get(f"/dumps/{name}")
        packed.get_data()
        packed.close()  # the file send_file opened (a server closes it when the response is sent)
        assert packed.status_code == 200 and packed.mimetype == "application/gzip"
        assert len(packed.data) == facts["bytes"]
        plain = client.get(f"/dumps/{name.removesuffix('.gz')}")
        assert plain.status_code == 200, name
        assert plain.data == gzip.decompress(packed.data), name
        assert int(plain.headers["Content-Length"]) == facts["uncompressed_bytes"] == len(plain.data)
        assert plain.headers["ETag"] != packed.headers["ETag"] and "Accept" in plain.headers["Vary"]
        again = client.get(f"/dumps/{name.removesuffix('.gz')}", headers={"If-None-Match": plain.headers["ETag"]})
        assert again.status_code == 304 and not again.data
        assert (folder / name).read_bytes() == packed.data
    assert client.get("/dumps/eulod.ttl").mimetype == "text/turtle"
    assert client.get("/dumps/eulod.jsonld").mimetype == "application/ld+json"
    assert client.get("/dumps/eulod.nt").mimetype == "application/n-triples"


@pytest.mark.parametrize("name", ["eulod.rdf", "eulod.nt.gz.gz", "eulod", "other.nt", ".eulod.nt.gz", "eulod.NT",
                                  "eulod.nt%00", "..%2Feulod.nt", "manifest.json", "eulod.gz"])
def test_other_dump_names_are_not_found(client, name):
    assert client.get(f"/dumps/{name}").status_code == 404


@pytest.mark.server
def test_curl_downloads_the_plain_dump_whole_and_a_head_request_gets_its_length(live_server):
    url = f"{live_server.url}/dumps/eulod.nt"
    body = subprocess.run(["curl", "-sS", "--fail", url], capture_output=True, check=True, timeout=60).stdout
    with urllib.request.urlopen(f"{url}.gz", timeout=60) as response:
        assert body == gzip.decompress(response.read())
    head = subprocess.run(["curl", "-sS", "--fail", "-I", url], capture_output=True, text=True, check=True,
                          timeout=60).stdout.lower()
    assert f"content-length: {len(body)}" in head
    try:
        urllib.request.urlopen(f"{live_server.url}/dumps/eulod.xml", timeout=60)
        raise AssertionError("an unknown dump format should be 404")
    except urllib.error.HTTPError as error:
        assert error.code == 404


def test_a_generation_an_older_eulod_built_serves_its_plain_files(client, sample_build):
    """Such a generation holds eulod.ttl beside eulod.nt.gz, and its manifest has no uncompressed sizes."""
    plain = sample_build.generation.dumps_path / "eulod.ttl"
    plain.write_bytes(b"@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\n")
    try:
        response = client.get("/dumps/eulod.ttl")
        response.get_data()
        response.close()
        assert response.status_code == 200 and response.mimetype == "text/turtle"
        assert response.data == plain.read_bytes()
    finally:
        plain.unlink()
    assert client.get("/dumps/eulod.ttl").data == gzip.decompress(
        (sample_build.generation.dumps_path / "eulod.ttl.gz").read_bytes())


def test_the_dumps_write_the_data_graph_before_waiting_for_the_other_graphs(tmp_path, monkeypatch):
    """A build's dumps write the data graph's sections (from the change step's file) while the
    summaries are still being written into the store, and read the other graphs only once they
    are ready: the summaries' triples written meanwhile are in every file, and no graph was read
    from the store before."""
    import pyoxigraph as ox

    from eulod.core.generation import Generation
    from eulod.pipeline import dumps

    data, summary = "http://e.org/graph/data", "http://e.org/graph/summary"
    store = ox.Store()
    lines = [f'<http://e.org/project/p{n}> <http://purl.org/dc/terms/title> "P{n}" .\n' for n in range(300)]
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(data))
                 for t in ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES))
    (tmp_path / "g").mkdir()
    data_file = tmp_path / "g" / ".data.nt"
    data_file.write_text("".join(lines), "utf-8")
    read: list[str] = []
    graph_file = dumps.graph_file
    monkeypatch.setattr(dumps, "graph_file", lambda s, name, folder: read.append(name) or graph_file(s, name, folder))
    monkeypatch.setattr(dumps, "CHUNK_BYTES", 2000)  # the data graph in several sections
    at_ready: list[tuple[int, list[str]]] = []
    generation = Generation(tmp_path / "g")

    def summaries_done() -> None:  # what the build's summaries thread ends with
        at_ready.append((len(written.sections), list(read)))
        store.add(ox.Quad(ox.NamedNode("http://e.org/summary/s"), ox.NamedNode("http://e.org/count"),
                          ox.Literal("300"), ox.NamedNode(summary)))

    written = None
    opened = dumps.Dumps.open

    def spy_open(folder, deferred=False):  # the files being written, to count their sections
        nonlocal written
        written = opened(folder, deferred)
        return written

    monkeypatch.setattr(dumps.Dumps, "open", spy_open)
    described = dumps.write_dumps(store, generation, (data_file, data), "http://e.org/", ready=summaries_done)
    assert at_ready and at_ready[0][0] >= 5 and at_ready[0][1] == []  # data sections written, nothing read yet
    assert read and data not in read  # the other graphs from the store, the data graph from its file
    text = gzip.decompress((generation.dumps_path / "eulod.nt.gz").read_bytes()).decode("utf-8")
    assert "<http://e.org/summary/s>" in text and text.count("/project/") == 300
    assert sorted(described) == ["eulod.jsonld.gz", "eulod.nt.gz", "eulod.ttl.gz"]
    assert not data_file.exists()


def _dump_twice_input(folder, lines: list[str]):
    """A store holding ``lines`` in a data graph and a summary in another, and the data graph's file."""
    import pyoxigraph as ox

    data = "http://e.org/graph/data"
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(data))
                 for t in ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES))
    store.add(ox.Quad(ox.NamedNode("http://e.org/summary/s"), ox.NamedNode("http://e.org/count"),
                      ox.Literal("300"), ox.NamedNode("http://e.org/graph/summary")))
    folder.mkdir()
    data_file = folder / ".data.nt"
    data_file.write_text("".join(lines), "utf-8")
    return store, (data_file, data)


def test_dumps_rendered_by_processes_are_those_rendered_in_the_build(tmp_path, monkeypatch):
    """Sections rendered by other processes come back in order: the three files and the index of
    their sections are byte for byte those the build's own rendering writes."""
    from eulod.core.generation import Generation
    from eulod.pipeline import dumps

    monkeypatch.setattr(dumps, "CHUNK_BYTES", 3000)  # a few dozen sections
    monkeypatch.setattr(dumps, "PROCESSES_FROM", 0)
    lines = [f'<http://e.org/project/p{n}> <http://purl.org/dc/terms/title> "Projekt {n} über Straßen"@de .\n'
             f'<http://e.org/project/p{n}> <http://e.org/partner> _:b{n} .\n'
             f'_:b{n} <http://e.org/share> "{n}.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n' for n in range(400)]
    pools: list[int] = []
    real_pool = dumps.process_pool
    monkeypatch.setattr(dumps, "process_pool", lambda n: pools.append(n) or real_pool(n))
    made = {}
    for processes in (0, 2):
        generation = Generation(tmp_path / f"g{processes}")
        store, data = _dump_twice_input(generation.path, lines)
        described = dumps.write_dumps(store, generation, data, "http://e.org/", processes=processes)
        files = {name: (generation.dumps_path / name).read_bytes() for name in described}
        made[processes] = (files, (generation.path / dumps.INDEX).read_text("utf-8"))
        assert not (generation.path / ".dump-split").exists()
    assert pools == [2]  # the second run's sections came from two processes
    assert made[2] == made[0]
    assert len(json.loads(made[2][1])["sections"]) >= 20
    text = gzip.decompress(made[2][0]["eulod.nt.gz"]).decode("utf-8")
    assert text.count("über Straßen") == 400


def test_a_section_a_process_cannot_render_fails_the_dumps_and_leaves_no_file(tmp_path, monkeypatch):
    from eulod.core.generation import Generation
    from eulod.pipeline import dumps

    monkeypatch.setattr(dumps, "CHUNK_BYTES", 3000)
    monkeypatch.setattr(dumps, "PROCESSES_FROM", 0)
    lines = [f'<http://e.org/project/p{n}> <http://purl.org/dc/terms/title> "P{n}" .\n' for n in range(300)]
    generation = Generation(tmp_path / "g")
    store, data = _dump_twice_input(generation.path, lines)
    data[0].write_text("".join(lines[:150]) + '<http://e.org/project/bad> <http://e.org/p> "unterminated .\n'
                       + "".join(lines[150:]), "utf-8")  # a line the store would never write
    with pytest.raises(SyntaxError):
        dumps.write_dumps(store, generation, data, "http://e.org/", processes=2)
    assert list(generation.dumps_path.iterdir()) == []
    assert not (generation.path / ".dump-split").exists()
