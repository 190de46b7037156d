"""``eulod build``: records -> RDF -> SHACL -> a new store generation and dumps."""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

from eulod.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, SEVERITY_CHOICES, progress, settings_from, stages


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "build", help="records -> RDF -> SHACL -> a new store generation and dumps in the build folder"
    )
    parser.add_argument("paths", nargs="*", help="record files or folders (default: $EULOD_RECORDS or data/records)")
    parser.add_argument("--sample", action="store_true",
                        help="build the sample records that come with eulod (works in any folder)")
    parser.add_argument("--build-dir", help="output folder (default: $EULOD_BUILD_DIR or build)")
    parser.add_argument("--base-iri", help="base of the data IRIs (default: $EULOD_BASE_IRI or http://127.0.0.1:5000/)")
    parser.add_argument("--personal-data", choices=("publish", "role-only", "omit"), help="what to publish of contact persons")
    parser.add_argument(
        "--fail-on", choices=SEVERITY_CHOICES, default="violation", help="lowest severity that rejects a record"
    )
    parser.add_argument(
        "--skip-invalid", action="store_true", help="load the valid records even when others are rejected (still exits 1)"
    )
    parser.add_argument(
        "--full", action="store_true",
        help="convert and validate every record, even when the served generation's checkpoint would let the "
             "build redo only the records that changed")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    parser.add_argument(
        "--report-limit", type=int, default=REPORT_LIMIT, metavar="N",
        help=f"print the findings of at most N records (default {REPORT_LIMIT}; 0: all); every finding is "
             "in report.sqlite in the build folder")
    parser.set_defaults(handler=run)


# Records whose findings the command prints: a build of a whole export may find something in
# each of a million records, and its report, read whole, took gigabytes (issue 19); the counts
# and the report file are complete whatever the limit.
REPORT_LIMIT = 1000


MISSING_RECORDS_HINT = """\
  to build the sample records that come with eulod:  eulod build --sample
  to start a repository for your own records:        eulod init DIR, then eulod build in DIR
  (records are read from the folders given here, from `records` in eulod.toml or from $EULOD_RECORDS)"""


def sample_data() -> Path:
    """The data folder installed with eulod: records/ (the samples) and the fact sheets they cite."""
    from importlib import resources

    return Path(str(resources.files("eulod.data")))


def run(args: argparse.Namespace) -> int:
    from eulod.pipeline.build import build
    from eulod.pipeline.generations import BuildBusy
    from eulod.pipeline.report import count, group_by_record, summary, text_report

    if args.sample and args.paths:
        print("eulod build: give record files or folders, or --sample, not both", file=sys.stderr)
        return EXIT_ERROR
    sample = sample_data() if args.sample else None
    # The sample records name their fact sheets relative to the packaged data folder.
    settings = settings_from(args, personal_data=args.personal_data, data_dir=sample)
    sources = [sample / "records"] if sample else [Path(p) for p in args.paths] or None
    missing = [str(p) for p in (sources or settings.records) if not Path(p).exists()]
    if missing:
        print(f"eulod build: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        if not sources:
            print(MISSING_RECORDS_HINT, file=sys.stderr)
        return EXIT_ERROR
    try:
        outcome = build(
            settings,
            sources,
            fail_on=args.fail_on,
            skip_invalid=args.skip_invalid,
            progress=progress(not args.quiet and sys.stderr.isatty(), "converting"),
            stage=stages(not args.quiet and sys.stderr.isatty(), "eulod build"),
            full=args.full,
        )
    except BuildBusy as busy:
        print(f"eulod build: {busy}; nothing was changed", file=sys.stderr)
        return EXIT_ERROR
    findings = outcome.findings
    limit = args.report_limit if args.report_limit > 0 else None
    if findings is None:
        grouped = group_by_record(outcome.problems, outcome.outcomes)
        counts, reported = count(grouped.values()), len(grouped)
    else:
        grouped = group_by_record(findings.load_problems(limit), itertools.islice(findings.iter_outcomes(), limit))
        counts, reported = findings.severity_counts(), findings.count_reported_records()
    report = text_report(grouped)
    if report and not args.quiet:
        print(report)
        if reported > len(grouped):
            print(f"... and {reported - len(grouped)} more records with findings (--report-limit {args.report_limit}); "
                  f"all are in {findings.path}")
    if outcome.loaded:
        stats = outcome.manifest["statistics"]
        changed = outcome.manifest.get("incremental")
        how = f" ({changed['converted']} changed, {changed['removed']} removed since {changed['from']})" if changed else ""
        print(
            f"built {len(outcome.manifest['records'])} records{how} ({stats['projects']} projects, "
            f"{stats['triples']} triples) into {settings.build_dir / 'current'} -> {outcome.generation.id}; "
            f"{summary(counts)}"
        )
    else:
        print(f"not loaded: {summary(counts)}; the store in {settings.build_dir} is unchanged", file=sys.stderr)
    return EXIT_OK if outcome.ok(args.fail_on) else EXIT_INVALID
