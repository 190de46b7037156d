"""``eulod init [DIR]``: start a publisher's repository of records.

Writes the files a publisher who keeps records in git needs, from the templates shipped in
``eulod.data.publisher`` (their target paths in its ``layout.yaml``): ``eulod.toml`` with every
setting, ``records/`` with one example record and its source document, a GitHub Actions workflow
that validates on every push and keeps the dumps as an artefact, a pre-commit configuration
running eulod's hook, a ``requirements.txt`` pinning this eulod, and a README. An existing file
is never overwritten without ``--force``: then nothing at all is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from eulod.cli import EXIT_ERROR, EXIT_OK

TEMPLATES = "eulod.data.publisher"
LAYOUT = "layout.yaml"


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "init", help="start a publisher's repository: settings, an example record, a CI workflow, a pre-commit hook",
        description=__doc__.split("\n\n")[1].replace("\n", " "),
    )
    parser.add_argument("directory", nargs="?", default=".", help="the folder to write into (default: the current folder)")
    parser.add_argument("--force", action="store_true", help="overwrite files that already exist")
    parser.add_argument("--requirement", metavar="SPEC",
                        help="how CI installs eulod, written to requirements.txt (default: eulod==<this version>; "
                             "e.g. a git+https:// URL or a wheel)")
    parser.set_defaults(handler=run)


def layout() -> dict[str, str]:
    """Template name -> path in the new repository."""
    from importlib import resources

    import yaml

    return yaml.safe_load(resources.files(TEMPLATES).joinpath(LAYOUT).read_text("utf-8"))


def rendered(template: str, values: dict[str, str]) -> str:
    from importlib import resources

    text = resources.files(TEMPLATES).joinpath(template).read_text("utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def run(args: argparse.Namespace) -> int:
    from eulod.core.software import software

    folder = Path(args.directory)
    if folder.exists() and not folder.is_dir():
        print(f"eulod init: {folder} is not a folder", file=sys.stderr)
        return EXIT_ERROR
    version = software().version
    values = {"EULOD_VERSION": version, "EULOD_REQUIREMENT": args.requirement or f"eulod=={version}"}
    files = {folder / target: template for template, target in layout().items()}
    existing = [str(path) for path in files if path.exists()]
    if existing and not args.force:
        print(f"eulod init: these files exist already: {', '.join(existing)}\n"
              f"  nothing was written; run again with --force to overwrite them", file=sys.stderr)
        return EXIT_ERROR
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(rendered(template, values), "utf-8")
        print(f"wrote {path}")
    where = "" if folder.resolve() == Path.cwd().resolve() else f"cd {folder} && "
    print(f"next: {where}eulod validate records/ && eulod build && eulod serve   (README.md says more)")
    return EXIT_OK
