"""``eulod review``: a local page where a publisher turns a fact sheet's draft into a curated record.

The page (:mod:`eulod.review.app`) shows the sheet beside the extractor's draft, flagged
fields first; :mod:`eulod.review.fields` says how each schema property is shown and read back,
:mod:`eulod.review.curate` makes, checks and writes the record. It belongs to the command
line's layer: it runs the extractor and the record checks, and the endpoint never loads it.
"""
