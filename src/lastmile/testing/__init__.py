"""Pytest fixtures on the real broker and database, shared by every service's tests."""
