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
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
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


def generate(size: int, folder: Path) -> Path:
    target = folder / f"p{size}.jsonl"
    if not target.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--projects", str(size), "--out", str(target)], check=True)
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
    from eulod.core.generation import dataset_graphs
    from eulod.pipeline.build import load_generation, ntriples_file_chunks
    from eulod.core.config import load_settings
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
    command = [sys.executable, "-m", "eulod.cli", "serve", "--build-dir", str(build_dir), "--port", str(port),
               "--base-iri", BASE, "--workers", str(WORKERS)]
    env = dict(os.environ, EULOD_QUERY_TIMEOUT=str(int(limit)))
    log_file = build_dir.parent / f"serve-{build_dir.name}.log"
    started = time.monotonic()
    with log_file.open("w") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        url = f"http://127.0.0.1:{port}/sparql"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
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
        pids = [server.pid, *_children(server.pid)]
        rss = {pid: _rss_kib(pid) for pid in pids}
        return {"times": times, "rss_kib": rss, "warmup_s": warmup}
    finally:
        server.terminate()
        server.wait(timeout=30)


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
    log.info("%d: eulod load", size)
    build_dir = work / f"build-{size}"
    result["eulod"] = eulod_load(nt_file, build_dir, dumps)
    log.info("%d: queries on raw pyoxigraph", size)
    result["raw_queries"] = {name: (None, SUMMARY_ONLY) if reads_summaries(text) else query_raw(raw_dir, text, query_limit)
                             for name, text in texts.items()}
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
    rd = results[0].get("rdflib")
    if rd and rd["parse"]:
        lines.append(f"| rdflib parse of the N-Triples ({results[0]['size']}) | {_s(rd['parse'][0])} |" + " - |" * (len(results) - 1 + ratio))
    lines.append("")
    lines.append("Rows returned per query (eulod serve / raw pyoxigraph): " + "; ".join(
        f"{name}: " + ", ".join(f"{r['serve']['times'][name][1]}/{r['raw_queries'][name][1]}" for r in results)
        for name in results[0]["serve"]["times"]))
    return "\n".join(lines) + "\n"


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
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    args.work.mkdir(parents=True, exist_ok=True)
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
