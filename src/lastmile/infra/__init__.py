"""Embedded infrastructure for local runs and tests: the Tansu broker and a PostgreSQL server."""
