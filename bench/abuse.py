"""Fairness under abuse: 16 clients send slow or expensive queries; is another client still served?

One ``eulod serve`` as deployed (default settings unless given) over the generator's
20 000 projects (the same build as bench/endpoint.py). Two observers, each from its own
loopback address, measure the whole time:

* a *cheap* client: a lookup of one project drawn at random per request (every triple of
  it), so the answer cache does not hide the work;
* a *page* client: a random project's page, or the home page every tenth request.

Phase 1 (the baseline, measured in the same run): the observers alone. Phase 2: 16
abusive clients join, each from an address of its own (127.0.0.10 ...), each sending,
back to back, one of the four kinds of expensive query an attacker would pick:

* a cross product counted (runs until the time limit);
* 64 KB of ``1 + 1 + ...`` with "service" in a string (a costly parse: on 815ed87 it ran in
  the HTTP thread, with no limit);
* VALUES x VALUES x VALUES ordered (sorts 27 million rows);
* a case-insensitive regex over every literal.

Printed: p50/p99/max of the observers in both phases, the ratio between them, their
5xx answers (the goal is zero), and the statuses the abusers got. Goals (issue 14): cheap
queries p99 < 1 s, pages p99 < 1 s, zero 5xx for the observers other than the slow
queries' own 503/504.

    python bench/generate.py --projects 20000 --format nt --out bench/out/p20k.nt
    python bench/abuse.py --quiet 20 --duration 60
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import logging
import random
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from endpoint import OUT, free_port, load_build, start_eulod, stop, wait_for  # noqa: E402

log = logging.getLogger("bench.abuse")

ACCEPT = "application/sparql-results+json"
LOOKUP = "SELECT ?p ?o WHERE {{ <{base}project/gen-{number:07d}> ?p ?o }}"
VALUES = " ".join(str(i) for i in range(300))
ABUSIVE = {
    "cross product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "costly parse": 'SELECT * WHERE { BIND("service" AS ?s) BIND(' + " + ".join(["1"] * 20000) + " AS ?x) }",
    "values x order by": (f"SELECT ?a ?b ?c WHERE {{ VALUES ?a {{ {VALUES} }} VALUES ?b {{ {VALUES} }} "
                          f"VALUES ?c {{ {VALUES} }} }} ORDER BY DESC(?a) ?b ?c LIMIT 3"),
    "regex over all": 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "z.*q.*x", "i")) }',
}


@dataclass
class Observer:
    name: str
    latencies: list[float] = field(default_factory=list)
    statuses: collections.Counter = field(default_factory=collections.Counter)


def request(port: int, source: str, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, float]:
    """One request on a fresh connection from ``source``; (status, seconds). Errors count as status 0."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120, source_address=(source, 0))
    try:
        connection.request(method, path, body, headers or {})
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    except OSError:
        return 0, time.monotonic() - started
    finally:
        connection.close()


def observe(observer: Observer, port: int, source: str, next_path, stop: threading.Event) -> None:
    while not stop.is_set():
        path, accept = next_path()
        status, seconds = request(port, source, "GET", path, headers={"Accept": accept})
        observer.latencies.append(seconds)
        observer.statuses[status] += 1


def abuse(kind: str, query: str, port: int, source: str, statuses: collections.Counter, stop: threading.Event) -> None:
    number = 0
    while not stop.is_set():
        number += 1  # a new text each time: no answer cache, no memory of an earlier text
        body = f"{query} # {source} {number}".encode()
        status, _ = request(port, source, "POST", "/sparql", body,
                            {"Content-Type": "application/sparql-query", "Accept": ACCEPT})
        statuses[(kind, status)] += 1


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def run_phase(port: int, args: argparse.Namespace, seconds: float, abusers: int) -> tuple[list[Observer], collections.Counter]:
    rng = random.Random(42)
    cheap, pages = Observer("cheap queries"), Observer("pages")

    def cheap_path() -> tuple[str, str]:
        query = LOOKUP.format(base=args.base_iri, number=rng.randrange(args.projects))
        return "/sparql?" + urllib.parse.urlencode({"query": query}), ACCEPT

    def page_path() -> tuple[str, str]:
        if rng.random() < 0.1:
            return f"/?page={rng.randrange(1, 50)}", "text/html"
        return f"/project/gen-{rng.randrange(args.projects):07d}", "text/html"

    stop = threading.Event()
    abuser_statuses: collections.Counter = collections.Counter()
    kinds = list(ABUSIVE.items())
    threads = [threading.Thread(target=abuse, args=(*kinds[i % len(kinds)], port, f"127.0.0.{10 + i}",
                                                     abuser_statuses, stop)) for i in range(abusers)]
    for thread in threads:
        thread.start()
    if abusers:
        time.sleep(args.settle)  # the abusers meet admission once before anything is measured
    observers = [threading.Thread(target=observe, args=(cheap, port, "127.0.0.2", cheap_path, stop)),
                 threading.Thread(target=observe, args=(pages, port, "127.0.0.3", page_path, stop))]
    for thread in observers:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in observers + threads:
        thread.join()
    return [cheap, pages], abuser_statuses


def report(quiet: list[Observer], loaded: list[Observer], abusers: collections.Counter, args: argparse.Namespace) -> str:
    lines = [f"# bench/abuse.py: {args.abusers} abusive clients, {args.duration} s (baseline alone: {args.quiet} s)", "",
             "| observer | phase | requests | p50 ms | p99 ms | max ms | 5xx | other non-2xx | p99 ratio to alone | goal p99 < 1 s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for alone, under in zip(quiet, loaded):
        for phase, observer in (("alone", alone), ("under abuse", under)):
            p99 = percentile(observer.latencies, 0.99)
            fivexx = sum(n for status, n in observer.statuses.items() if status >= 500 or status == 0)
            other = sum(n for status, n in observer.statuses.items() if 300 <= status < 500)
            ratio = p99 / percentile(alone.latencies, 0.99) if phase == "under abuse" else 1.0
            goal = "met" if p99 < 1.0 and fivexx == 0 else "NOT met"
            lines.append(f"| {observer.name} | {phase} | {len(observer.latencies)} | "
                         f"{percentile(observer.latencies, 0.5) * 1000:.0f} | {p99 * 1000:.0f} | "
                         f"{max(observer.latencies, default=float('nan')) * 1000:.0f} | {fivexx} | {other} | "
                         f"{ratio:.1f} | {goal if phase == 'under abuse' else ''} |")
    lines += ["", "Abusive queries, by kind and status:", ""]
    for (kind, status), count in sorted(abusers.items()):
        lines.append(f"- {kind}: {status} x {count}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=OUT / "p20k.nt")
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--build-dir", type=Path, default=OUT / "build-endpoint")
    parser.add_argument("--base-iri", default="http://127.0.0.1:5000/")
    parser.add_argument("--abusers", type=int, default=16)
    parser.add_argument("--quiet", type=float, default=20, help="seconds the observers run alone (baseline)")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured under abuse")
    parser.add_argument("--settle", type=float, default=5, help="seconds of abuse before measuring")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--query-processes", type=int, default=4)
    parser.add_argument("--json", type=Path, default=OUT / "abuse-results.json")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.data.is_file():
        parser.error(f"{args.data} is missing: python bench/generate.py --projects 20000 --format nt --out {args.data}")
    load_build(args.data, args.build_dir)
    port = free_port()
    process = start_eulod(args.build_dir, port, True, OUT / f"eulod-abuse-{port}.log", args)
    try:
        wait_for(f"http://127.0.0.1:{port}/sparql", process, 120)
        log.info("baseline: observers alone for %.0f s", args.quiet)
        quiet, _ = run_phase(port, args, args.quiet, 0)
        log.info("abuse: %d clients, then %.0f s measured", args.abusers, args.duration)
        loaded, abusers = run_phase(port, args, args.duration, args.abusers)
    finally:
        stop(process)
    text = report(quiet, loaded, abusers, args)
    args.json.write_text(json.dumps({
        "observers": {o.name: {"alone": sorted(q.latencies), "under_abuse": sorted(o.latencies),
                               "statuses": {str(k): v for k, v in o.statuses.items()}}
                      for q, o in zip(quiet, loaded)},
        "abusers": {f"{kind} {status}": n for (kind, status), n in abusers.items()},
    }))
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
