"""``eulod serve``: the SPARQL endpoint and Linked Data over the current build."""

from __future__ import annotations

import argparse
import sys

from eulod.cli import EXIT_ERROR, EXIT_OK, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("serve", help="serve the built store: SPARQL endpoint and Linked Data")
    parser.add_argument("--host", help="interface to listen on (default: $EULOD_HOST or 127.0.0.1)")
    parser.add_argument("--port", type=int, help="TCP port (default: $EULOD_PORT or 5000)")
    parser.add_argument("--workers", type=int, help="worker processes (default: $EULOD_WORKERS or 2)")
    parser.add_argument("--build-dir", help="folder that eulod build wrote (default: $EULOD_BUILD_DIR or build)")
    parser.add_argument("--base-iri", help="base of the data IRIs (must match the build)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from eulod.core.generation import current_generation
    from eulod.endpoint.server import serve

    settings = settings_from(args, host=args.host, port=args.port, workers=args.workers)
    if not settings.remote_query_url and current_generation(settings.build_dir) is None:
        print(f"eulod serve: nothing built in {settings.build_dir}: run 'eulod build' first", file=sys.stderr)
        return EXIT_ERROR
    source = settings.remote_query_url or settings.build_dir / "current"
    print(f"serving {source} on http://{settings.host}:{settings.port}/ (SPARQL at /sparql)")
    serve(settings)
    return EXIT_OK
