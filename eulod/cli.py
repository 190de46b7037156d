"""The ``eulod`` command line. It prints for people; the library underneath logs.

Exit codes follow pySHACL, so CI can use them: 0 the data holds, 1 it does not,
2 usage, configuration or input errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

from eulod import __version__
from eulod.config import ConfigError, Settings, load_settings

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
SEVERITY_CHOICES = ("violation", "warning", "info")


def _settings(args: argparse.Namespace, **overrides) -> Settings:
    return load_settings(
        config_file=args.config,
        base_iri=getattr(args, "base_iri", None),
        build_dir=getattr(args, "build_dir", None),
        **overrides,
    )


def _progress(enabled: bool, description: str) -> Callable[[Iterable], Iterable]:
    if not enabled:
        return lambda items: items
    from tqdm import tqdm

    return lambda items: tqdm(list(items), desc=description, unit="record", file=sys.stderr, leave=False)


def cmd_build(args: argparse.Namespace) -> int:
    from eulod.build import build
    from eulod.report import count, summary, text_report

    settings = _settings(args, personal_data=args.personal_data)
    sources = [Path(p) for p in args.paths] or None
    missing = [str(p) for p in (sources or settings.records) if not Path(p).exists()]
    if missing:
        print(f"eulod build: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    outcome = build(
        settings,
        sources,
        fail_on=args.fail_on,
        skip_invalid=args.skip_invalid,
        progress=_progress(not args.quiet and sys.stderr.isatty(), "converting"),
    )
    grouped: dict[str, tuple] = {}
    for problem in outcome.problems:
        grouped.setdefault(problem.record, (problem.file, [], []))[1].append(problem)
    for item in outcome.outcomes:
        entry = grouped.setdefault(item.record.id, (item.record.file, [], []))
        entry[1].extend(item.problems)
        entry[2].extend(item.report.results)
    report = text_report(grouped)
    if report and not args.quiet:
        print(report)
    counts = count(grouped.values())
    ok = outcome.ok(args.fail_on)
    if outcome.loaded:
        stats = outcome.manifest["statistics"]
        print(
            f"built {len(outcome.manifest['records'])} records ({stats['projects']} projects, "
            f"{stats['triples']} triples) into {settings.build_dir / 'current'} -> {outcome.generation.id}; "
            f"{summary(counts)}"
        )
    else:
        print(
            f"not loaded: {summary(counts)}; the store in {settings.build_dir} is unchanged",
            file=sys.stderr,
        )
    return EXIT_OK if ok else EXIT_INVALID


def cmd_validate(args: argparse.Namespace) -> int:
    from eulod.validate import validate_paths

    settings = _settings(args, personal_data="publish")
    return validate_paths(settings, [Path(p) for p in args.paths], args.format, args.fail_on)


def cmd_serve(args: argparse.Namespace) -> int:
    from eulod.endpoint.server import serve
    from eulod.store import current_generation

    settings = _settings(args, host=args.host, port=args.port, workers=args.workers)
    if current_generation(settings.build_dir) is None:
        print(f"eulod serve: nothing built in {settings.build_dir}: run 'eulod build' first", file=sys.stderr)
        return EXIT_ERROR
    print(f"serving {settings.build_dir / 'current'} on http://{settings.host}:{settings.port}/ (SPARQL at /sparql)")
    serve(settings)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="eulod",
        description="Publish EU-funded project metadata as validated linked open data.",
    )
    main_parser.add_argument("--version", action="version", version=f"eulod {__version__}")
    main_parser.add_argument("--config", help="TOML configuration file (default: $EULOD_CONFIG or ./eulod.toml)")
    main_parser.add_argument("-v", "--verbose", action="count", default=0, help="log more (-vv for debug)")
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_parser = commands.add_parser(
        "build", help="records -> RDF -> SHACL -> a new store generation and dumps in the build folder"
    )
    build_parser.add_argument("paths", nargs="*", help="record files or folders (default: $EULOD_RECORDS or data/records)")
    build_parser.add_argument("--build-dir", help="output folder (default: $EULOD_BUILD_DIR or build)")
    build_parser.add_argument("--base-iri", help="base of the data IRIs (default: $EULOD_BASE_IRI or http://127.0.0.1:5000/)")
    build_parser.add_argument(
        "--personal-data", choices=("publish", "role-only", "omit"), help="what to publish of contact persons"
    )
    build_parser.add_argument(
        "--fail-on", choices=SEVERITY_CHOICES, default="violation", help="lowest severity that rejects a record"
    )
    build_parser.add_argument(
        "--skip-invalid", action="store_true", help="load the valid records even when others are rejected (still exits 1)"
    )
    build_parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    build_parser.set_defaults(handler=cmd_build)

    validate_parser = commands.add_parser("validate", help="check records or RDF files against the shapes")
    validate_parser.add_argument("paths", nargs="+", help="record files (.yaml, .json), RDF files, or folders")
    validate_parser.add_argument("--format", choices=("text", "json"), default="text")
    validate_parser.add_argument("--fail-on", choices=SEVERITY_CHOICES, default="violation")
    validate_parser.add_argument("--base-iri", help="base of the data IRIs")
    validate_parser.set_defaults(handler=cmd_validate)

    serve_parser = commands.add_parser("serve", help="serve the built store: SPARQL endpoint and Linked Data")
    serve_parser.add_argument("--host", help="interface to listen on (default: $EULOD_HOST or 127.0.0.1)")
    serve_parser.add_argument("--port", type=int, help="TCP port (default: $EULOD_PORT or 5000)")
    serve_parser.add_argument("--workers", type=int, help="worker processes (default: $EULOD_WORKERS or 2)")
    serve_parser.add_argument("--build-dir", help="folder that eulod build wrote (default: $EULOD_BUILD_DIR or build)")
    serve_parser.add_argument("--base-iri", help="base of the data IRIs (must match the build)")
    serve_parser.set_defaults(handler=cmd_serve)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args)
    except ConfigError as exc:
        print(f"eulod {args.command}: configuration error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an environment problem: say so plainly, keep the trace for -v
        logging.getLogger("eulod").debug("unexpected error", exc_info=True)
        print(f"eulod {args.command}: unexpected error: {type(exc).__name__}: {exc} (run with -vv for details)", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
