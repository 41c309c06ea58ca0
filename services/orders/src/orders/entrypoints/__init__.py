"""HTTP routers and Kafka handlers: they only translate into commands."""
