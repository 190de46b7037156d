"""The ``eulod`` command line. It prints for people; the library underneath logs.

Exit codes follow pySHACL, so CI can use them: 0 the data holds, 1 it does not,
2 usage, configuration or input errors. Subcommands live in :mod:`eulod.commands`; each
imports what it runs inside its handler, so ``eulod --help`` or a mistyped option answers at
once, without loading pySHACL, the fact-sheet extractor or the web server.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import shlex
import sys
from typing import Callable, Iterable, Sequence

from eulod.converters.documents import MIB, Limits, printable, set_limits
from eulod.core.config import ConfigError, Settings, load_settings

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
SEVERITY_CHOICES = ("violation", "warning", "info")


def settings_from(args: argparse.Namespace, **overrides) -> Settings:
    """Settings with the options common to several commands applied on top."""
    return load_settings(
        config_file=args.config,
        base_iri=getattr(args, "base_iri", None),
        build_dir=getattr(args, "build_dir", None),
        **overrides,
    )


def progress(enabled: bool, description: str, unit: str = "record") -> Callable[[Iterable], Iterable]:
    """A tqdm progress bar on stderr when enabled (a terminal), else the items unchanged."""
    if not enabled:
        return lambda items: items
    from tqdm import tqdm

    return lambda items: tqdm(items, desc=description, unit=unit, file=sys.stderr, leave=False)


def stages(enabled: bool, command: str) -> Callable[[str], None]:
    """One line on stderr as each long step of a command starts (a terminal), else nothing.

    The steps after the conversion have no count to show a bar for; at 100 000 projects
    they take minutes, so the person waiting is told which one is running.
    """
    if not enabled:
        return lambda name: None
    return lambda name: print(f"{command}: {name}...", file=sys.stderr, flush=True)


def parser() -> argparse.ArgumentParser:
    from eulod import commands as package

    main_parser = argparse.ArgumentParser(
        prog="eulod",
        description="Publish EU-funded project metadata as validated linked open data.",
    )
    main_parser.add_argument("--version", action=VersionAction, help="print the version (and git commit) and exit")
    main_parser.add_argument("--config", help="TOML configuration file (default: $EULOD_CONFIG or ./eulod.toml)")
    main_parser.add_argument("-v", "--verbose", action="count", default=0, help=VERBOSE_HELP)
    subparsers = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}").register(subparsers)
    _verbose_everywhere(subparsers)
    return main_parser


class VersionAction(argparse.Action):
    """``--version``: the version and the build's git commit, looked up only when asked for
    (the commit of a clone costs a git call, which other commands need not pay)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace, values, option_string=None) -> None:
        from eulod.core.software import software

        print(software())  # on stdout, as argparse's own version action prints
        parser.exit()


VERBOSE_HELP = "log more (-vv for debug, with the traceback of an unexpected error)"


def _verbose_everywhere(subparsers: argparse._SubParsersAction) -> None:
    """-v / -vv after the command too (``eulod build -vv``), as people type it, not only before it.

    The default is suppressed, so a command without it keeps the count given before it.
    """
    for sub in subparsers.choices.values():
        if "-v" not in sub._option_string_actions:
            sub.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS, help=VERBOSE_HELP)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                _verbose_everywhere(action)


def again_with_debug(argv: Sequence[str]) -> str:
    """The command line that repeats this one with debug logging (the traceback), ready to paste."""
    return shlex.join(["eulod", "-vv", *(a for a in argv if a not in ("-v", "-vv", "--verbose"))])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(argv)
    level = (logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)]
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    try:
        apply_limits(load_settings(config_file=args.config))
        return args.handler(args)
    except ConfigError as exc:
        print(f"eulod {args.command}: configuration error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug or an environment problem: say so plainly, keep the trace for -vv
        logging.getLogger("eulod").debug("unexpected error", exc_info=True)
        detail = printable(f"{type(exc).__name__}: {exc}")
        hint = "" if args.verbose >= 2 else f" (for details, run: {printable(again_with_debug(argv), 500)})"
        print(f"eulod {args.command}: unexpected error: {detail}{hint}", file=sys.stderr)
        return EXIT_ERROR


def apply_limits(settings: Settings) -> None:
    """What a record file may cost to read (converters.documents), from the settings."""
    set_limits(Limits(file_bytes=settings.max_record_file_mb * MIB, text_bytes=settings.max_text_kb * 1024))


if __name__ == "__main__":
    sys.exit(main())
