"""Scale benchmark: conversion, load, store size, serving RSS and example queries at N projects.

For each size it generates records (bench/generate.py, seeded), then measures, in one run:

- records/s of loading+schema-checking the JSON Lines and of mapping them to N-Triples
  (the bulk path of converters/rdf.py), on one core;
- eulod's load (eulod.pipeline.build.load_generation: spool, bulk load, optimise, dumps) against a
  raw pyoxigraph ``bulk_load`` of the same N-Triples file;
- the store's size on disk;
- every example query (bench/queries/*.rq and the researcher queries in data/queries/*.rq)
  through a running ``eulod serve`` (HTTP), on the raw pyoxigraph store, and (at the
  smallest size only) on in-memory rdflib in a subprocess killed after --rdflib-limit s;
- the RSS of the ``eulod serve`` master and workers after the queries.

It prints a Markdown report; the ratios between sizes show which steps grow faster than
the data.

    python bench/scale.py --sizes 20000 100000 --out bench/out/RESULTS-scale.md

With ``--command build`` it measures instead the command a publisher runs (issue 19):
``eulod -v build RECORDS --build-dir DIR`` on the generator's records (all valid), as a
subprocess whose stderr is a terminal, so that the command announces its stages: wall time,
peak RSS of its process tree, seconds per stage and their growth between sizes, against a
baseline measured in the same run (stream the records to N-Triples, raw pyoxigraph
bulk_load). ``--incremental`` builds again after changing one record; ``--serve`` times the
example queries through ``eulod serve`` on the result. A size whose projected peak RSS does
not fit in the memory available is refused, and a build that outgrows it is killed.

    python bench/scale.py --command build --sizes 5000 10000 20000 --incremental 10000
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE = "http://127.0.0.1:5000/"
log = logging.getLogger("bench.scale")


def queries() -> dict[str, str]:
    found = {p.stem: p.read_text("utf-8") for p in sorted((HERE / "queries").glob("*.rq"))}
    # The researcher example queries (issue 6) live in data/queries; they run beside these.
    skip = ("catalogue-", "home-", "page-", "labels")
    for path in sorted((ROOT / "data" / "queries").glob("*.rq")):
        if not path.name.startswith(skip):
            found[f"data/{path.stem}"] = path.read_text("utf-8")
    return found


def generate(size: int, folder: Path, invalid_every: int | None = None) -> Path:
    """The generator's records at ``size`` (its seed), written once into ``folder`` and reused.

    ``invalid_every`` None keeps the generator's default (a few broken records, for the
    validation steps); 0 gives records that all load, as ``eulod build`` needs to publish them.
    """
    suffix = "" if invalid_every is None else f"-invalid{invalid_every}"
    target = folder / f"p{size}{suffix}.jsonl"
    if not target.exists():
        extra = [] if invalid_every is None else ["--invalid-every", str(invalid_every)]
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--projects", str(size), *extra, "--out", str(target)],
                       check=True)
    return target


def convert(records_file: Path, nt_file: Path, check: bool = True) -> dict[str, Any]:
    """Load+check the records, then map them to N-Triples; records/s of each step."""
    from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream
    from eulod.converters.records import LoadResult, Record, load_file

    started = time.perf_counter()
    if check:
        loaded = load_file(records_file)
    else:  # the generator's records are schema-valid; reading them is then all there is
        loaded = LoadResult(records=[Record(json.loads(line), str(records_file), n)
                                     for n, line in enumerate(records_file.open("rb"), start=1)])
    load_s = time.perf_counter() - started
    mapper = RecordMapper(MappingOptions(BASE, "role-only", datetime(2026, 1, 1, tzinfo=timezone.utc)))
    started, cpu = time.perf_counter(), time.process_time()
    with open(nt_file, "wb") as handle:
        for chunk in ntriples_stream(mapper, loaded.records):
            handle.write(chunk)
    map_s, map_cpu = time.perf_counter() - started, time.process_time() - cpu
    n = len(loaded.records)
    return {"records": n, "problems": len(loaded.problems), "checked": check, "load_check_s": load_s, "load_check_rps": n / load_s,
            "map_s": map_s, "map_rps": n / map_s, "map_cpu_rps": n / map_cpu, "nt_bytes": nt_file.stat().st_size}


def raw_load(nt_file: Path, store_dir: Path) -> float:
    import pyoxigraph as ox

    shutil.rmtree(store_dir, ignore_errors=True)
    started = time.perf_counter()
    store = ox.Store(str(store_dir))
    store.bulk_load(path=str(nt_file), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(BASE + "graph/projects"))
    store.flush()
    seconds = time.perf_counter() - started
    del store
    return seconds


class _Timings(logging.Handler):
    """Reads the step timings eulod.pipeline.build logs ('bulk-loaded the data in 4.20 s')."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.steps: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        found = re.search(r"(spooled|bulk-loaded|computed|optimised|wrote the dumps|wrote the home page listing).* in ([0-9.]+) s", message)
        if found:
            self.steps[found.group(1)] = float(found.group(2))


def eulod_load(nt_file: Path, build_dir: Path, dumps: bool = True) -> dict[str, Any]:
    from eulod.core.config import load_settings
    from eulod.core.generation import dataset_graphs
    from eulod.pipeline.build import load_generation, ntriples_file_chunks
    from eulod.pipeline.generations import switch_to, write_manifest

    shutil.rmtree(build_dir, ignore_errors=True)
    settings = load_settings(build_dir=str(build_dir), base_iri=BASE)
    handler = _Timings()
    loggers = [logging.getLogger(name) for name in ("eulod.pipeline.build", "eulod.core.listing")]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    started = time.perf_counter()
    # Without dumps when they are measured apart: they are not part of loading the store.
    generation, stats, dumps_made = load_generation(settings, ntriples_file_chunks(nt_file), dumps=dumps)
    total = time.perf_counter() - started
    for logger in loggers:
        logger.removeHandler(handler)
    write_manifest(generation, {"generation": generation.id, "base_iri": BASE, "records": [], "rejected": [],
                                "statistics": stats, "dumps": dumps_made,
                                "built": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
                                "graphs": dataset_graphs(settings)})
    switch_to(build_dir, generation)
    store_bytes = sum(p.stat().st_size for p in generation.store_path.rglob("*") if p.is_file())
    return {"total_s": total, "steps": handler.steps, "triples": stats["triples"], "store_bytes": store_bytes,
            "store_path": str(generation.store_path)}


RAW_QUERY = """
import sys, time, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
text = sys.stdin.read()
started = time.perf_counter()
rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
print(time.perf_counter() - started, rows)
"""


RAW_SCAN = """
import sys, time, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
started = time.perf_counter()
quads = sum(1 for _ in store.quads_for_pattern(None, None, None))
print(time.perf_counter() - started, quads)
"""


def raw_scan(store_dir: Path) -> float:
    """Seconds for Python to read every quad of a raw store, in a fresh process (cold caches).

    The baseline for the growth of the steps that read the whole store (summaries, listing,
    optimise, dumps): how much slower pyoxigraph itself reads a store five times larger.
    """
    out = subprocess.run([sys.executable, "-c", RAW_SCAN, str(store_dir)], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0])


def query_raw(store_dir: Path, text: str, limit: float = 60) -> tuple[float | None, Any]:
    """One query on the raw store, in a subprocess killed after ``limit`` seconds."""
    try:
        out = subprocess.run([sys.executable, "-c", RAW_QUERY, str(store_dir)], input=text, capture_output=True,
                             text=True, timeout=limit, check=True).stdout.split()
    except subprocess.TimeoutExpired:
        return None, f"> {limit:.0f} s"
    return float(out[0]), int(out[1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out.extend(int(t) for t in text)
    return out


WORKERS = 2
HOME_WARMED = re.compile(r"home page: \d+ projects of generation \S+ read in [\d.]+ s \(warm-up\)")


def wait_for_warmup(log_file: Path, started: float, limit: float = 600) -> float | None:
    """Seconds until every worker logged its home-page warm-up; None if not within ``limit``.

    A deployed server has read its listing before the first visitor; queries timed while the
    workers still read it would measure the warm-up, not the query.
    """
    while time.monotonic() - started < limit:
        if len(HOME_WARMED.findall(log_file.read_text("utf-8", "replace"))) >= WORKERS:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def serve_and_query(build_dir: Path, texts: dict[str, str], limit: float = 60) -> dict[str, Any]:
    """Start `eulod serve`, wait for its warm-up, time each query over HTTP, then read the RSS of the master and workers."""
    port = _free_port()
    base = _built_base(build_dir)
    command = [sys.executable, "-m", "eulod.cli", "serve", "--build-dir", str(build_dir), "--port", str(port),
               "--base-iri", base, "--workers", str(WORKERS)]
    env = dict(os.environ, EULOD_QUERY_TIMEOUT=str(int(limit)))
    log_file = build_dir.parent / f"serve-{build_dir.name}.log"
    started = time.monotonic()
    with log_file.open("w") as sink:
        # Not from this folder: "-m eulod.cli" would import the checkout's eulod/ (without the converters,
        # which the installed package maps into it) instead of the installed package, as from a git worktree.
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env, cwd=build_dir.parent)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:  # not ten minutes' wait for a warm-up that will never come
                raise RuntimeError(f"eulod serve exited with {server.returncode}: see {log_file}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        warmup = wait_for_warmup(log_file, started)
        times: dict[str, Any] = {}
        for name, text in texts.items():
            request = urllib.request.Request(
                url, data=urllib.parse.urlencode({"query": text}).encode(),
                headers={"Accept": "application/sparql-results+json",
                         "Content-Type": "application/x-www-form-urlencoded"})
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=limit + 30) as response:
                    rows = len(json.load(response)["results"]["bindings"])
                times[name] = (time.perf_counter() - started, rows)
            except Exception as exc:  # report, go on with the other queries
                times[name] = (None, f"error: {exc}")
        pages = time_pages(f"http://127.0.0.1:{port}", url, limit, base)
        pids = [server.pid, *_children(server.pid)]
        rss = {pid: _rss_kib(pid) for pid in pids}
        return {"times": times, "pages": pages, "rss_kib": rss, "warmup_s": warmup}
    finally:
        server.terminate()
        server.wait(timeout=30)


PROJECT = "https://w3id.org/eulod/ontology#Project"
# The organisation most projects name: its page lists the most (not timed: it only picks the page).
BUSIEST = ("SELECT ?o (COUNT(?p) AS ?n) WHERE { ?p <https://w3id.org/eulod/ontology#hasParticipation> ?r . "
           "?r <https://w3id.org/eulod/ontology#organisation> ?o } GROUP BY ?o ORDER BY DESC(?n) LIMIT 1")
# The programme most projects name: its page lists them (not timed either).
LARGEST_PROGRAMME = ("SELECT ?g (COUNT(?p) AS ?n) WHERE { ?p <https://w3id.org/eulod/ontology#programme> ?g } "
                     "GROUP BY ?g ORDER BY DESC(?n) LIMIT 1")


def _first(url: str, query: str, limit: float) -> str | None:
    request = urllib.request.Request(url, data=urllib.parse.urlencode({"query": query}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=limit + 30) as response:
            rows = json.load(response)["results"]["bindings"]
    except Exception as exc:  # report without that page
        log.warning("picking a page to time: %s", exc)
        return None
    return next(iter(rows[0].values()))["value"] if rows else None


def _built_base(build_dir: Path) -> str:
    """The base IRI the build in ``build_dir`` was made with (its manifest says), else this benchmark's own:
    a build made by hand with another base ('https://w3id.org/eulod/') is served and paged with its own."""
    from eulod.core.generation import current_generation

    generation = current_generation(build_dir)
    if generation is not None and generation.complete:
        return generation.manifest().get("base_iri") or BASE
    return BASE


def _local(iri: str, base: str) -> str:
    """The path the server answers for an IRI: what follows the base, or the IRI's own path."""
    return "/" + (iri.removeprefix(base) if iri.startswith(base) else iri.split("/", 3)[3])


def time_pages(root: str, sparql: str, limit: float, base: str = BASE) -> dict[str, Any]:
    """Seconds for each page a visitor opens first (issue 19: every page < 1 s at 1 000 000 projects):
    home, a later page of the list, a project (HTML and Turtle), the busiest organisation and the
    largest programme (first and a later page), search, the catalogue, the change feed. Each is fetched twice; the first (uncached) time is reported."""
    paths = ["/", "/?page=2", "/api/search?q=energy", "/catalogue", "/feed"]
    project = _first(sparql, f"SELECT ?p WHERE {{ ?p a <{PROJECT}> }} LIMIT 1 OFFSET 100", limit)
    if project:
        local = _local(project, base)
        paths += [local, local + ".ttl"]
    busiest = _first(sparql, BUSIEST, limit)
    if busiest:
        paths += [_local(busiest, base), _local(busiest, base) + "?page=20"]
    largest = _first(sparql, LARGEST_PROGRAMME, limit)
    if largest:  # a code-list concept: served at its path under the vocabulary's base
        local = "/" + largest.removeprefix("https://w3id.org/eulod/")
        paths += [local, local + "?page=100"]
    found: dict[str, Any] = {}
    for path in paths:
        accept = "text/turtle" if path.endswith(".ttl") or path == "/feed" else "application/json" if path.startswith("/api/") else "text/html"
        started = time.perf_counter()
        try:
            request = urllib.request.Request(root + path, headers={"Accept": accept})  # as a browser asks
            with urllib.request.urlopen(request, timeout=limit + 30) as response:
                size = len(response.read())
            found[path] = (time.perf_counter() - started, f"{size:,} bytes")
        except Exception as exc:
            found[path] = (None, f"error: {exc}")
    return found


def _rdflib_worker(nt_file: str, texts: dict[str, str], skip: list[str], out: Any) -> None:
    from rdflib import Graph

    started = time.perf_counter()
    graph = Graph()
    graph.parse(nt_file, format="nt")
    out.put(("__parse__", time.perf_counter() - started, len(graph)))
    for name, text in texts.items():
        if name in skip:
            continue
        out.put(("__start__", name, 0))
        started = time.perf_counter()
        rows = sum(1 for _ in graph.query(text))
        out.put((name, time.perf_counter() - started, rows))


def rdflib_queries(nt_file: Path, texts: dict[str, str], limit: float) -> dict[str, Any]:
    """Each query on in-memory rdflib; a query over ``limit`` s kills the worker ("> limit")."""
    results: dict[str, Any] = {}
    parse = None
    done: list[str] = []
    while len(done) < len(texts):
        queue: Any = multiprocessing.Queue()
        worker = multiprocessing.Process(target=_rdflib_worker, args=(str(nt_file), texts, done, queue))
        worker.start()
        current, started = None, time.monotonic()
        while True:
            try:
                name, seconds, rows = queue.get(timeout=1)
            except Exception:
                if current and time.monotonic() - started > limit:
                    results[current] = (None, f"> {limit:.0f} s")
                    done.append(current)
                    worker.kill()
                    break
                if not worker.is_alive():
                    break
                continue
            if name == "__parse__":
                parse = (seconds, rows)
            elif name == "__start__":
                current, started = seconds, time.monotonic()
            else:
                results[name] = (seconds, rows)
                done.append(name)
                current = None
                if len(done) == len(texts):
                    break
        worker.join(timeout=10)
    return {"parse": parse, "times": results}


SUMMARY_ONLY = "n/a: reads the build's summaries"


def reads_summaries(text: str) -> bool:
    """Examples that read eulod's summary graph have nothing to read in a raw store."""
    return any(term in text for term in ("eulod:CountryTotal", "eulod:Collaboration", "eulod:activeInYear"))


def measure(size: int, work: Path, rdflib_limit: float, dumps: bool = True, check: bool = True,
            query_limit: float = 60) -> dict[str, Any]:
    texts = queries()
    records = generate(size, work)
    nt_file = work / f"p{size}.nt"
    result: dict[str, Any] = {"size": size}
    log.info("%d: converting", size)
    result["convert"] = convert(records, nt_file, check)
    log.info("%d: raw pyoxigraph bulk load", size)
    raw_dir = work / f"raw-{size}"
    result["raw_load_s"] = raw_load(nt_file, raw_dir)
    log.info("%d: raw pyoxigraph full scan", size)
    result["raw_scan_s"] = raw_scan(raw_dir)
    log.info("%d: queries on raw pyoxigraph", size)
    result["raw_queries"] = {name: (None, SUMMARY_ONLY) if reads_summaries(text) else query_raw(raw_dir, text, query_limit)
                             for name, text in texts.items()}
    # The baseline's store goes before eulod loads: at 1 000 000 projects it is 22 GB, and the N-Triples
    # (13 GB), eulod's spool (14 GB) and eulod's store besides it did not fit in 70 GB of free disk.
    shutil.rmtree(raw_dir, ignore_errors=True)
    log.info("%d: eulod load", size)
    build_dir = work / f"build-{size}"
    result["eulod"] = eulod_load(nt_file, build_dir, dumps)
    log.info("%d: queries through eulod serve", size)
    result["serve"] = serve_and_query(build_dir, texts, query_limit)
    if rdflib_limit > 0:
        log.info("%d: queries on rdflib", size)
        result["rdflib"] = rdflib_queries(nt_file, texts, rdflib_limit)
    shutil.rmtree(raw_dir, ignore_errors=True)
    return result


def _s(value: float | None) -> str:
    return "-" if value is None else (f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s")


def report(results: list[dict[str, Any]], command: str) -> str:
    lines = [f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}. (Whether anything else ran "
             "meanwhile is for whoever quotes the run to say: ratios move when it did.)", ""]
    head = "| step | " + " | ".join(f"{r['size']} projects" for r in results)
    ratio = len(results) > 1
    lines.append(head + (f" | ratio {results[-1]['size'] // results[0]['size']}x data |" if ratio else " |"))
    lines.append("|---" * (len(results) + 1 + ratio) + "|")

    def row(label: str, values: list[float | None], fmt=_s, ratio_of: bool = True) -> None:
        cells = [fmt(v) for v in values]
        extra = ""
        if ratio:
            extra = f" {values[-1] / values[0]:.1f}x |" if ratio_of and values[0] and values[-1] else " - |"
        lines.append(f"| {label} | " + " | ".join(cells) + " |" + extra)

    row("triples", [r["eulod"]["triples"] for r in results], fmt=lambda v: f"{v:,}")
    row("load + schema-check records (records/s)", [r["convert"]["load_check_rps"] for r in results], fmt=lambda v: f"{v:,.0f}", ratio_of=False)
    row("map records to N-Triples (records/s, one core)", [r["convert"]["map_rps"] for r in results], fmt=lambda v: f"{v:,.0f}", ratio_of=False)
    if all("map_cpu_rps" in r["convert"] for r in results):
        row("map records to N-Triples (records per CPU-second)", [r["convert"]["map_cpu_rps"] for r in results], fmt=lambda v: f"{v:,.0f}", ratio_of=False)
    row("load + schema-check records", [r["convert"]["load_check_s"] for r in results])
    row("map records to N-Triples", [r["convert"]["map_s"] for r in results])
    row("raw pyoxigraph bulk_load (baseline)", [r["raw_load_s"] for r in results])
    if all("raw_scan_s" in r for r in results):
        row("raw pyoxigraph: read every quad from Python (baseline for reading steps)", [r["raw_scan_s"] for r in results])
    row("eulod: spool + bulk load", [r["eulod"]["steps"].get("spooled", 0) + r["eulod"]["steps"].get("bulk-loaded", 0) for r in results])
    row("eulod load / raw bulk_load", [(r["eulod"]["steps"].get("spooled", 0) + r["eulod"]["steps"].get("bulk-loaded", 0)) / r["raw_load_s"] for r in results], fmt=lambda v: f"{v:.2f}x", ratio_of=False)
    if all("computed" in r["eulod"]["steps"] for r in results):
        row("eulod: summaries (country totals, collaborations, activity years)", [r["eulod"]["steps"]["computed"] for r in results])
    row("eulod: optimise", [r["eulod"]["steps"].get("optimised") for r in results])
    if all("wrote the home page listing" in r["eulod"]["steps"] for r in results):
        row("eulod: home page listing (listing.sqlite)", [r["eulod"]["steps"]["wrote the home page listing"] for r in results])
    row("eulod: dumps (nt, nt.gz, ttl, jsonld)", [r["eulod"]["steps"].get("wrote the dumps") for r in results])
    row("eulod load_generation total", [r["eulod"]["total_s"] for r in results])
    row("store size on disk (MiB)", [r["eulod"]["store_bytes"] / 2**20 for r in results], fmt=lambda v: f"{v:,.0f}")
    row("serving: home-page warm-up of both workers", [r["serve"].get("warmup_s") for r in results])
    row("serving RSS after warm-up and queries, master + 2 workers (MiB)", [sum(r["serve"]["rss_kib"].values()) / 1024 for r in results], fmt=lambda v: f"{v:,.0f}")
    def query_row(label: str, pairs: list) -> None:
        shown = [_s(t) if t is not None else str(detail) for t, detail in pairs]
        extra = ""
        if ratio:
            extra = f" {pairs[-1][0] / pairs[0][0]:.1f}x |" if pairs[0][0] and pairs[-1][0] else " - |"
        lines.append(f"| {label} | " + " | ".join(shown) + " |" + extra)

    for name in results[0]["serve"]["times"]:
        query_row(f"query {name}: eulod serve (HTTP)", [r["serve"]["times"][name] for r in results])
        query_row(f"query {name}: raw pyoxigraph", [r["raw_queries"][name] for r in results])
        rd = results[0].get("rdflib")
        if rd:
            value = rd["times"].get(name, (None, "-"))
            lines.append(f"| query {name}: rdflib in memory | "
                         + (_s(value[0]) if value[0] is not None else str(value[1])) + " |" + " - |" * (len(results) - 1 + ratio))
    if all("pages" in r["serve"] for r in results):
        for path in results[-1]["serve"]["pages"]:
            pairs = [r["serve"]["pages"].get(path, (None, "-")) for r in results]
            label = path if not path.startswith(("/project/", "/organisation/")) else path.split("/")[1] + " page" + (
                " (Turtle)" if path.endswith(".ttl") else "")
            query_row(f"page {label}: eulod serve (HTTP)", pairs)
    rd = results[0].get("rdflib")
    if rd and rd["parse"]:
        lines.append(f"| rdflib parse of the N-Triples ({results[0]['size']}) | {_s(rd['parse'][0])} |" + " - |" * (len(results) - 1 + ratio))
    lines.append("")
    lines.append("Rows returned per query (eulod serve / raw pyoxigraph): " + "; ".join(
        f"{name}: " + ", ".join(f"{r['serve']['times'][name][1]}/{r['raw_queries'][name][1]}" for r in results)
        for name in results[0]["serve"]["times"]))
    return "\n".join(lines) + "\n"


# --- `eulod build`, the command a publisher runs, end to end (issue 19): --command build -------------

POLL_S = 0.2  # how often the RSS of the build's process tree is read
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
STAGE_LINE = re.compile(r"^eulod build: (.+?)\.\.\.$")  # eulod.cli.stages, on a terminal
STAGE_START = re.compile(r"(?=eulod build: )")  # where a stage line begins, line end or not
PROGRESS_BAR = re.compile(r"^([A-Za-z][\w ]*?):\s+(?:\d+%\||\d+\s*\w+ \[)")  # a tqdm bar's first line
TIMED_LOG = re.compile(r"^INFO \S+: (.+?) in ([0-9.]+) s$")  # eulod -v: "bulk-loaded the data in 4.20 s"
BUILT_LINE = re.compile(r"built (\d+) records \((\d+) projects, (\d+) triples\) into \S+ -> (\S+);")
FIRST_STAGE = "start-up, reading and checking the records"
AFTER_STAGES = "after the last stage's log line, to the exit"


def eulod_executable() -> list[str]:
    """The ``eulod`` script of this Python's environment, as a user types it; ``python -m eulod.cli`` without one."""
    script = Path(sys.executable).parent / "eulod"
    return [str(script)] if script.exists() else [sys.executable, "-m", "eulod.cli"]


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, their children...), as /proc lists them now."""
    found, queue = [], [pid]
    while queue:
        try:
            children = _children(queue.pop())
        except OSError:  # gone meanwhile
            continue
        found.extend(children)
        queue.extend(children)
    return found


def _pss_kib(pid: int) -> int:
    """Proportional set size: the process's private pages, plus its share of the pages it shares."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def tree_memory_kib(pid: int) -> tuple[int, int]:
    """RSS and PSS of ``pid`` and all its descendants, each summed over the processes.

    Sums over the tree, not the kernel's ``ru_maxrss`` of the children: that one is the
    largest single child's peak (and over every child this script ever waited for), so it
    understates a command that spreads over worker processes. The RSS sum overstates one
    whose workers are forked (the validation's are): a page shared copy-on-write counts once
    per process. The PSS sum counts it once: it is what the machine holds for the command.
    """
    rss = pss = 0
    for each in (pid, *_descendants(pid)):
        try:
            rss += _rss_kib(each)
            pss += _pss_kib(each)
        except OSError:  # gone meanwhile
            pass
    return rss, pss


def memory_available_kib() -> int:
    """What the kernel estimates can still be allocated without swapping (MemAvailable)."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1])
    raise RuntimeError("no MemAvailable in /proc/meminfo")


TAIL_LINES = 20  # lines of a failed command's stderr kept in its result


class StderrLines:
    """A command's stderr as it arrives: kept in a log file, its stage and timing lines timed.

    Only the lines that mark a step are kept in memory (the build logs one warning per record,
    a million at 1 000 000 projects): a stage line or a progress bar's first line starts a stage,
    a "... in 4.20 s" log line is a step's own timing.
    """

    def __init__(self, log_file: Path) -> None:
        self.log = open(log_file, "wb")
        self.pending = b""
        self.stages: list[tuple[str, float]] = []  # (name, seconds since the start when its line came)
        self.timed: list[tuple[str, float, float]] = []  # (step, its own seconds, when its line came)
        self.last: deque[str] = deque(maxlen=TAIL_LINES)  # the last lines, kept for the report when the command fails

    def feed(self, data: bytes, at: float) -> None:
        self.log.write(data)
        *complete, self.pending = re.split(rb"[\r\n]", self.pending + data)
        for raw in complete:
            self.text(raw, at)

    def text(self, raw: bytes, at: float) -> None:
        """One terminal line, which may hold several stage lines: a progress bar cleared by
        escapes and the next stage's line can arrive with no line end between them."""
        for piece in STAGE_START.split(ANSI.sub("", raw.decode("utf-8", "replace"))):
            if piece.strip():
                self.line(piece.strip(), at)

    def line(self, text: str, at: float) -> None:
        if not PROGRESS_BAR.match(text):
            self.last.append(text[:500])
        found = STAGE_LINE.match(text) or PROGRESS_BAR.match(text)
        if found and found.group(1) not in {name for name, _ in self.stages}:
            self.stages.append((found.group(1), at))
        timed = TIMED_LOG.match(text)
        if timed:
            self.timed.append((re.sub(r"\d+", "N", timed.group(1)), float(timed.group(2)), at))

    def close(self, at: float) -> None:
        if self.pending:  # a last line without its end
            self.text(self.pending, at)
        self.log.close()


def _read_terminal(master: int, lines: StderrLines, started: float) -> None:
    while True:
        try:
            data = os.read(master, 1 << 16)
        except OSError:  # EIO: every writer has closed the terminal
            return
        if not data:
            return
        lines.feed(data, time.monotonic() - started)


def _read_pipe(pipe: Any, lines: StderrLines, started: float) -> None:
    while data := pipe.read1(1 << 16):
        lines.feed(data, time.monotonic() - started)


def _open_terminal() -> tuple[int, int]:
    """A pseudo-terminal 120 columns wide: a progress bar needs a width to draw itself."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return master, slave


def run_measured(command: list[str], folder: Path, name: str, *, terminal: bool = False,
                 rss_limit_kib: int | None = None) -> dict[str, Any]:
    """Run ``command`` in ``folder``; its wall time, the peak RSS of its process tree, its stages.

    The tree's RSS is summed from /proc every POLL_S (a shorter peak can slip between two
    reads); the kernel's own high-water mark of the main process (``wait4``) is kept beside
    it as a check. With ``terminal`` its stderr is a pseudo-terminal, as for a person at a
    shell: eulod then prints the stage lines and the progress bar that time its stages. Above
    ``rss_limit_kib`` the command is killed, so that a benchmark cannot exhaust the machine.
    stdout and stderr go to NAME.out and NAME.err in ``folder``.
    """
    lines = StderrLines(folder / f"{name}.err")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EULOD_")}  # the command line alone decides
    master, stderr = _open_terminal() if terminal else (None, subprocess.PIPE)
    started = time.monotonic()
    with open(folder / f"{name}.out", "wb") as out:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=stderr, cwd=folder,
                                   env=env, start_new_session=True)
    if master is not None:
        os.close(stderr)  # the child holds it now; reads end with EIO when the child exits
        reader = threading.Thread(target=_read_terminal, args=(master, lines, started), daemon=True)
    else:
        reader = threading.Thread(target=_read_pipe, args=(process.stderr, lines, started), daemon=True)
    reader.start()
    ended: dict[str, Any] = {}

    def wait() -> None:  # a blocking wait in its own thread: the wall time is exact, not rounded to a poll
        _pid, status, usage = os.wait4(process.pid, 0)
        ended.update(at=time.monotonic(), status=status, max_rss_kib=usage.ru_maxrss)

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    peak_rss, peak_pss, killed = 0, 0, None
    stage_peaks: dict[str, int] = {}  # the tree's highest PSS while each stage ran
    while waiter.is_alive():
        rss, pss = tree_memory_kib(process.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        stage = lines.stages[-1][0] if lines.stages else FIRST_STAGE
        stage_peaks[stage] = max(stage_peaks.get(stage, 0), pss)
        if rss_limit_kib and pss > rss_limit_kib and killed is None:
            killed = f"killed at {pss / 2**20:.2f} GiB (PSS), above the limit of {rss_limit_kib / 2**20:.2f} GiB"
            log.error("%s: %s", name, killed)
            try:
                os.killpg(process.pid, signal.SIGKILL)  # its own session: only what this script started
            except ProcessLookupError:
                pass
        waiter.join(POLL_S)
    process.returncode = os.waitstatus_to_exitcode(ended["status"])
    reader.join(timeout=30)
    if master is not None:
        os.close(master)
    wall = ended["at"] - started
    lines.close(wall)
    return {"command": command, "wall_s": wall, "peak_pss_kib": peak_pss, "peak_rss_kib": peak_rss,
            "max_rss_kib": ended["max_rss_kib"], "stage_peak_pss_kib": stage_peaks,
            "returncode": process.returncode, "killed": killed, "stages": stage_seconds(lines, wall),
            "logged": {step: seconds for step, seconds, _at in lines.timed},
            # why it failed, once its folder (and stderr's file in it) is removed: a 1 000 000 run's stderr is gone
            "tail": list(lines.last) if process.returncode else []}


def stage_seconds(lines: StderrLines, wall: float) -> dict[str, float]:
    """Seconds of each stage the command announced: from its line to the next one's.

    Before the first announced stage: start-up and reading the records. The last stage ends
    at the last step-timing log line after it (the step's own end); what follows it until
    the process exits is reported apart.
    """
    marks = [(FIRST_STAGE, 0.0), *lines.stages]
    out = {name: after - at for (name, at), (_, after) in zip(marks, marks[1:])}
    last, last_at = marks[-1]
    end = max([at for _step, _s, at in lines.timed if at >= last_at], default=wall)
    out[last] = end - last_at
    out[AFTER_STAGES] = wall - end
    return out


def _built(out_file: Path) -> dict[str, Any]:
    """Records, projects, triples and generation from the line ``eulod build`` ends with."""
    with open(out_file, "rb") as handle:
        handle.seek(max(0, out_file.stat().st_size - 65536))
        found = BUILT_LINE.findall(handle.read().decode("utf-8", "replace"))
    if not found:
        return {}
    records, projects, triples, generation = found[-1]
    return {"records": int(records), "projects": int(projects), "triples": int(triples), "generation": generation}


def run_build(records: Path, build_dir: Path, name: str, rss_limit_kib: int | None) -> dict[str, Any]:
    """``eulod -v build RECORDS --build-dir DIR`` as a person runs it at a terminal, measured."""
    command = [*eulod_executable(), "-v", "build", str(records), "--build-dir", str(build_dir), "--base-iri", BASE]
    log.info("running %s", " ".join(command))
    result = run_measured(command, build_dir.parent, name, terminal=True, rss_limit_kib=rss_limit_kib)
    result.update(_built(build_dir.parent / f"{name}.out"))
    return result


MAP_NTRIPLES = """
import json, sys
from datetime import datetime, timezone
from eulod.converters.rdf import MappingOptions, RecordMapper, ntriples_stream
from eulod.converters.records import Record
source, target, base = sys.argv[1:4]
def records():
    with open(source, "rb") as handle:
        for number, line in enumerate(handle, start=1):
            yield Record(json.loads(line), source, number)
mapper = RecordMapper(MappingOptions(base, "role-only", datetime(2026, 1, 1, tzinfo=timezone.utc)))
with open(target, "wb") as handle:
    for chunk in ntriples_stream(mapper, records()):
        handle.write(chunk)
"""

RAW_BULK_LOAD = """
import sys, pyoxigraph as ox
source, folder, graph = sys.argv[1:4]
store = ox.Store(folder)
store.bulk_load(path=source, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(graph))
store.flush()
"""


def baseline(records: Path, folder: Path, rss_limit_kib: int | None) -> dict[str, Any]:
    """The least a build must do, measured like the build: stream the records to N-Triples, bulk-load them raw.

    No schema check, SHACL, summaries, listing or dumps: how far the command is from the
    library calls it cannot avoid, at the same size, in the same run.
    """
    nt_file, store_dir = folder / "baseline.nt", folder / "baseline-store"
    mapped = run_measured([sys.executable, "-c", MAP_NTRIPLES, str(records), str(nt_file), BASE], folder,
                          "baseline-map", rss_limit_kib=rss_limit_kib)
    loaded = run_measured([sys.executable, "-c", RAW_BULK_LOAD, str(nt_file), str(store_dir), BASE + "graph/projects"],
                          folder, "baseline-bulk-load", rss_limit_kib=rss_limit_kib)
    out = {"map": mapped, "bulk_load": loaded, "nt_bytes": nt_file.stat().st_size}
    nt_file.unlink()
    shutil.rmtree(store_dir, ignore_errors=True)
    return out


def change_one_record(records: Path, number: int) -> tuple[str, str]:
    """Change the title of the ``number``-th record in place, as an editor saves a file; its id and new title."""
    temporary = records.with_name(records.name + ".edit")
    with open(records, "rb") as source, open(temporary, "wb") as target:
        for index, line in enumerate(source, start=1):
            if index == number:
                record = json.loads(line)
                record["title"] = f"{record['title']} (changed for the incremental benchmark)"
                changed = (record["id"], record["title"])
                line = json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
            target.write(line)
    os.replace(temporary, records)
    return changed


def title_published(build_dir: Path, record_id: str, title: str) -> bool:
    """Whether the current generation's store gives the project of ``record_id`` the changed ``title``."""
    import pyoxigraph as ox

    from eulod.core.generation import current_generation

    generation = current_generation(build_dir)
    if generation is None:
        return False
    store = ox.Store.read_only(str(generation.store_path))
    subject = ox.NamedNode(f"{BASE}project/{record_id}")
    found = any(isinstance(q.object, ox.Literal) and q.object.value == title
                for q in store.quads_for_pattern(subject, None, None))
    del store
    return found


def projected_peak_kib(size: int, measured: list[tuple[int, int]]) -> int | None:
    """The peak memory to expect at ``size`` from (size, peak PSS of the tree) pairs measured before it.

    Two sizes or more: the line through the two largest (its slope at least 0), which follows
    a build whose memory grows with the data as well as one whose memory is flat. One size:
    memory per record times ``size``, an over-estimate (fixed costs grow with it), which errs on
    the safe side. None when nothing was measured.
    """
    points = sorted(dict(measured).items())
    if not points:
        return None
    if len(points) == 1:
        (known, rss), = points
        return rss * size // known
    (s1, r1), (s2, r2) = points[-2:]
    slope = max(0.0, (r2 - r1) / (s2 - s1))
    return int(r2 + slope * (size - s2))


def refusal(size: int, measured: list[tuple[int, int]], margin_kib: int) -> str | None:
    """Why ``size`` must not run here: its projected peak memory above the memory available now, less a margin."""
    projected = projected_peak_kib(size, measured)
    available = memory_available_kib() - margin_kib
    if projected is None or projected <= available:
        return None
    basis = ", ".join(f"{rss / 2**20:.2f} GiB at {known}" for known, rss in sorted(measured)[-2:])
    return (f"refused {size} projects: projected peak memory (PSS) {projected / 2**20:.1f} GiB (from {basis}) exceeds the "
            f"{available / 2**20:.1f} GiB available (MemAvailable less a {margin_kib / 2**20:.1f} GiB margin)")


def earlier_peaks(work: Path) -> list[tuple[int, int]]:
    """(size, peak memory) of the builds saved by earlier runs in ``work``: the guard's evidence for a first size."""
    pairs = []
    for saved in work.glob("command-*.json"):
        data = json.loads(saved.read_text())
        if "build" in data:
            pairs.append((data["size"], data["build"].get("peak_pss_kib") or data["build"]["peak_rss_kib"]))
    return pairs


def measure_command(size: int, work: Path, *, incremental: bool, serve: bool, query_limit: float,
                    rss_limit_kib: int, keep: bool, with_baseline: bool = True) -> dict[str, Any]:
    """One size: the baseline, ``eulod build`` from scratch, then (``incremental``) again after one record changed.

    Without the baseline (``with_baseline`` false: at 1 000 000 projects it costs about 25 minutes) the
    report shows '-' where its ratios would be; read the growth against a smaller size of another run.
    """
    records = generate(size, work, invalid_every=0)
    folder = work / f"command-{size}"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    result: dict[str, Any] = {"size": size, "load_before": os.getloadavg(), "started": datetime.now(timezone.utc).isoformat()}
    if with_baseline:
        log.info("%d: baseline (stream-map to N-Triples, raw bulk_load)", size)
        result["baseline"] = baseline(records, folder, rss_limit_kib)
    mine = folder / "records.jsonl"  # the publisher's file: the incremental run edits it in place
    shutil.copyfile(records, mine)
    build_dir = folder / "build"
    log.info("%d: eulod build", size)
    result["build"] = run_build(mine, build_dir, "build", rss_limit_kib)
    if incremental and result["build"]["returncode"] == 0:
        record_id, title = change_one_record(mine, size // 2 + 1)
        log.info("%d: eulod build after changing the title of %s", size, record_id)
        again = run_build(mine, build_dir, "rebuild", rss_limit_kib)
        again["changed_record"] = record_id
        again["new_generation"] = again.get("generation") not in (None, result["build"].get("generation"))
        again["change_published"] = again["returncode"] == 0 and title_published(build_dir, record_id, title)
        result["incremental"] = again
    if serve and result["build"]["returncode"] == 0:
        log.info("%d: queries through eulod serve", size)
        try:
            result["serve"] = serve_and_query(build_dir, queries(), query_limit)
        except RuntimeError as exc:  # the build's figures are kept and reported all the same
            log.error("%d: %s", size, exc)
            result["serve_error"] = str(exc)
    result["load_after"] = os.getloadavg()
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _mib(kib: float | None) -> str:
    return "-" if not kib else f"{kib / 1024:,.0f} MiB"


def _growth(values: list[float | None], sizes: list[int]) -> list[str]:
    """(value ratio) / (size ratio) between consecutive sizes: above 1, the step grows faster than the data."""
    out = []
    for (v1, n1), (v2, n2) in zip(zip(values, sizes), zip(values[1:], sizes[1:])):
        out.append(f"{(v2 / v1) / (n2 / n1):.2f}" if v1 and v2 else "-")
    return out


def command_report(results: list[dict[str, Any]], refused: list[str], command: str) -> str:
    """Markdown: the command end to end per size, its stages with their growth, the incremental rebuild."""
    ok = [r for r in results if "build" in r]
    sizes = [r["size"] for r in ok]
    lines = [f"Command: `{command}`", "",
             f"Machine: {os.cpu_count()} cores, {memory_available_kib() / 2**20:.1f} GiB available at the end; "
             f"Python {sys.version.split()[0]}. Measured: `eulod -v build RECORDS --build-dir DIR --base-iri {BASE}` "
             "as a subprocess with stderr on a pseudo-terminal (stage lines and progress bar, as at a shell); wall "
             "time from start to exit. Memory, read every "
             f"{POLL_S} s over the process and its descendants: PSS summed (pages shared by forked workers counted "
             "once: what the machine holds) and RSS summed (such pages once per process); beside them the kernel's "
             "high-water mark (wait4 ru_maxrss) of the eulod process alone, the figure `/usr/bin/time -v` prints.", ""]
    lines += ["| projects | wall | records/s | peak memory (PSS, tree) | per record | peak RSS summed over the tree "
              "| max RSS, eulod process alone | triples | exit | baseline: map to N-Triples | baseline: raw bulk_load "
              "| wall / baseline (map + bulk_load) | load average before / after |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"]
    for r in ok:
        b, base = r["build"], r.get("baseline")
        if base:
            floor = base["map"]["wall_s"] + base["bulk_load"]["wall_s"]
            measured = (f"{_s(base['map']['wall_s'])}, {_mib(base['map']['peak_pss_kib'])} "
                        f"| {_s(base['bulk_load']['wall_s'])}, {_mib(base['bulk_load']['peak_pss_kib'])} "
                        f"| {b['wall_s'] / floor:.1f}x")
        else:
            measured = "not run | not run | -"
        lines.append(
            f"| {r['size']:,} | {_s(b['wall_s'])} | {r['size'] / b['wall_s']:,.0f} | {_mib(b['peak_pss_kib'])} "
            f"| {b['peak_pss_kib'] / r['size']:,.0f} KiB | {_mib(b['peak_rss_kib'])} | {_mib(b['max_rss_kib'])} "
            f"| {b.get('triples', 0):,} | {b['returncode']}{' ' + b['killed'] if b['killed'] else ''} "
            f"| {measured} | {r['load_before'][0]:.2f} / {r['load_after'][0]:.2f} |")
    lines += ["", *refused] if refused else []
    for r in results:
        if r["build"].get("tail"):
            lines += ["", f"{r['size']:,}: the build exited with {r['build']['returncode']}; the last lines of its stderr:", "",
                      "```", *r["build"]["tail"], "```"]
    steps = [f"{a:,}→{b:,}" for a, b in zip(sizes, sizes[1:])]
    lines += ["", "Per stage (a stage runs from its line to the next one's); growth = (ratio of the values) / "
              "(ratio of the sizes) between consecutive sizes: above 1, it grows faster than the data.", "",
              "| stage | " + " | ".join(f"{n:,}" for n in sizes) + "".join(f" | growth {s}" for s in steps) + " |",
              "|---" + "|---:" * (len(sizes) + len(steps)) + "|"]

    def row(label: str, values: list[float | None], fmt=_s) -> None:
        lines.append(f"| {label} | " + " | ".join("-" if v is None else fmt(v) for v in values)
                     + "".join(f" | {g}" for g in _growth(values, sizes)) + " |")

    def union(key: str) -> list[str]:
        names: list[str] = []
        for r in ok:
            names += [n for n in r["build"].get(key, {}) if n not in names and n != AFTER_STAGES]
        return names

    stages = union("stages")
    for name in [*stages, AFTER_STAGES]:
        row(f"seconds: {name}", [r["build"]["stages"].get(name) for r in ok])
    for name in union("logged"):
        row(f"seconds, as logged: {name}", [r["build"]["logged"].get(name) for r in ok])
    for name in stages:
        row(f"peak memory (PSS) during: {name}", [r["build"]["stage_peak_pss_kib"].get(name) for r in ok], _mib)
    row("**eulod build: wall**", [r["build"]["wall_s"] for r in ok])
    row("**eulod build: peak memory (PSS, tree)**", [r["build"]["peak_pss_kib"] for r in ok], _mib)
    row("eulod build: peak RSS summed over the tree", [r["build"]["peak_rss_kib"] for r in ok], _mib)
    row("eulod build: max RSS of the eulod process alone", [r["build"]["max_rss_kib"] for r in ok], _mib)
    bases = [r.get("baseline") for r in ok]
    row("baseline: stream-map records to N-Triples", [b and b["map"]["wall_s"] for b in bases])
    row("baseline: raw pyoxigraph bulk_load", [b and b["bulk_load"]["wall_s"] for b in bases])
    row("baseline: raw bulk_load, peak memory (PSS)", [b and b["bulk_load"]["peak_pss_kib"] for b in bases], _mib)
    again = [r for r in ok if "incremental" in r]
    if again:
        lines += ["", "Incremental: the title of one record changed in the records file (in place), then the same "
                  "`eulod build` again on the same build folder.", "",
                  "| projects | full build | after changing one record | its peak memory (PSS) | exit | new generation "
                  "| change published | under 10 s (the goal is at 100 000) |", "|---:|---:|---:|---:|---|---|---|---|"]
        for r in again:
            i = r["incremental"]
            lines.append(f"| {r['size']:,} | {_s(r['build']['wall_s'])} | {_s(i['wall_s'])} | {_mib(i['peak_pss_kib'])} "
                         f"| {i['returncode']} | {'yes' if i['new_generation'] else 'no'} "
                         f"| {'yes' if i['change_published'] else 'no'} ({i['changed_record']}) "
                         f"| {'yes' if i['wall_s'] < 10 and i['change_published'] else 'no'} |")
    served = [r for r in ok if "serve" in r]
    if served:
        lines += ["", "Example queries through `eulod serve` on the build's output (HTTP, after the workers' warm-up):", "",
                  "| query | " + " | ".join(f"{r['size']:,}" for r in served) + " |", "|---" + "|---:" * len(served) + "|"]
        for name in served[0]["serve"]["times"]:
            cells = []
            for r in served:
                seconds, detail = r["serve"]["times"].get(name, (None, "-"))
                cells.append(_s(seconds) if seconds is not None else str(detail))
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines += ["", "Pages through `eulod serve` (HTTP, the first, uncached request; goal: each < 1 s at 1 000 000):", "",
                  "| page | " + " | ".join(f"{r['size']:,}" for r in served) + " |", "|---" + "|---:" * len(served) + "|"]
        for path in served[-1]["serve"].get("pages", {}):
            cells = []
            for r in served:
                seconds, detail = r["serve"].get("pages", {}).get(path, (None, "-"))
                cells.append(f"{_s(seconds)} ({detail})" if seconds is not None else str(detail))
            lines.append(f"| `{path}` | " + " | ".join(cells) + " |")
        rss = [sum(r["serve"]["rss_kib"].values()) for r in served]
        lines.append("| RSS of master and workers after the requests | " + " | ".join(_mib(v) for v in rss) + " |")
    return "\n".join(lines) + "\n"


def main_command(args: argparse.Namespace, command: str) -> int:
    """--command build: each size measured (or refused by the memory guard), then the report."""
    margin = int(args.memory_margin_gib * 2**20)
    measured = [] if args.no_memory_guard else earlier_peaks(args.work)
    results, refused = [], []
    for size in args.sizes:
        saved = args.work / f"command-{size}.json"
        if args.reuse and saved.exists():
            results.append(json.loads(saved.read_text()))
            continue
        reason = None if args.no_memory_guard else refusal(size, measured, margin)
        if reason:
            log.error("%s", reason)
            refused.append(reason)
            continue
        incremental = args.incremental is not None and (not args.incremental or size in args.incremental)
        result = measure_command(size, args.work, incremental=incremental, serve=args.serve,
                                 query_limit=args.query_limit, rss_limit_kib=memory_available_kib() - margin,
                                 keep=args.keep, with_baseline=size not in args.no_baseline)
        saved.write_text(json.dumps(result, indent=1, default=str))
        results.append(result)
        measured = [(s, rss) for s, rss in measured if s != size] + [(size, result["build"]["peak_pss_kib"])]
    text = command_report(results, refused, command)
    print(text)
    if args.out:
        args.out.write_text(text, "utf-8")
    return 0 if results and all(r["build"]["returncode"] == 0 for r in results) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--rdflib-limit", type=float, default=60, help="seconds per rdflib query (0: skip rdflib)")
    parser.add_argument("--out", type=Path, help="also write the report here (Markdown)")
    parser.add_argument("--no-dumps", type=int, nargs="*", default=[], metavar="SIZE",
                        help="at these sizes, load without writing the dumps (reported as '-')")
    parser.add_argument("--no-check", type=int, nargs="*", default=[], metavar="SIZE",
                        help="at these sizes, read the generated records without the record-schema check")
    parser.add_argument("--query-limit", type=float, default=60, help="seconds per query on eulod serve and raw pyoxigraph")
    parser.add_argument("--reuse", action="store_true", help="take a size's figures from an earlier run's scale-SIZE.json")
    parser.add_argument("--command", choices=("build",),
                        help="measure the `eulod build` command end to end instead of the library's steps (issue 19)")
    parser.add_argument("--incremental", type=int, nargs="*", metavar="SIZE",
                        help="--command build: after the full build, change one record and build again "
                             "(at these sizes; at every size without one)")
    parser.add_argument("--serve", action="store_true", help="--command build: time the example queries through eulod serve")
    parser.add_argument("--keep", action="store_true", help="--command build: keep each size's build folder")
    parser.add_argument("--no-baseline", type=int, nargs="*", default=[], metavar="SIZE",
                        help="--command build: at these sizes, skip the baseline (map + raw bulk_load)")
    parser.add_argument("--memory-margin-gib", type=float, default=2.0,
                        help="--command build: memory left free: a size projected above MemAvailable less this is refused, "
                             "a command above it killed")
    parser.add_argument("--no-memory-guard", action="store_true", help="--command build: run every size whatever it projects")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.command == "build":
        return main_command(args, "python bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:]))
    results = []
    for index, size in enumerate(args.sizes):
        saved = args.work / f"scale-{size}.json"
        if args.reuse and saved.exists():
            results.append(json.loads(saved.read_text()))
            continue
        results.append(measure(size, args.work, args.rdflib_limit if index == 0 else 0, size not in args.no_dumps,
                               size not in args.no_check, args.query_limit))
        saved.write_text(json.dumps(results[-1], indent=1, default=str))
    command = "python bench/scale.py " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report(results, command)
    print(text)
    if args.out:
        args.out.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
