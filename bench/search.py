"""Search benchmark (issue 18): the index's share of the build, and search time against FILTER regex.

For one size it generates records (bench/generate.py, seeded, all valid), maps them to
N-Triples and loads them into a generation as the build does (eulod.pipeline.build.
load_generation, dumps included), reading from the build's log how long the search index
(eulod.core.search.write_search) took. Then, on that generation, it asks the same questions

- through the search index as the API asks it (eulod.endpoint.search_index.SearchIndex.find:
  how many match, and the best 20 with their labels), many times each: p50 and p99;
- as the SPARQL people write today without it, in the same process on the same store:
  ``?p dcterms:description ?d FILTER(regex(?d, "word", "i"))`` for every word (all matches,
  as the search counts them all): p50 and p99 over a few runs;
- through ``/api/search`` of a running ``eulod serve`` on that generation (HTTP on
  127.0.0.1, a new connection per request as curl makes, the same count and best 20 with
  labels as JSON, no conditional request so every answer is computed): p50 and p99;
- as SPARQL with the ``eulod:search`` function (endpoint/search_function.py): all projects
  matching, through the custom function, with a fresh function each run (no kept answer);

and prints the ratios against the regex baseline measured in this run.

    python bench/search.py --size 20000 --work bench/out
    python bench/search.py --size 100000 --work bench/out --append bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import scale  # noqa: E402 -- bench/scale.py: generate, convert, eulod_load

# Questions a visitor asks of the generator's data: theme words (1 in 9 projects), a title
# word (1 in 20), two words, a stem ("regenerating" for "regeneration"), a city (names of
# organisations), a number from a description, an accent-folded word, and a word found nowhere.
QUESTIONS = ["mobility", "circular economy", "Harbours", "smart squares", "regenerating", "Lyon",
             "12345", "énergie efficiency", "climate adaptation", "nothingmatcheshere"]
RUNS = 50  # search runs per question
BASELINE_RUNS = 3  # regex runs per question (each reads every description)
# Requests per question before timing through HTTP: a deployed server has answered others before,
# and which worker answers is the server's choice, so a few per worker make sure each has opened
# the index (a worker's first search opens it) and read the question's pages.
WARMUP_REQUESTS = 10


class _SearchTime(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.seconds: float | None = None
        self.read: float | None = None

    def emit(self, record: logging.LogRecord) -> None:
        found = re.search(r"wrote the search index of .* in ([0-9.]+) s \(([0-9.]+) s reading", record.getMessage())
        if found:
            self.seconds, self.read = float(found.group(1)), float(found.group(2))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(size: int, work: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    from eulod.core.generation import current_generation
    from eulod.endpoint.search_function import FUNCTION_IRI, SearchFunction
    from eulod.endpoint.search_index import SearchIndex

    work.mkdir(parents=True, exist_ok=True)
    records = scale.generate(size, work, invalid_every=0)
    nt_file = work / f"search-p{size}.nt"
    converted = scale.convert(records, nt_file, check=False)
    handler = _SearchTime()
    logger = logging.getLogger("eulod.core.search")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    build_dir = work / f"search-build-{size}"
    loaded = scale.eulod_load(nt_file, build_dir, dumps=True)
    logger.removeHandler(handler)
    generation = current_generation(build_dir)
    index = SearchIndex(generation.search_path, generation.id)
    # This process still holds the build's objects, which a server process does not: a collection of
    # them landing inside a timed search would be the build's cost, not the search's.
    gc.collect()
    gc.freeze()

    search_ms: dict[str, list[float]] = {}
    totals: dict[str, int] = {}
    for question in QUESTIONS:
        index.find(question, "project", limit=20)  # the first run reads the file's pages into the cache
        times = []
        for _ in range(RUNS):
            started = time.perf_counter()
            totals[question], _ = index.find(question, "project", limit=20)
            times.append(1000 * (time.perf_counter() - started))
        search_ms[question] = times

    http_ms = http_search(build_dir)

    store = ox.Store.read_only(str(generation.store_path))
    regex_ms: dict[str, list[float]] = {}
    regex_rows: dict[str, int] = {}
    function_ms: dict[str, list[float]] = {}
    function_rows: dict[str, int] = {}
    for question in QUESTIONS:
        pattern = question.replace("\\", "\\\\").replace('"', '\\"')
        text = ("PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX eulod: <https://w3id.org/eulod/ontology#> "
                f'SELECT DISTINCT ?p WHERE {{ ?p a eulod:Project ; dcterms:description ?d FILTER(regex(?d, "{pattern}", "i")) }}')
        times = []
        for _ in range(BASELINE_RUNS):
            started = time.perf_counter()
            regex_rows[question] = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
            times.append(1000 * (time.perf_counter() - started))
        regex_ms[question] = times
        text = ("PREFIX eulod: <https://w3id.org/eulod/ontology#> "
                f'SELECT ?p WHERE {{ ?p a eulod:Project FILTER(eulod:search(?p, "{pattern}")) }}')
        times = []
        for _ in range(BASELINE_RUNS):
            function = SearchFunction(str(generation.search_path))
            started = time.perf_counter()
            function_rows[question] = sum(1 for _ in store.query(
                text, use_default_graph_as_union=True, custom_functions={ox.NamedNode(FUNCTION_IRI): function}))
            times.append(1000 * (time.perf_counter() - started))
            function.close()
        function_ms[question] = times
    del store

    build_s = converted["map_s"] + loaded["total_s"]
    return {
        "size": size, "map_s": converted["map_s"], "load_s": loaded["total_s"], "build_s": build_s,
        "index_s": handler.seconds, "index_read_s": handler.read, "steps": loaded["steps"],
        "index_bytes": generation.search_path.stat().st_size, "store_bytes": loaded["store_bytes"],
        "search_ms": search_ms, "http_ms": http_ms, "totals": totals, "regex_ms": regex_ms, "regex_rows": regex_rows,
        "function_ms": function_ms, "function_rows": function_rows,
        "load_average": os.getloadavg(),
    }


def http_search(build_dir: Path) -> dict[str, list[float]]:
    """Each question asked RUNS times of ``/api/search`` on a running ``eulod serve``, in milliseconds."""
    port = scale._free_port()
    command = [sys.executable, "-m", "eulod.cli", "serve", "--build-dir", str(build_dir), "--port", str(port),
               "--base-iri", scale.BASE, "--workers", str(scale.WORKERS)]
    log_file = build_dir.parent / f"serve-search-{build_dir.name}.log"
    started = time.monotonic()
    with log_file.open("w") as sink:
        server = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    try:
        scale.wait_for_warmup(log_file, started)
        times: dict[str, list[float]] = {}
        for question in QUESTIONS:
            url = f"http://127.0.0.1:{port}/api/search?" + urllib.parse.urlencode({"q": question, "type": "project"})
            for _ in range(WARMUP_REQUESTS):  # every worker has opened the index and read these pages
                _get(url)
            times[question] = []
            for _ in range(RUNS):
                began = time.perf_counter()
                _get(url)
                times[question].append(1000 * (time.perf_counter() - began))
        return times
    finally:
        server.terminate()
        server.wait(timeout=30)


def _get(url: str) -> None:
    with urllib.request.urlopen(url, timeout=60) as response:
        json.load(response)


def report(result: dict[str, Any], command: str) -> str:
    size = result["size"]
    all_search = [t for times in result["search_ms"].values() for t in times]
    all_http = [t for times in result["http_ms"].values() for t in times]
    all_regex = [t for times in result["regex_ms"].values() for t in times]
    all_function = [t for times in result["function_ms"].values() for t in times]
    index_s = result["index_s"] or 0.0
    lines = [
        f"### Search index and search at {size:,} projects".replace(",", " "),
        "",
        f"`{command}` (load averages after the run: {', '.join(f'{x:.1f}' for x in result['load_average'])})",
        "",
        "| step | seconds | share |",
        "| --- | ---: | ---: |",
        f"| map records to N-Triples | {result['map_s']:.1f} | |",
        f"| load_generation (spool, bulk load, optimise, summaries, listing, search index, dumps) | {result['load_s']:.1f} | |",
        f"| **search index** (eulod.core.search.write_search; of it reading the store {result['index_read_s'] or 0:.1f} s) "
        f"| **{index_s:.1f}** | **{100 * index_s / result['build_s']:.1f} %** of map + load, "
        f"{100 * index_s / result['load_s']:.1f} % of load |",
        "",
        f"Index file {result['index_bytes'] / 2**20:.1f} MiB beside a store of {result['store_bytes'] / 2**20:.0f} MiB.",
        "",
        "| question | matching projects | search p50 ms | search p99 ms | /api/search p50 ms | /api/search p99 ms | "
        "regex p50 ms | regex matches | eulod:search in SPARQL p50 ms | regex p50 / search p50 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for question in QUESTIONS:
        search_p50 = statistics.median(result["search_ms"][question])
        regex_p50 = statistics.median(result["regex_ms"][question])
        lines.append(f"| `{question}` | {result['totals'][question]} | {search_p50:.2f} | "
                     f"{percentile(result['search_ms'][question], 0.99):.2f} | "
                     f"{statistics.median(result['http_ms'][question]):.2f} | "
                     f"{percentile(result['http_ms'][question], 0.99):.2f} | {regex_p50:.0f} | "
                     f"{result['regex_rows'][question]} | {statistics.median(result['function_ms'][question]):.0f} | "
                     f"{regex_p50 / search_p50:.0f}x |")
    lines += [
        f"| **all questions** | | **{statistics.median(all_search):.2f}** | **{percentile(all_search, 0.99):.2f}** | "
        f"**{statistics.median(all_http):.2f}** | **{percentile(all_http, 0.99):.2f}** | "
        f"{statistics.median(all_regex):.0f} | | {statistics.median(all_function):.0f} | "
        f"{statistics.median(all_regex) / statistics.median(all_search):.0f}x |",
        "",
        f"Search: {RUNS} runs per question after one warm-up run (count of matches + best 20 with labels, as "
        f"/api/search asks; projects only), in the process and through `eulod serve` over HTTP (a new connection "
        f"per request, after {WARMUP_REQUESTS} untimed requests per question). Regex: {BASELINE_RUNS} runs per "
        "question, every matching project. "
        "The regex finds the words as written in descriptions only (no stems, no titles, no ranking), so its "
        "matches differ from the search's; the ratio compares the time to answer the same question.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=20000)
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--append", type=Path, help="append the report to this Markdown file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    result = measure(args.size, args.work)
    command = f"python bench/search.py --size {args.size} --work DIR"  # no machine path in a report
    text = report(result, command)
    print(text)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as handle:
            handle.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
