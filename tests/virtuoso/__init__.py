"""A throw-away OpenLink Virtuoso (Debian's virtuoso-opensource) for the remote-store tests."""
