"""PostgreSQL repositories."""
