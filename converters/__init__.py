"""Converters: read records from every supported source into one record model, then RDF.

``records`` loads and checks the canonical record format; ``rdf`` maps a record to an
rdflib graph; ``countries`` resolves country codes against the EU authority table.
"""
