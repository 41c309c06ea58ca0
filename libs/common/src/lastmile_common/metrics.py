"""Prometheus metrics shared by every service's plumbing (served on /metrics)."""

from prometheus_client import Counter, Gauge, Histogram

CONSUMER_LAG = Gauge(
    "lastmile_consumer_lag",
    "Records behind the partition's end",
    ["consumer", "topic", "partition"],
)
HANDLER_SECONDS = Histogram(
    "lastmile_handler_seconds",
    "Time to process one event, transaction included",
    ["consumer", "type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
EVENTS_PROCESSED = Counter(
    "lastmile_events_processed_total", "Events processed", ["consumer", "type", "outcome"]
)
DLT_MESSAGES = Counter(
    "lastmile_dlt_messages_total", "Messages sent to a dead-letter topic", ["consumer", "topic"]
)
OUTBOX_BACKLOG = Gauge("lastmile_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter(
    "lastmile_outbox_published_total", "Outbox rows published to Kafka", ["service"]
)
CONSUMER_PAUSED = Gauge(
    "lastmile_consumer_paused",
    "1 while a consumer waits out a database or broker outage with its partitions paused",
    ["consumer"],
)
