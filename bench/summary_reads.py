"""The summaries' reads of the parked listing, alone and beside Python work (issue 19).

A build computes its summaries on a side thread while its main thread compares the generation
with the previous one and writes the change feed, Python work holding the interpreter's lock.
In the 1 000 000-project build the summaries after the pair count took 222 s against 15 s at
100 000 (bench/RESULTS.md, run 7): the pair count had the same cause (bench/pair_counts.py),
every row fetched from SQLite gives the lock away and waits to get it back.

For each size: the generator's records (bench/generate.py, seeded, all valid), the rows the
summaries read parked in SQLite tables as a build parks them (the ``fact``, ``contribution``,
``located`` and ``city`` tables of eulod.pipeline.spool_indexes.LISTING_FILE), then each
summary that reads them made in full (its quads counted, not stored):

- ``country totals``: eulod.pipeline.summaries.parked_country_totals;
- ``activity``: the years each project was active (summaries.activity);
- ``city keys``: summaries.city_keys;
- ``all three, loaded``: the three into a new on-disk store (summaries.load_statements);

each alone, and each beside a thread running pure Python until it ends. Printed: the times,
each "beside / alone" ratio (the lock's cost) and the growth between sizes (the ratio of
per-project times: above 1, faster than the data).

    python bench/summary_reads.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pair_counts import beside_python  # noqa: E402  (the same Python beside)
from scale import generate  # noqa: E402  (bench/scale.py: the same records)

BASE = "http://127.0.0.1:5000/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
CURRENCY = "http://publications.europa.eu/resource/authority/currency/"
# The generator's two-letter codes as the authority table's three-letter ones (those it uses).
ALPHA3 = {"AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST",
          "EL": "GRC", "GR": "GRC", "ES": "ESP", "FI": "FIN", "FR": "FRA", "HR": "HRV", "HU": "HUN", "IE": "IRL",
          "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT",
          "RO": "ROU", "SE": "SWE", "SI": "SVN", "SK": "SVK", "NO": "NOR", "CH": "CHE", "UK": "GBR", "GB": "GBR"}


def parked_rows(records: Path) -> Iterator[tuple[str, tuple]]:
    """(table, row) of each record as a build parks them: IRIs as the store gives them."""
    with records.open("rb") as lines:
        for line in lines:
            record = json.loads(line)
            project = f"{BASE}project/{record['id']}"
            for fact, key in (("start", "start_date"), ("end", "end_date"), ("months", "duration_months")):
                if record.get(key) is not None:
                    yield "fact", (project, fact, str(record[key]))
            currency = CURRENCY + record.get("currency", "EUR")
            for participant in record.get("participants", []):
                organisation = participant["organisation"]
                iri = f"{BASE}organisation/{organisation['id']}"
                if organisation.get("country"):
                    code = organisation["country"]
                    yield "located", (iri, COUNTRY + ALPHA3.get(code, code))
                if organisation.get("city"):
                    yield "city", (iri, organisation["city"])
                amount = (participant.get("budget") or {}).get("eu_contribution")
                if amount is not None:
                    yield "contribution", (iri, currency, amount)


def park(records: Path, target: Path) -> int:
    """The summaries' tables, made and indexed as a build makes them; returns the projects."""
    from eulod.core.staging import finish_tables
    from eulod.pipeline.spool_indexes import LISTING_FILE

    tables = [table for table in LISTING_FILE if table[0] in ("fact", "located", "city", "contribution")]
    target.unlink(missing_ok=True)
    with sqlite3.connect(target) as db:
        for name, columns, unique, _, _ in tables:
            key = f", PRIMARY KEY ({unique})" if unique else ""
            db.execute(f"CREATE TABLE {name} ({columns}{key})")
        statements = {name: f"INSERT INTO {name} VALUES ({', '.join('?' * len(columns.split(',')))})"
                      for name, columns, _, _, _ in tables}
        for table, row in parked_rows(records):
            db.execute(statements[table], row)
        finish_tables(db, tables, distinct=True)  # as the build does after its parts
        (projects,) = db.execute("SELECT COUNT(DISTINCT project) FROM fact").fetchone()
    db.close()
    return projects


def readers(parked: Path, folder: Path) -> dict[str, Callable[[], int]]:
    import pyoxigraph as ox

    from eulod.pipeline import summaries

    target = ox.NamedNode(f"{BASE}graph/summaries")

    def count(quads: Iterator) -> int:
        return sum(1 for _ in quads)

    def loaded() -> int:
        """All three into a new on-disk store, as the build adds them (summaries.load_statements)."""
        import itertools
        import shutil

        shutil.rmtree(folder / "store", ignore_errors=True)
        store = ox.Store(str(folder / "store"))
        return summaries.load_statements(store, itertools.chain(
            summaries.parked_country_totals(parked, BASE),
            summaries.activity(None, target, 2026, folder / "activity", parked),
            summaries.city_keys(None, target, parked)), target)

    return {
        "country totals": lambda: count(summaries.parked_country_totals(parked, BASE)),
        "activity": lambda: count(summaries.activity(None, target, 2026, folder / "activity", parked)),
        "city keys": lambda: count(summaries.city_keys(None, target, parked)),
        "all three, loaded": loaded,
    }


def timed(read: Callable[[], int], beside: bool) -> tuple[float, int]:
    with beside_python(beside):
        started = time.perf_counter()
        quads = read()
        return time.perf_counter() - started, quads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20000, 100000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--records", type=Path, help="a folder holding the records already generated "
                                                      "(pN-invalid0.jsonl), instead of generating them")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, float]] = {}
    for size in args.sizes:
        given = args.records / f"p{size}-invalid0.jsonl" if args.records else None
        records = given if given is not None and given.exists() else generate(size, args.work, invalid_every=0)
        with tempfile.TemporaryDirectory(dir=args.work) as scratch:
            folder = Path(scratch)
            projects = park(records, folder / "parked.sqlite")
            row: dict[str, float] = {}
            made: dict[str, int] = {}
            for name, read in readers(folder / "parked.sqlite", folder).items():
                for beside in (False, True):
                    seconds, quads = timed(read, beside)
                    row[f"{name}{' beside Python' if beside else ''}"] = seconds
                    if made.setdefault(name, quads) != quads:
                        raise SystemExit(f"{size}: {name} made {quads} quads, then {made[name]}")
        results[size] = row
        print(f"{size:,} projects ({projects:,} with dates):", flush=True)
        for name, seconds in row.items():
            quads = made.get(name.replace(" beside Python", ""), 0)
            print(f"  {name:<28} {seconds:8.2f} s  ({quads:,} quads)")
        for name in made:
            print(f"  {name}: beside / alone = {row[name + ' beside Python'] / row[name]:.2f}")
    sizes = sorted(results)
    for small, large in zip(sizes, sizes[1:]):
        print(f"growth {small:,} -> {large:,} (per-project time ratio; 1 = as the data):")
        for name in results[small]:
            print(f"  {name:<28} {results[large][name] / results[small][name] * small / large:6.2f}")


if __name__ == "__main__":
    main()
