"""The generation published on a remote store: its manifest, read from a small metadata graph.

``eulod publish`` (eulod.pipeline.publish) uploads a generation into graphs named for it and
then adds its manifest to the metadata graph; readers follow the newest manifest, so they see
the old data set or the new one, never a half-published one. The data set's stable graph
names (``{base}graph/projects``, ``.../vocabulary``) stay in the manifest; a query's union
default graph is the live generation's graphs.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

import pyoxigraph as ox

from eulod.core.config import Settings
from eulod.core.generation import GENERATIONS, Generation, StoreMissing, current_generation
from eulod.core.remote.client import RESULTS_JSON, Remote, SparqlClient
from eulod.core.remote.store import RemoteStore

log = logging.getLogger(__name__)


def meta_graph_iri(base_iri: str) -> str:
    """The small graph naming the published generation; never part of the data set's union."""
    return f"{base_iri}graph/meta"


def manifest_predicate(base_iri: str) -> str:
    """A deployment-local IRI (not a vocabulary term): the manifest is bookkeeping, not data."""
    return f"{meta_graph_iri(base_iri)}#manifest"


class RemoteHandle:
    """The published generation on a remote store, with the surface of :class:`eulod.core.handle.StoreHandle`.

    The manifest is read from the metadata graph at most every ``check_interval`` seconds,
    so a publish is noticed as quickly as a local build switch. Dumps are not in the store:
    ``generation`` is the local build's generation of the same id when this replica has it
    (a shared or copied build folder), else a folder that does not exist, so dumps are 404
    and are better served by a static host or CDN (see docs/deployment.md).
    """

    def __init__(self, settings: Settings, client: SparqlClient | None = None, check_interval: float = 1.0) -> None:
        self.settings = settings
        self.client = client or SparqlClient(Remote.from_settings(settings), timeout=settings.query_timeout + 5)
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._manifest: dict[str, Any] | None = None
        self._checked = 0.0

    def _refresh(self) -> None:
        now = time.monotonic()
        if self._manifest is not None and now - self._checked < self.check_interval:
            return
        with self._lock:
            if self._manifest is not None and now - self._checked < self.check_interval:
                return
            manifest = read_manifest(self.client, self.settings.base_iri)
            if manifest is None:
                if self._manifest is None:
                    raise StoreMissing(
                        f"nothing published at {self.client.remote.query_url} for {self.settings.base_iri}: "
                        "run 'eulod publish' first"
                    )
                return
            if self._manifest is None or manifest.get("generation") != self._manifest.get("generation"):
                log.info("remote store serves generation %s", manifest.get("generation"))
            self._manifest, self._checked = manifest, now

    @property
    def manifest(self) -> dict[str, Any]:
        self._refresh()
        assert self._manifest is not None
        return self._manifest

    @property
    def store(self) -> RemoteStore:
        manifest = self.manifest
        graphs = manifest["remote_graphs"]
        public = manifest.get("graphs", {})
        names = {public[name]: stored for name, stored in graphs.items() if name in public}
        return RemoteStore(self.client, list(graphs.values()), max_rows=self.settings.remote_max_rows, names=names)

    @property
    def generation(self) -> Generation:
        wanted = self.manifest.get("generation", "")
        local = current_generation(self.settings.build_dir)
        if local is not None and local.id == wanted:
            return local
        return Generation(self.settings.build_dir / GENERATIONS / wanted)


def read_manifest(client: SparqlClient, base_iri: str) -> dict[str, Any] | None:
    meta = meta_graph_iri(base_iri)
    query = f"SELECT ?m WHERE {{ GRAPH <{meta}> {{ <{meta}> <{manifest_predicate(base_iri)}> ?m }} }}"
    _, body = client.query(query, RESULTS_JSON)
    rows = list(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON))
    if not rows:
        return None
    # Between a publish's INSERT of the new manifest and its DELETE of the old one both are
    # there: the newest is the live one.
    manifests = [json.loads(row["m"].value) for row in rows]
    return max(manifests, key=lambda m: m.get("published", 0))


def generation_graph(graph: str, generation_id: str) -> str:
    """Where one generation's copy of ``graph`` lives in the remote store."""
    return f"{graph}-{generation_id}"
