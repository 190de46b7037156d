"""The characters XML 1.0 cannot carry, escaped or not: C0 controls but tab, line feed and
carriage return, and U+FFFE / U+FFFF.

A literal holding one makes every SPARQL XML result and RDF/XML answer that shows it
unreadable to the client (SPARQLWrapper asks for XML by default). Records may not hold them
(converters/documents.py), and the endpoint refuses an XML answer that a query made hold one
(endpoint/evaluate.py). Both read the set from here: one as text, one as the UTF-8 bytes of
an answer (where U+FFFE and U+FFFF are three bytes each).
"""

from __future__ import annotations

import re

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
NOT_XML_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
