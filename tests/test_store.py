"""Store generations: atomic switching, pruning, and a handle that follows new builds."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from eulod.core.handle import StoreHandle
from eulod.core.generation import StoreMissing, current_generation
from eulod.pipeline.generations import new_generation, switch_to, write_manifest

TRIPLE = "<urn:s> <urn:p> \"{n}\" .\n"


def make_generation(build_dir: Path, n: int):
    generation = new_generation(build_dir)
    store = ox.Store(str(generation.store_path))
    store.bulk_load(TRIPLE.format(n=n).encode(), ox.RdfFormat.N_TRIPLES)
    del store
    write_manifest(generation, {"generation": generation.id, "n": n})
    return generation


def value(store: ox.Store) -> str:
    return next(iter(store.query("SELECT ?o WHERE { <urn:s> <urn:p> ?o }")))["o"].value


def test_switch_and_prune(tmp_path: Path):
    made = [make_generation(tmp_path, n) for n in range(4)]
    for generation in made:
        switch_to(tmp_path, generation)
    assert current_generation(tmp_path).path.resolve() == made[-1].path.resolve()
    survivors = sorted(p.name for p in (tmp_path / "generations").iterdir())
    assert survivors == sorted(g.id for g in made[-2:])
    assert (tmp_path / "store").resolve() == made[-1].store_path.resolve()


def test_handle_follows_a_new_generation(tmp_path: Path):
    switch_to(tmp_path, make_generation(tmp_path, 1))
    handle = StoreHandle(tmp_path, check_interval=0.05)
    assert value(handle.store) == "1"
    switch_to(tmp_path, make_generation(tmp_path, 2))
    time.sleep(0.1)
    assert value(handle.store) == "2"
    assert handle.manifest["n"] == 2


def test_handle_without_a_build_says_what_to_do(tmp_path: Path):
    with pytest.raises(StoreMissing, match="eulod build"):
        StoreHandle(tmp_path).store
