"""One module per field: each reads its field from a :class:`..sheet.Sheet` and writes it with its provenance.

The order they run in is the table of ``..steps``.
"""
