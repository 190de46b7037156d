"""Importer memory and speed: CORDIS-shaped exports of N and 10N projects, peak memory of each.

Writes project.csv / organization.csv in the CORDIS layout from the seeded generator's
records (bench/generate.py), then imports each in a fresh process and reports its peak
RSS and tracemalloc peak. Flat memory means the 10N peak stays near the N peak.

    python bench/import_memory.py --sizes 2000 20000
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT_HEADER = ("id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;legalBasis;topics;ecSignatureDate;"
                  "frameworkProgramme;masterCall;subCall;fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi").split(";")
ORG_HEADER = ("projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;activityType;street;postCode;city;country;"
              "nutsCode;geolocation;organizationURL;contactForm;contentUpdateDate;rcn;order;role;ecContribution;"
              "netEcContribution;totalCost;endOfParticipation;active").split(";")
ACTIVITY = {"municipality": "PUB", "university": "HES", "research-organisation": "REC", "company": "PRC"}
EU_CODES = {"GR": "EL", "GB": "UK"}


def write_cordis(size: int, folder: Path) -> tuple[Path, Path]:
    records = folder / f"cordis-{size}.jsonl"
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--projects", str(size), "--invalid-every", "0",
                    "--out", str(records)], check=True, capture_output=True)
    projects, organisations = folder / f"project-{size}.csv", folder / f"organization-{size}.csv"
    with open(records, encoding="utf-8") as source, open(projects, "w", newline="", encoding="utf-8") as p, \
            open(organisations, "w", newline="", encoding="utf-8") as o:
        pw, ow = csv.writer(p, delimiter=";"), csv.writer(o, delimiter=";")
        pw.writerow(PROJECT_HEADER)
        ow.writerow(ORG_HEADER)
        for number, line in enumerate(source, start=1):
            r = json.loads(line)
            grant = str(100000 + number)
            budget = r["budget"]
            pw.writerow([grant, r["acronym"], "CLOSED", r["title"], r.get("start_date", "")[:10] if len(r.get("start_date", "")) == 10 else "",
                         r.get("end_date", ""), budget["total_cost"].replace(".", ","), budget["eu_contribution"], "H2020-EU.3.",
                         "T", "", "H2020", "", "", "RIA", "", r["description"] + "\nSecond line.", "", str(number), ""])
            for order, part in enumerate(r["participants"], start=1):
                org = part["organisation"]
                name = org["name"]["en"].upper()
                money = (part.get("budget") or {}).get("eu_contribution", "")
                ow.writerow([grant, r["acronym"], "", "", name, "", "false", ACTIVITY.get(org["type"], "OTH"), "", "",
                             org["city"].upper(), EU_CODES.get(org["country"], org["country"]), "", "", "", "", "", "",
                             str(order), "coordinator" if part["role"] == "coordinator" else "participant",
                             money.replace(".", ","), "", "", "false", ""])
    records.unlink()
    return projects, organisations


CHILD = """
import resource, sys, time, tracemalloc
from pathlib import Path
from eulod.converters.cordis import read_cordis
tracemalloc.start()
started, cpu = time.perf_counter(), time.process_time()
good = bad = 0
for item in read_cordis(Path(sys.argv[1]), Path(sys.argv[2]), check=sys.argv[3] == "check"):
    if item.record is None: bad += 1
    else: good += 1
seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
print(good, bad, seconds, cpu, tracemalloc.get_traced_memory()[1], resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def measure(projects: Path, organisations: Path, check: bool) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", CHILD, str(projects), str(organisations), "check" if check else "no"],
                         check=True, capture_output=True, text=True).stdout.split()
    good, bad, seconds, cpu, traced, rss = int(out[0]), int(out[1]), float(out[2]), float(out[3]), int(out[4]), int(out[5])
    return {"records": good, "problems": bad, "seconds": seconds, "rps": good / seconds, "cpu_rps": good / cpu,
            "traced_peak_mib": traced / 2**20, "max_rss_mib": rss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--work", type=Path, default=HERE / "out")
    parser.add_argument("--check", action="store_true", help="also run the record-schema check per record")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print("| projects | organisation rows | check | records/s (wall) | records per CPU-second | tracemalloc peak (MiB) | max RSS (MiB) |")
    print("|---|---|---|---|---|---|---|")
    for size in args.sizes:
        projects, organisations = write_cordis(size, args.work)
        rows = sum(1 for _ in open(organisations, encoding="utf-8")) - 1
        result = measure(projects, organisations, args.check)
        print(f"| {size} | {rows} | {'yes' if args.check else 'no'} | {result['rps']:,.0f} | {result['cpu_rps']:,.0f} | "
              f"{result['traced_peak_mib']:.1f} | {result['max_rss_mib']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
