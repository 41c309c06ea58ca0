"""Kafka plumbing: topic creation, the producer, the one consumer runner and the outbox relay."""
