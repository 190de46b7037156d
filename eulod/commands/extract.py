"""``eulod extract FILE...``: fact sheets (text, Markdown, HTML) to draft records.

Each draft is written next to the others in ``-o DIR`` (default: the current folder) as
``<fact sheet name>.draft.yaml`` (or ``.json``), atomically. A fact sheet that cannot be read,
or does not describe a project, gets a message and no file; the other files go on.
Exit codes: 0 every file gave a valid draft, 1 some file gave none (or an invalid one), 2 usage
errors (no such output folder).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from eulod.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK

PERSONAL_CHOICES = ("publish", "role-only", "omit")


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("extract", help="read fact sheets (text, Markdown, HTML) into draft records")
    parser.add_argument("files", nargs="+", help="fact sheets (text, Markdown, HTML, an RSS or Atom item, JSON)")
    parser.add_argument("-o", "--output", default=".", help="folder for the drafts (default: the current folder)")
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml")
    parser.add_argument("--language", help="the fact sheets' language (default: detected per file)")
    parser.add_argument("--derive", action="store_true",
                        help="fill a missing end date or duration from the other two (marked as derived in provenance)")
    parser.add_argument("--personal-data", choices=PERSONAL_CHOICES, default="publish",
                        help="contact persons in the drafts: publish (keep names and e-mails, the default: drafts are "
                             "for review), role-only (drop names and e-mails), omit (drop contacts)")
    parser.set_defaults(handler=run)


def apply_personal_data(record: dict, mode: str) -> None:
    """Drafts follow the same three settings as publication (EULOD_PERSONAL_DATA)."""
    if mode == "omit":
        record.pop("contacts", None)
    elif mode == "role-only":
        for contact in record.get("contacts", []):
            contact.pop("name", None)
            contact.pop("email", None)
        record["contacts"] = [c for c in record.get("contacts", []) if c]
        if not record["contacts"]:
            del record["contacts"]
    if mode != "publish":
        record.get("provenance", {}).pop("contacts", None) if "contacts" not in record else None


def dump(record: dict, form: str) -> bytes:
    if form == "json":
        return (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    import yaml

    return yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def run(args: argparse.Namespace) -> int:
    from eulod.converters.extract import extract_file
    from eulod.converters.records import check_record
    from eulod.pipeline.generations import atomic_write_bytes

    output = Path(args.output)
    if not output.is_dir():
        print(f"eulod extract: no such output folder: {output}", file=sys.stderr)
        return EXIT_ERROR
    failed = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: no such file", file=sys.stderr)
            failed += 1
            continue
        draft = extract_file(path, language=args.language, derive=args.derive)
        for warning in draft.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if draft.record is None:
            for reason in draft.problems:
                print(f"{name}: no draft: {reason}", file=sys.stderr)
            failed += 1
            continue
        apply_personal_data(draft.record, args.personal_data)
        problems = check_record(draft.record, name)
        for problem in problems:
            print(f"{problem}", file=sys.stderr)
        target = output / f"{path.name}.draft.{args.format}"
        atomic_write_bytes(target, dump(draft.record, args.format))
        review = draft.record.get("review", [])
        print(f"{name} -> {target} ({len(review)} field(s) to review)")
        failed += bool(problems)
    return EXIT_INVALID if failed else EXIT_OK
