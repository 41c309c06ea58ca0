"""SQL migrations of the notifier schema."""
