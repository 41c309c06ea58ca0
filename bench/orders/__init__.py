"""Orders benchmark: HTTP creates and Kafka intake, measured to `order.created` on orders.v1."""
