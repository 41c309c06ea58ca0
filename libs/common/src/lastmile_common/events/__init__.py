"""Event contracts: CloudEvents envelopes, per-context data models and the type registry."""
