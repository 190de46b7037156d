"""Dumps of everything in a store generation, for harvesters and bulk users.

Each file is written to a temporary name and renamed, so a reader never sees half a file;
the returned description (bytes, sha256) goes into the generation's manifest.
"""

from __future__ import annotations

import gzip
import hashlib

import pyoxigraph as ox

from eulod.namespaces import PREFIXES
from eulod.store import Generation, atomic_write_bytes

DUMP_NAME = "eulod"


def _all_triples(store: ox.Store) -> ox.QueryTriples:
    return store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)


def write_dumps(store: ox.Store, generation: Generation) -> dict[str, dict]:
    """N-Triples, gzipped N-Triples, Turtle and JSON-LD of everything, each written atomically."""
    generation.dumps_path.mkdir()
    ntriples = ox.serialize(_all_triples(store), format=ox.RdfFormat.N_TRIPLES)
    turtle = ox.serialize(_all_triples(store), format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    jsonld = ox.serialize(_all_triples(store), format=ox.RdfFormat.JSON_LD)
    files = {
        f"{DUMP_NAME}.nt": ntriples,
        f"{DUMP_NAME}.nt.gz": gzip.compress(ntriples, mtime=0),
        f"{DUMP_NAME}.ttl": turtle,
        f"{DUMP_NAME}.jsonld": jsonld,
    }
    for name, payload in files.items():
        atomic_write_bytes(generation.dumps_path / name, payload)
    return {
        name: {"bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()} for name, payload in files.items()
    }
