"""HTTP plumbing: problem details, health probes, metrics and the app factory."""
