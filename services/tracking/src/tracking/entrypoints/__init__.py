"""Tracking entrypoints."""
