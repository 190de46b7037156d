"""Seeded generator of realistic eulod records at any size, for benchmarks.

Shapes of the data follow CORDIS-like exports: organisations shared across projects
(a few very active, most seldom), one coordinator and a handful of partners per project,
money split over partners, day-precision dates mostly, a few month-precision ones, and
a few deliberately invalid records (end before start, a negative amount, two coordinators)
so that validation has something to find.

    python bench/generate.py --projects 20000 --out bench/out/p20k.jsonl
    python bench/generate.py --projects 20000 --format nt --out bench/out/p20k.nt
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Any, Iterator

HERE = Path(__file__).resolve().parent
log = logging.getLogger("bench.generate")

# programme notation -> (weight, fund, first year, last year, identifier scheme or None)
PROGRAMMES = {
    "HORIZON-2020": (60, None, 2014, 2020, "eu-grant-agreement"),
    "INTERREG-EUROPE-2021-2027": (8, "ERDF", 2021, 2024, "project-code"),
    "URBACT-II": (5, "ERDF", 2008, 2013, None),
    "URBACT-III": (8, "ERDF", 2015, 2021, None),
    "URBACT-IV": (6, "ERDF", 2023, 2024, None),
    "AMIF-2014-2020": (7, "AMIF", 2015, 2020, "eu-grant-agreement"),
    "UIA": (3, "ERDF", 2016, 2020, "project-code"),
    "POR-FESR-EMILIA-ROMAGNA-2014-2020": (3, "ERDF", 2015, 2020, None),
}
ORG_TYPES = [("municipality", 45), ("university", 20), ("research-organisation", 10), ("company", 10),
             ("ngo", 8), ("regional-authority", 4), ("metropolitan-authority", 2), ("network", 1)]
ORG_NAMES = {
    "municipality": "Municipality of {city}",
    "university": "University of {city}{n}",
    "research-organisation": "{city} Research Institute{n}",
    "company": "{city} Urban Solutions{n}",
    "ngo": "{city} Civic Association{n}",
    "regional-authority": "Region of {city}",
    "metropolitan-authority": "Metropolitan City of {city}",
    "network": "{city} Cities Network{n}",
}
THEMES = ["social inclusion", "urban regeneration", "climate adaptation", "digital transition",
          "mobility", "circular economy", "migrant integration", "energy efficiency", "culture and heritage"]
WORDS = ["Smart", "Green", "Open", "Urban", "Civic", "Shared", "Resilient", "Inclusive", "Circular", "Active",
         "Living", "Future", "Connected", "Local", "Common", "Healthy", "Creative", "Blue", "Just", "Bright"]
NOUNS = ["Cities", "Streets", "Neighbourhoods", "Labs", "Commons", "Districts", "Schools", "Markets", "Harbours",
         "Squares", "Networks", "Communities", "Bridges", "Gardens", "Homes"]


def read_cities() -> list[tuple[str, str, int]]:
    rows = []
    for line in (HERE / "cities.tsv").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            city, country, weight = line.split("\t")
            rows.append((city, country, int(weight)))
    return rows


def _slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-").replace("--", "-")


class Generator:
    def __init__(self, projects: int, seed: int, invalid_every: int) -> None:
        self.random = random.Random(seed)
        self.projects = projects
        self.invalid_every = invalid_every
        self.cities = read_cities()
        self.organisations = self._organisations(max(20, int(projects * 1.2)))
        # Zipf-like popularity: a few organisations take part in many projects.
        # Cumulative weights, computed once: random.choices would otherwise rebuild them on
        # every draw, which made generation quadratic in the number of organisations.
        self.org_cum_weights = list(accumulate(1.0 / (rank + 1) ** 0.8 for rank in range(len(self.organisations))))

    def _organisations(self, count: int) -> list[dict[str, Any]]:
        rng = self.random
        city_weights = list(accumulate(w for _, _, w in self.cities))
        type_names, type_weights = zip(*ORG_TYPES)
        seen: dict[str, int] = {}
        out = []
        for _ in range(count):
            city, country, _w = rng.choices(self.cities, cum_weights=city_weights)[0]
            kind = rng.choices(type_names, type_weights)[0]
            base = ORG_NAMES[kind].format(city=city, n="")
            n = seen.get(base, 0) + 1
            seen[base] = n
            if n > 1 and "{n}" not in ORG_NAMES[kind]:
                continue  # one municipality per city, as in reality
            name = ORG_NAMES[kind].format(city=city, n=f" {n}" if n > 1 else "")
            org_id = f"{_slug(city)}-municipality" if kind == "municipality" else _slug(name)
            out.append({"id": org_id, "name": {"en": name}, "type": kind, "city": city, "country": country})
        return out

    def records(self) -> Iterator[dict[str, Any]]:
        for number in range(1, self.projects + 1):
            record = self._record(number)
            if self.invalid_every and number % self.invalid_every == 0:
                self._break(record, number)
            yield record

    def _record(self, number: int) -> dict[str, Any]:
        rng = self.random
        programme = rng.choices(list(PROGRAMMES), [p[0] for p in PROGRAMMES.values()])[0]
        _w, fund, first, last, scheme = PROGRAMMES[programme]
        acronym = f"{rng.choice(WORDS)}{rng.choice(NOUNS)}{number}"
        start = date(rng.randint(first, last), rng.randint(1, 12), 1)
        months = rng.choice([12, 18, 24, 24, 30, 36, 36, 48, 60])
        end = _add_months(start, months) - timedelta(days=1)
        total = rng.randint(100, 50000) * 100
        rate = rng.choice([50, 70, 75, 80, 85, 100])
        record: dict[str, Any] = {
            "id": f"gen-{number:07d}",
            "language": "en",
            "source": {"file": f"generated/{number:07d}.json"},
            "title": f"{acronym}: {rng.choice(THEMES)} in European {rng.choice(NOUNS).lower()}",
            "acronym": acronym,
            "description": f"Project {number} on {rng.choice(THEMES)}.",
            "themes": [rng.choice(THEMES)],
            "programme": programme,
            "currency": "EUR",
            "budget": {"total_cost": f"{total}.00", "eu_contribution": f"{total * rate // 100}.00",
                       "eu_contribution_rate": rate},
            "participants": self._participants(total),
        }
        if fund:
            record["funds"] = [fund]
        if scheme:
            record["identifiers"] = [{"scheme": scheme, "value": str(800000 + number)}]
        if rng.random() < 0.1:  # month precision, as in "February 2019"
            record["start_date"] = start.strftime("%Y-%m")
        else:
            record["start_date"], record["end_date"] = start.isoformat(), end.isoformat()
        record["duration_months"] = months
        if rng.random() < 0.5:
            record["website"] = f"https://example.org/projects/{acronym.lower()}"
        if rng.random() < 0.3:
            record["contacts"] = [{"role": "Project contact", "email": f"contact{number}@example.org"}]
        return record

    def _participants(self, total: int) -> list[dict[str, Any]]:
        rng = self.random
        size = min(len(self.organisations), max(1, int(rng.lognormvariate(1.3, 0.6))))
        chosen: dict[str, dict] = {}
        while len(chosen) < size:
            org = rng.choices(self.organisations, cum_weights=self.org_cum_weights)[0]
            chosen[org["id"]] = org
        shares = [rng.random() + 0.2 for _ in chosen]
        out = []
        for index, (org, share) in enumerate(zip(chosen.values(), shares)):
            role = "coordinator" if index == 0 else ("associated-partner" if rng.random() < 0.05 else "partner")
            own = int(total * share / sum(shares))
            participant: dict[str, Any] = {"organisation": dict(org), "role": role}
            if own > 0 and rng.random() < 0.55:
                participant["budget"] = {"total_cost": f"{own}.00", "eu_contribution": f"{own * 8 // 10}.00"}
            out.append(participant)
        return out

    def _break(self, record: dict[str, Any], number: int) -> None:
        """Deliberate errors the shapes must catch, in rotation."""
        kind = (number // self.invalid_every) % 3
        if kind == 0 and "end_date" in record:
            record["start_date"], record["end_date"] = record["end_date"], record["start_date"]
        elif kind == 1:
            record["budget"]["total_cost"] = "-" + record["budget"]["total_cost"]
        else:
            record["participants"].append({"organisation": dict(self.organisations[0], id="extra-coordinator"),
                                           "role": "coordinator"})


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def write(records: Iterator[dict[str, Any]], fmt: str, out: Path, base_iri: str) -> int:
    temporary = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    count = 0
    with open(temporary, "wb") as handle:
        if fmt == "jsonl":
            for record in records:
                handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
                count += 1
        else:
            from eulod.converters.rdf import MappingOptions, RecordMapper
            from eulod.converters.records import Record

            mapper = RecordMapper(MappingOptions(base_iri, "publish"))
            for record in records:
                handle.write(mapper.graph(Record(record, str(out))).serialize(format="nt", encoding="utf-8"))
                count += 1
    os.replace(temporary, out)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--invalid-every", type=int, default=1000, help="every Nth record is broken (0: none)")
    parser.add_argument("--format", choices=("jsonl", "nt"), default="jsonl")
    parser.add_argument("--base-iri", default="http://127.0.0.1:5000/")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    generator = Generator(args.projects, args.seed, args.invalid_every)
    count = write(generator.records(), args.format, args.out, args.base_iri)
    print(f"wrote {count} records to {args.out} ({args.out.stat().st_size} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
