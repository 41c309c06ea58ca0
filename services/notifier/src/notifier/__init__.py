"""lastmile notifier service."""
