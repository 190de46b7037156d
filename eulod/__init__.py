"""eulod: linked open data for EU-funded project metadata.

The data flows one way: records -> converters -> RDF -> shapes -> store -> endpoint.
This package holds the small pieces every stage shares (namespaces, configuration,
store access) and the command line; the stages live in their own sub-packages.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("eulod")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
