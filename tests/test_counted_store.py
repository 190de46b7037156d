"""The quad count an incremental build keeps (eulod/pipeline/counted.py) against the store's own."""

from __future__ import annotations

import pyoxigraph as ox
from hypothesis import given
from hypothesis import strategies as st

from eulod.pipeline.counted import CountedStore

NODES = [ox.NamedNode(f"http://example.org/{n}") for n in "abc"]
GRAPHS = [ox.DefaultGraph(), ox.NamedNode("http://example.org/g")]
QUADS = st.builds(ox.Quad, st.sampled_from(NODES), st.sampled_from(NODES), st.sampled_from(NODES),
                  st.sampled_from(GRAPHS))
STEPS = st.lists(st.one_of(st.tuples(st.just("add"), QUADS), st.tuples(st.just("remove"), QUADS),
                           st.tuples(st.just("extend"), st.lists(QUADS, max_size=6)),
                           st.tuples(st.just("update"), st.just(None))), max_size=25)


@given(st.lists(QUADS, max_size=10), STEPS)
def test_the_count_is_the_stores(start, steps):
    store = ox.Store()
    store.extend(start)
    counted = CountedStore(store, len(store))
    for name, argument in steps:
        if name == "update":  # a change it cannot count: it forgets the count and asks again
            counted.update("DELETE WHERE { <http://example.org/a> ?p ?o }")
        else:
            getattr(counted, name)(argument)
        assert len(counted) == len(store)


def test_an_unknown_count_is_asked_of_the_store():
    store = ox.Store()
    store.add(ox.Quad(NODES[0], NODES[1], NODES[2]))
    counted = CountedStore(store, None)
    counted.add(ox.Quad(NODES[1], NODES[1], NODES[2]))
    assert len(counted) == 2
    counted.remove(ox.Quad(NODES[1], NODES[1], NODES[2]))
    assert len(counted) == 1
