"""Addresses of a map extract: read once per extract into an index that orders searches."""
