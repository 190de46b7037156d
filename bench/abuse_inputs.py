"""What small hostile record files cost: many partners, one organisation listed many times, an alias bomb.

    python bench/abuse_inputs.py                          # the shapes and loader as they are
    python bench/abuse_inputs.py --shapes OLD.ttl         # the same runs under other shapes, e.g. before
                                                          # the fix: git show c877cdd^:shapes/eulod-shapes.ttl
    python bench/abuse_inputs.py --sizes 1000,4000 --cases partners,alias-bomb

Each measurement runs in a fresh process (``--child``) that loads one record file with eulod's
loader (converters.records.load_file), converts it (eulod.pipeline.build.convert_records) and validates
it with the fast validator (eulod.shapes.fast, as eulod validate does); it reports the seconds
of that work, without the interpreter's start, and its peak RSS. A linear rule takes about 10x
the time for 10x the partners; the quadratic one (every participation paired with every other)
took 100x. A child that runs past ``--timeout`` seconds is stopped and reported as such.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def record(partners: list[str], project: str) -> dict:
    """A valid record whose participants are the given organisation ids (the first coordinates)."""
    return {
        "id": project, "language": "en", "title": "Many partners", "programme": "URBACT-IV",
        "source": {"file": "factsheets/none.txt"},
        "participants": [
            {"role": "coordinator" if n == 0 else "partner",
             "organisation": {"id": org, "name": {"en": f"Organisation {org}"}, "country": "IT"}}
            for n, org in enumerate(partners)
        ],
    }


def alias_bomb(width: int = 9, depth: int = 8) -> str:
    """A record whose description is width^depth texts, in about 400 bytes of YAML."""
    levels = ["&a0 [" + ",".join(['"lol"'] * width) + "]"]
    levels += [f"&a{n} [" + ",".join([f"*a{n - 1}"] * width) + "]" for n in range(1, depth)]
    return ("id: bomb\nlanguage: en\ntitle: t\nprogramme: URBACT-IV\nsource: {file: x.txt}\n"
            f"notes: {levels[0]}\ndescription: [{', '.join(levels[1:])}]\n")


def write_case(case: str, size: int, folder: Path) -> Path:
    if case == "partners":  # distinct organisations, one listed twice
        path = folder / f"partners-{size}.json"
        path.write_text(json.dumps(record([f"org-{n}" for n in range(size)] + ["org-5"], "many")), "utf-8")
    elif case == "same-organisation":  # one organisation listed size times
        path = folder / f"same-{size}.json"
        path.write_text(json.dumps(record(["lead"] + ["same"] * size, "same")), "utf-8")
    else:
        path = folder / "bomb.yaml"
        path.write_text(alias_bomb(), "utf-8")
    return path


def child(path: Path, shapes_file: str | None) -> dict:
    """Load, convert and validate one file here; the figures of that work."""
    from rdflib import Graph

    from eulod.pipeline.build import convert_records
    from eulod.core.config import load_settings
    from eulod.converters.records import load_file
    from eulod.core.namespaces import bind_prefixes
    from eulod.shapes import fast, parse_report, shapes_graph

    shapes = Graph().parse(shapes_file, format="turtle") if shapes_file else shapes_graph()
    start = time.perf_counter()
    loaded = load_file(path)
    outcomes = convert_records(loaded.records, load_settings(environ={}, personal_data="publish"))
    graphs = [o.graph for o in outcomes if o.graph is not None]
    results = []
    if graphs:
        report = fast.validate_triples(fast.triples_from_graphs(graphs), shapes, bind_prefixes(Graph()))
        results = parse_report(report).results
    seconds = time.perf_counter() - start
    duplicates = sum(1 for r in results if r.source_shape.endswith("Project-duplicateOrganisation"))
    return {
        "seconds": round(seconds, 2),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "records": len(loaded.records),
        "problems": [str(p)[:160] for p in loaded.problems[:3]],
        "takes_part_twice": duplicates,
    }


def measure(case: str, size: int, folder: Path, shapes: str | None, timeout: float) -> dict:
    path = write_case(case, size, folder)
    command = [sys.executable, __file__, "--child", str(path)] + (["--shapes", shapes] if shapes else [])
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"case": case, "size": size, "seconds": None, "note": f"stopped after {timeout:g} s"}
    return {"case": case, "size": size, **json.loads(run.stdout.strip().splitlines()[-1])}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shapes", help="a shapes Turtle file to validate with instead of eulod's")
    parser.add_argument("--sizes", default="2000,20000", help="partner counts, small then large (default 2000,20000)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds before a child is stopped")
    parser.add_argument("--cases", default="partners,same-organisation,alias-bomb", help="which measurements (default: all)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(Path(args.child), args.shapes)))
        return 0
    small, large = (int(n) for n in args.sizes.split(","))
    cases = args.cases.split(",")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for case in [c for c in ("partners", "same-organisation") if c in cases]:
            pair = [measure(case, size, Path(folder), args.shapes, args.timeout) for size in (small, large)]
            rows.extend(pair)
            if pair[0]["seconds"] and pair[1]["seconds"]:
                print(f"{case}: {large} / {small} time ratio {pair[1]['seconds'] / pair[0]['seconds']:.1f}x "
                      f"(linear: {large / small:.0f}x)")
        if "alias-bomb" in cases:
            rows.append(measure("alias-bomb", 0, Path(folder), args.shapes, args.timeout))
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
