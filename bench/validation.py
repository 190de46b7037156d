"""Whole-graph pySHACL against eulod's fast validator, on the generator's CORDIS-scale data.

    python bench/validation.py                      # 20 000 projects; pySHACL on a 2 000 sample (~20 min)
    python bench/validation.py --full-pyshacl       # pySHACL on all 20 000 too (about 3 hours here)

Both validators run in this process on the same N-Triples file and must give the same results
(focus node, source shape, constraint component, severity, path, value); the script exits 1
when they differ. pySHACL is the reference (rdflib parse + pyshacl.validate, advanced=True,
allow_warnings=True, as eulod runs it). Without --full-pyshacl its 20 000-project time is
extrapolated linearly from the sample (its cost is per focus node), and identity is asserted
on the sample. The build step (records already converted, then validated) is measured too:
one pySHACL run per record, as eulod build did, on a sample of records, against
eulod.pipeline.build.validate_outcomes on all of them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from rdflib import Graph

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def generated(projects: int, fmt: str) -> Path:
    """The generator's file for ``projects`` (default seed), made once and reused."""
    path = OUT / f"validation-p{projects}.{fmt}"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--projects", str(projects), "--format", fmt, "--out", str(path)],
            check=True,
        )
    return path


def keys(report) -> Counter:
    return Counter((r.focus, r.source_shape, r.constraint, r.severity, r.path, r.value) for r in report.results)


def run_pyshacl(path: Path) -> tuple[Counter, float, float]:
    from eulod.shapes import parse_report, shapes_graph

    start = time.perf_counter()
    graph = Graph().parse(path, format="nt")
    loaded = time.perf_counter()
    _conforms, report, _text = pyshacl.validate(
        graph, shacl_graph=shapes_graph(), inference="none", advanced=True, allow_warnings=True
    )
    results = keys(parse_report(report))
    return results, loaded - start, time.perf_counter() - loaded


def run_fast(path: Path) -> tuple[Counter, float, float]:
    from eulod.core.namespaces import bind_prefixes
    from eulod.shapes import fast, parse_report, shapes_graph

    start = time.perf_counter()
    triples = fast.triples_from_file(path, ox.RdfFormat.N_TRIPLES)
    loaded = time.perf_counter()
    results = keys(parse_report(fast.validate_triples(triples, shapes_graph(), bind_prefixes(Graph()), (path, ox.RdfFormat.N_TRIPLES))))
    return results, loaded - start, time.perf_counter() - loaded


def build_step(records_path: Path, sample: int) -> dict:
    """Validation inside eulod build: per-record pySHACL (sample, extrapolated) vs whole-graph."""
    from eulod.pipeline.build import convert_records, validate_outcomes
    from eulod.core.config import load_settings
    from eulod.converters.records import load_records
    from eulod.shapes import validate

    settings = load_settings(environ={}, personal_data="publish")
    records = load_records([records_path]).records
    outcomes = convert_records(records, settings)
    start = time.perf_counter()
    for outcome in outcomes[:sample]:
        validate(outcome.graph)
    per_record = (time.perf_counter() - start) / sample
    start = time.perf_counter()
    validate_outcomes(outcomes)
    whole = time.perf_counter() - start
    return {"records": len(outcomes), "per_record_pyshacl_s": per_record * len(outcomes), "sample": sample, "fast_s": whole}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=20000)
    parser.add_argument("--sample", type=int, default=2000, help="projects pySHACL validates when not --full-pyshacl")
    parser.add_argument("--full-pyshacl", action="store_true", help="run pySHACL on the whole graph too")
    parser.add_argument("--build-sample", type=int, default=200, help="records validated one by one for the build step")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args(argv)

    full = generated(args.projects, "nt")
    fast_keys, fast_load, fast_check = run_fast(full)
    fast_total = fast_load + fast_check
    print(f"fast, {args.projects} projects: load {fast_load:.1f} s + validate {fast_check:.1f} s = {fast_total:.1f} s wall, "
          f"{sum(fast_keys.values())} results")

    figures: dict = {"projects": args.projects, "fast": {"load_s": fast_load, "validate_s": fast_check, "total_s": fast_total}}
    if args.full_pyshacl:
        ref_keys, ref_load, ref_check = run_pyshacl(full)
        same = ref_keys == fast_keys
        ref_total, measured = ref_load + ref_check, "measured"
        compared = args.projects
    else:
        sample = generated(args.sample, "nt")
        ref_keys, ref_load, ref_check = run_pyshacl(sample)
        sample_keys, sample_load, sample_check = run_fast(sample)
        same = ref_keys == sample_keys
        scale = args.projects / args.sample
        ref_total, measured = (ref_load + ref_check) * scale, f"extrapolated x{scale:g} from {args.sample} projects"
        compared = args.sample
        print(f"fast, {args.sample} projects: {sample_load + sample_check:.1f} s; "
              f"pySHACL, {args.sample} projects: load {ref_load:.1f} s + validate {ref_check:.1f} s")
    print(f"pySHACL, {args.projects} projects: {ref_total:.0f} s ({measured})")
    print(f"speed-up: x{ref_total / fast_total:.1f}")
    print(f"identical results on {compared} projects: {same} ({sum(ref_keys.values())} results, "
          f"by severity {dict(Counter(k[3] for k in ref_keys.elements()))})")
    figures.update(pyshacl={"total_s": ref_total, "how": measured}, identical=same, compared_projects=compared)

    step = build_step(generated(args.projects, "jsonl"), args.build_sample)
    print(f"build validation step, {step['records']} records: per-record pySHACL {step['per_record_pyshacl_s']:.0f} s "
          f"(extrapolated from {step['sample']}), whole-graph fast {step['fast_s']:.1f} s, "
          f"x{step['per_record_pyshacl_s'] / step['fast_s']:.1f}")
    figures["build_step"] = step
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))
    if not same:
        diff_a, diff_b = ref_keys - (sample_keys if not args.full_pyshacl else fast_keys), (
            sample_keys if not args.full_pyshacl else fast_keys) - ref_keys
        print(f"DIFFERENT: only pySHACL {list(diff_a)[:5]}, only fast {list(diff_b)[:5]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
