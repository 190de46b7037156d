"""``eulod validate``: check records or RDF files against the shapes, for CI pipelines."""

from __future__ import annotations

import argparse
from pathlib import Path

from eulod.cli import SEVERITY_CHOICES, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("validate", help="check records or RDF files against the shapes")
    parser.add_argument("paths", nargs="+", help="record files (.yaml, .json), RDF files, or folders")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--fail-on", choices=SEVERITY_CHOICES, default="violation")
    parser.add_argument("--base-iri", help="base of the data IRIs")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from eulod.validate import validate_paths

    settings = settings_from(args, personal_data="publish")
    return validate_paths(settings, [Path(p) for p in args.paths], args.format, args.fail_on)
