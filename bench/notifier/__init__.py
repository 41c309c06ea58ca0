"""Notifier benchmark: events → local SMS/e-mail providers, throughput and latency."""
