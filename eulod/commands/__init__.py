"""One module per ``eulod`` subcommand.

Each module defines ``register(subparsers)``, which adds its parser and sets
``handler``; :mod:`eulod.cli` discovers the modules of this package, so adding a
command adds a file and touches nothing else.
"""
