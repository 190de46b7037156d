"""The pipeline: records -> RDF -> shapes -> a new store generation with its summaries, listing and dumps.

It stands on the core (eulod.core) and uses the converters (eulod.converters) and the shapes
(eulod.shapes); the endpoint never imports it. See ARCHITECTURE.md.
"""
