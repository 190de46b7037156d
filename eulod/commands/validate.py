"""``eulod validate``: check records, fact sheets or RDF files against the shapes, for CI pipelines."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eulod.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, SEVERITY_CHOICES, settings_from

FORMATS = ("text", "turtle", "json", "junit")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "validate",
        help="check records, fact sheets or RDF files against the shapes",
        description="Exit codes: 0 the data holds, 1 it does not, 2 usage or input error.",
    )
    parser.add_argument("paths", nargs="+", help="record files (.yaml, .json, .jsonl), fact sheets, RDF files, or folders")
    parser.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    parser.add_argument(
        "--fail-on", choices=SEVERITY_CHOICES, default="violation", help="lowest severity that fails (default: violation)"
    )
    parser.add_argument("--lang", choices=("en", "it"), default="en", help="language of the messages (default: en)")
    parser.add_argument("--base-iri", help="base of the data IRIs")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the report; exit 0 when the data holds, 1 when it does not, 2 when an input cannot be read."""
    from eulod.pipeline.validate import InputError, validate_paths

    settings = settings_from(args, personal_data="publish")
    try:
        outcome = validate_paths(settings, [Path(p) for p in args.paths], args.format, args.fail_on, args.lang)
    except InputError as exc:
        print(f"eulod validate: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print(outcome.report)
    if outcome.unreadable:
        return EXIT_ERROR
    return EXIT_INVALID if outcome.failing else EXIT_OK
