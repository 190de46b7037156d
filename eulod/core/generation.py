"""The layout of a build folder and of each generation in it, as readers and writers see it.

A build writes a complete new *generation* (store, dumps, listing, sources, validation
results, manifest) in its own folder under ``generations/`` and then repoints one symlink,
``current``, with an atomic rename (eulod.pipeline.generations). A generation is *complete*
once its manifest exists: the manifest is written last. ``current`` only ever names a complete
generation, and readers refuse any other, so a server never serves half a build.

This module is the core's: the names of the files and graphs every stage agrees on, and how to
find the generation to read. Writing generations belongs to the pipeline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eulod.core.config import Settings

CURRENT = "current"
GENERATIONS = "generations"
STORE_DIR = "store"
DUMPS_DIR = "dumps"
DUMP_NAME = "eulod"  # dumps/eulod.nt.gz, eulod.ttl.gz, eulod.jsonld.gz
MANIFEST = "manifest.json"  # written last: a generation without it is incomplete
LISTING = "listing.sqlite"  # the home page's listing (eulod.core.listing)
SEARCH = "search.sqlite"  # the full-text search index (eulod.core.search)
SUMMARY_COUNTS = "summaries.sqlite"  # every pair of organisations' shared projects (eulod.pipeline.paircounts)
LOCK = ".lock"  # flock'ed by the one build writing in a build folder
VALIDATION_FILE = "validation.json"  # per-record SHACL results of the loaded records, for the pages
SOURCES_DIR = "sources"  # copies of the source fact sheets, named as their {base}source/{name} IRIs
PRIVATE_DIR = ".private"  # beside generations/, mode 0700: what a build keeps for the next one but never publishes


class StoreMissing(RuntimeError):
    """No built store where one was expected; the message says how to make one."""


@dataclass(frozen=True)
class Generation:
    """One build output: ``path/store``, ``path/dumps``, ``path/listing.sqlite``, ``path/manifest.json``."""

    path: Path

    @property
    def id(self) -> str:
        return self.path.name

    @property
    def store_path(self) -> Path:
        return self.path / STORE_DIR

    @property
    def dumps_path(self) -> Path:
        return self.path / DUMPS_DIR

    @property
    def listing_path(self) -> Path:
        """The home page's listing (eulod.core.listing), absent from generations built before it existed."""
        return self.path / LISTING

    @property
    def search_path(self) -> Path:
        """The full-text search index (eulod.core.search), absent from generations built before it existed."""
        return self.path / SEARCH

    @property
    def summary_counts_path(self) -> Path:
        """The counts the summaries were chosen from (eulod.pipeline.paircounts), which the next
        generation's summaries update instead of counting again; absent from generations built before it."""
        return self.path / SUMMARY_COUNTS

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST

    @property
    def complete(self) -> bool:
        """Whether the build finished writing it: its manifest, written last, is there (:func:`write_manifest`)."""
        return self.manifest_path.is_file()

    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text("utf-8"))


def linked_generation(build_dir: Path) -> Generation | None:
    """The folder ``current`` points to, complete or not."""
    link = build_dir / CURRENT
    if not link.is_symlink() and not link.exists():
        return None
    target = link.resolve()
    return Generation(target) if target.is_dir() else None


def current_generation(build_dir: Path) -> Generation | None:
    """The complete generation ``current`` points to; None when there is none, or it is incomplete.

    eulod never points ``current`` at an incomplete generation, but a hand or another tool
    can: serving or publishing half a build is worse than serving the previous one.
    """
    generation = linked_generation(build_dir)
    return generation if generation is not None and generation.complete else None


def data_graph_iri(settings: Settings) -> str:
    """The named graph holding the converted records."""
    return f"{settings.base_iri}graph/projects"


def vocabulary_graph_iri(settings: Settings) -> str:
    """The named graph holding the ontology and code lists, so labels are one query away."""
    return f"{settings.base_iri}graph/vocabulary"


def summary_graph_iri(settings: Settings) -> str:
    """The named graph holding what the build computes from the data (eulod.pipeline.summaries)."""
    return f"{settings.base_iri}graph/summaries"


def dataset_graphs(settings: Settings) -> dict[str, str]:
    """The named graphs of a build, by role: what the manifest lists and a remote store receives."""
    return {"data": data_graph_iri(settings), "vocabulary": vocabulary_graph_iri(settings),
            "summaries": summary_graph_iri(settings)}
