"""Prometheus metrics of tracking (served on /metrics with the plumbing's)."""

from prometheus_client import Counter, Histogram

PINGS = Counter("tracking_pings_total", "Pings judged, by verdict", ["verdict"])
ETA_ERROR = Histogram(
    "tracking_eta_abs_error_seconds",
    "Absolute ETA error at arrival, by how long before arrival the ETA was told",
    ["horizon_min"],
    buckets=(60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 7200),
)
PINGS_STORED = Counter("tracking_pings_stored_total", "Pings written to PostgreSQL")
PING_WRITE_FAILURES = Counter("tracking_ping_write_failures_total", "Failed ping flushes")
ROAD_CALLS = Counter("tracking_road_calls_total", "Calls to the routing engine (matrix or route)")
