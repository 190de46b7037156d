"""eulod's ontology and code lists: Turtle files, shipped as package data."""
