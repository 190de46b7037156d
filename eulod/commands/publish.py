"""``eulod publish``: push the current build to a remote SPARQL 1.1 store, replacing the data set in one step."""

from __future__ import annotations

import argparse
import sys

from eulod.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, settings_from


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "publish",
        help="push the current build to a remote SPARQL store (Graph Store Protocol), replacing the data set atomically",
        description=(
            "Uploads the current build into staging graphs, checks them, then makes them live with one SPARQL "
            "Update. Settings: EULOD_REMOTE_QUERY_URL, EULOD_REMOTE_UPDATE_URL, EULOD_REMOTE_GSP_URL, "
            "EULOD_REMOTE_USER; the password only from the environment variable EULOD_REMOTE_PASSWORD. "
            "Exit codes: 0 published, 1 the store refused or failed (nothing changed for readers), "
            "2 configuration or nothing built."
        ),
    )
    parser.add_argument("--build-dir", help="folder that eulod build wrote (default: $EULOD_BUILD_DIR or build)")
    parser.add_argument("--base-iri", help="base of the data IRIs (must match the build)")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from eulod.core.generation import current_generation
    from eulod.core.remote.client import PASSWORD_VARIABLE, Remote, RemoteError, SparqlClient
    from eulod.pipeline.publish import publish

    settings = settings_from(args)
    missing = [
        f"EULOD_{name.upper()}"
        for name in ("remote_query_url", "remote_update_url", "remote_gsp_url")
        if not getattr(settings, name)
    ]
    if missing:
        print(f"eulod publish: no remote store configured: set {', '.join(missing)}", file=sys.stderr)
        return EXIT_ERROR
    remote = Remote.from_settings(settings)
    if remote.user and not remote.password:
        print(f"eulod publish: EULOD_REMOTE_USER is set but {PASSWORD_VARIABLE} is not", file=sys.stderr)
        return EXIT_ERROR
    generation = current_generation(settings.build_dir)
    if generation is None:
        print(f"eulod publish: nothing built in {settings.build_dir}: run 'eulod build' first", file=sys.stderr)
        return EXIT_ERROR
    try:
        manifest = publish(generation, SparqlClient(remote, timeout=settings.query_timeout + 30), settings.base_iri)
    except (RemoteError, SyntaxError) as exc:
        print(f"eulod publish: {exc}; the published data set is unchanged", file=sys.stderr)
        return EXIT_INVALID
    stats = manifest.get("statistics", {})
    print(
        f"published generation {manifest['generation']} ({stats.get('projects', '?')} projects, "
        f"{stats.get('triples', '?')} triples) to {settings.remote_query_url}"
    )
    return EXIT_OK
