"""Use cases: commands handled in one transaction with the events they cause."""
