"""Everything `eulod build` can read: record files and fact sheets, in one list of records.

Record files (.yaml, .yml, .json) load through converters.records; fact sheets (.txt, .md,
.html, .htm) go through the extractor and become draft records. A curated record whose
``source.file`` names a fact sheet (matched on the file name) takes precedence over that fact
sheet's extraction, so curating a record never needs the fact sheet removed.

A record's ``source.file`` names the document the build copies into the generation and
serves at ``/source/{file}``, so a record must not be able to name any file it likes
(``/etc/passwd``, ``/proc/self/environ``, ``../../.env``). :func:`locate_source` finds the
document where the record format says it is (beside the record, one folder up, the data
folder) and refuses what no fact sheet can be: an absolute path, a ``..`` or hidden
(``.env``, ``.git``) part, a path that resolves (through symlinks) outside the folders the
build was given and their parents (:func:`source_roots`), anything under /proc, /sys or
/dev, and anything but a regular file (a device or a pipe would block or never end). Those
are the record's problem (field ``source.file``): the record is not loaded. A document that
is merely missing, larger than a fact sheet can be, or not a fact sheet (a CSV, a
spreadsheet) is not published, with a warning; the record's data stands without it.
"""

from __future__ import annotations

import logging
import os
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from .extract import extract_file
from .extract.text import MAX_BYTES as MAX_SOURCE_BYTES
from .extract.text import SUFFIXES as FACTSHEET_SUFFIXES
from .records import RECORD_SUFFIXES, LoadResult, Record, RecordProblem, check_record, iter_file

log = logging.getLogger(__name__)


def source_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(record files, fact sheets) under the given files and folders, in a stable order."""
    records: list[Path] = []
    sheets: list[Path] = []
    for path in paths:
        found = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in found:
            suffix = file.suffix.lower()
            if suffix in FACTSHEET_SUFFIXES:
                sheets.append(file)
            elif suffix in RECORD_SUFFIXES or not path.is_dir():
                records.append(file)
    return records, sheets


# --- where a record's source document is, and whether it may be published ------------------

SOURCE_FIELD = "source.file"
PUBLISHED_SUFFIXES = FACTSHEET_SUFFIXES  # what /source/{file} shows as text: fact sheets only
SYSTEM_FOLDERS = (Path("/proc"), Path("/sys"), Path("/dev"))  # never a document, whatever the roots


class UnsafeSource(ValueError):
    """A ``source.file`` that names something no build may publish: the record's problem."""


@dataclass(frozen=True)
class SourceDocument:
    """A record's source document as found: its real path, and why it is withheld, if it is."""

    path: Path
    withheld: str | None = None
    # (device, inode) of the file that was checked: read_source refuses another file at the path.
    identity: tuple[int, int] | None = None


def source_roots(paths: Iterable[Path], data_dir: Path | None = None) -> tuple[Path, ...]:
    """The folders a source document may be in: each input folder (a file's folder) and the
    folder above it ("one folder up": data/records names factsheets/x.txt), and the data folder.

    All resolved, since containment is checked on resolved paths. The top of the file system
    is never one: ``eulod build /records`` or ``eulod build /r.yaml`` must not open all of /.
    """
    roots: list[Path] = []
    for path in paths:
        folder = (path if path.is_dir() else path.parent).resolve()
        roots.extend((folder, folder.parent))
    if data_dir is not None:
        roots.append(data_dir.resolve())
    return tuple(root for root in dict.fromkeys(roots) if root != root.parent)


def source_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot be a source document's path at all (before any file is looked at), or None."""
    if not isinstance(name, str) or not name.strip():
        return "the source document's path is empty"
    shown = repr(name) if len(name) <= 80 else repr(name[:77] + "...")
    # isprintable() is False for every such character (and for other spaces, looked at one by one)
    hidden = None if name.isprintable() else next(
        (c for c in name if unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp")), None)
    if hidden is not None:
        return f"{shown} holds the control character U+{ord(hidden):04X}"
    if "\\" in name:
        return f"{shown} holds a backslash: write paths with /"
    if name.startswith("/") or name.startswith("~"):
        return f"{shown} is an absolute path: give the path relative to the data folder (factsheets/000.txt)"
    parts = name.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return f"{shown} has an empty, '.' or '..' part: a source document stays inside the data folder"
    if any(part.startswith(".") for part in parts):
        return f"{shown} names a hidden file or folder, which is never a source document"
    return None


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path.is_relative_to(root) for root in roots)


def locate_source(name: Any, record_file: str | Path, roots: Sequence[Path],
                  data_dir: Path | None = None, exists: Callable[[str], bool] = os.path.lexists
                  ) -> SourceDocument | None:
    """The document a record's ``source.file`` names, looked for beside the record, one folder
    up and in the data folder; None when it is in none of them.

    Raises :class:`UnsafeSource` for a name or a file that must never be published (see the
    module docstring); a found document too large or of a kind that is not shown comes back
    with the reason it is withheld.
    """
    problem = source_name_problem(name)
    if problem:
        raise UnsafeSource(problem)
    folder = os.path.dirname(str(record_file)) or "."  # strings until one exists: 100 000 records, 300 000 paths
    candidates = [os.path.join(folder, name), os.path.join(os.path.dirname(folder) or ".", name)]  # as Path.parent
    if data_dir is not None:
        candidates.append(os.path.join(str(data_dir), name))
    for found in candidates:
        if not exists(found):
            continue
        candidate = Path(found)
        try:
            resolved = candidate.resolve(strict=True)
        except FileNotFoundError:  # a symlink to nothing: where it points cannot be checked
            raise UnsafeSource(f"{name!r} is a broken symbolic link") from None
        except (OSError, RuntimeError) as exc:  # a symlink loop, or a folder that may not be entered
            reason = getattr(exc, "strerror", None) or "a symbolic link loop"
            raise UnsafeSource(f"{name!r} cannot be resolved ({reason})") from None
        if not _inside(resolved, roots) or _inside(resolved, SYSTEM_FOLDERS):
            raise UnsafeSource(f"{name!r} leads outside the folders given to the build (to {resolved})")
        try:
            info = resolved.stat()
        except OSError as exc:
            return SourceDocument(resolved, f"it cannot be read ({exc.strerror})")
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeSource(f"{name!r} is not a regular file (a folder, device, pipe or socket)")
        if resolved.suffix.lower() not in PUBLISHED_SUFFIXES or Path(name).suffix.lower() not in PUBLISHED_SUFFIXES:
            kinds = ", ".join(PUBLISHED_SUFFIXES)
            return SourceDocument(resolved, f"only fact sheets ({kinds}) are published, not {Path(name).suffix or 'this kind of file'}")
        size = info.st_size
        if size > MAX_SOURCE_BYTES:
            return SourceDocument(resolved, f"it has {size:,} bytes; a source document over {MAX_SOURCE_BYTES:,} is not published")
        return SourceDocument(resolved, identity=(info.st_dev, info.st_ino))
    return None


class SourceLocator:
    """:func:`locate_source` once per (record folder, name), for a whole build.

    Every record of a bulk import names its export (``project.csv``), so looking the document
    up per record cost a build of 100 000 records 100 000 look-ups (and as many log lines). The
    answer (a document, None, or the refusal) depends only on the record's folder and the name,
    so it is kept: :func:`load_sources` checks each record with it, and the build copies with the
    same answers. What is read is still checked when it is read (:func:`read_source`).

    "Not found" is not kept: it follows from the folders' listings, which are kept, so asking
    again gives it again, and a build whose records each name a missing document of their own
    held one answer per record (630 MB at 1 000 000 records). It is kept only when a folder
    could not be listed and the file system was asked directly.
    """

    def __init__(self, roots: Sequence[Path], data_dir: Path | None = None) -> None:
        self.roots = tuple(roots)
        self.data_dir = data_dir
        self._answers: dict[tuple[str, str], SourceDocument | None | str] = {}
        self._folders: dict[str, frozenset[str] | None] = {}  # folder -> the names in it, listed once
        self._mtimes: dict[str, int | None] = {}  # absolute folder -> its time when listed (-1: none; None: unlisted)
        self._asked_directly = False  # whether the last look-up asked the file system instead of a listing

    def listings(self) -> dict[str, int | None]:
        """The folders looked in, each with its modification time when listed (-1: there was no
        such folder; None: it could not be listed). While none of them changes, a document that
        was not found is still not there: an incremental build relies on it."""
        return dict(self._mtimes)

    def _exists(self, candidate: str | Path) -> bool:
        """``os.path.lexists``, from one listing per folder: a build whose records each name a
        document of their own looked three paths up per record (100 000 records, 300 000 calls)."""
        folder, entry = os.path.split(str(candidate))
        folder = folder or "."
        if folder not in self._folders:
            where = os.path.abspath(folder)
            try:
                self._mtimes[where] = os.stat(folder).st_mtime_ns  # before the listing: a change after it shows
                self._folders[folder] = frozenset(os.listdir(folder))
            except (FileNotFoundError, NotADirectoryError):  # as lexists: nothing in it
                self._mtimes[where] = -1
                self._folders[folder] = frozenset()
            except OSError:  # a folder that may be searched but not listed: ask each time
                self._mtimes[where] = None
                self._folders[folder] = None
        names = self._folders[folder]
        if names is None:
            self._asked_directly = True
            return os.path.lexists(candidate)
        return entry in names

    def locate(self, name: Any, record_file: str | Path) -> SourceDocument | None:
        """As :func:`locate_source` (raises :class:`UnsafeSource`), looked up once per folder and name."""
        key = (os.path.dirname(str(record_file)), str(name))
        answer = self._answers.get(key, self)  # self: not asked yet, or not found last time
        if answer is self:
            self._asked_directly = False
            try:
                answer = locate_source(name, record_file, self.roots, self.data_dir, self._exists)
            except UnsafeSource as exc:
                answer = str(exc)
            if answer is not None or self._asked_directly:
                self._answers[key] = answer
        if isinstance(answer, str):
            raise UnsafeSource(answer)
        return answer


def read_source(document: SourceDocument) -> bytes:
    """The bytes of a located document, read so that nothing but that regular file is read.

    The path was resolved and checked by :func:`locate_source`; opening it without following
    a symlink, without blocking, and checking the open file again means a file swapped for a
    symlink, a pipe or a larger file in between is refused instead of read.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(document.path, flags)
    with os.fdopen(descriptor, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeSource(f"{document.path} is no longer a regular file")
        if document.identity is not None and (info.st_dev, info.st_ino) != document.identity:
            raise UnsafeSource(f"{document.path} is not the file that was checked (it was replaced since)")
        data = handle.read(MAX_SOURCE_BYTES + 1)
    if len(data) > MAX_SOURCE_BYTES:
        raise UnsafeSource(f"{document.path} has grown over {MAX_SOURCE_BYTES:,} bytes")
    return data


def load_sources(paths: Iterable[Path], data_dir: Path | None = None, locator: SourceLocator | None = None) -> LoadResult:
    """Load records and extract fact sheets; problems are collected, never raised.

    The list form of :func:`iter_sources` (same records, same problems), for callers that
    need all records at once (``eulod validate``, tests).
    """
    total = LoadResult()
    for item in iter_sources(paths, data_dir, locator):
        (total.problems if isinstance(item, RecordProblem) else total.records).append(item)
    log.info("loaded %d records, %d problems", len(total.records), len(total.problems))
    return total


def iter_sources(paths: Iterable[Path], data_dir: Path | None = None, locator: SourceLocator | None = None,
                 drafts: dict | None = None) -> Iterator[Record | RecordProblem]:
    """Every record of the record files and fact sheets under ``paths``, and every problem, as read.

    A record whose ``source.file`` is unsafe (:func:`locate_source`) is a problem of field
    ``source.file`` and is not given. ``data_dir`` is the data folder a source may also be in.
    ``locator`` keeps where each source document was found, for the build to copy it without
    looking again; without one, a locator over the folders of ``paths`` is used. ``drafts``
    keeps each fact sheet's extraction for the next read (the build reads twice). Records are
    read as they come (a JSON Lines export of any size costs one line of memory), so the
    streaming build can read them twice; what is kept across the whole read is each record's
    id (to refuse a second record with the same id) and the names of the curated sources.
    """
    paths = list(paths)
    record_paths, sheets = source_files(paths)
    if locator is None:
        locator = SourceLocator(source_roots(paths, data_dir), data_dir)
    seen: dict[str, str] = {}
    sheet_names = {sheet.name for sheet in sheets}
    curated_sources: set[str] = set()  # the fact sheets a record file names (not every record's source: 1 000 000 names)

    def problem_of(record: Record) -> RecordProblem | None:
        try:
            locator.locate(record.data["source"]["file"], record.file)  # once per folder and name: bulk files share one
        except UnsafeSource as exc:
            return RecordProblem(record.file, record.id, SOURCE_FIELD, str(exc))
        if record.id in seen:
            return RecordProblem(record.file, record.id, "id", f"the id is already used by {seen[record.id]}")
        seen[record.id] = record.file
        return None

    for path in record_paths:
        for item in iter_file(path):
            if isinstance(item, RecordProblem):
                yield item
                continue
            source_name = Path(str(item.data["source"]["file"])).name
            if source_name in sheet_names:
                curated_sources.add(source_name)
            yield problem_of(item) or item
    for sheet in sheets:
        if sheet.name in curated_sources:
            log.info("%s: a curated record takes precedence over extraction", sheet)
            continue
        draft = drafts.get(sheet) if drafts is not None else None
        if draft is None:
            draft = extract_file(sheet)
            for warning in draft.warnings:
                log.warning("%s", warning)
            if drafts is not None:
                drafts[sheet] = draft
        if draft.record is None:
            yield from (RecordProblem(str(sheet), "(fact sheet)", "", reason) for reason in draft.problems)
            continue
        problems = check_record(draft.record, str(sheet))
        if problems:
            yield from problems
            continue
        if draft.record.get("review"):
            log.warning("%s: draft has %d field(s) to review", sheet, len(draft.record["review"]))
        record = Record(draft.record, str(sheet))
        yield problem_of(record) or record
