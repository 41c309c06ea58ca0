"""PostgreSQL plumbing: pools, migrations, the transactional outbox and the consumer inbox."""
