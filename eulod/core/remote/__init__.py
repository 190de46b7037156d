"""A remote SPARQL 1.1 store (Virtuoso, tested) in place of the local build.

Reading: :class:`eulod.core.remote.handle.RemoteHandle` has the surface of
:class:`eulod.core.handle.StoreHandle` (``.store``, ``.manifest``, ``.generation``) and its
``.store.query`` answers with the very pyoxigraph types the embedded store gives
(QuerySolutions, QueryBoolean, QueryTriples), so the endpoint code does not know which
backend it runs on. Every query is first parsed by pyoxigraph itself, so syntax errors read
the same on both backends and only standard SPARQL 1.1 reaches the store.

The modules, one concern each: :mod:`.client` (SPARQL 1.1 Protocol and Graph Store Protocol
over HTTP), :mod:`.rewrite` (making Virtuoso answer as the standard says), :mod:`.store` (the
``pyoxigraph.Store`` surface), :mod:`.handle` (the published generation and its manifest).
Writing (``eulod publish``) is the pipeline's: eulod.pipeline.publish.
"""
