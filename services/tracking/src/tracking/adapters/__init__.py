"""Tracking adapters."""
