"""``eulod review FILE...``: review fact sheets' drafts in a local page, save curated records.

Serves on 127.0.0.1 only (a random free port unless ``--port``) and prints the page's URL,
which holds a random key; ``--open`` opens it in the browser. Each sheet's record is written
beside the sheet (``<name>.yaml``) or into ``--records DIR``, where ``eulod build`` takes it in
place of the sheet. Exit codes: 0 after Ctrl-C, 2 for a file that is not a fact sheet, a
record file the review may not write over, or a port that cannot be had.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from eulod.cli import EXIT_ERROR, EXIT_OK

HOST = "127.0.0.1"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("review", help="review fact sheets' drafts in a local page and save curated records")
    parser.add_argument("files", nargs="+", help="fact sheets (text, Markdown, HTML, an RSS or Atom item, JSON)")
    parser.add_argument("--records", help="folder for the curated records (default: beside each sheet)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--open", action="store_true", help="open the page in the web browser")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from eulod.review.app import ReviewState, create_app
    from eulod.review.curate import SheetProblem, make_sheet, read_saved

    records = Path(args.records) if args.records else None
    sheets = []
    for name in args.files:
        try:
            sheet = make_sheet(Path(name), records)
            read_saved(sheet)  # a file there that is not this sheet's record: say so now
        except SheetProblem as exc:
            print(f"eulod review: {exc}", file=sys.stderr)
            return EXIT_ERROR
        sheets.append(sheet)
    targets = [s.target.resolve() for s in sheets]
    if len(set(targets)) != len(targets):
        print("eulod review: two sheets would write the same record file (same name): review them apart",
              file=sys.stderr)
        return EXIT_ERROR
    if not 0 <= args.port <= 65535:
        print(f"eulod review: no such port: {args.port}", file=sys.stderr)
        return EXIT_ERROR
    if not args.verbose:  # one line per request (with the page's key) is noise at the terminal
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    state = ReviewState(sheets)
    try:
        server = make_server(HOST, args.port, create_app(state), threaded=True)
    except (OSError, SystemExit) as exc:  # werkzeug says why on stderr and exits when the port is taken
        reason = f": {exc.strerror}" if isinstance(exc, OSError) else ""
        print(f"eulod review: cannot listen on {HOST}:{args.port}{reason}", file=sys.stderr)
        return EXIT_ERROR
    state.port = server.server_port
    url = f"http://{HOST}:{state.port}/{state.key}/"
    print(f"Reviewing {len(sheets)} fact sheet(s) at {url}", flush=True)
    print("Press Ctrl-C to stop.", flush=True)
    if args.open:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return EXIT_OK
