"""Field-level precision, recall and silent-error rate of `eulod extract` over folders of fact sheets.

Every fact sheet (.txt, .md, .html, .htm) in the given folders that has an expected record
beside it (NAME.expected.yaml next to NAME.txt) is extracted and compared field by field with
that record; so is every fact sheet named by a curated record's `source.file` in a `--curated`
folder. A new case is a new pair of files: no code changes. The comparison rule is the one of
eulod.converters.extract.compare (structured fields exact, free text at >= 0.9 similarity).

    python bench/extraction.py tests/data/extraction
    python bench/extraction.py data/factsheets --curated data/records -v
    python bench/extraction.py tests/data/extraction data/factsheets --curated data/records --markdown out.md
    python bench/extraction.py tests/data/extraction* --write-floors tests/data/sheet-floors.yaml

``--write-floors`` records, per sheet, the figures tests/test_extract_every_sheet.py holds the
extractor to (silent errors at most, right values at least, the title's state): run it after a
change that makes a sheet better, and say so in the commit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import yaml

from eulod.converters.extract import extract_file
from eulod.converters.extract.compare import EXPECTED, Safety, Score, compare, floor, labelled_sheets, silent_and_stated
from eulod.converters.extract.text import SUFFIXES
from eulod.converters.records import load_records

RECALL_GOAL, PRECISION_GOAL = 0.95, 0.98
SILENT_GOAL, STATED_GOAL = 0.01, 0.80


def cases(folders: list[Path], curated: list[Path]) -> list[tuple[Path, dict]]:
    """(fact sheet, expected record) pairs."""
    by_name: dict[str, dict] = {}
    if curated:
        for record in load_records(curated).records:
            by_name[Path(record.data["source"]["file"]).name] = record.data
    found = []
    for folder in folders:
        labelled = labelled_sheets(folder)
        for sheet in sorted(set(labelled) | {p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES}):
            beside = sheet.with_name(sheet.stem + EXPECTED)
            if beside.exists():
                found.append((sheet, yaml.safe_load(beside.read_text("utf-8"))))
            elif sheet.name in by_name:
                found.append((sheet, by_name[sheet.name]))
    return found


def table(score: Score) -> list[str]:
    rows = ["| field | expected | extracted | correct | precision | recall |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name in score.fields():
        tp, fp, fn = score.tp[name], score.fp[name], score.fn[name]
        flag = "" if score.precision(name) >= PRECISION_GOAL and score.recall(name) >= RECALL_GOAL else " *"
        rows.append(f"| {name}{flag} | {tp + fn} | {tp + fp} | {tp} | {score.precision(name):.0%} | {score.recall(name):.0%} |")
    tp, fp, fn = (sum(c.values()) for c in (score.tp, score.fp, score.fn))
    rows.append(f"| **all fields** | {tp + fn} | {tp + fp} | {tp} | {score.precision():.1%} | {score.recall():.1%} |")
    return rows


def safety_lines(safe: Safety) -> list[str]:
    return [
        "| figure | value | goal |",
        "| --- | ---: | ---: |",
        f"| silent-error rate (wrong, not in review, over emitted) | {safe.silent_rate():.1%} ({safe.silent}/{safe.emitted}) | <= {SILENT_GOAL:.0%} |",
        f"| the same, strict: a field-wide note that something is missing flags no value beside it | "
        f"{safe.silent_strict / safe.emitted if safe.emitted else 0:.1%} ({safe.silent_strict}/{safe.emitted}) | <= {SILENT_GOAL:.0%} |",
        f"| wrong values flagged for review | {safe.wrong - safe.silent}/{safe.wrong} | |",
        f"| stated share (right, stated, unflagged, over expected) | {safe.stated_share():.1%} ({safe.stated_right}/{safe.expected}) | >= {STATED_GOAL:.0%} |",
        f"| emitted values in the review list | {safe.flagged}/{safe.emitted} | |",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--curated", action="append", type=Path, default=[], help="folder of curated records matched by source.file")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every difference")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    parser.add_argument("--write-floors", type=Path, help="write each sheet's floor (silent errors, right values, title) to this YAML file")
    args = parser.parse_args(argv)
    pairs = cases(args.folders, args.curated)
    if not pairs:
        print("no fact sheet with an expected record found", file=sys.stderr)
        return 2
    total, safe = Score(), Safety()
    floors: dict[str, dict] = {}
    started = time.perf_counter()
    for sheet, expected in pairs:
        draft = extract_file(sheet)
        score = compare(expected, draft.record)
        safety = silent_and_stated(score, draft.record)
        total.add(score)
        safe.add(safety)
        floors[f"{sheet.parent.name}/{sheet.name}"] = floor(score, safety, draft.record)
        print(f"{sheet}: precision {score.precision():.1%}, recall {score.recall():.1%}, "
              f"silent errors {safety.silent}/{safety.emitted}, stated {safety.stated_share():.0%}"
              + (f" ({'; '.join(draft.problems)})" if draft.problems else ""))
        if args.verbose:
            for line in score.differences:
                print(f"    {line}")
            for path in safety.silent_paths:
                print(f"    silent: {path}")
    elapsed = time.perf_counter() - started
    lines = table(total) + ["", *safety_lines(safe)]
    print()
    print("\n".join(lines))
    print(f"\n{len(pairs)} fact sheets in {elapsed:.2f} s ({elapsed / len(pairs) * 1000:.0f} ms each, first call loads the tables)")
    if args.write_floors:
        header = "# Per-sheet floors of tests/test_extract_every_sheet.py, written by bench/extraction.py --write-floors.\n"
        args.write_floors.write_text(header + yaml.safe_dump(floors, sort_keys=True, allow_unicode=True), "utf-8")
    if args.markdown:
        args.markdown.write_text("\n".join(lines) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
