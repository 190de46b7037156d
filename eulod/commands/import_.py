"""``eulod import``: bulk exports (CORDIS, any CSV/XLSX through a mapping) -> JSON Lines records.

The records are streamed to a temporary file beside the output and renamed at the end, so
an interrupted import never leaves half a file. Bad rows are reported with their file and
line; the good ones are written. Exit 0 when every row made a record, 1 when some rows were
reported, 2 when an input or the mapping cannot be used at all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Iterable, Iterator

from eulod.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, progress


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("import", help="bulk exports (CORDIS CSV, any CSV/XLSX with a mapping) -> JSON Lines records")
    kinds = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    cordis = kinds.add_parser("cordis", help="CORDIS open-data project and organization files (CSV, XLSX or JSON)")
    cordis.add_argument("projects", type=Path, help="project.csv (.xlsx, .json) of a CORDIS export")
    cordis.add_argument("organisations", type=Path, help="organization.csv (.xlsx, .json) of the same export")
    table = kinds.add_parser("csv", help="a CSV or XLSX file through a declarative column mapping")
    table.add_argument("file", type=Path, help="the CSV or XLSX file")
    table.add_argument("--mapping", required=True, help="mapping YAML file, or a shipped mapping: kohesio, keep-eu, municipality")
    for sub in (cordis, table):
        sub.add_argument("-o", "--output", type=Path, required=True, help="JSON Lines file to write (replaced atomically)")
        sub.add_argument("--no-check", action="store_true", help="skip the record-schema check (faster; eulod build checks again)")
        sub.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
        sub.set_defaults(handler=run)


def _items(args: argparse.Namespace) -> Iterator:
    if args.kind == "cordis":
        from eulod.converters.cordis import read_cordis

        return read_cordis(args.projects, args.organisations, check=not args.no_check)
    from eulod.converters.tabular import load_mapping, read_table

    return read_table(args.file, load_mapping(args.mapping), check=not args.no_check)


def write_records(items: Iterable, output: Path, report) -> tuple[int, int]:
    """Write each record as one JSON line, report each problem; returns (records, problems)."""
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    written = problems = 0
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            for item in items:
                if item.problem is not None:
                    problems += 1
                    report(item.problem)
                else:
                    handle.write(json.dumps(item.record, ensure_ascii=False) + "\n")
                    written += 1
        os.replace(temporary, output)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return written, problems


def run(args: argparse.Namespace) -> int:
    from eulod.converters.cells import CellError
    from eulod.converters.documents import printable
    from eulod.converters.tabular import MappingError

    inputs = [args.projects, args.organisations] if args.kind == "cordis" else [args.file]
    missing = [str(p) for p in inputs if not p.is_file()]
    if missing:
        print(f"eulod import: no such file: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    if not args.output.parent.is_dir():
        print(f"eulod import: no such folder for the output: {args.output.parent}", file=sys.stderr)
        return EXIT_ERROR
    show = progress(not args.quiet and sys.stderr.isatty(), f"importing {inputs[0].name}", unit="row")

    def report(problem) -> None:
        if not args.quiet:
            print(str(problem), file=sys.stderr)

    try:
        written, problems = write_records(show(_items(args)), args.output, report)
    except MappingError as exc:
        print(f"eulod import: mapping error: {printable(str(exc), 1000)}", file=sys.stderr)
        return EXIT_ERROR
    except CellError as exc:
        print(f"eulod import: {printable(str(exc), 1000)}", file=sys.stderr)
        return EXIT_ERROR
    except UnicodeDecodeError as exc:
        print(f"eulod import: {', '.join(map(str, inputs))}: not UTF-8 text ({exc.reason} at byte {exc.start})", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"eulod import: cannot read {exc.filename or ', '.join(map(str, inputs))}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERROR
    except Exception as exc:  # e.g. a file openpyxl cannot read as a workbook
        if type(exc).__module__.startswith(("openpyxl", "zipfile")):
            print(f"eulod import: {', '.join(map(str, inputs))}: not a readable XLSX workbook ({exc})", file=sys.stderr)
            return EXIT_ERROR
        raise
    print(f"imported {written} records into {args.output}; {problems} problem(s) reported")
    return EXIT_INVALID if problems else EXIT_OK
