"""Tracking service layer."""
