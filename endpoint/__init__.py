"""The endpoint: SPARQL 1.1, Linked Data pages, the DCAT-AP catalogue and dumps, over a store generation.

It stands on the core only (eulod.core): it never imports the pipeline, the converters or the
shapes (tests/test_layers.py). The app is made by :func:`eulod.endpoint.app.create_app`. This
package file imports nothing, so the query processes, which import only
:mod:`eulod.endpoint.evaluate`, stay small.
"""
