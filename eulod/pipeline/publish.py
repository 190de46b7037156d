"""``eulod publish``: a built generation into a remote SPARQL store, made live in one step.

:func:`publish` uploads a built generation with the SPARQL 1.1 Graph Store Protocol into
graphs named for that generation, checks that the store holds exactly the triples that were
sent, then flips a pointer: the manifest in a small metadata graph names the live graphs, and
the new manifest goes in with one single-triple INSERT (eulod.core.remote.handle reads it).
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable

import pyoxigraph as ox

from eulod.core.generation import Generation
from eulod.core.remote.client import RESULTS_JSON, RemoteError, SparqlClient
from eulod.core.remote.handle import generation_graph, manifest_predicate, meta_graph_iri, read_manifest

log = logging.getLogger(__name__)


def _literal(text: str) -> str:
    """A SPARQL string literal for any text (JSON included)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _upload(client: SparqlClient, store: ox.Store, graph: str, target: str, folder: Path) -> int:
    """PUT one graph of the local store into ``target``; returns how many triples were sent."""
    with tempfile.NamedTemporaryFile(dir=folder, suffix=".nt") as handle:
        store.dump(handle, format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        handle.flush()
        length = handle.tell()
        handle.seek(0)
        client.put_graph(target, handle, length)
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


def publish(generation: Generation, client: SparqlClient, base_iri: str) -> dict[str, Any]:
    """Upload ``generation`` to the remote store and make it live in one step; returns its manifest.

    The generation's graphs are uploaded under generation-specific names and counted; only
    then is the new manifest, which names them, added to the metadata graph (one INSERT of
    one triple), and the old manifest removed after it. Readers follow the newest manifest,
    so they switch from the complete old graphs to the complete new ones at once. The
    previous generation's graphs are kept for readers still holding the old manifest; older
    ones are dropped. (Virtuoso shows the rows of a running MOVE to readers, so moving
    staged data onto fixed graph names would not be atomic: the tests caught that.)
    """
    manifest = generation.manifest()
    if manifest.get("base_iri") != base_iri:
        raise RemoteError(
            f"the build in {generation.path} was made for base IRI {manifest.get('base_iri')}, not {base_iri}: "
            "build again with the deployment's base IRI"
        )
    graphs: dict[str, str] = manifest["graphs"]
    live = {key: generation_graph(graph, generation.id) for key, graph in graphs.items()}
    previous = read_manifest(client, base_iri)
    store = ox.Store.read_only(str(generation.store_path))
    try:
        for key, graph in graphs.items():
            sent = _upload(client, store, graph, live[key], generation.path)
            held = client.count(live[key])
            if held != sent:
                raise RemoteError(f"the remote store holds {held} triples of <{graph}> after receiving {sent}")
            log.info("uploaded %d triples of <%s>", sent, graph)
        published = {**manifest, "remote_graphs": live, "published": time.time_ns()}
        meta, predicate = meta_graph_iri(base_iri), manifest_predicate(base_iri)
        text = _literal(json.dumps(published, sort_keys=True))
        client.update(f"INSERT DATA {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> {text} }} }}")
    except BaseException:
        _drop_quietly(client, live.values())
        raise
    finally:
        del store
    client.update(
        f"DELETE {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> ?old }} }} "
        f"WHERE {{ GRAPH <{meta}> {{ <{meta}> <{predicate}> ?old FILTER(STR(?old) != {text}) }} }}"
    )
    keep = set(live.values()) | set((previous or {}).get("remote_graphs", {}).values())
    _drop_quietly(client, [g for g in _generation_graphs(client, graphs.values()) if g not in keep])
    return published


def _generation_graphs(client: SparqlClient, graphs: Iterable[str]) -> list[str]:
    """Every generation copy of ``graphs`` in the store."""
    tests = " || ".join(f"STRSTARTS(STR(?g), {_literal(g + '-')})" for g in graphs)
    _, body = client.query(f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({tests}) }}", RESULTS_JSON)
    return [row["g"].value for row in ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)]


def _drop_quietly(client: SparqlClient, graphs: Iterable[str]) -> None:
    graphs = list(graphs)
    if not graphs:
        return
    try:
        client.update(" ;\n".join(f"DROP SILENT GRAPH <{g}>" for g in graphs))
    except RemoteError as exc:
        log.warning("could not remove unused generation graphs: %s", exc)
