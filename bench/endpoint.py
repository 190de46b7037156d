"""Load test of eulod's SPARQL endpoint against rdflib-endpoint, on loopback, in one run.

Both servers serve the same N-Triples file (the generator's 20 000 projects by default),
one after the other so they never compete for the CPU, and wrk drives each with the same
queries for the same time:

* lookup: every triple of one project (the same project in every request);
* lookup-random: every triple of a project drawn at random from the 20 000 for each request
  (defeats eulod's answer cache: every answer is computed);
* aggregate: the number of projects per programme over the whole dataset.

eulod runs twice: as deployed (answer cache on) and with the cache off. rdflib-endpoint is
installed in a separate virtualenv (not a eulod dependency). Everything listens on
127.0.0.1 and every wrk run stops after ``--duration`` seconds.

    python bench/generate.py --projects 20000 --format nt --out bench/out/p20k.nt
    python -m venv bench/out/venv-rdflib-endpoint
    bench/out/venv-rdflib-endpoint/bin/pip install rdflib-endpoint uvicorn
    python bench/endpoint.py --duration 60 --connections 32
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from eulod.core.generation import dataset_graphs
from eulod.pipeline.build import load_generation, ntriples_file_chunks
from eulod.core.config import load_settings
from eulod.core.generation import current_generation
from eulod.pipeline.generations import switch_to, write_manifest

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
log = logging.getLogger("bench.endpoint")

PREFIX = "PREFIX eulod: <https://w3id.org/eulod/ontology#>\n"
LOOKUP = "SELECT ?p ?o WHERE {{ <{iri}> ?p ?o }}"
AGGREGATE = PREFIX + (
    "SELECT ?programme (COUNT(?project) AS ?projects) WHERE { ?project a eulod:Project ; eulod:programme ?programme }"
    " GROUP BY ?programme ORDER BY DESC(?projects)"
)
ACCEPT = "application/sparql-results+json"

# wrk script: GET with a URL-encoded query; for lookup-random a project id drawn per request.
WRK_SCRIPT = """
local path = "{path}"
local template = "{template}"
local projects = {projects}
wrk.headers["Accept"] = "{accept}"
math.randomseed(42)
request = function()
  if projects > 0 then
    local id = string.format("%07d", math.random(1, projects))
    return wrk.format("GET", path .. string.gsub(template, "ID", id))
  end
  return wrk.format("GET", path .. template)
end
"""


@dataclass
class Figures:
    server: str
    workload: str
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    non_2xx: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_build(nt_file: Path, build_dir: Path) -> None:
    """A eulod store generation holding the N-Triples file, without SHACL (the data is generated)."""
    marker = build_dir / "source.json"
    stamp = {"file": str(nt_file.resolve()), "size": nt_file.stat().st_size, "mtime": nt_file.stat().st_mtime}
    if current_generation(build_dir) and marker.is_file() and json.loads(marker.read_text()) == stamp:
        log.info("reusing the store in %s", build_dir)
        return
    settings = load_settings(environ={}, build_dir=build_dir)
    build_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    # eulod's own load (store, country names, summaries, home listing), without the dumps:
    # the server then holds what a real build gives it.
    generation, stats, _ = load_generation(settings, ntriples_file_chunks(nt_file), dumps=False)
    triples = stats["triples"]
    write_manifest(generation, {
        "base_iri": settings.base_iri,
        "generation": generation.id,
        "graphs": dataset_graphs(settings),
        "statistics": stats,
        "dumps": {},
    })
    switch_to(build_dir, generation)
    marker.write_text(json.dumps(stamp))
    log.info("loaded %d quads in %.0f s", triples, time.monotonic() - started)


def wait_for(url: str, process: subprocess.Popen, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "?query=" + urllib.parse.quote("ASK {}"), timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} did not answer within {limit:.0f} s")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_eulod(build_dir: Path, port: int, cache: bool, log_file: Path, args: argparse.Namespace) -> subprocess.Popen:
    env = {**os.environ, "EULOD_BUILD_DIR": str(build_dir), "EULOD_PORT": str(port),
           "EULOD_WORKERS": str(args.workers), "EULOD_THREADS": str(args.threads),
           "EULOD_QUERY_PROCESSES": str(args.query_processes), "EULOD_RESULT_CACHE_MB": "64" if cache else "0"}
    eulod = Path(sys.executable).with_name("eulod")
    return subprocess.Popen([str(eulod), "serve"], env=env, stdout=log_file.open("wb"), stderr=subprocess.STDOUT)


def start_rdflib_endpoint(nt_file: Path, port: int, log_file: Path, venv: Path) -> subprocess.Popen:
    command = [str(venv / "bin" / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port), str(nt_file)]
    return subprocess.Popen(command, stdout=log_file.open("wb"), stderr=subprocess.STDOUT)


def run_wrk(url: str, workload: str, args: argparse.Namespace, server: str) -> Figures:
    parsed = urllib.parse.urlsplit(url)
    projects = 0
    if workload == "aggregate":
        template = "?query=" + urllib.parse.quote(AGGREGATE, safe="")
    else:
        iri = f"{args.base_iri}project/gen-" + ("ID" if workload == "lookup-random" else "0000042")
        template = "?query=" + urllib.parse.quote(LOOKUP.format(iri=iri), safe="").replace("ID", "ID")
        projects = args.projects if workload == "lookup-random" else 0
    script = WRK_SCRIPT.format(path=parsed.path, template=template, projects=projects, accept=ACCEPT)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, dir=OUT) as handle:
        handle.write(script)
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "30s",
               "--latency", "-s", handle.name, f"{parsed.scheme}://{parsed.netloc}"]
    log.info("%s %s: %s", server, workload, " ".join(command))
    output = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120).stdout
    os.unlink(handle.name)
    return parse_wrk(output, server, workload)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def parse_wrk(output: str, server: str, workload: str) -> Figures:
    def find(pattern: str, default: str = "0") -> str:
        match = re.search(pattern, output)
        return match.group(1) if match else default

    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", find(r"Socket errors: (.*)", "")))
    return Figures(
        server=server,
        workload=workload,
        requests=int(find(r"(\d+) requests in")),
        rps=float(find(r"Requests/sec:\s+([\d.]+)")),
        p50_ms=_ms(find(r"50%\s+([\d.]+\w+)", "0ms")),
        p99_ms=_ms(find(r"99%\s+([\d.]+\w+)", "0ms")),
        errors=errors,
        non_2xx=int(find(r"Non-2xx or 3xx responses: (\d+)")),
    )


def check_answer(url: str, query: str) -> int:
    """Rows of one real answer, so a server answering errors fast cannot win."""
    request = urllib.request.Request(url + "?query=" + urllib.parse.quote(query), headers={"Accept": ACCEPT})
    with urllib.request.urlopen(request, timeout=300) as response:
        return len(json.loads(response.read())["results"]["bindings"])


def bench_server(name: str, url: str, args: argparse.Namespace) -> list[Figures]:
    rows = {w: check_answer(url, q) for w, q in (
        ("lookup", LOOKUP.format(iri=f"{args.base_iri}project/gen-0000042")), ("aggregate", AGGREGATE))}
    log.info("%s answers: %s", name, rows)
    if not all(rows.values()):
        raise RuntimeError(f"{name} gave an empty answer: {rows}")
    figures = []
    for workload in args.workloads:
        if args.warmup:  # fills caches and starts query processes; not counted
            run_wrk(url, workload, argparse.Namespace(**{**vars(args), "duration": args.warmup}), name + " warm-up")
        figures.append(run_wrk(url, workload, args, name))
    return figures


def table(results: list[Figures], baseline: str) -> str:
    base = {f.workload: f for f in results if f.server == baseline}
    lines = ["| server | workload | requests | requests/s | p50 ms | p99 ms | errors | non-2xx | x baseline |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for f in results:
        ratio = f.rps / base[f.workload].rps if f.workload in base and base[f.workload].rps else float("nan")
        lines.append(f"| {f.server} | {f.workload} | {f.requests} | {f.rps:.1f} | {f.p50_ms:.1f} | {f.p99_ms:.1f} | "
                     f"{f.errors} | {f.non_2xx} | {ratio:.1f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=OUT / "p20k.nt")
    parser.add_argument("--projects", type=int, default=20000, help="how many projects the data holds")
    parser.add_argument("--build-dir", type=Path, default=OUT / "build-endpoint")
    parser.add_argument("--venv", type=Path, default=OUT / "venv-rdflib-endpoint")
    parser.add_argument("--base-iri", default="http://127.0.0.1:5000/")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=5, help="seconds of uncounted load before each workload")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--query-processes", type=int, default=2)
    parser.add_argument("--workloads", nargs="+", default=["lookup", "lookup-random", "aggregate"])
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--json", type=Path, default=OUT / "endpoint-results.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.data.is_file():
        parser.error(f"{args.data} is missing: python bench/generate.py --projects 20000 --format nt --out {args.data}")
    load_build(args.data, args.build_dir)
    results: list[Figures] = []
    for cache in (True, False):
        port = free_port()
        name = "eulod" if cache else "eulod (answer cache off)"
        process = start_eulod(args.build_dir, port, cache, OUT / f"eulod-{port}.log", args)
        try:
            wait_for(f"http://127.0.0.1:{port}/sparql", process, 120)
            results += bench_server(name, f"http://127.0.0.1:{port}/sparql", args)
        finally:
            stop(process)
    if not args.skip_baseline:
        port = free_port()
        process = start_rdflib_endpoint(args.data, port, OUT / f"rdflib-endpoint-{port}.log", args.venv)
        try:
            started = time.monotonic()
            wait_for(f"http://127.0.0.1:{port}/", process, 1800)
            log.info("rdflib-endpoint ready after %.0f s", time.monotonic() - started)
            results += bench_server("rdflib-endpoint", f"http://127.0.0.1:{port}/", args)
        finally:
            stop(process)
    args.json.write_text(json.dumps([f.__dict__ for f in results], indent=2))
    print(table(results, "rdflib-endpoint" if not args.skip_baseline else "eulod (answer cache off)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
